// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-bench-kvm: the KVM side of the run-loop benchmark.  The same bench
 * guest, page tables and CPUID table as hcl-bench-hcl, in a KVM VM with
 * one memory slot (GPA 0, 64 MiB); the MMIO page has no slot, so its
 * stores are KVM_EXIT_MMIO.  Every exit kind KVM has a counterpart for
 * is timed with KVM_RUN, and port I/O on several vCPUs with one thread
 * per vCPU.  Prints one JSON line per result.
 *
 *   hcl-bench-kvm -t TSC_HZ -n ITERS [-w WARMUP] [-r REPS] [-v VPS] [-R ROUND]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "bench.h"

#define SIDE	"kvm"

struct vcpu {
	int fd;
	unsigned int index;
	struct kvm_run *run;
};

static struct vcpu vcpus[BENCH_MAX_VPS];
static volatile struct bench_mailbox *mbs[BENCH_MAX_VPS];

/* After KVM_RUN: 1 when the guest halted, 0 for an exit to answer, -1. */
static int handle_exit(struct vcpu *v, uint64_t *user_exits)
{
	const struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_HLT:
		return 1;
	case KVM_EXIT_INTR:
		return 0;
	case KVM_EXIT_IO:
		if (run->io.port != BENCH_PIO_USER_PORT ||
		    run->io.direction != KVM_EXIT_IO_OUT || run->io.count != 1)
			break;
		(*user_exits)++;	/* an OUT needs no answer */
		return 0;
	case KVM_EXIT_MMIO:
		if (run->mmio.phys_addr != BENCH_MMIO_GPA ||
		    !run->mmio.is_write)
			break;
		(*user_exits)++;
		return 0;
	case KVM_EXIT_FAIL_ENTRY:
		fprintf(stderr, "kvm-bench: vCPU %u: entry failed, reason 0x%llx\n",
			v->index, (unsigned long long)
			run->fail_entry.hardware_entry_failure_reason);
		return -1;
	case KVM_EXIT_INTERNAL_ERROR:
		fprintf(stderr, "kvm-bench: vCPU %u: internal error %u\n",
			v->index, run->internal.suberror);
		return -1;
	}
	fprintf(stderr, "kvm-bench: vCPU %u: unexpected exit %u\n", v->index,
		run->exit_reason);
	return -1;
}

static int run_vcpu(void *ctx, uint64_t *user_exits)
{
	struct vcpu *v = ctx;
	int ret;

	for (;;) {
		if (ioctl(v->fd, KVM_RUN, 0) && errno != EINTR) {
			perror("kvm-bench: KVM_RUN");
			return -1;
		}
		ret = handle_exit(v, user_exits);
		if (ret)
			return ret < 0 ? -1 : 0;
	}
}

/* VMCB attributes: type:4 s:1 dpl:2 p:1 avl:1 l:1 db:1 g:1 */
static void kvm_seg(struct kvm_segment *k, const struct hcl_segment *h)
{
	memset(k, 0, sizeof(*k));
	k->base = h->base;
	k->limit = h->limit;
	k->selector = h->selector;
	k->type = h->attrib & 0xf;
	k->s = (h->attrib >> 4) & 1;
	k->dpl = (h->attrib >> 5) & 3;
	k->present = (h->attrib >> 7) & 1;
	k->avl = (h->attrib >> 8) & 1;
	k->l = (h->attrib >> 9) & 1;
	k->db = (h->attrib >> 10) & 1;
	k->g = (h->attrib >> 11) & 1;
	k->unusable = !k->present;
}

static void kvm_sregs_from(struct kvm_sregs *k, const struct hcl_sregs *h)
{
	kvm_seg(&k->cs, &h->cs);
	kvm_seg(&k->ds, &h->ds);
	kvm_seg(&k->es, &h->es);
	kvm_seg(&k->fs, &h->fs);
	kvm_seg(&k->gs, &h->gs);
	kvm_seg(&k->ss, &h->ss);
	kvm_seg(&k->tr, &h->tr);
	kvm_seg(&k->ldt, &h->ldt);
	k->gdt.base = h->gdt.base;
	k->gdt.limit = h->gdt.limit;
	k->idt.base = h->idt.base;
	k->idt.limit = h->idt.limit;
	k->cr0 = h->cr0;
	k->cr2 = h->cr2;
	k->cr3 = h->cr3;
	k->cr4 = h->cr4;
	k->efer = h->efer;
}

static void kvm_regs_from(struct kvm_regs *k, const struct hcl_regs *h)
{
	const __u64 *g = h->gprs;

	memset(k, 0, sizeof(*k));
	k->rax = g[HCL_REG_RAX];
	k->rbx = g[HCL_REG_RBX];
	k->rcx = g[HCL_REG_RCX];
	k->rdx = g[HCL_REG_RDX];
	k->rsi = g[HCL_REG_RSI];
	k->rdi = g[HCL_REG_RDI];
	k->rsp = g[HCL_REG_RSP];
	k->rbp = g[HCL_REG_RBP];
	k->r8 = g[HCL_REG_R8];
	k->r9 = g[HCL_REG_R9];
	k->r10 = g[HCL_REG_R10];
	k->r11 = g[HCL_REG_R11];
	k->r12 = g[HCL_REG_R12];
	k->r13 = g[HCL_REG_R13];
	k->r14 = g[HCL_REG_R14];
	k->r15 = g[HCL_REG_R15];
	k->rip = h->rip;
	k->rflags = h->rflags;
}

static struct kvm_cpuid2 *kvm_cpuid_table(void)
{
	struct hcl_cpuid_entry ents[BENCH_MAX_CPUID];
	struct kvm_cpuid2 *c;
	unsigned int i, n;

	n = bench_cpuid_table(ents, BENCH_MAX_CPUID);
	c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	if (!c)
		return NULL;
	c->nent = n;
	for (i = 0; i < n; i++) {
		c->entries[i].function = ents[i].function;
		c->entries[i].index = ents[i].index;
		c->entries[i].eax = ents[i].eax;
		c->entries[i].ebx = ents[i].ebx;
		c->entries[i].ecx = ents[i].ecx;
		c->entries[i].edx = ents[i].edx;
	}
	return c;
}

static int setup(unsigned int nvps)
{
	struct kvm_userspace_memory_region slot = { 0 };
	struct kvm_cpuid2 *cpuid;
	struct hcl_sregs hsregs;
	struct hcl_regs hregs, r;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int kvm, vm, run_size;
	unsigned int i;
	uint8_t *mem;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		perror("kvm-bench: /dev/kvm");
		return -1;
	}
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		fprintf(stderr, "kvm-bench: unexpected KVM API version\n");
		return -1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm < 0 || run_size < (int)sizeof(struct kvm_run)) {
		perror("kvm-bench: KVM_CREATE_VM");
		return -1;
	}
	mem = mmap(NULL, BENCH_MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		perror("kvm-bench: guest memory");
		return -1;
	}
	slot.memory_size = BENCH_MEM_SIZE;
	slot.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot)) {
		perror("kvm-bench: KVM_SET_USER_MEMORY_REGION");
		return -1;
	}
	if (bench_prepare_mem(mem, BENCH_MEM_SIZE, &hregs, &hsregs))
		return -1;
	cpuid = kvm_cpuid_table();
	if (!cpuid)
		return -1;
	for (i = 0; i < nvps; i++) {
		vcpus[i].index = i;
		vcpus[i].fd = ioctl(vm, KVM_CREATE_VCPU, i);
		if (vcpus[i].fd < 0) {
			perror("kvm-bench: KVM_CREATE_VCPU");
			return -1;
		}
		vcpus[i].run = mmap(NULL, run_size, PROT_READ | PROT_WRITE,
				    MAP_SHARED, vcpus[i].fd, 0);
		if (vcpus[i].run == MAP_FAILED) {
			perror("kvm-bench: mmap kvm_run");
			return -1;
		}
		if (ioctl(vcpus[i].fd, KVM_SET_CPUID2, cpuid) ||
		    ioctl(vcpus[i].fd, KVM_GET_SREGS, &sregs)) {
			perror("kvm-bench: KVM_SET_CPUID2");
			return -1;
		}
		kvm_sregs_from(&sregs, &hsregs);
		r = bench_vp_regs(&hregs, i);
		kvm_regs_from(&regs, &r);
		if (ioctl(vcpus[i].fd, KVM_SET_SREGS, &sregs) ||
		    ioctl(vcpus[i].fd, KVM_SET_REGS, &regs)) {
			perror("kvm-bench: setting up the vCPU");
			return -1;
		}
		mbs[i] = bench_mailbox(mem, i);
	}
	free(cpuid);
	return 0;
}

/*
 * Without next-RIP saving KVM skips a CPUID or VMMCALL with its
 * instruction emulator (fetch and decode from guest memory); without
 * decode assists its MMIO emulation fetches the instruction from guest
 * memory instead of taking the bytes the CPU stored in the VMCB.  hcl.ko
 * uses neither feature: it advances RIP by known lengths and decodes MMIO
 * itself, so on a CPU that has them these rows move in KVM's favour.
 */
static const struct bench_case one_vp_cases[] = {
	{ .name = "floor", .kind = BENCH_KIND_VMMCALL,
	  .arg = BENCH_HC_KVM_UNKNOWN,
	  .note = "KVM: VMMCALL RAX=0x1000, unknown: -KVM_ENOSYS from the kernel",
	  .needs = "nrip_save",
	  .without = "KVM skips the VMMCALL with its emulator" },
	{ .name = "cpuid", .kind = BENCH_KIND_CPUID, .needs = "nrip_save",
	  .without = "KVM skips the CPUID with its emulator" },
	{ .name = "pio_user_ioctl", .kind = BENCH_KIND_PIO,
	  .arg = BENCH_PIO_USER_PORT, .user_exits = 1 },
	{ .name = "mmio_user_ioctl", .kind = BENCH_KIND_MMIO, .user_exits = 1,
	  .needs = "decodeassists",
	  .without = "KVM fetches the MMIO instruction from guest memory" },
};

static const struct bench_case multi_case = {
	.name = "multi_vp_pio", .kind = BENCH_KIND_PIO,
	.arg = BENCH_PIO_USER_PORT, .user_exits = 1,
	.note = "KVM: a KVM_RUN thread per vCPU",
};

int main(int argc, char **argv)
{
	void *ctxs[BENCH_MAX_VPS];
	struct bench_opts o;
	unsigned int i;
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (bench_parse_opts(argc, argv, &o))
		return 2;
	if (setup(o.vps)) {
		bench_error(SIDE, "setup", "cannot set up the VM");
		return 1;
	}
	for (i = 0; i < sizeof(one_vp_cases) / sizeof(one_vp_cases[0]); i++)
		failed |= bench_measure(&o, SIDE, &one_vp_cases[i], mbs[0],
					run_vcpu, &vcpus[0]);
	for (i = 0; i < o.vps; i++)
		ctxs[i] = &vcpus[i];
	failed |= bench_multi_threads(&o, SIDE, &multi_case, mbs, run_vcpu,
				      ctxs, o.vps);
	return failed ? 1 : 0;
}
