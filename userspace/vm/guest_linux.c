// SPDX-License-Identifier: GPL-2.0
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "guest.h"
#include "guest_linux.h"
#include "irq.h"
#include "linux_load.h"
#include "mptable.h"
#include "vm.h"
#include "dev/cmos_rtc.h"
#include "dev/legacy.h"
#include "dev/reset.h"
#include "dev/tpm.h"

#define COM1_GSI	4
#define MPTABLE_GPA	LINUX_BIOS_GPA

/* CPUID bits (the leaf, register and bit) */
#define L1C_SSE3	(1u << 0)
#define L1C_PCLMUL	(1u << 1)
#define L1C_SSSE3	(1u << 9)
#define L1C_CX16	(1u << 13)
#define L1C_SSE41	(1u << 19)
#define L1C_SSE42	(1u << 20)
#define L1C_X2APIC	(1u << 21)
#define L1C_MOVBE	(1u << 22)
#define L1C_POPCNT	(1u << 23)
#define L1C_DEADLINE	(1u << 24)
#define L1C_AES		(1u << 25)
#define L1C_RDRAND	(1u << 30)
#define L1C_HYPERVISOR	(1u << 31)
#define L1D_APIC	(1u << 9)
#define L1D_HTT		(1u << 28)
/* FPU VME DE PSE TSC MSR PAE CX8, SEP PGE CMOV PAT PSE36 CLFSH MMX FXSR SSE SSE2 */
#define L1D_ALLOW	(0x0000017fu | (1u << 11) | (1u << 13) | (1u << 15) | \
			 (1u << 16) | (1u << 17) | (1u << 19) | (1u << 23) | \
			 (1u << 24) | (1u << 25) | (1u << 26))
#define L1C_ALLOW	(L1C_SSE3 | L1C_PCLMUL | L1C_SSSE3 | L1C_CX16 | \
			 L1C_SSE41 | L1C_SSE42 | L1C_MOVBE | L1C_POPCNT | \
			 L1C_AES | L1C_RDRAND)
/* BMI1 SMEP BMI2 ERMS ADX CLFLUSHOPT SHA */
#define L7B_ALLOW	((1u << 3) | (1u << 7) | (1u << 8) | (1u << 9) | \
			 (1u << 19) | (1u << 23) | (1u << 29))
#define L6A_ARAT	(1u << 2)
/* LAHF ABM SSE4A MISALIGNSSE 3DNOWPREFETCH */
#define LX1C_ALLOW	((1u << 0) | (1u << 5) | (1u << 6) | (1u << 7) | \
			 (1u << 8))
/* SYSCALL NX MMXEXT PDPE1GB LM, and leaf 1's bits AMD mirrors */
#define LX1D_ALLOW	((L1D_ALLOW & 0x0183f3ffu) | (1u << 11) | \
			 (1u << 20) | (1u << 22) | (1u << 26) | (1u << 29))
#define LX7D_INVTSC	(1u << 8)

#define KVM_CPUID_SIG		0x40000000u
#define KVM_CPUID_FEATURES	0x40000001u
#define KVM_FEATURE_CLOCKSOURCE2	3
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT	24

/* "AuthenticAMD", "KVMKVMKVM\0\0\0" as EBX, ECX, EDX */
static const uint32_t amd_vendor[3] = { 0x68747541, 0x444d4163, 0x69746e65 };
static const uint32_t kvm_sig[3] = { 0x4b4d564b, 0x564b4d56, 0x0000004d };

void guest_linux_host_cpuid(uint32_t fn, uint32_t idx, uint32_t out[4])
{
	__cpuid_count(fn, idx, out[0], out[1], out[2], out[3]);
}

static struct hcl_cpuid_entry *leaf(struct hcl_cpuid_entry *e, uint32_t fn,
				    uint32_t a, uint32_t b, uint32_t c,
				    uint32_t d)
{
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->eax = a;
	e->ebx = b;
	e->ecx = c;
	e->edx = d;
	return e + 1;
}

static struct hcl_cpuid_entry *subleaf(struct hcl_cpuid_entry *e, uint32_t fn,
				       uint32_t idx, uint32_t a, uint32_t b,
				       uint32_t c, uint32_t d)
{
	leaf(e, fn, a, b, c, d);
	e->index = idx;
	e->flags = HCL_CPUID_F_INDEX;
	return e + 1;
}

/* bits to hold APIC ids 0 .. n - 1 */
static uint32_t id_bits(unsigned int n)
{
	uint32_t b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

#define GUEST_LINUX_NR_CPUID	17

unsigned int guest_linux_cpuid(struct hcl_cpuid_entry *e, unsigned int max,
			       unsigned int vp, unsigned int nr_vps,
			       host_cpuid_fn host)
{
	struct hcl_cpuid_entry *p = e;
	uint32_t h[4], x[4], bits = id_bits(nr_vps);
	uint32_t fn;

	if (max < GUEST_LINUX_NR_CPUID)
		return 0;
	p = leaf(p, 0, 0xb, amd_vendor[0], amd_vendor[1], amd_vendor[2]);
	host(1, 0, h);
	p = leaf(p, 1, h[0],
		 vp << 24 | (nr_vps & 0xff) << 16 | 8 << 8,
		 (h[2] & L1C_ALLOW) | L1C_X2APIC | L1C_DEADLINE |
		 L1C_HYPERVISOR,
		 (h[3] & L1D_ALLOW) | L1D_APIC | (nr_vps > 1 ? L1D_HTT : 0));
	p = leaf(p, 6, L6A_ARAT, 0, 0, 0);
	host(7, 0, h);
	p = subleaf(p, 7, 0, 0, h[1] & L7B_ALLOW, 0, 0);
	/* one thread per core, every VP a core of one package */
	p = subleaf(p, 0xb, 0, 0, 1, 1u << 8, vp);
	p = subleaf(p, 0xb, 1, bits, nr_vps, 2u << 8 | 1, vp);
	p = leaf(p, KVM_CPUID_SIG, KVM_CPUID_FEATURES, kvm_sig[0], kvm_sig[1],
		 kvm_sig[2]);
	p = leaf(p, KVM_CPUID_FEATURES,
		 1u << KVM_FEATURE_CLOCKSOURCE2 |
		 1u << KVM_FEATURE_CLOCKSOURCE_STABLE_BIT, 0, 0, 0);
	p = leaf(p, 0x80000000, 0x80000008, amd_vendor[0], amd_vendor[1],
		 amd_vendor[2]);
	host(0x80000000, 0, x);
	host(0x80000001, 0, h);
	p = leaf(p, 0x80000001, h[0], 0, h[2] & LX1C_ALLOW, h[3] & LX1D_ALLOW);
	for (fn = 0x80000002; fn <= 0x80000004; fn++) {
		if (x[0] >= fn)
			host(fn, 0, h);
		else
			memset(h, 0, sizeof(h));
		p = leaf(p, fn, h[0], h[1], h[2], h[3]);
	}
	p = leaf(p, 0x80000007, 0, 0, 0, LX7D_INVTSC);
	if (x[0] >= 0x80000008)
		host(0x80000008, 0, h);
	else
		h[0] = 0x3028;	/* 40 physical, 48 virtual address bits */
	p = leaf(p, 0x80000008, h[0] & 0xffff, 0,
		 bits << 12 | ((nr_vps - 1) & 0xff), 0);
	return (unsigned int)(p - e);
}

/* ---- the profile ---------------------------------------------------------- */

/*
 * The vTPM's ISA interrupt: free on this platform (0 timer, 4 COM1,
 * 8 RTC are taken), reported in TPM_INT_VECTOR so that tpm_tis probes
 * only this line instead of taking every free one.
 */
#define TPM_SIRQ	5

struct linux_guest {
	struct linux_layout layout;
	struct hcl_regs regs;
	struct hcl_sregs sregs;
	struct irq irq;
	struct irq_line com1_line;
	struct cmos_rtc rtc;
	struct reset_dev reset;
	struct legacy_dev legacy;
	struct unknown_dev unknown;
	struct vtpm tpm;
	struct vm *vm;
	struct console_input input;	/* the host's stdin into COM1 */
	int tty_saved;
	struct termios tty;
	char note[160];
};

static struct linux_guest lg;

static bool linux_probe(const void *img, size_t len)
{
	const uint8_t *b = img;

	return len >= HCL_BP_HEADER + 4 && b[HCL_BP_HEADER] == 'H' &&
	       b[HCL_BP_HEADER + 1] == 'd' && b[HCL_BP_HEADER + 2] == 'r' &&
	       b[HCL_BP_HEADER + 3] == 'S';
}

static void *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !(buf = malloc(st.st_size ? st.st_size : 1))) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, st.st_size - got);
		if (n <= 0) {
			free(buf);
			close(fd);
			errno = n ? errno : EIO;
			return NULL;
		}
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

static void com1_irq(void *arg, int level)
{
	irq_line_set(arg, level);
}

static void restore_tty(void)
{
	if (lg.tty_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &lg.tty);
}

/* raw input when stdin is a terminal: keys go to the guest as typed */
static int console_input(struct linux_guest *g)
{
	struct termios raw;
	int ret;

	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &g->tty)) {
		raw = g->tty;
		raw.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
		raw.c_iflag &= ~(ICRNL | INLCR | IXON);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		if (!tcsetattr(STDIN_FILENO, TCSANOW, &raw)) {
			g->tty_saved = 1;
			atexit(restore_tty);
		}
	}
	ret = console_input_add(&g->input, g->vm->loop, STDIN_FILENO,
				&g->vm->com1, &g->vm->bus.lock);
	if (ret) {
		fprintf(stderr, "underhill_vm: console input: %s\n",
			strerror(-ret));
		return -1;
	}
	return 0;
}

static int add_devices(struct vm *vm, struct linux_guest *g)
{
	int ret;

	ret = irq_line_init(&g->com1_line, &g->irq, COM1_GSI);
	if (!ret) {
		uart_set_irq(&vm->com1, com1_irq, &g->com1_line);
		ret = cmos_rtc_add(&g->rtc, &vm->bus);
	}
	if (!ret)
		ret = reset_dev_add(&g->reset, &vm->bus, &vm->events);
	if (!ret)
		ret = legacy_dev_add(&g->legacy, &vm->bus);
	/* the sandboxed vTPM: tpm_tis.force=1 finds it without ACPI */
	if (!ret && vtpm_add(&g->tpm, vm, 0, &g->irq, TPM_SIRQ))
		return -1;
	/* last: every port nobody else decodes */
	if (!ret)
		ret = legacy_add_unknown(&g->unknown, &vm->bus, stderr);
	if (ret) {
		fprintf(stderr, "underhill_vm: Linux platform devices: %s\n",
			strerror(-ret));
		return -1;
	}
	return 0;
}

static int linux_setup(struct vm *vm, const void *img, size_t len)
{
	struct linux_payload p = {
		.kernel = img, .kernel_len = len,
		.cmdline = vm->cmdline ? vm->cmdline : "",
	};
	uint32_t sig[4];
	void *initrd = NULL;
	char err[256];
	int ret;

	lg.vm = vm;
	vm->guest_data = &lg;
	/* a shell waits for its user; a command gets ten minutes */
	if (!vm->timeout_given)
		vm->timeout = strstr(p.cmdline, "hcl.cmd=") ? 600 : 0;
	if (vm->initrd_path) {
		initrd = slurp(vm->initrd_path, &p.initrd_len);
		if (!initrd) {
			fprintf(stderr, "underhill_vm: %s: %s\n",
				vm->initrd_path, strerror(errno));
			return -1;
		}
		p.initrd = initrd;
	} else if (vm->initrd_mem) {
		p.initrd = vm->initrd_mem;
		p.initrd_len = vm->initrd_mem_len;
	}
	ret = linux_load(vm->mem, vm->mem_size, &p, &lg.layout, &lg.regs,
			 &lg.sregs, err, sizeof(err));
	free(initrd);
	if (ret) {
		fprintf(stderr, "underhill_vm: %s: %s\n",
			vm->kernel_path ? vm->kernel_path : "VTL0 image", err);
		return -1;
	}
	guest_linux_host_cpuid(1, 0, sig);
	if (!mptable_write((char *)vm->mem + MPTABLE_GPA,
			   LINUX_HIGH_GPA - MPTABLE_GPA, MPTABLE_GPA,
			   vm->nr_vps, sig[0], sig[3])) {
		fprintf(stderr, "underhill_vm: no MP table for %u VPs\n",
			vm->nr_vps);
		return -1;
	}
	ret = irq_init(&lg.irq, irq_hcl_ioctl, &vm->hcl_fd);
	if (ret < 0) {
		fprintf(stderr, "underhill_vm: interrupt lines: %s\n",
			strerror(-ret));
		return -1;
	}
	/* the APs wait in the kernel for the BSP's INIT and SIPI */
	vm->aps_wait_sipi = lg.irq.present;
	vm->exits.events = &vm->events;
	if (add_devices(vm, &lg) || console_input(&lg))
		return -1;
	snprintf(lg.note, sizeof(lg.note),
		 ", Linux (boot protocol %u.%02u) at %" PRIu64 " MiB, initrd %zu KiB, %" PRIu64 " MiB RAM%s",
		 lg.layout.bz.version >> 8, lg.layout.bz.version & 0xff,
		 lg.layout.kernel_gpa >> 20, p.initrd_len >> 10,
		 vm->mem_size >> 20,
		 lg.irq.present ? "" : ", APs not started (no in-kernel irqchip)");
	return 0;
}

/* the MSRs Linux reads on an AMD CPU that nothing else answers */
static const struct {
	uint32_t index;
	uint64_t writable;
} emulated_msrs[] = {
	{ 0x0000008b, 0 },		/* PATCH_LEVEL: no microcode */
	{ 0xc0010010, 0 },		/* SYSCFG */
	{ 0xc0010015, ~0ull },		/* HWCR */
	{ 0xc001001f, ~0ull },		/* NB_CFG */
	{ 0xc0011029, ~0ull },		/* DE_CFG */
	/* the K8 E400 idle routine's C1E state (family 0xf hosts) */
	{ 0xc0010055, 0 },		/* INT_PENDING_MSG */
};

static int set_msr_policy(struct vm *vm, struct vp *vp)
{
	static struct hcl_msr_rule rules[HCL_MAX_MSR_RULES];
	struct hcl_msr_policy pol = { .default_action = HCL_MSR_GP };
	unsigned int i, n;
	int ret;

	ret = exits_msr_rules(&vm->exits, rules, HCL_MAX_MSR_RULES);
	n = ret < 0 ? HCL_MAX_MSR_RULES + 1 : (unsigned int)ret;
	if (n + sizeof(emulated_msrs) / sizeof(emulated_msrs[0]) >
	    HCL_MAX_MSR_RULES) {
		fprintf(stderr, "underhill_vm: too many MSR rules\n");
		return -1;
	}
	for (i = 0; i < sizeof(emulated_msrs) / sizeof(emulated_msrs[0]); i++) {
		memset(&rules[n], 0, sizeof(rules[n]));
		rules[n].index = emulated_msrs[i].index;
		rules[n].action = HCL_MSR_EMULATE;
		rules[n].writable = emulated_msrs[i].writable;
		n++;
	}
	pol.nrules = n;
	pol.rules = (uintptr_t)rules;
	if (ioctl(vp->fd, HCL_VP_SET_MSR_POLICY, &pol)) {
		perror("underhill_vm: HCL_VP_SET_MSR_POLICY");
		return -1;
	}
	return 0;
}

static int linux_setup_vp(struct vm *vm, struct vp *vp)
{
	struct hcl_cpuid_entry ent[32];
	struct hcl_cpuid cpuid = { 0 };
	struct hcl_regs regs;
	struct hcl_sregs sregs;

	cpuid.nent = guest_linux_cpuid(ent, 32, vp->index, vm->nr_vps,
				       guest_linux_host_cpuid);
	cpuid.entries = (uintptr_t)ent;
	if (set_msr_policy(vm, vp) ||
	    ioctl(vp->fd, HCL_VP_SET_CPUID, &cpuid)) {
		perror("underhill_vm: VP setup");
		return -1;
	}
	if (vp->index == 0) {
		regs = lg.regs;
		sregs = lg.sregs;
	} else if (vm->aps_wait_sipi) {
		/* created in wait-for-SIPI: the SIPI sets its registers */
		return 0;
	} else {
		/* an AP: INIT state; nothing would ever start it */
		linux_ap_state(&regs, &sregs);
		vp->parked = true;
	}
	if (ioctl(vp->fd, HCL_VP_SET_SREGS, &sregs) ||
	    ioctl(vp->fd, HCL_VP_SET_REGS, &regs)) {
		perror("underhill_vm: VP setup");
		return -1;
	}
	return 0;
}

static const char *linux_note(struct vm *vm)
{
	(void)vm;
	return lg.note;
}

static const char *const reset_why[] = {
	[VM_RESET_PORT_CF9] = "reset control port 0xcf9",
	[VM_RESET_I8042] = "keyboard controller reset (0xfe to port 0x64)",
	[VM_RESET_TRIPLE_FAULT] = "triple fault",
	[VM_RESET_HOST] = "the host",
};

/*
 * The outcome: a power-off is the guest's own result (its status byte,
 * written to the power-off port by the VTL0 initramfs); a reset is
 * reported and fails the run with GUEST_LINUX_RESET_RESULT; anything
 * else failed: a timeout, a failed VP, or every VP halted without a
 * power-off (Linux halts that way after an early panic, and after a
 * poweroff that did not use the port; with hcl.ko's local APIC a halt
 * stays in the kernel until an interrupt).
 */
static void linux_finish(struct vm *vm, struct hcl_vm_report *rep)
{
	struct linux_guest *g = vm->guest_data;
	int ev = vm_event_get(&vm->events);

	restore_tty();
	g->tty_saved = 0;
	rep->tsc_vtl0_first = rep->tsc_first_exit;
	switch (ev) {
	case VM_EVENT_POWEROFF:
		if (!vm->host_stop)
			printf("underhill_vm: VTL0 powered off with status %d (VP %u)\n",
			       vm->events.status, vm->events.vp);
		rep->halted = 1;
		rep->guest_result = (uint32_t)vm->events.status;
		break;
	case VM_EVENT_RESET:
		if (!vm->host_stop)
			printf("underhill_vm: VTL0 reset by VP %u: %s; VTL0 is not restarted\n",
			       vm->events.vp, reset_why[vm->events.status]);
		rep->halted = 0;
		rep->guest_result = GUEST_LINUX_RESET_RESULT;
		break;
	default:
		if (rep->halted)
			printf("underhill_vm: every VP of VTL0 halted without powering off (a panic?)\n");
		rep->halted = 0;
		rep->guest_result = 0xffffffffu;
		break;
	}
	if (g->unknown.accesses)
		printf("underhill_vm: %" PRIu64 " accesses to %u unknown ports\n",
		       g->unknown.accesses, g->unknown.ports_seen);
}

static struct guest_profile guest_linux = {
	.name = "linux",
	.probe = linux_probe,
	.setup = linux_setup,
	.setup_vp = linux_setup_vp,
	.note = linux_note,
	.finish = linux_finish,
};
GUEST_PROFILE(guest_linux)
