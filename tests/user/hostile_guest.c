// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-hostile: a hostile VTL0 guest for hcl.ko, run inside VTL2.
 *
 *   hcl-hostile [--seed N] [--seconds S] [--exits N] [--vps N]
 *               [--scenarios a+b+...] [--epoch-exits N] [--verbose 0-2]
 *
 * Each VP gets a world of its own in VTL0 RAM (a region: its code, an IDT
 * with a stub per vector, GDT, TSS with IST stacks, LDT, page tables and
 * a data page) and runs epochs.  At the start of an epoch the VMM (the
 * VP's thread here) rebuilds the VP's world, generates one scenario's
 * code into the VP's code buffer and sets its registers; the epoch ends
 * when the code reports done (an OUT to HG_PORT_DONE), after a bounded
 * number of exits or time, or when the VP's state is beyond repair.
 *
 * The code buffer is a row of slots (64 bytes, or 4 KiB for the loops).
 * Every exception goes to the IDT's common handler on an IST stack: it
 * counts the vector and resumes at the slot after the faulting one (or at
 * the epilogue when the RIP is outside the buffer); interrupts and NMIs
 * are counted and return.  So #GP, #UD, #PF, #DE... never end a run.
 * A guest that only faults (HG_EXC_LIMIT exceptions in an epoch: its
 * world torn by its own random code) gives up with an OUT of HG_GIVE_UP.
 *
 * Scenarios, picked at random per epoch:
 *   random   random bytes and privileged-instruction templates, with the
 *            general registers pointing at MMIO, holes and RAM
 *   crmsr    CR0/CR2/CR3/CR4/CR8, DR0-7, EFER and XCR0 writes of flipped
 *            or random values, segment loads (random LDT), LDT/TR loads,
 *            far returns, RDMSR/WRMSR of MSRs hcl.ko owns, passes through,
 *            emulates or sends up, port I/O, VMMCALL, SVM instructions
 *   probe    loads, stores, RMWs, string ops, INS/OUTS (to a user port,
 *            a doorbell, an unclaimed port) and calls through a window
 *            of 2 MiB pages mapped to the user MMIO range, a doorbell,
 *            holes, VTL2's own RAM (from /proc/iomem), GPAs past the
 *            physical width, the APIC and IOAPIC, RAM
 *   victim   MMIO exits through the window and through a code page whose
 *            mapping another VP flips between instructions (a decode race)
 *   rewriter a VP rewriting another VP's window page directory in a loop
 *   flood    tight loops of OUT, IN, HLT (IF=0), VMMCALL, RDMSR (user),
 *            MMIO stores, CPUID (in-kernel) and mixes
 *   irq      x2APIC/xAPIC self-IPIs, IPIs and NMIs to other VPs, a fast
 *            periodic APIC timer, sti;hlt, while the injector thread
 *            storms the VP with HCL_VP_INTERRUPT (fixed and NMI)
 *   triple   triple faults in a loop (zero IDT limit, torn IDT gates, bad
 *            IST stacks, a zero GDT limit, a garbage CR3); the VMM checks
 *            RUN refuses the lost state and sets it again
 *
 * The VMM answers every exit (IN data, MMIO reads, MSR reads or #GP,
 * hypercall results; it skips an instruction hcl.ko did not emulate or
 * whose access was a VTL violation) and checks every exit record: a known
 * reason, the fields in range for it (sizes, ports and GPAs against the
 * claimed ranges, directions, access bits, hardware exit codes, RIP), the
 * reserved and padding fields zero, and nothing written in the record
 * beyond the reason's own fields.  Runs go through HCL_VP_RUN and
 * io_uring, chosen per epoch.  A run is split into rounds, each a
 * partition of its own (in-kernel irqchip or not, default MSR action GP
 * or user); at the end a new partition must still run a guest to HLT.
 * A failed entry gets the epoch's start state again, which must enter
 * when hcl.ko's own checks were what refused the state (hw.info1).  At
 * an epoch's end the VP's state is read and set again (put_back()).
 *
 * Output is TAP with a summary: exits by reason, scenarios run, guest
 * exceptions by vector, interrupts.  The seed is printed first and fixes
 * every choice a VP's thread makes (not the interleaving of the threads);
 * a bad record is printed with the seed, VP, epoch and scenario, and
 * --scenarios and --vps narrow a reproduction down.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vtl0_setup.h"
#include "vtl0_test_abi.h"
#include "vp_ring.h"
#include "test_rng.h"

#define MAX_VPS		16
#define MEM_USE		(64ULL << 20)	/* the RAM the run lays out */

/* ---- the layout of VTL0 RAM ------------------------------------------ */

/* VP v's world: HG_REGION(v) .. + HG_REGION_SIZE */
#define HG_REGION(v)	(0x1000000ULL + (uint64_t)(v) * HG_REGION_SIZE)
#define HG_REGION_SIZE	0x40000ULL
#define R_FW		0x00000	/* the framework: handler, epilogue */
#define R_STUBS		0x01000	/* 256 entry stubs of 16 bytes */
#define R_IDT		0x02000
#define R_GDT		0x03000
#define R_TSS		0x03800
#define R_DATA		0x04000	/* struct hg_data */
#define R_LDT		0x05000
#define R_PML4		0x06000
#define R_PDPT		0x07000
#define R_PD0		0x08000	/* identity, 0 .. 1 GiB */
#define R_PD1		0x09000	/* the window, 1 .. 2 GiB */
#define R_STACK		0x18000	/* top of the main stack */
#define R_IST1		0x1a000	/* exceptions */
#define R_IST2		0x1c000	/* NMI */
#define R_IST3		0x1e000	/* #DF, #MC */
#define R_IST4		0x20000	/* interrupts */
#define R_BUF		0x20000	/* the code buffer */
#define R_BUF_SIZE	0x20000

/* 2 MiB RAM pages the window maps: plain RAM and three code variants */
#define RAM_TARGET	0x2000000ULL
#define ALIAS_P1	0x2200000ULL
#define ALIAS_P2	0x2400000ULL
#define ALIAS_P3	0x2600000ULL
#define MEM_NEEDED	0x2800000ULL

#define WINDOW_VA	0x40000000ULL
#define WIN_SLOT_VA(i)	(WINDOW_VA + (uint64_t)(i) * SZ_2M)
#define WIN_DATA_SLOTS	8
#define WIN_ALIAS	8
#define WIN_IOAPIC	14
#define WIN_APIC	15

#define APIC_GPA	0xfee00000ULL

/* claimed ports: user exits at HG_PORT_BASE .. +16, a doorbell above */
#define HG_PORT_BASE	0xe0
#define HG_PORT_DONE	0xe0
#define HG_PORT_FLOOD	0xe4
#define HG_PORT_IN	0xe8
#define HG_PORT_LEN	16
#define HG_PORT_BELL	0xf0
#define HG_DONE_VALUE	0xd0e
#define HG_GIVE_UP	0xdead	/* the handler saw too many exceptions */
#define HG_EXC_LIMIT	5000

/* the data page the framework uses (offsets known to the assembly) */
#define D_RESUME	0x00
#define D_BUFSTART	0x08
#define D_BUFLEN	0x10
#define D_SHIFT		0x18
#define D_STACK		0x20
#define D_IRQCHIP	0x28
#define D_EOIVA		0x30
#define D_NMI		0x38
#define D_IRQ		0x40
#define D_EXC		0x48
#define D_LASTVEC	0x50
#define D_LASTRIP	0x58
#define D_LASTERR	0x60
#define D_ZERO_DT	0x80	/* 16 zero bytes: a descriptor-table limit 0 */
#define D_VEC		0x100	/* u64[256]: how often each vector came */

#define XSTR(x)		#x
#define STR(x)		XSTR(x)

/*
 * The framework, copied to the start of every VP's region; it finds its
 * data page RIP-relative.  hg_common is entered from a stub with the
 * vector and an error code (0 if the CPU pushed none) above the frame:
 * exceptions are counted and resume at the next slot (or the epilogue)
 * with a fresh stack; NMIs and interrupts are counted and return, the
 * latter after an EOI to whichever APIC mode is on.
 */
asm(".pushsection .rodata.hostile, \"a\"\n"
    ".globl hg_fw_start, hg_fw_common, hg_fw_epilogue, hg_fw_end\n"
    ".balign 16\n"
    "hg_fw_start:\n"
    ".Lfw:\n"
    "hg_fw_common:\n"
    "	push %rax\n"
    "	push %rbx\n"
    "	push %rcx\n"
    "	push %rdx\n"
    "	lea .Lfw+" STR(R_DATA) "(%rip), %rbx\n"
    "	mov 32(%rsp), %rax\n"
    "	movzbl %al, %eax\n"
    "	lock incq " STR(D_VEC) "(%rbx,%rax,8)\n"
    "	cmp $2, %eax\n"
    "	je .Lnmi\n"
    "	cmp $32, %eax\n"
    "	jae .Lirq\n"
    "	incq " STR(D_EXC) "(%rbx)\n"
    "	cmpq $" STR(HG_EXC_LIMIT) ", " STR(D_EXC) "(%rbx)\n"
    "	jb 3f\n"
    "	mov $" STR(HG_GIVE_UP) ", %eax\n"
    "	out %eax, $" STR(HG_PORT_DONE) "\n"
    "3:	mov %rax, " STR(D_LASTVEC) "(%rbx)\n"
    "	mov 48(%rsp), %rcx\n"
    "	mov %rcx, " STR(D_LASTRIP) "(%rbx)\n"
    "	mov 40(%rsp), %rdx\n"
    "	mov %rdx, " STR(D_LASTERR) "(%rbx)\n"
    "	mov " STR(D_RESUME) "(%rbx), %rax\n"
    "	mov %rax, %rdx\n"
    "	sub " STR(D_BUFSTART) "(%rbx), %rdx\n"
    "	cmp " STR(D_BUFLEN) "(%rbx), %rdx\n"
    "	jbe 4f\n"
    "	lea hg_fw_epilogue(%rip), %rax\n"
    "4:	mov %rcx, %rdx\n"
    "	sub " STR(D_BUFSTART) "(%rbx), %rdx\n"
    "	jb 1f\n"
    "	cmp " STR(D_BUFLEN) "(%rbx), %rdx\n"
    "	jae 1f\n"
    "	mov " STR(D_SHIFT) "(%rbx), %rcx\n"
    "	shr %cl, %rdx\n"
    "	inc %rdx\n"
    "	shl %cl, %rdx\n"
    "	add " STR(D_BUFSTART) "(%rbx), %rdx\n"
    "	mov %rdx, %rax\n"
    "1:	mov %rax, 48(%rsp)\n"
    "	movq $0x08, 56(%rsp)\n"
    "	mov 64(%rsp), %rax\n"
    "	and $0x200, %eax\n"
    "	or $2, %eax\n"
    "	mov %rax, 64(%rsp)\n"
    "	mov " STR(D_STACK) "(%rbx), %rax\n"
    "	mov %rax, 72(%rsp)\n"
    "	movq $0x10, 80(%rsp)\n"
    "	jmp .Lout\n"
    ".Lnmi:\n"
    "	incq " STR(D_NMI) "(%rbx)\n"
    "	jmp .Lout\n"
    ".Lirq:\n"
    "	incq " STR(D_IRQ) "(%rbx)\n"
    "	cmpq $0, " STR(D_IRQCHIP) "(%rbx)\n"
    "	je .Lout\n"
    "	mov $0x1b, %ecx\n"
    "	rdmsr\n"
    "	bt $10, %eax\n"
    "	jc .Lx2\n"
    "	bt $11, %eax\n"
    "	jnc .Lout\n"
    "	mov " STR(D_EOIVA) "(%rbx), %rcx\n"
    "	movl $0, (%rcx)\n"
    "	jmp .Lout\n"
    ".Lx2:\n"
    "	mov $0x80b, %ecx\n"
    "	xor %eax, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    ".Lout:\n"
    "	pop %rdx\n"
    "	pop %rcx\n"
    "	pop %rbx\n"
    "	pop %rax\n"
    "	add $16, %rsp\n"
    "	iretq\n"
    "hg_fw_epilogue:\n"
    "	mov $" STR(HG_DONE_VALUE) ", %eax\n"
    "	out %eax, $" STR(HG_PORT_DONE) "\n"
    "2:	cli\n"
    "	hlt\n"
    "	jmp 2b\n"
    "hg_fw_end:\n"
    ".popsection\n");

extern const uint8_t hg_fw_start[], hg_fw_common[], hg_fw_epilogue[];
extern const uint8_t hg_fw_end[];

struct hg_data {
	uint64_t resume, buf_start, buf_len, shift, stack, irqchip, eoi_va;
	uint64_t nmi, irq, exc, last_vec, last_rip, last_err;
	uint64_t pad[3];
	uint8_t zero_dt[16];
	uint64_t pad2[14];
	uint64_t vec[256];
};

_Static_assert(__builtin_offsetof(struct hg_data, zero_dt) == D_ZERO_DT,
	       "zero_dt");
_Static_assert(__builtin_offsetof(struct hg_data, vec) == D_VEC, "vec");
_Static_assert(__builtin_offsetof(struct hg_data, last_err) == D_LASTERR,
	       "last_err");

/* ---- a seeded generator (xorshift64*) ---------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- scenarios and statistics ----------------------------------------- */

#define SCENARIOS(X) X(random) X(crmsr) X(probe) X(victim) X(rewriter) \
	X(flood) X(irq) X(triple)
#define S_ENUM(n) S_##n,
enum { SCENARIOS(S_ENUM) NR_SCEN };
#define S_NAME(n) #n,
static const char *const scen_names[] = { SCENARIOS(S_NAME) };
/* weights: the floods bring the exit count, the rest the variety */
static const unsigned int scen_weight[NR_SCEN] = {
	[S_random] = 8, [S_crmsr] = 8, [S_probe] = 8, [S_victim] = 6,
	[S_rewriter] = 5, [S_flood] = 55, [S_irq] = 6, [S_triple] = 4,
};

static const char *const reason_names[] = {
	"none", "io", "hlt", "shutdown", "fail_entry", "unhandled", "intr",
	"mmio", "msr", "vtl_violation", "hypercall",
};
#define NR_REASONS	11

#define MAX_BAD_SHOWN	20

static struct {
	uint64_t exits;			/* checked exit records */
	uint64_t reason[NR_REASONS];
	uint64_t scen[NR_SCEN];
	uint64_t vec[256];		/* guest exceptions and interrupts */
	uint64_t guest_nmi, guest_irq, guest_exc;
	uint64_t injected, inject_nmi, inject_err;
	uint64_t abandoned, done, timeouts, eintr, uring_runs, ioctl_runs;
	uint64_t shutdowns, ebadfd_ok, skips, ring_resets, gave_up, busy;
	uint64_t bad, setup_err, fail_entry, fail_unrecovered, data_torn;
	uint64_t fail_check[HCL_ENTRY_EVENT + 1];	/* by hw.info1 */
	uint64_t fail_lost, fail_lost_ebadfd;
	/* test 8: states read back and set again; refused, and entered */
	uint64_t put_back, put_back_refused, put_back_bad;
	uint64_t rounds;
} st;

#define ADD(field, n)	__atomic_add_fetch(&st.field, (n), __ATOMIC_RELAXED)

static uint64_t g_seed;
static uint64_t g_stop_exits;		/* 0: no bound */
static uint64_t g_deadline;
static volatile int g_stop;
static unsigned int g_scen_mask = (1U << NR_SCEN) - 1;
static unsigned int g_epoch_exits = 4000;
static int g_verbose;
/*
 * CR8 writes: off by default.  QEMU 7.2's TCG asserts and aborts the
 * whole VM (tcg_handle_interrupt: cpu_interrupt() without the iothread
 * lock, from its CR8 write helper) when a nested guest writes CR8 while
 * a virtual interrupt is offered, which is most of the time here.
 */
static int g_cr8;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void say(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&out_lock);
}

/* ---- the partition of a round ---------------------------------------- */

struct vp;

static struct {
	int fd;
	uint8_t *mem;
	uint64_t mem_size;	/* VTL0 RAM */
	uint64_t mapped;	/* what PD0 maps */
	int irqchip;
	uint32_t msr_default;
	uint64_t mmio_base;	/* user MMIO range, 2 MiB */
	uint64_t bell_base;	/* doorbell MMIO range, 4 KiB */
	uint64_t hole_base;	/* nobody's */
	int efd;
	unsigned int nvps;
	struct vp *vps[MAX_VPS];
	struct hcl_sregs sregs;	/* the long-mode start of vtl0_setup */
} part;

/* VTL2's own RAM, from /proc/iomem: GPAs VTL0 must never reach */
#define MAX_VTL2_RANGES	16
static uint64_t vtl2_ram[MAX_VTL2_RANGES][2];
static unsigned int nr_vtl2_ram;

static void read_vtl2_ram(void)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[256];

	while (f && fgets(line, sizeof(line), f) &&
	       nr_vtl2_ram < MAX_VTL2_RANGES) {
		unsigned long long a, b;

		if (line[0] == ' ' || !strstr(line, "System RAM"))
			continue;
		if (sscanf(line, "%llx-%llx", &a, &b) != 2 || b - a < SZ_2M * 2)
			continue;
		vtl2_ram[nr_vtl2_ram][0] = a;
		vtl2_ram[nr_vtl2_ram][1] = b + 1;
		nr_vtl2_ram++;
	}
	if (f)
		fclose(f);
}

/* ---- a VP ------------------------------------------------------------- */

struct vp {
	unsigned int idx;
	int fd;
	struct hcl_run *run;
	pthread_t thread;
	struct rng r;
	uint64_t region;
	struct io_uring ring;
	int ring_live;
	int storm;			/* the injector hammers it */
	volatile uint64_t epoch_deadline;	/* 0: not in an epoch */
	volatile uint64_t progress_ns;	/* the last RUN that returned */
	volatile int in_run;
	uint64_t epoch;
	int scen;
	int use_uring;
	unsigned int epoch_exits;
	unsigned int buf_shift;
	uint64_t buf_used;
	int sidecar_cpu;
	/* what the VMM wrote into the record's union before the run */
	unsigned int ans_lo, ans_hi;
	/* the triple scenario */
	unsigned int tf_left;
	uint8_t recipe;
};

#define DATA(v)		((struct hg_data *)(part.mem + (v)->region + R_DATA))

static void bad_record(struct vp *v, const char *fmt, ...)
{
	struct hcl_run *run = v->run;
	char msg[256];
	uint64_t n = ADD(bad, 1);
	va_list ap;

	if (n > MAX_BAD_SHOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("# BAD RECORD: seed %llu vp %u epoch %llu scenario %s: reason %u "
	    "hw %#llx rip %#llx: %s\n", (unsigned long long)g_seed, v->idx,
	    (unsigned long long)v->epoch, scen_names[v->scen],
	    run->exit_reason, (unsigned long long)run->hw_exit_code,
	    (unsigned long long)run->rip, msg);
	say("#   union:");
	for (int i = 0; i < 64; i++)
		say(" %02x", ((uint8_t *)&run->io)[i]);
	say("\n");
}

/* SVM exit codes the records carry */
#define SVM_EXIT_HLT	0x78ULL
#define SVM_EXIT_IOIO	0x7bULL
#define SVM_EXIT_MSR	0x7cULL
#define SVM_EXIT_SHUTDOWN 0x7fULL
#define SVM_EXIT_VMMCALL 0x81ULL
#define SVM_EXIT_NPF	0x400ULL
#define SVM_EXIT_ERR	0xffffffffffffffffULL

static int in_user_mmio(uint64_t gpa, uint64_t len)
{
	return gpa >= part.mmio_base && gpa + len <= part.mmio_base + SZ_2M &&
	       gpa + len > gpa;
}

/* bytes of the union each reason's record fills */
static unsigned int union_used(uint32_t reason)
{
	switch (reason) {
	case HCL_EXIT_IO:
	case HCL_EXIT_MSR:
	case HCL_EXIT_VTL_VIOLATION:
		return 16;
	case HCL_EXIT_MMIO:
		return 24;
	case HCL_EXIT_HYPERCALL:
		return 48;
	case HCL_EXIT_SHUTDOWN:
	case HCL_EXIT_FAIL_ENTRY:
	case HCL_EXIT_UNHANDLED:
		return 32;
	default:
		return 0;
	}
}

/*
 * Checks the record of an exit HCL_VP_RUN returned 0 for.  Returns 0 if
 * it is well-formed (bad ones are reported and counted).
 */
static int check_record(struct vp *v)
{
	struct hcl_run *run = v->run;
	uint32_t reason = run->exit_reason;
	uint8_t *u = (uint8_t *)&run->io;
	unsigned int used, i;
	uint64_t hw = run->hw_exit_code, mask;
	int bad = 0;

#define BAD(...) do { bad_record(v, __VA_ARGS__); bad = 1; } while (0)
	if (reason == HCL_EXIT_NONE || reason == HCL_EXIT_INTR ||
	    reason >= NR_REASONS) {
		BAD("exit reason %u on a successful run", reason);
		return -1;
	}
	if (run->pad0[0] || run->pad0[1] || run->pad0[2] || run->reserved1 ||
	    run->reserved0[0] || run->reserved0[1] || run->reserved0[2] ||
	    run->reserved0[3])
		BAD("reserved or padding field set");
	if (run->sidecar_cpu != v->sidecar_cpu)
		BAD("sidecar_cpu %d, was %d", run->sidecar_cpu,
		    v->sidecar_cpu);
	used = union_used(reason);
	for (i = used; i < sizeof(run->pad1); i++)
		if (u[i] && !(i >= v->ans_lo && i < v->ans_hi)) {
			BAD("union byte %u set (%#x) past the %u bytes of "
			    "this reason", i, u[i], used);
			break;
		}
	/*
	 * An instruction that exited ran where the guest can fetch: below
	 * 2 GiB while its tables are the VMM's, anywhere canonical once
	 * random code may have written them; never the host's RIP.
	 */
	if (reason != HCL_EXIT_SHUTDOWN && reason != HCL_EXIT_FAIL_ENTRY &&
	    (v->scen == S_random ? run->rip + (1ULL << 47) >= 1ULL << 48 :
	     run->rip >= WINDOW_VA + (1ULL << 30)))
		BAD("rip %#llx outside anything the guest maps",
		    (unsigned long long)run->rip);
	switch (reason) {
	case HCL_EXIT_IO:
		if (hw != SVM_EXIT_IOIO)
			BAD("hw code %#llx for port I/O",
			    (unsigned long long)hw);
		if (run->io.size != 1 && run->io.size != 2 && run->io.size != 4)
			BAD("io size %u", run->io.size);
		if (run->io.direction > HCL_IO_IN)
			BAD("io direction %u", run->io.direction);
		if (run->io.pad)
			BAD("io pad %#x", run->io.pad);
		if (run->io.port < HG_PORT_BASE ||
		    run->io.port + run->io.size > HG_PORT_BASE + HG_PORT_LEN)
			BAD("port %#x size %u outside the claimed ports",
			    run->io.port, run->io.size);
		mask = run->io.size >= 4 ? 0xffffffffULL :
			(1ULL << (run->io.size * 8)) - 1;
		if (run->io.direction == HCL_IO_IN ? run->io.data != 0 :
		    (run->io.data & ~mask) != 0)
			BAD("io data %#llx for size %u dir %u",
			    (unsigned long long)run->io.data, run->io.size,
			    run->io.direction);
		break;
	case HCL_EXIT_MMIO:
		if (hw != SVM_EXIT_NPF)
			BAD("hw code %#llx for MMIO", (unsigned long long)hw);
		if (run->mmio.size != 1 && run->mmio.size != 2 &&
		    run->mmio.size != 4 && run->mmio.size != 8)
			BAD("mmio size %u", run->mmio.size);
		if (run->mmio.direction > HCL_MMIO_WRITE)
			BAD("mmio direction %u", run->mmio.direction);
		for (i = 0; i < 6; i++)
			if (run->mmio.pad[i])
				BAD("mmio pad[%u] %#x", i, run->mmio.pad[i]);
		if (!in_user_mmio(run->mmio.gpa, run->mmio.size))
			BAD("mmio gpa %#llx size %u outside the user range",
			    (unsigned long long)run->mmio.gpa, run->mmio.size);
		mask = run->mmio.size >= 8 ? ~0ULL :
			(1ULL << (run->mmio.size * 8)) - 1;
		if (run->mmio.direction == HCL_MMIO_READ ?
		    run->mmio.data != 0 : (run->mmio.data & ~mask) != 0)
			BAD("mmio data %#llx for size %u dir %u",
			    (unsigned long long)run->mmio.data, run->mmio.size,
			    run->mmio.direction);
		break;
	case HCL_EXIT_MSR:
		if (hw != SVM_EXIT_MSR)
			BAD("hw code %#llx for MSR", (unsigned long long)hw);
		if (run->msr.direction > HCL_MSR_WRITE)
			BAD("msr direction %u", run->msr.direction);
		if (run->msr.error || run->msr.pad)
			BAD("msr error %u pad %u", run->msr.error, run->msr.pad);
		if (run->msr.direction == HCL_MSR_READ && run->msr.data)
			BAD("msr read with data %#llx",
			    (unsigned long long)run->msr.data);
		/* only rule-less MSRs under a user default, or user rules */
		if (part.msr_default != HCL_MSR_USER &&
		    (run->msr.index < 0x40000100 || run->msr.index > 0x40000107))
			BAD("msr %#x exits but its action is not user",
			    run->msr.index);
		if (run->msr.index >= 0x40000200 && run->msr.index <= 0x40000203)
			BAD("emulated msr %#x exits", run->msr.index);
		break;
	case HCL_EXIT_HYPERCALL:
		if (hw != SVM_EXIT_VMMCALL)
			BAD("hw code %#llx for VMMCALL",
			    (unsigned long long)hw);
		if (run->hypercall.code == HCL_HC_NOP ||
		    run->hypercall.code == HCL_HC_VP_INDEX)
			BAD("hypercall %llu exits",
			    (unsigned long long)run->hypercall.code);
		if (run->hypercall.ret)
			BAD("hypercall ret %#llx",
			    (unsigned long long)run->hypercall.ret);
		break;
	case HCL_EXIT_VTL_VIOLATION:
		if (hw != SVM_EXIT_NPF)
			BAD("hw code %#llx for a violation",
			    (unsigned long long)hw);
		if (!run->vtl.access || run->vtl.access & ~7U)
			BAD("violation access %#x", run->vtl.access);
		if (run->vtl.pad)
			BAD("violation pad %#x", run->vtl.pad);
		if (run->vtl.gpa < part.mem_size)
			BAD("violation at %#llx inside VTL0 RAM",
			    (unsigned long long)run->vtl.gpa);
		if ((in_user_mmio(run->vtl.gpa, 1) ||
		     (run->vtl.gpa >= part.bell_base &&
		      run->vtl.gpa < part.bell_base + 4096)) &&
		    !(run->vtl.access & HCL_ACCESS_EXEC))
			BAD("violation at %#llx in a claimed range",
			    (unsigned long long)run->vtl.gpa);
		break;
	case HCL_EXIT_HLT:
		if (hw != SVM_EXIT_HLT)
			BAD("hw code %#llx for HLT", (unsigned long long)hw);
		break;
	case HCL_EXIT_SHUTDOWN:
		if (hw != SVM_EXIT_SHUTDOWN || run->hw.code != SVM_EXIT_SHUTDOWN)
			BAD("shutdown with codes %#llx %#llx",
			    (unsigned long long)hw,
			    (unsigned long long)run->hw.code);
		break;
	case HCL_EXIT_FAIL_ENTRY:
		if (run->hw.code != hw ||
		    (hw != SVM_EXIT_ERR && hw != HCL_HW_SIDECAR_FAILED))
			BAD("failed entry with codes %#llx %#llx",
			    (unsigned long long)hw,
			    (unsigned long long)run->hw.code);
		if (hw == SVM_EXIT_ERR && (run->hw.info1 > HCL_ENTRY_EVENT ||
					   run->hw.info2 & ~HCL_ENTRY_STATE_LOST))
			BAD("failed entry: check %llu flags %#llx",
			    (unsigned long long)run->hw.info1,
			    (unsigned long long)run->hw.info2);
		/* a lost state is cleared, never the host's */
		if (hw == SVM_EXIT_ERR &&
		    (run->hw.info2 & HCL_ENTRY_STATE_LOST) && run->rip)
			BAD("failed entry: state lost but RIP %#llx",
			    (unsigned long long)run->rip);
		break;
	case HCL_EXIT_UNHANDLED:
		/* QEMU writes VMEXIT_INVALID's code as 32 bits */
		if ((uint32_t)hw == 0xffffffffU)
			BAD("a failed VMRUN (code %#llx) reported as unhandled",
			    (unsigned long long)hw);
		if (run->hw.code != hw)
			BAD("unhandled with codes %#llx %#llx",
			    (unsigned long long)hw,
			    (unsigned long long)run->hw.code);
		break;
	}
#undef BAD
	return bad ? -1 : 0;
}

/* ---- building a VP's world -------------------------------------------- */

static uint64_t gate(uint64_t handler, unsigned int ist, uint64_t *hi)
{
	*hi = handler >> 32;
	return (handler & 0xffff) | (0x08ULL << 16) | ((uint64_t)ist << 32) |
	       (0x8eULL << 40) | ((handler >> 16 & 0xffff) << 48);
}

static int has_error_code(unsigned int vec)
{
	return vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 ||
	       vec == 21 || vec == 29 || vec == 30;
}

static uint64_t sys_desc(uint64_t base, uint32_t limit, unsigned int type,
			 uint64_t *hi)
{
	*hi = base >> 32;
	return (limit & 0xffff) | ((base & 0xffffff) << 16) |
	       ((uint64_t)type << 40) | (1ULL << 47) |
	       ((uint64_t)(limit >> 16 & 0xf) << 48) |
	       ((base >> 24 & 0xff) << 56);
}

/* PDE candidates for the window: what a probe can land on */
static uint64_t window_target(struct rng *r)
{
	uint64_t gpa;

	switch (below(r, 10)) {
	case 0:
	case 1:
		gpa = part.mmio_base;
		break;
	case 2:
		gpa = part.bell_base;
		break;
	case 3:
		gpa = part.hole_base + below(r, 8) * SZ_2M;
		break;
	case 4:
		if (nr_vtl2_ram) {
			unsigned int i = below(r, nr_vtl2_ram);
			uint64_t a = (vtl2_ram[i][0] + SZ_2M - 1) & ~(SZ_2M - 1);
			uint64_t n = (vtl2_ram[i][1] - a) / SZ_2M;

			gpa = a + (n ? below(r, n) : 0) * SZ_2M;
		} else {
			gpa = part.hole_base + 64 * SZ_2M;
		}
		break;
	case 5:
		/* far up, sometimes past the physical address width */
		gpa = (rnd(r) & ((1ULL << (36 + below(r, 16))) - 1)) &
		      ~(SZ_2M - 1);
		break;
	case 6:
		gpa = RAM_TARGET;
		break;
	case 7:
		return 0;	/* not present */
	case 8:
		gpa = HCL_IOAPIC_BASE & ~(SZ_2M - 1);
		break;
	default:
		gpa = APIC_GPA & ~(SZ_2M - 1);
		break;
	}
	return gpa | PTE_P | PTE_RW | PTE_PS | PTE_A | PTE_D |
	       (one_in(r, 8) ? 0x18 : 0);	/* PWT|PCD now and then */
}

static uint64_t alias_target(struct rng *r)
{
	static const uint64_t p[] = { ALIAS_P1, ALIAS_P2, ALIAS_P3 };

	return p[below(r, 3)] | PTE_P | PTE_RW | PTE_PS | PTE_A | PTE_D;
}

/* Rebuilds VP @v's world; the window's data slots get fresh targets. */
static void world_reset(struct vp *v, struct rng *r)
{
	uint8_t *base = part.mem + v->region;
	uint64_t R = v->region, *idt, *gdt, *pt;
	struct hg_data *d;
	size_t fw_len = hg_fw_end - hg_fw_start;
	uint64_t common = R + R_FW + (hg_fw_common - hg_fw_start);

	memset(base, 0, R_BUF);
	memcpy(base + R_FW, hg_fw_start, fw_len);
	/* stubs: [push $0] push $vec; jmp hg_common */
	for (unsigned int vec = 0; vec < 256; vec++) {
		uint8_t *s = base + R_STUBS + vec * 16;
		uint64_t at = R + R_STUBS + vec * 16;
		int32_t rel;

		memset(s, 0xcc, 16);
		if (!has_error_code(vec)) {
			*s++ = 0x6a;
			*s++ = 0x00;
			at += 2;
		}
		*s++ = 0x68;
		memcpy(s, &(uint32_t){ vec }, 4);
		s += 4;
		*s++ = 0xe9;
		rel = (int32_t)(common - (at + 10));
		memcpy(s, &rel, 4);
	}
	idt = (uint64_t *)(base + R_IDT);
	for (unsigned int vec = 0; vec < 256; vec++) {
		unsigned int ist = vec == 2 ? 2 : vec == 8 || vec == 18 ? 3 :
				   vec < 32 ? 1 : 4;

		idt[vec * 2] = gate(R + R_STUBS + vec * 16, ist,
				    &idt[vec * 2 + 1]);
	}
	gdt = (uint64_t *)(base + R_GDT);
	gdt[1] = 0x00af9b000000ffffULL;	/* 0x08 64-bit code */
	gdt[2] = 0x00cf93000000ffffULL;	/* 0x10 data */
	gdt[3] = 0x00cf9b000000ffffULL;	/* 0x18 32-bit code */
	gdt[4] = 0x00009b000000ffffULL;	/* 0x20 16-bit code */
	gdt[5] = 0x00affb000000ffffULL;	/* 0x28 64-bit code, DPL 3 */
	gdt[6] = 0x00cff3000000ffffULL;	/* 0x30 data, DPL 3 */
	gdt[7] = sys_desc(R + R_TSS, 0x67, 0x9, &gdt[8]);	/* 0x38 TSS */
	gdt[9] = sys_desc(R + R_LDT, 0xfff, 0x2, &gdt[10]);	/* 0x48 LDT */
	/* the TSS: IST1-4 */
	pt = (uint64_t *)(base + R_TSS + 0x24);
	pt[0] = R + R_IST1;
	pt[1] = R + R_IST2;
	pt[2] = R + R_IST3;
	pt[3] = R + R_IST4;
	*(uint16_t *)(base + R_TSS + 0x66) = 0x68;
	/* an LDT of random descriptors, some of them plausible */
	pt = (uint64_t *)(base + R_LDT);
	for (unsigned int i = 0; i < 512; i++) {
		pt[i] = rnd(r);
		if (one_in(r, 2))
			pt[i] = (pt[i] & 0xff0f00ff00ffffffULL) |
				(0x90ULL << 40) | (1ULL << 47);
	}
	/* page tables: identity below 1 GiB, the window above */
	pt = (uint64_t *)(base + R_PML4);
	pt[0] = (R + R_PDPT) | PTE_P | PTE_RW | PTE_A;
	pt = (uint64_t *)(base + R_PDPT);
	pt[0] = (R + R_PD0) | PTE_P | PTE_RW | PTE_A;
	pt[1] = (R + R_PD1) | PTE_P | PTE_RW | PTE_A;
	pt = (uint64_t *)(base + R_PD0);
	for (uint64_t a = 0; a + SZ_2M <= part.mapped; a += SZ_2M)
		pt[a / SZ_2M] = a | PTE_P | PTE_RW | PTE_PS | PTE_A | PTE_D;
	pt = (uint64_t *)(base + R_PD1);
	for (unsigned int i = 0; i < WIN_DATA_SLOTS; i++)
		pt[i] = window_target(r);
	pt[WIN_ALIAS] = alias_target(r);
	pt[WIN_IOAPIC] = (HCL_IOAPIC_BASE & ~(SZ_2M - 1)) | 0x9b;
	pt[WIN_APIC] = (APIC_GPA & ~(SZ_2M - 1)) | 0x9b;
	d = DATA(v);
	d->resume = R + R_FW + (hg_fw_epilogue - hg_fw_start);
	d->buf_start = R + R_BUF;
	d->stack = R + R_STACK;
	d->irqchip = part.irqchip;
	d->eoi_va = WIN_SLOT_VA(WIN_APIC) + (APIC_GPA & (SZ_2M - 1)) + 0xb0;
}

static void world_sregs(struct vp *v, struct rng *r, struct hcl_sregs *s)
{
	uint64_t R = v->region;

	*s = part.sregs;
	s->cr3 = R + R_PML4;
	s->gdt.base = R + R_GDT;
	s->gdt.limit = 11 * 8 - 1;
	s->idt.base = R + R_IDT;
	s->idt.limit = 0xfff;
	s->tr.base = R + R_TSS;
	s->tr.limit = 0x67;
	s->tr.selector = 0x38;
	s->tr.attrib = ATTR_TSS64;
	s->ldt.base = R + R_LDT;
	s->ldt.limit = 0xfff;
	s->ldt.selector = 0x48;
	s->ldt.attrib = ATTR_LDT;
	if (one_in(r, 2))
		s->cr4 |= 0x600;		/* OSFXSR, OSXMMEXCPT */
	if (one_in(r, 2))
		s->efer |= 0x801;		/* NXE, SCE */
	if (one_in(r, 4))
		s->cr0 |= 0x10000;		/* WP */
}

/* ---- code generation --------------------------------------------------- */

struct gen {
	uint8_t *p;		/* the buffer in the mapping */
	uint64_t va;		/* its address (identity mapped) */
	size_t at, slot_at, cap;
	unsigned int shift;
	struct rng *r;
	uint64_t resume_va;	/* the data page's resume slot, or 0 */
};

static void e8(struct gen *g, uint8_t b)
{
	if (g->at < g->cap)
		g->p[g->at] = b;
	g->at++;
}

static void eb(struct gen *g, const void *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		e8(g, ((const uint8_t *)b)[i]);
}

static void e32(struct gen *g, uint32_t x)
{
	eb(g, &x, 4);
}

static void e64(struct gen *g, uint64_t x)
{
	eb(g, &x, 8);
}

#define EB(g, ...) eb(g, (const uint8_t[]){ __VA_ARGS__ }, \
		      sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* movabs $x, %reg (0 rax, 1 rcx, 2 rdx, 3 rbx, 6 rsi, 7 rdi) */
static void mov64(struct gen *g, unsigned int reg, uint64_t x)
{
	EB(g, 0x48, 0xb8 + reg);
	e64(g, x);
}

static void mov32(struct gen *g, unsigned int reg, uint32_t x)
{
	e8(g, 0xb8 + reg);
	e32(g, x);
}

/* room left in this slot */
static int slot_room(struct gen *g, size_t need)
{
	size_t size = 1UL << g->shift;

	return g->at + need <= g->slot_at + size && g->at + need + 16 < g->cap;
}

/*
 * Starts a slot.  With @g->resume_va the slot first tells the handler
 * where the next one starts, for faults away from the buffer (a call
 * into the window, a jump elsewhere): movabs $next,%rax; mov %rax,resume.
 */
static void slot_begin(struct gen *g)
{
	g->slot_at = g->at;
	if (g->resume_va) {
		mov64(g, 0, g->va + g->slot_at + (1UL << g->shift));
		EB(g, 0x48, 0x89, 0x05);
		e32(g, (uint32_t)(g->resume_va - (g->va + g->at + 4)));
	}
}

/* pads the slot with NOPs to its end */
static void slot_end(struct gen *g)
{
	size_t size = 1UL << g->shift, end = g->slot_at + size;

	if (g->at > end)
		abort();	/* a generator overran its slot */
	while (g->at < end)
		e8(g, 0x90);
}

static int gen_full(struct gen *g)
{
	return g->at + (1UL << g->shift) + 16 >= g->cap;
}

/* the VP's epilogue: report done, then halt for good */
static void gen_epilogue(struct gen *g)
{
	mov32(g, 0, HG_DONE_VALUE);
	EB(g, 0xe7, HG_PORT_DONE, 0xfa, 0xf4, 0xeb, 0xfc);
}

/* a few MSRs of every kind */
static uint32_t some_msr(struct rng *r)
{
	static const uint32_t list[] = {
		0x10, 0x1b, 0x3a, 0x8b, 0x174, 0x175, 0x176, 0x1a0, 0x1d9,
		0x200, 0x201, 0x250, 0x277, 0x2ff, 0x6e0, 0x800, 0x802, 0x803,
		0x808, 0x80b, 0x80f, 0x830, 0x832, 0x838, 0x83e, 0x83f,
		0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
		0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0xc0000104,
		0xc0010000, 0xc0010004, 0xc0010114, 0xc0010117, 0xc0011029,
		0x4b564d00, 0x4b564d01, 0x11, 0x12, 0x40000000, 0x40000100,
		0x40000101, 0x40000105, 0x40000200, 0x40000201, 0x40000203,
	};

	switch (below(r, 8)) {
	case 0:
		return (uint32_t)rnd(r);
	case 1:
		return 0x800 + below(r, 0x100);
	default:
		return list[below(r, sizeof(list) / sizeof(list[0]))];
	}
}

static uint64_t some_value(struct rng *r)
{
	switch (below(r, 5)) {
	case 0:
		return below(r, 0x100);
	case 1:
		return ~0ULL;
	case 2:
		return 1ULL << below(r, 64);
	case 3:
		return rnd(r) & 0xffffffffULL;
	default:
		return rnd(r);
	}
}

/* a value near @sane: some bits flipped, or anything */
static uint64_t flipped(struct rng *r, uint64_t sane, unsigned int bits)
{
	uint64_t x = sane;

	if (one_in(r, 6))
		return rnd(r);
	for (unsigned int i = 0, n = 1 + below(r, 3); i < n; i++)
		x ^= 1ULL << below(r, bits);
	return x;
}

/* WRMSR or RDMSR of @msr */
static void gen_msr(struct gen *g, uint32_t msr, int write, uint64_t val)
{
	mov32(g, 1, msr);
	if (write) {
		mov32(g, 0, (uint32_t)val);
		mov32(g, 2, val >> 32);
		EB(g, 0x0f, 0x30);
	} else {
		EB(g, 0x0f, 0x32);
	}
}

/* an instruction that accesses (%rbx), for the probes */
static void gen_access(struct gen *g)
{
	static const uint8_t forms[][7] = {
		{ 2, 0x8a, 0x03 },		/* mov (%rbx),%al */
		{ 3, 0x66, 0x8b, 0x03 },	/* mov (%rbx),%ax */
		{ 2, 0x8b, 0x03 },		/* mov (%rbx),%eax */
		{ 3, 0x48, 0x8b, 0x03 },	/* mov (%rbx),%rax */
		{ 3, 0x0f, 0xb6, 0x03 },	/* movzbl */
		{ 3, 0x0f, 0xbf, 0x03 },	/* movswl */
		{ 4, 0x48, 0x0f, 0xbe, 0x03 },	/* movsbq */
		{ 3, 0x48, 0x63, 0x03 },	/* movslq */
		{ 2, 0x8a, 0x3b },		/* mov (%rbx),%bh */
		{ 3, 0x44, 0x8b, 0x03 },	/* mov (%rbx),%r8d */
		{ 2, 0x88, 0x03 },		/* mov %al,(%rbx) */
		{ 2, 0x88, 0x23 },		/* mov %ah,(%rbx) */
		{ 3, 0x66, 0x89, 0x03 },	/* mov %ax,(%rbx) */
		{ 2, 0x89, 0x03 },		/* mov %eax,(%rbx) */
		{ 3, 0x48, 0x89, 0x03 },	/* mov %rax,(%rbx) */
		{ 3, 0x4c, 0x89, 0x3b },	/* mov %r15,(%rbx) */
		{ 3, 0xc6, 0x03, 0x5a },	/* movb $0x5a,(%rbx) */
		{ 6, 0xc7, 0x03, 0x78, 0x56, 0x34, 0x12 },
		{ 2, 0x01, 0x03 },		/* add %eax,(%rbx) */
		{ 2, 0x87, 0x03 },		/* xchg %eax,(%rbx) */
		{ 4, 0xf0, 0x0f, 0xb1, 0x0b },	/* lock cmpxchg %ecx,(%rbx) */
		{ 2, 0xff, 0x03 },		/* incl (%rbx) */
		{ 2, 0xff, 0x33 },		/* push (%rbx) */
		{ 2, 0x8f, 0x03 },		/* pop (%rbx) */
		{ 3, 0x0f, 0x10, 0x03 },	/* movups (%rbx),%xmm0 */
		{ 3, 0x0f, 0xc3, 0x03 },	/* movnti %eax,(%rbx) */
		{ 3, 0x0f, 0x01, 0x3b },	/* invlpg (%rbx) */
		{ 3, 0x0f, 0x18, 0x0b },	/* prefetcht0 (%rbx) */
		{ 2, 0x84, 0x03 },		/* test %al,(%rbx) */
		{ 2, 0x3b, 0x03 },		/* cmp (%rbx),%eax */
	};
	static const uint16_t string_ports[] = {
		HG_PORT_IN, HG_PORT_BELL, 0x80,	/* user, doorbell, unclaimed */
	};
	unsigned int k = below(g->r, sizeof(forms) / sizeof(forms[0]) + 5);
	uint16_t port;

	if (k < sizeof(forms) / sizeof(forms[0])) {
		eb(g, forms[k] + 1, forms[k][0]);
		return;
	}
	switch (k - sizeof(forms) / sizeof(forms[0])) {
	case 0:	/* rep stosb / movsb / lodsq through (%rbx) */
		EB(g, 0x48, 0x89, 0xdf, 0x48, 0x89, 0xde);
		mov32(g, 1, 1 + below(g->r, 4));
		EB(g, 0xf3, one_in(g->r, 2) ? 0xaa : 0xa4);
		break;
	case 1:	/* call *%rbx: an instruction fetch there */
		EB(g, 0xff, 0xd3);
		break;
	case 2:	/* a store of a wide immediate */
		EB(g, 0x48, 0xc7, 0x03);
		e32(g, (uint32_t)rnd(g->r));
		break;
	case 3:	/* [rep] ins/outs through (%rbx): string I/O in the kernel */
		EB(g, 0x48, 0x89, 0xdf, 0x48, 0x89, 0xde);
		mov32(g, 1, below(g->r, 9));
		port = string_ports[below(g->r, 3)];
		EB(g, 0x66, 0xba, port & 0xff, port >> 8);	/* mov $port,%dx */
		if (one_in(g->r, 4))
			EB(g, 0xfd);				/* std */
		if (one_in(g->r, 3))
			EB(g, 0x66);
		if (!one_in(g->r, 4))
			EB(g, 0xf3);
		EB(g, 0x6c + below(g->r, 4));
		EB(g, 0xfc);					/* cld */
		break;
	default:	/* lodsq */
		EB(g, 0x48, 0x89, 0xde, 0x48, 0xad);
		break;
	}
}

/* an address in the window's data slots (sometimes across a page edge) */
static uint64_t window_va(struct rng *r)
{
	uint64_t off = one_in(r, 8) ? SZ_2M - 1 - below(r, 8) :
		below(r, 0x1000) + (one_in(r, 4) ? below(r, 512) * 4096 : 0);

	return WIN_SLOT_VA(below(r, WIN_DATA_SLOTS)) + off;
}

/*
 * QEMU 7.2 aborts (tcg_handle_interrupt: assertion failed) when a nested
 * guest writes CR8 while a virtual interrupt is offered, so unless
 * --cr8 1, a MOV to CR8 the random bytes happen to spell (0f 22 after a
 * REX with R, or after LOCK, AMD's alias) becomes a UD2 (0f 0b).
 */
static void drop_cr8_writes(struct gen *g, size_t from)
{
	size_t i, j, end = g->at < g->cap ? g->at : g->cap;

	for (i = from; i + 1 < end; i++) {
		if (g->p[i] != 0x0f || g->p[i + 1] != 0x22)
			continue;
		for (j = i; j > from && j + 4 > i; j--) {
			uint8_t b = g->p[j - 1];

			if ((b & 0xf4) == 0x44 || b == 0xf0) {
				g->p[i + 1] = 0x0b;
				break;
			}
		}
	}
}

/* random code: raw bytes, privileged templates, both mixed */
static void gen_random(struct gen *g, struct vp *v)
{
	static const uint8_t tmpl[][5] = {
		{ 3, 0x0f, 0x22, 0xc0 }, { 3, 0x0f, 0x22, 0xd0 },
		{ 3, 0x0f, 0x22, 0xe0 }, { 4, 0x44, 0x0f, 0x20, 0xc0 },
		{ 3, 0x0f, 0x20, 0xc0 }, { 3, 0x0f, 0x23, 0xf8 },
		{ 3, 0x0f, 0x21, 0xf0 }, { 2, 0x0f, 0x30 }, { 2, 0x0f, 0x32 },
		{ 3, 0x0f, 0x01, 0xd9 }, { 3, 0x0f, 0x01, 0xd8 },
		{ 3, 0x0f, 0x01, 0xda }, { 3, 0x0f, 0x01, 0xdb },
		{ 3, 0x0f, 0x01, 0xdc }, { 3, 0x0f, 0x01, 0xdd },
		{ 3, 0x0f, 0x01, 0xde }, { 3, 0x0f, 0x01, 0xdf },
		{ 3, 0x0f, 0x01, 0xf8 }, { 3, 0x0f, 0x01, 0xf9 },
		{ 3, 0x0f, 0x01, 0xd1 }, { 3, 0x0f, 0x01, 0xc8 },
		{ 3, 0x0f, 0x01, 0xc9 }, { 3, 0x0f, 0x01, 0xfd },
		{ 2, 0x0f, 0x33 }, { 2, 0x0f, 0x31 }, { 2, 0x0f, 0x09 },
		{ 2, 0x0f, 0x08 }, { 2, 0x0f, 0x06 }, { 2, 0x0f, 0x05 },
		{ 3, 0x48, 0x0f, 0x07 }, { 2, 0x0f, 0x34 }, { 2, 0x0f, 0x35 },
		{ 1, 0xf4 }, { 1, 0xfb }, { 1, 0xfa }, { 1, 0x9c }, { 1, 0x9d },
		{ 2, 0x48, 0xcf }, { 1, 0xcc }, { 1, 0xce }, { 1, 0xec },
		{ 1, 0xee }, { 1, 0xed }, { 1, 0xef }, { 2, 0xf3, 0x6c },
		{ 2, 0xf3, 0x6e }, { 2, 0xf3, 0x90 }, { 2, 0x0f, 0xa2 },
		{ 3, 0x0f, 0x00, 0xd0 }, { 3, 0x0f, 0x00, 0xc8 },
		{ 3, 0x0f, 0x01, 0x00 }, { 3, 0x0f, 0x01, 0x08 },
		{ 2, 0x8e, 0xd0 }, { 2, 0x8e, 0xd8 }, { 2, 0x8e, 0xe8 },
		{ 2, 0x0f, 0x0b }, { 2, 0xcd, 0x80 }, { 2, 0xcd, 0x02 },
		{ 2, 0xcd, 0x08 }, { 3, 0x0f, 0xae, 0xe8 }, { 2, 0x0f, 0xaa },
		{ 3, 0x48, 0x8b, 0x00 }, { 3, 0x48, 0x89, 0x01 },
	};
	unsigned int n = 0, max = 200 + below(g->r, 1200);

	(void)v;
	while (!gen_full(g) && n++ < max) {
		int style = below(g->r, 3);

		slot_begin(g);
		while (slot_room(g, 6)) {
			if (style == 0 || (style == 2 && one_in(g->r, 2))) {
				e8(g, (uint8_t)rnd(g->r));
			} else {
				unsigned int k = below(g->r, sizeof(tmpl) /
							sizeof(tmpl[0]));

				eb(g, tmpl[k] + 1, tmpl[k][0]);
			}
		}
		/* the slot's tail is random too, not NOPs */
		while (g->at < g->slot_at + (1UL << g->shift))
			e8(g, (uint8_t)rnd(g->r));
		if (!g_cr8)
			drop_cr8_writes(g, g->slot_at);
		slot_end(g);
	}
}

/* one hostile state change per slot */
static void gen_crmsr(struct gen *g, struct vp *v)
{
	unsigned int n = 0, max = 100 + below(g->r, 600);
	struct rng *r = g->r;

	while (!gen_full(g) && n++ < max) {
		slot_begin(g);
		switch (below(r, 22)) {
		case 0:
			mov64(g, 0, flipped(r, 0x80000033ULL, 32));
			EB(g, 0x0f, 0x22, 0xc0);		/* cr0 */
			break;
		case 1:
			mov64(g, 0, flipped(r, 0x6a0ULL, 32));
			EB(g, 0x0f, 0x22, 0xe0);		/* cr4 */
			break;
		case 2:
			mov64(g, 0, some_value(r));
			EB(g, 0x0f, 0x22, 0xd0);		/* cr2 */
			break;
		case 3:
			/* cr3: our own tables, with flag bits */
			mov64(g, 0, (v->region + R_PML4) | (rnd(r) & 0x18));
			EB(g, 0x0f, 0x22, 0xd8);
			break;
		case 4:
			if (!g_cr8) {
				EB(g, 0x44, 0x0f, 0x20, 0xc0);	/* read cr8 */
				break;
			}
			mov64(g, 0, below(r, 16));
			EB(g, 0x44, 0x0f, 0x22, 0xc0);		/* cr8 */
			break;
		case 5:
			gen_msr(g, 0xc0000080, 1, flipped(r, 0xd01ULL, 20));
			break;
		case 6: {
			unsigned int dr = below(r, 8);

			mov64(g, 0, dr >= 6 ? flipped(r, dr == 6 ?
				0xffff0ff0ULL : 0x400ULL, 40) : some_value(r));
			EB(g, 0x0f, 0x23, 0xc0 | dr << 3);
			break;
		}
		case 7:
			mov32(g, 1, 0);
			mov32(g, 0, (uint32_t)flipped(r, 3, 10));
			mov32(g, 2, 0);
			EB(g, 0x0f, 0x01, 0xd1);		/* xsetbv */
			break;
		case 8:
		case 9: {
			/* segment loads: GDT, LDT, random selectors */
			static const uint8_t sreg[] = { 0xc0, 0xd0, 0xd8, 0xe0,
							0xe8 };
			uint16_t sel;

			switch (below(r, 3)) {
			case 0:
				sel = below(r, 11) * 8 | below(r, 4);
				break;
			case 1:
				sel = below(r, 512) * 8 | 4 | below(r, 4);
				break;
			default:
				sel = (uint16_t)rnd(r);
			}
			mov32(g, 0, sel);
			EB(g, 0x8e, sreg[below(r, 5)]);
			/* and back to flat data, unless it faulted */
			mov32(g, 0, 0x10);
			EB(g, 0x8e, 0xd8, 0x8e, 0xd0);
			break;
		}
		case 10: {
			/*
			 * LLDT, or LTR of a selector that is not null: QEMU
			 * 7.2 takes a null LTR (the CPU raises #GP) and then
			 * aborts the whole VM ("invalid tss") at the next
			 * event that needs the TSS.
			 */
			uint16_t sel = one_in(r, 2) ? 0x48 : (uint16_t)rnd(r);
			int ltr = one_in(r, 2);

			if (ltr && !(sel & 0xfffc))
				sel |= 0x38;
			mov32(g, 0, sel);
			EB(g, 0x0f, 0x00, ltr ? 0xd8 : 0xd0);
			break;
		}
		case 11: {
			/* lretq to a random CS, back to the next slot */
			uint16_t sel = one_in(r, 2) ? below(r, 11) * 8 |
				below(r, 4) : (uint16_t)rnd(r);

			e8(g, 0x68);
			e32(g, sel);
			/* lea 3(%rip),%rax; push %rax; lretq */
			EB(g, 0x48, 0x8d, 0x05, 0x03, 0, 0, 0, 0x50, 0x48,
			   0xcb);
			break;
		}
		case 12:
		case 13:
		case 14:
			gen_msr(g, some_msr(r), one_in(r, 2), some_value(r));
			break;
		case 15: {
			/* port I/O, claimed or not */
			uint16_t port = one_in(r, 2) ? HG_PORT_BASE +
				below(r, 20) : (uint16_t)rnd(r);
			static const uint8_t io[] = { 0xec, 0xed, 0xee, 0xef };

			if (port == HG_PORT_DONE)
				port++;
			EB(g, 0x66, 0xba);
			eb(g, &port, 2);
			if (one_in(r, 3))
				e8(g, 0x66);
			e8(g, io[below(r, 4)]);
			break;
		}
		case 16:
			mov64(g, 0, one_in(r, 3) ? below(r, 2) : some_value(r));
			mov64(g, 3, rnd(r));
			mov64(g, 1, rnd(r));
			EB(g, 0x0f, 0x01, 0xd9);		/* vmmcall */
			break;
		case 17: {
			static const uint8_t svm[] = { 0xd8, 0xda, 0xdb, 0xdc,
						       0xdd, 0xde, 0xdf, 0xfd,
						       0xf9, 0xf8 };

			EB(g, 0x0f, 0x01, svm[below(r, sizeof(svm))]);
			break;
		}
		case 18:
			/* TF on: a #DB after the next instruction */
			EB(g, 0x9c, 0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0, 0,
			   0x9d, 0x90, 0x0f, 0xa2);
			break;
		case 19:
			mov32(g, 0, below(r, 0x40) | (one_in(r, 2) ?
							0x40000000 : 0));
			mov32(g, 1, below(r, 4));
			EB(g, 0x0f, 0xa2);			/* cpuid */
			break;
		case 20:
			EB(g, 0xcd, (uint8_t)below(r, 256));	/* int n */
			break;
		default:
			/* rdpmc, rdtscp, wbinvd, invd, clts, monitor, mwait */
			switch (below(r, 7)) {
			case 0:
				mov32(g, 1, below(r, 8));
				EB(g, 0x0f, 0x33);
				break;
			case 1:
				EB(g, 0x0f, 0x01, 0xf9);
				break;
			case 2:
				EB(g, 0x0f, 0x09);
				break;
			case 3:
				EB(g, 0x0f, 0x08);
				break;
			case 4:
				EB(g, 0x0f, 0x06);
				break;
			case 5:
				mov64(g, 0, v->region + R_DATA);
				EB(g, 0x31, 0xc9, 0x31, 0xd2, 0x0f, 0x01,
				   0xc8);
				break;
			default:
				EB(g, 0x31, 0xc0, 0x31, 0xc9, 0x0f, 0x01,
				   0xc9);
			}
		}
		slot_end(g);
	}
}

/* accesses through the window */
static void gen_probe(struct gen *g, struct vp *v, int victim)
{
	unsigned int n = 0, max = 100 + below(g->r, 800);
	struct rng *r = g->r;

	(void)v;
	while (!gen_full(g) && n++ < max) {
		slot_begin(g);
		mov64(g, 3, window_va(r));
		mov64(g, 0, rnd(r));
		if (victim && one_in(r, 2)) {
			/* call into the code page another VP remaps */
			mov64(g, 0, WIN_SLOT_VA(WIN_ALIAS));
			EB(g, 0xff, 0xd0);
		} else {
			gen_access(g);
		}
		slot_end(g);
	}
}

/*
 * A loop that rewrites another VP's window (its data slots and its code
 * alias) with the candidates, with an OUT now and then.
 */
static void gen_rewriter(struct gen *g, struct vp *v)
{
	struct rng *r = g->r;
	struct vp *o = part.vps[(v->idx + 1 + below(r, part.nvps - 1 ? part.nvps
					- 1 : 1)) % part.nvps];
	uint64_t pd1 = o->region + R_PD1;
	unsigned int writes = 8 + below(r, 16), iters = 50 + below(r, 300);
	size_t loop;

	slot_begin(g);
	/* mov $iters,%r14d */
	EB(g, 0x41, 0xbe);
	e32(g, iters);
	loop = g->at;
	for (unsigned int i = 0; i < writes; i++) {
		unsigned int s = one_in(r, 3) ? WIN_ALIAS :
			below(r, WIN_DATA_SLOTS);

		mov64(g, 3, pd1 + s * 8);
		mov64(g, 0, s == WIN_ALIAS ? alias_target(r) :
		      window_target(r));
		EB(g, 0x48, 0x89, 0x03);
		if (one_in(r, 4))
			EB(g, 0x0f, 0x01, 0x3b);	/* invlpg, here */
	}
	EB(g, 0xe6, HG_PORT_FLOOD);			/* out %al */
	/* dec %r14d; jnz loop */
	EB(g, 0x41, 0xff, 0xce, 0x0f, 0x85);
	e32(g, (uint32_t)(loop - (g->at + 4)));
	slot_end(g);
}

/* a tight loop of cheap exits */
static void gen_flood(struct gen *g, struct vp *v)
{
	struct rng *r = g->r;
	unsigned int iters = 200 + below(r, 1800), kind = below(r, 10);
	size_t loop;

	(void)v;
	slot_begin(g);
	if (kind == 7)
		mov64(g, 3, WIN_SLOT_VA(0) + below(r, 0x100) * 8);
	EB(g, 0x41, 0xbf);			/* mov $iters,%r15d */
	e32(g, iters);
	loop = g->at;
	switch (kind) {
	case 0:
	case 1:
	case 2:
		EB(g, 0xe6, HG_PORT_FLOOD);		/* out %al */
		break;
	case 3:
		EB(g, 0xe5, HG_PORT_IN);		/* in %eax */
		break;
	case 4:
		EB(g, 0xfa, 0xf4);			/* cli; hlt */
		break;
	case 5:
		mov32(g, 0, 2 + below(r, 100));
		EB(g, 0x0f, 0x01, 0xd9);		/* vmmcall */
		break;
	case 6:
		mov32(g, 1, 0x40000100 + below(r, 8));
		EB(g, 0x0f, 0x32);			/* rdmsr */
		break;
	case 7:
		EB(g, 0x89, 0x03);			/* mov %eax,(%rbx) */
		break;
	case 8:
		/* cpuid x8 in the kernel, then one OUT */
		for (int i = 0; i < 8; i++)
			EB(g, 0x31, 0xc0, 0x0f, 0xa2);
		EB(g, 0xe6, HG_PORT_FLOOD);
		break;
	default:
		/* a mix */
		EB(g, 0xe6, HG_PORT_FLOOD, 0xfa, 0xf4, 0xe4, HG_PORT_IN,
		   0xb8, 0x07, 0, 0, 0, 0x0f, 0x01, 0xd9, 0xb9, 0x00, 0x01,
		   0, 0x40, 0x0f, 0x32);
	}
	/* dec %r15d; jnz loop */
	EB(g, 0x41, 0xff, 0xcf, 0x0f, 0x85);
	e32(g, (uint32_t)(loop - (g->at + 4)));
	slot_end(g);
	if (kind == 7) {
		/* the flood's slot goes to the MMIO range */
		uint64_t *pd1 = (uint64_t *)(part.mem + v->region + R_PD1);

		pd1[0] = part.mmio_base | 0x83;
	}
}

/* interrupts: APIC setup, self-IPIs, IPIs, the timer, halts */
static void gen_irq(struct gen *g, struct vp *v)
{
	struct rng *r = g->r;
	int x2 = one_in(r, 2);
	unsigned int n = 0, max = 50 + below(r, 300);
	uint64_t apic = WIN_SLOT_VA(WIN_APIC) + (APIC_GPA & (SZ_2M - 1));

	if (part.irqchip) {
		/* enable the APIC (xAPIC first), then x2APIC or not */
		slot_begin(g);
		gen_msr(g, 0x1b, 1, APIC_GPA | 0x800 | (v->idx ? 0 : 0x100));
		slot_end(g);
		if (x2) {
			slot_begin(g);
			gen_msr(g, 0x1b, 1, APIC_GPA | 0xc00 |
				(v->idx ? 0 : 0x100));
			slot_end(g);
			slot_begin(g);
			gen_msr(g, 0x80f, 1, 0x1ff);
			slot_end(g);
		} else {
			slot_begin(g);
			mov64(g, 3, apic);
			EB(g, 0xc7, 0x83, 0xf0, 0, 0, 0);	/* SVR */
			e32(g, 0x1ff);
			slot_end(g);
		}
	}
	while (!gen_full(g) && n++ < max) {
		uint32_t vec = 32 + below(r, 224);

		slot_begin(g);
		switch (part.irqchip ? below(r, 8) : 7) {
		case 0:
		case 1:	/* a self-IPI, then wait for it */
			if (x2) {
				gen_msr(g, 0x83f, 1, vec);
			} else {
				mov64(g, 3, apic);
				EB(g, 0xc7, 0x83, 0x00, 0x03, 0, 0);
				e32(g, 0x40000 | vec);
			}
			EB(g, 0xfb, 0xf4);		/* sti; hlt */
			break;
		case 2: {
			/* fixed or NMI IPI to another VP */
			uint32_t lo = one_in(r, 3) ? 0x400 : vec;
			uint32_t dest = below(r, part.nvps + 1);

			if (x2) {
				gen_msr(g, 0x830, 1, (uint64_t)dest << 32 | lo);
			} else {
				mov64(g, 3, apic);
				EB(g, 0xc7, 0x83, 0x10, 0x03, 0, 0);
				e32(g, dest << 24);
				EB(g, 0xc7, 0x83, 0x00, 0x03, 0, 0);
				e32(g, lo);
			}
			break;
		}
		case 3:
			/* the timer: periodic, fast, or off */
			if (!x2) {
				mov64(g, 3, apic);
				EB(g, 0xc7, 0x83, 0xe0, 0x03, 0, 0);
				e32(g, 0xb);
				EB(g, 0xc7, 0x83, 0x20, 0x03, 0, 0);
				e32(g, vec | 0x20000);
				EB(g, 0xc7, 0x83, 0x80, 0x03, 0, 0);
				e32(g, one_in(r, 3) ? 0 : below(r, 200000));
				break;
			}
			gen_msr(g, 0x83e, 1, 0xb);
			gen_msr(g, 0x832, 1, vec | 0x20000);
			gen_msr(g, 0x838, 1, one_in(r, 3) ? 0 :
				below(r, 200000));
			break;
		case 4:
			/* TPR, then an open window */
			mov64(g, 0, below(r, 16));
			if (g_cr8)
				EB(g, 0x44, 0x0f, 0x22, 0xc0);
			EB(g, 0xfb, 0x90, 0x90, 0xfa);
			break;
		default:
			/* interrupts on, an exit, a NOP window, off */
			EB(g, 0xfb, 0xe6, HG_PORT_FLOOD, 0x90, 0x90, 0x90);
			if (one_in(r, 4))
				EB(g, 0xf4);		/* wait for one */
			EB(g, 0xfa);
		}
		slot_end(g);
	}
	if (part.irqchip) {
		/* the timer off again */
		slot_begin(g);
		if (x2) {
			gen_msr(g, 0x838, 1, 0);
		} else {
			mov64(g, 3, apic);
			EB(g, 0xc7, 0x83, 0x80, 0x03, 0, 0);
			e32(g, 0);
		}
		slot_end(g);
	}
}

/* slot 0: a way to triple-fault */
static void gen_triple(struct gen *g, struct vp *v)
{
	struct rng *r = g->r;
	uint64_t R = v->region;
	uint64_t zero_dt = R + R_DATA + D_ZERO_DT;

	v->recipe = below(r, 6);
	slot_begin(g);
	switch (v->recipe) {
	case 0:	/* lidt of a zero limit, then #UD */
		mov64(g, 3, zero_dt);
		EB(g, 0x0f, 0x01, 0x1b, 0x0f, 0x0b);
		break;
	case 1:	/* the #UD, #GP, #DF and #PF gates torn down */
		for (unsigned int vec = 6; vec <= 14; vec++) {
			if (vec != 6 && vec != 8 && vec != 13 && vec != 14)
				continue;
			mov64(g, 3, R + R_IDT + vec * 16);
			EB(g, 0x48, 0xc7, 0x03, 0, 0, 0, 0);
		}
		EB(g, 0x0f, 0x0b);
		break;
	case 2:	/* every IST stack non-canonical */
		mov64(g, 0, 0x8000000000000000ULL);
		for (unsigned int i = 0; i < 4; i++) {
			mov64(g, 3, R + R_TSS + 0x24 + i * 8);
			EB(g, 0x48, 0x89, 0x03);
		}
		EB(g, 0xcc);
		break;
	case 3:	/* lgdt of a zero limit, then a fault */
		mov64(g, 3, zero_dt);
		EB(g, 0x0f, 0x01, 0x13, 0x0f, 0x0b);
		break;
	case 4:	/* CR3 at garbage in RAM */
		mov64(g, 0, (RAM_TARGET + below(r, 512) * 4096) |
		      (rnd(r) & 0x18));
		EB(g, 0x0f, 0x22, 0xd8, 0x0f, 0x0b);
		break;
	default:
		/* an IDT in unmapped space, then an NMI-free fault */
		mov64(g, 3, R + R_DATA + D_ZERO_DT);
		mov64(g, 0, 0xfff);
		EB(g, 0x66, 0x89, 0x03);	/* limit */
		mov64(g, 0, 0x7ff00000ULL);
		EB(g, 0x48, 0x89, 0x43, 0x02);	/* base: past the window */
		EB(g, 0x0f, 0x01, 0x1b, 0x31, 0xc9, 0xf7, 0xf1);
	}
	slot_end(g);
}

/* Fills RAM_TARGET with RET, the aliases with code variants. */
static void shared_pages(struct rng *r)
{
	uint8_t *m = part.mem;

	memset(m + RAM_TARGET, 0xc3, SZ_2M);
	for (unsigned int i = 0; i < 4096; i += 8)
		*(uint64_t *)(m + RAM_TARGET + i) = rnd(r) | 0xc3;
	memset(m + ALIAS_P1, 0xc3, SZ_2M);
	memset(m + ALIAS_P2, 0xc3, SZ_2M);
	memset(m + ALIAS_P3, 0xc3, SZ_2M);
	/* same address, other instructions: what the decoder sees races */
	memcpy(m + ALIAS_P1, (const uint8_t[]){ 0x8b, 0x03, 0xc3 }, 3);
	memcpy(m + ALIAS_P2, (const uint8_t[]){ 0x48, 0x89, 0x03, 0xc3 }, 4);
	memcpy(m + ALIAS_P3, (const uint8_t[]){ 0x0f, 0x0b, 0xc3 }, 3);
}

/* ---- running a VP ----------------------------------------------------- */

static void on_signal(int sig)
{
	(void)sig;
}

/* One run of @v: 0 with an exit in the run page, or -errno. */
static int vp_run(struct vp *v)
{
	int ret;

	v->in_run = 1;
	if (!v->use_uring) {
		ADD(ioctl_runs, 1);
		ret = ioctl(v->fd, HCL_VP_RUN, 0) ? -errno : 0;
	} else {
		struct __kernel_timespec ts = { .tv_sec = 1 };
		struct io_uring_cqe *cqe;
		struct io_uring_sqe *sqe;

		ADD(uring_runs, 1);
		if (!v->ring_live) {
			if (io_uring_queue_init(4, &v->ring, 0)) {
				v->in_run = 0;
				return -ENOMEM;
			}
			v->ring_live = 1;
		}
		sqe = io_uring_get_sqe(&v->ring);
		hcl_prep_run(sqe, v->fd, 1);
		if (one_in(&v->r, 16))
			sqe->flags |= IOSQE_ASYNC;
		ret = io_uring_submit(&v->ring);
		if (ret == 1) {
			do {
				ret = io_uring_wait_cqe_timeout(&v->ring, &cqe,
								&ts);
			} while (ret == -EINTR && !g_stop &&
				 now_ns() < v->epoch_deadline);
		} else if (ret >= 0) {
			ret = -EIO;
		}
		if (ret == 0) {
			ret = cqe->res;
			io_uring_cqe_seen(&v->ring, cqe);
		} else {
			/* stuck in the guest: the ring's end cancels it */
			io_uring_queue_exit(&v->ring);
			v->ring_live = 0;
			ADD(ring_resets, 1);
			ret = -ETIMEDOUT;
		}
	}
	v->in_run = 0;
	v->progress_ns = now_ns();
	return ret;
}

static void set_answer(struct vp *v, unsigned int off, unsigned int len)
{
	v->ans_lo = off;
	v->ans_hi = off + len;
}

/* Gets the guest past an instruction hcl.ko did not complete. */
static int skip_insn(struct vp *v)
{
	struct hcl_regs regs;
	uint64_t rip, start = v->region + R_BUF;

	if (ioctl(v->fd, HCL_VP_GET_REGS, &regs))
		return -1;
	rip = regs.rip;
	if (rip - start >= v->buf_used) {
		/* away from the buffer: where the slot said to go on */
		rip = DATA(v)->resume;
		if (rip - start > v->buf_used)
			return -1;
		regs.gprs[HCL_REG_RSP] = v->region + R_STACK;
		regs.rip = rip;
	} else {
		regs.rip = start + ((((rip - start) >> v->buf_shift) + 1) <<
				    v->buf_shift);
	}
	ADD(skips, 1);
	return ioctl(v->fd, HCL_VP_SET_REGS, &regs);
}

/* The VP's control state, for a failed entry. */
static void dump_state(struct vp *v)
{
	struct hcl_debugregs dr;
	struct hcl_sregs sr;
	struct hcl_regs regs;

	if (ioctl(v->fd, HCL_VP_GET_SREGS, &sr) ||
	    ioctl(v->fd, HCL_VP_GET_DEBUGREGS, &dr) ||
	    ioctl(v->fd, HCL_VP_GET_REGS, &regs))
		return;
	say("# vp %u state: rip %#llx rflags %#llx cr0 %#llx cr3 %#llx cr4 "
	    "%#llx efer %#llx dr6 %#llx dr7 %#llx cs %#x/%#x ss %#x/%#x "
	    "tr %#x/%#x ldt %#x/%#x gdt %#llx/%#x idt %#llx/%#x\n", v->idx,
	    (unsigned long long)regs.rip, (unsigned long long)regs.rflags,
	    (unsigned long long)sr.cr0, (unsigned long long)sr.cr3,
	    (unsigned long long)sr.cr4, (unsigned long long)sr.efer,
	    (unsigned long long)dr.dr6, (unsigned long long)dr.dr7,
	    sr.cs.selector, sr.cs.attrib, sr.ss.selector, sr.ss.attrib,
	    sr.tr.selector, sr.tr.attrib, sr.ldt.selector, sr.ldt.attrib,
	    (unsigned long long)sr.gdt.base, sr.gdt.limit,
	    (unsigned long long)sr.idt.base, sr.idt.limit);
}

/* Counts what the guest's handlers saw in the epoch. */
static void harvest(struct vp *v)
{
	struct hg_data *d = DATA(v);

	/* random code may have written over the counters */
	if (d->nmi > 1000000 || d->irq > 1000000 || d->exc > 1000000) {
		ADD(data_torn, 1);
		return;
	}
	for (unsigned int i = 0; i < 256; i++)
		if (d->vec[i] > 1000000) {
			ADD(data_torn, 1);
			return;
		}
	ADD(guest_nmi, d->nmi);
	ADD(guest_irq, d->irq);
	ADD(guest_exc, d->exc);
	for (unsigned int i = 0; i < 256; i++)
		if (d->vec[i])
			ADD(vec[i], d->vec[i]);
}

static int pick_scenario(struct rng *r)
{
	unsigned int total = 0, x;

	for (int s = 0; s < NR_SCEN; s++)
		if (g_scen_mask & 1U << s)
			total += scen_weight[s];
	x = below(r, total);
	for (int s = 0; s < NR_SCEN; s++) {
		if (!(g_scen_mask & 1U << s))
			continue;
		if (x < scen_weight[s])
			return s;
		x -= scen_weight[s];
	}
	return S_flood;
}

/* Sets the VP's state for the start of the epoch's code. */
static int vp_start(struct vp *v, struct rng *r)
{
	struct hcl_sregs sregs;
	struct hcl_regs regs;

	world_sregs(v, r, &sregs);
	memset(&regs, 0, sizeof(regs));
	for (int i = 0; i < HCL_NR_GPRS; i++) {
		switch (below(r, 4)) {
		case 0:
			regs.gprs[i] = rnd(r);
			break;
		case 1:
			regs.gprs[i] = window_va(r);
			break;
		case 2:
			regs.gprs[i] = RAM_TARGET + below(r, SZ_2M);
			break;
		default:
			regs.gprs[i] = below(r, 0x100);
		}
	}
	regs.gprs[HCL_REG_RSP] = v->region + R_STACK;
	regs.rip = v->region + R_BUF;
	regs.rflags = v->scen == S_irq || one_in(r, 3) ? 0x202 : 0x2;
	if (ioctl(v->fd, HCL_VP_SET_SREGS, &sregs) ||
	    ioctl(v->fd, HCL_VP_SET_REGS, &regs)) {
		if (ADD(setup_err, 1) <= 5)
			say("# vp %u: setting state failed: %s\n", v->idx,
			    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * What the guest reached, its VMM can put back: the state read with
 * GET_SREGS and GET_REGS at the end of an epoch is set again.  The CPU
 * we run on may take what a CPU refuses (QEMU's TCG loads a CS with L
 * and D in 64-bit mode), so SET_SREGS may refuse a state VMRUN would
 * refuse too; then the VP runs once more and must not enter.  A state
 * SET_SREGS refuses that then enters is a mismatch between the two.
 */
static void put_back(struct vp *v)
{
	struct hcl_sregs sregs;
	struct hcl_regs regs;
	int err, ret;

	if (ioctl(v->fd, HCL_VP_GET_SREGS, &sregs) ||
	    ioctl(v->fd, HCL_VP_GET_REGS, &regs)) {
		bad_record(v, "GET_SREGS/GET_REGS: %s", strerror(errno));
		return;
	}
	ADD(put_back, 1);
	if (!ioctl(v->fd, HCL_VP_SET_SREGS, &sregs) &&
	    !ioctl(v->fd, HCL_VP_SET_REGS, &regs))
		return;
	err = errno;
	ADD(put_back_refused, 1);
	ret = vp_run(v);
	if (ret == -EINTR || ret == -ETIMEDOUT)
		return;		/* still running: nothing learned */
	if (!ret && v->run->exit_reason == HCL_EXIT_FAIL_ENTRY &&
	    v->run->hw.info1 != HCL_ENTRY_CPU)
		return;
	if (ADD(put_back_bad, 1) <= 5) {
		say("# vp %u epoch %llu: the state it reached was refused "
		    "(%s) but entered (run %d, exit %u)\n", v->idx,
		    (unsigned long long)v->epoch, strerror(err), ret,
		    v->run->exit_reason);
		dump_state(v);
	}
}

static int over(void)
{
	return g_stop || now_ns() >= g_deadline ||
	       (g_stop_exits && __atomic_load_n(&st.exits,
						__ATOMIC_RELAXED) >= g_stop_exits);
}

/* One epoch of VP @v: build, generate, run to its end. */
static void run_epoch(struct vp *v)
{
	struct rng *r = &v->r;
	struct hcl_run *run = v->run, ex;
	unsigned int busy_tries = 0, same_rip = 0, fails = 0;
	/* after a failed entry's reset: the state set, until it enters */
	int reset_failed = 0;
	uint64_t last_rip = 0;
	struct gen g;
	int done = 0;

	v->epoch++;
	v->scen = pick_scenario(r);
	v->use_uring = one_in(r, 3);
	v->epoch_exits = 0;
	ADD(scen[v->scen], 1);
	world_reset(v, r);
	memset(&g, 0, sizeof(g));
	g.p = part.mem + v->region + R_BUF;
	g.va = v->region + R_BUF;
	g.cap = R_BUF_SIZE;
	g.r = r;
	g.shift = v->scen == S_flood || v->scen == S_rewriter ? 12 :
		  v->scen == S_irq || v->scen == S_triple ? 7 : 6;
	if (g.shift < 12)
		g.resume_va = v->region + R_DATA + D_RESUME;
	switch (v->scen) {
	case S_random:
		gen_random(&g, v);
		break;
	case S_crmsr:
		gen_crmsr(&g, v);
		break;
	case S_probe:
		gen_probe(&g, v, 0);
		break;
	case S_victim:
		gen_probe(&g, v, 1);
		break;
	case S_rewriter:
		if (part.nvps > 1) {
			gen_rewriter(&g, v);
			break;
		}
		gen_flood(&g, v);
		break;
	case S_flood:
		gen_flood(&g, v);
		break;
	case S_irq:
		gen_irq(&g, v);
		break;
	case S_triple:
		gen_triple(&g, v);
		v->tf_left = 2 + below(r, 10);
		break;
	}
	v->buf_shift = g.shift;
	v->buf_used = g.at;
	DATA(v)->buf_len = g.at;
	DATA(v)->shift = g.shift;
	gen_epilogue(&g);
	v->storm = v->scen == S_irq;
	if (vp_start(v, r))
		return;
	v->epoch_deadline = now_ns() + 1000000000ULL;
	v->progress_ns = now_ns();
	memset(run->pad1, 0, sizeof(run->pad1));
	set_answer(v, 0, 0);
	while (!done && !over()) {
		int ret = vp_run(v);
		uint32_t reason;

		if (ret == -EINTR || ret == -ETIMEDOUT) {
			ADD(eintr, 1);
			if (now_ns() > v->epoch_deadline) {
				ADD(timeouts, 1);
				ADD(abandoned, 1);
				break;
			}
			continue;
		}
		if (ret == -EBUSY && busy_tries++ < 1000) {
			/* the RUN a torn-down ring canceled is still ending */
			ADD(busy, 1);
			usleep(1000);
			continue;
		}
		if (ret) {
			if (ADD(setup_err, 1) <= 5)
				say("# vp %u: run: %s\n", v->idx,
				    strerror(-ret));
			break;
		}
		reason = run->exit_reason;
		ADD(exits, 1);
		if (reason < NR_REASONS)
			ADD(reason[reason], 1);
		check_record(v);
		ex = *run;
		/* exits in the kernel are not seen: the RIP tells */
		if (reason != HCL_EXIT_FAIL_ENTRY ||
		    ex.rip != v->region + R_BUF)
			reset_failed = 0;
		v->epoch_exits++;
		/* the union as the next run gets it: zero, then the answer */
		memset(run->pad1, 0, sizeof(run->pad1));
		set_answer(v, 0, 0);
		switch (reason) {
		case HCL_EXIT_IO:
			if (ex.io.port == HG_PORT_DONE &&
			    ex.io.direction == HCL_IO_OUT &&
			    ex.io.size == 4 && ex.io.data == HG_DONE_VALUE) {
				ADD(done, 1);
				done = 1;
			}
			if (ex.io.port == HG_PORT_DONE &&
			    ex.io.direction == HCL_IO_OUT &&
			    ex.io.size == 4 && ex.io.data == HG_GIVE_UP) {
				ADD(gave_up, 1);
				done = 1;
			}
			if (ex.io.direction == HCL_IO_IN) {
				run->io.data = rnd(r);
				set_answer(v, 8, 8);
			}
			break;
		case HCL_EXIT_MMIO:
			if (ex.mmio.direction == HCL_MMIO_READ) {
				run->mmio.data = rnd(r);
				set_answer(v, 16, 8);
			}
			break;
		case HCL_EXIT_MSR:
			if (one_in(r, v->scen == S_flood ? 64 : 4)) {
				run->msr.error = 1;
				set_answer(v, 5, 1);
			} else if (ex.msr.direction == HCL_MSR_READ) {
				run->msr.data = some_value(r);
				set_answer(v, 8, 8);
			}
			break;
		case HCL_EXIT_HYPERCALL:
			run->hypercall.ret = rnd(r);
			set_answer(v, 40, 8);
			break;
		case HCL_EXIT_HLT:
			break;
		case HCL_EXIT_SHUTDOWN:
			ADD(shutdowns, 1);
			/* the state is gone: RUN must refuse until it is set */
			if (ioctl(v->fd, HCL_VP_RUN, 0) == 0 || errno != EBADFD)
				bad_record(v, "RUN after a shutdown: %s",
					   strerror(errno));
			else
				ADD(ebadfd_ok, 1);
			if (v->scen == S_triple && v->tf_left) {
				v->tf_left--;
				world_reset(v, r);
				DATA(v)->buf_len = v->buf_used;
				DATA(v)->shift = v->buf_shift;
				if (vp_start(v, r))
					done = 1;
				break;
			}
			done = 1;
			if (v->scen != S_triple)
				ADD(abandoned, 1);
			break;
		case HCL_EXIT_FAIL_ENTRY:
			/*
			 * VMRUN refuses what the guest made of its state: a
			 * VMM sets the state again (here: the epoch's start).
			 * A state hcl.ko's checks refused must then enter.
			 */
			if (ADD(fail_entry, 1) <= 5) {
				say("# vp %u epoch %llu scenario %s: failed "
				    "entry, code %#llx check %llu flags %#llx, "
				    "seed %llu\n", v->idx,
				    (unsigned long long)v->epoch,
				    scen_names[v->scen],
				    (unsigned long long)ex.hw.code,
				    (unsigned long long)ex.hw.info1,
				    (unsigned long long)ex.hw.info2,
				    (unsigned long long)g_seed);
				dump_state(v);
			}
			if (ex.hw.code == SVM_EXIT_ERR &&
			    ex.hw.info1 <= HCL_ENTRY_EVENT)
				ADD(fail_check[ex.hw.info1], 1);
			if (ex.hw.code == SVM_EXIT_ERR &&
			    (ex.hw.info2 & HCL_ENTRY_STATE_LOST)) {
				ADD(fail_lost, 1);
				if (ioctl(v->fd, HCL_VP_RUN, 0) == 0 ||
				    errno != EBADFD)
					bad_record(v, "RUN after a lost state: "
						   "%s", strerror(errno));
				else
					ADD(fail_lost_ebadfd, 1);
			}
			if (reset_failed && ex.hw.code == SVM_EXIT_ERR &&
			    ex.hw.info1 != HCL_ENTRY_CPU) {
				/* the epoch's start state, refused */
				if (ADD(fail_unrecovered, 1) <= 5)
					dump_state(v);
			}
			if (++fails > 3) {
				done = 1;
				ADD(abandoned, 1);
				break;
			}
			reset_failed = 1;
			world_reset(v, r);
			DATA(v)->buf_len = v->buf_used;
			DATA(v)->shift = v->buf_shift;
			if (vp_start(v, r))
				done = 1;
			break;
		case HCL_EXIT_UNHANDLED:
			if (g_verbose && (uint32_t)ex.hw.code == 0xffffffffU)
				dump_state(v);
			if (g_verbose > 1 || (g_verbose && v->epoch_exits < 4))
				say("# vp %u epoch %llu: unhandled %#llx info "
				    "%#llx %#llx int %#llx at %#llx\n", v->idx,
				    (unsigned long long)v->epoch,
				    (unsigned long long)ex.hw.code,
				    (unsigned long long)ex.hw.info1,
				    (unsigned long long)ex.hw.info2,
				    (unsigned long long)ex.hw.int_info,
				    (unsigned long long)ex.rip);
			/* fall through */
		case HCL_EXIT_VTL_VIOLATION:
			/*
			 * A triple scenario's torn world only faults on; random
			 * code may loop back to what exited.
			 */
			same_rip = ex.rip == last_rip ? same_rip + 1 : 0;
			last_rip = ex.rip;
			if (v->scen == S_triple || same_rip > 8 ||
			    skip_insn(v)) {
				done = 1;
				ADD(abandoned, 1);
			}
			break;
		default:
			done = 1;
		}
		if (!done && v->epoch_exits >= g_epoch_exits) {
			ADD(abandoned, 1);
			break;
		}
	}
	if (done && run->exit_reason != HCL_EXIT_SHUTDOWN &&
	    run->exit_reason != HCL_EXIT_FAIL_ENTRY)
		put_back(v);
	v->storm = 0;
	v->epoch_deadline = 0;
	if (g_verbose) {
		struct hcl_regs regs;

		if (ioctl(v->fd, HCL_VP_GET_REGS, &regs))
			memset(&regs, 0, sizeof(regs));
		say("# vp %u epoch %llu %s: %u exits, %s, last reason %u, rip "
		    "%#llx r15 %#llx, buf %#llx+%#llx, guest exc %llu (last %llu "
		    "at %#llx)\n", v->idx, (unsigned long long)v->epoch,
		    scen_names[v->scen], v->epoch_exits, done ? "ended" : "cut",
		    run->exit_reason, (unsigned long long)regs.rip,
		    (unsigned long long)regs.gprs[HCL_REG_R15],
		    (unsigned long long)(v->region + R_BUF),
		    (unsigned long long)v->buf_used,
		    (unsigned long long)DATA(v)->exc,
		    (unsigned long long)DATA(v)->last_vec,
		    (unsigned long long)DATA(v)->last_rip);
	}
	harvest(v);
}

static void *vp_main(void *arg)
{
	struct vp *v = arg;

	while (!over())
		run_epoch(v);
	if (v->ring_live) {
		io_uring_queue_exit(&v->ring);
		v->ring_live = 0;
	}
	return NULL;
}

/* Interrupts and NMIs: a storm on the irq scenario's VPs, a drizzle on all. */
static void *injector_main(void *arg)
{
	struct rng r;

	rng_init(&r, g_seed, (uintptr_t)arg, 99);
	while (!g_stop) {
		int storm = 0;

		for (unsigned int i = 0; i < part.nvps; i++) {
			struct vp *v = part.vps[i];
			unsigned int n = v->storm ? 1 + below(&r, 8) :
				(unsigned int)one_in(&r, 8);

			storm |= v->storm;
			for (unsigned int k = 0; k < n; k++) {
				struct hcl_interrupt in = { 0 };

				if (one_in(&r, 4)) {
					in.type = HCL_INTR_NMI;
					ADD(inject_nmi, 1);
				} else {
					in.vector = 32 + below(&r, 224);
				}
				if (ioctl(v->fd, HCL_VP_INTERRUPT, &in))
					ADD(inject_err, 1);
				else
					ADD(injected, 1);
			}
		}
		usleep(storm ? 200 : 2000);
	}
	return NULL;
}

/* ---- rounds ------------------------------------------------------------- */

static int open_hcl_wait(unsigned int ms)
{
	uint64_t until = now_ns() + ms * 1000000ULL;
	int fd;

	do {
		fd = open("/dev/hcl", O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != EBUSY)
			return fd;
		usleep(10000);
	} while (now_ns() < until);
	return -1;
}

static int add_range(int space, int kind, uint64_t start, uint64_t len,
		     int efd)
{
	struct hcl_range rg = {
		.space = space, .kind = kind, .start = start, .len = len,
		.eventfd = efd,
	};

	return ioctl(part.fd, HCL_ADD_RANGE, &rg);
}

static int set_policy(struct vp *v, struct rng *r)
{
	struct hcl_msr_rule rules[12];
	struct hcl_msr_policy pol = { 0 };
	unsigned int n = 0;

	memset(rules, 0, sizeof(rules));
	for (unsigned int i = 0; i < 8; i++) {
		rules[n].index = 0x40000100 + i;
		rules[n++].action = HCL_MSR_USER;
	}
	for (unsigned int i = 0; i < 4; i++) {
		rules[n].index = 0x40000200 + i;
		rules[n].action = HCL_MSR_EMULATE;
		rules[n].value = some_value(r);
		rules[n++].writable = some_value(r);
	}
	pol.nrules = n;
	pol.default_action = part.msr_default;
	pol.rules = (uintptr_t)rules;
	return ioctl(v->fd, HCL_VP_SET_MSR_POLICY, &pol);
}

/* A partition with @nvps VPs: runs epochs until the round ends. */
static int run_round(uint64_t round, unsigned int nvps, uint64_t round_end)
{
	struct vp vps[MAX_VPS];
	struct hcl_regs regs;
	struct hcl_info info;
	struct rng r;
	pthread_t inj;
	uint64_t end_save = g_deadline;
	int ret = -1;

	rng_init(&r, g_seed, round, 1000);
	memset(&part, 0, sizeof(part));
	memset(vps, 0, sizeof(vps));
	part.fd = open_hcl_wait(10000);
	if (part.fd < 0 || ioctl(part.fd, HCL_GET_INFO, &info)) {
		say("# round %llu: /dev/hcl: %s\n", (unsigned long long)round,
		    strerror(errno));
		return -1;
	}
	part.mem_size = info.vtl0_mem_size;
	if (part.mem_size < MEM_NEEDED) {
		say("# VTL0 RAM %llu bytes, need %llu\n",
		    (unsigned long long)part.mem_size, MEM_NEEDED);
		goto out;
	}
	part.mapped = part.mem_size < VTL0_MAP_MAX ? part.mem_size :
		VTL0_MAP_MAX;
	part.mapped &= ~(SZ_2M - 1);
	part.mem = mmap(NULL, MEM_USE < part.mem_size ? MEM_USE :
			part.mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			part.fd, 0);
	if (part.mem == MAP_FAILED ||
	    vtl0_setup_long_mode(part.mem, part.mem_size, HCL_GUEST_LOAD_GPA,
				 HCL_GUEST_STACK_TOP, &regs, &part.sregs)) {
		say("# VTL0 memory: %s\n", strerror(errno));
		part.mem = NULL;
		goto out;
	}
	part.irqchip = !one_in(&r, 4);
	part.msr_default = one_in(&r, 2) ? HCL_MSR_USER : HCL_MSR_GP;
	part.mmio_base = (part.mem_size + SZ_2M - 1) & ~(SZ_2M - 1);
	part.bell_base = part.mmio_base + SZ_2M;
	part.hole_base = part.mmio_base + 2 * SZ_2M;
	part.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (part.irqchip) {
		struct hcl_create_irqchip c = { 0 };

		if (ioctl(part.fd, HCL_CREATE_IRQCHIP, &c)) {
			say("# irqchip: %s\n", strerror(errno));
			goto out;
		}
	}
	if (add_range(HCL_RANGE_PIO, HCL_RANGE_USER, HG_PORT_BASE,
		      HG_PORT_LEN, 0) ||
	    add_range(HCL_RANGE_PIO, HCL_RANGE_DOORBELL, HG_PORT_BELL, 4,
		      part.efd) ||
	    add_range(HCL_RANGE_MMIO, HCL_RANGE_USER, part.mmio_base, SZ_2M,
		      0) ||
	    add_range(HCL_RANGE_MMIO, HCL_RANGE_DOORBELL, part.bell_base,
		      4096, part.efd)) {
		say("# ranges: %s\n", strerror(errno));
		goto out;
	}
	shared_pages(&r);
	if (nvps > info.max_vps)
		nvps = info.max_vps;
	for (unsigned int i = 0; i < nvps; i++) {
		struct hcl_create_vp c = { .vp_index = i };
		struct vp *v = &vps[i];

		v->idx = i;
		v->region = HG_REGION(i);
		rng_init(&v->r, g_seed, round, i + 1);
		v->fd = ioctl(part.fd, HCL_CREATE_VP, &c);
		if (v->fd < 0) {
			say("# create VP %u: %s\n", i, strerror(errno));
			goto out;
		}
		v->run = mmap(NULL, HCL_RUN_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED || set_policy(v, &r)) {
			say("# VP %u: %s\n", i, strerror(errno));
			goto out;
		}
		v->sidecar_cpu = v->run->sidecar_cpu;
		part.vps[i] = v;
		part.nvps = i + 1;
	}
	say("# round %llu: %u VPs, irqchip %s, MSR default %s, VTL0 RAM %llu "
	    "MiB\n", (unsigned long long)round, part.nvps,
	    part.irqchip ? "on" : "off",
	    part.msr_default == HCL_MSR_USER ? "user" : "#GP",
	    (unsigned long long)(part.mem_size >> 20));
	ADD(rounds, 1);
	/* the round ends at round_end: over() looks at g_deadline */
	g_deadline = round_end < end_save ? round_end : end_save;
	for (unsigned int i = 0; i < part.nvps; i++)
		pthread_create(&vps[i].thread, NULL, vp_main, &vps[i]);
	pthread_create(&inj, NULL, injector_main, (void *)(uintptr_t)round);
	ret = 0;
	/* the watchdog: signal VPs past their epoch's end */
	for (;;) {
		uint64_t t;
		int alive = 0;

		usleep(10000);
		t = now_ns();
		for (unsigned int i = 0; i < part.nvps; i++) {
			struct vp *v = &vps[i];

			if (!v->thread)
				continue;
			if (pthread_tryjoin_np(v->thread, NULL) == 0) {
				v->thread = 0;
				continue;
			}
			alive++;
			if (v->in_run && ((v->epoch_deadline &&
					   t > v->epoch_deadline) || over()))
				pthread_kill(v->thread, SIGUSR1);
			if (v->in_run && v->progress_ns &&
			    (int64_t)(t - v->progress_ns) > 60000000000LL) {
				say("# vp %u: no RUN returned for 60 s "
				    "(epoch %llu, scenario %s)\n", i,
				    (unsigned long long)v->epoch,
				    scen_names[v->scen]);
				ret = -2;
				v->progress_ns = 0;
			}
		}
		if (!alive)
			break;
	}
	g_stop = 1;
	pthread_join(inj, NULL);
	g_stop = 0;
out:
	g_deadline = end_save;
	for (unsigned int i = 0; i < MAX_VPS; i++) {
		if (vps[i].run && vps[i].run != MAP_FAILED)
			munmap(vps[i].run, HCL_RUN_SIZE);
		if (vps[i].fd > 0)
			close(vps[i].fd);
	}
	if (part.mem)
		munmap(part.mem, MEM_USE < part.mem_size ? MEM_USE :
		       part.mem_size);
	if (part.efd > 0)
		close(part.efd);
	close(part.fd);
	return ret;
}

/* ---- after the run ------------------------------------------------------ */

/* A fresh partition runs a guest to its HLT: VTL2 still works. */
static int healthy(void)
{
	struct hcl_create_vp c = { 0 };
	struct hcl_sregs sregs;
	struct hcl_regs regs;
	struct hcl_info info;
	struct hcl_run *run;
	uint8_t *mem;
	int fd = open_hcl_wait(10000), vp, ok = 0;

	if (fd < 0 || ioctl(fd, HCL_GET_INFO, &info))
		return 0;
	mem = mmap(NULL, MEM_NEEDED, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	vp = ioctl(fd, HCL_CREATE_VP, &c);
	if (mem != MAP_FAILED && vp >= 0 &&
	    !vtl0_setup_long_mode(mem, info.vtl0_mem_size, HCL_GUEST_LOAD_GPA,
				  HCL_GUEST_STACK_TOP, &regs, &sregs)) {
		/* mov $0x1234,%eax; cpuid; hlt */
		static const uint8_t code[] = { 0xb8, 0x34, 0x12, 0, 0, 0x0f,
						0xa2, 0xf4 };

		memcpy(mem + HCL_GUEST_LOAD_GPA, code, sizeof(code));
		run = mmap(NULL, HCL_RUN_SIZE, PROT_READ | PROT_WRITE,
			   MAP_SHARED, vp, 0);
		ok = run != MAP_FAILED &&
		     !ioctl(vp, HCL_VP_SET_SREGS, &sregs) &&
		     !ioctl(vp, HCL_VP_SET_REGS, &regs) &&
		     !ioctl(vp, HCL_VP_RUN, 0) &&
		     run->exit_reason == HCL_EXIT_HLT &&
		     run->rip == HCL_GUEST_LOAD_GPA + 7;
		if (run != MAP_FAILED)
			munmap(run, HCL_RUN_SIZE);
	}
	if (vp >= 0)
		close(vp);
	if (mem != MAP_FAILED)
		munmap(mem, MEM_NEEDED);
	close(fd);
	return ok;
}

/* a counter of debugfs hcl/stats, or -1 */
static long long debugfs_stat(const char *name)
{
	FILE *f = fopen("/sys/kernel/debug/hcl/stats", "r");
	char line[128], key[64];
	long long v, val = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", key, &v) == 2 && !strcmp(key, name))
			val = v;
	fclose(f);
	return val;
}

static int check_host_state_on(void)
{
	FILE *f = fopen("/sys/module/hcl/parameters/check_host_state", "r");
	int c = f ? fgetc(f) : 'N';

	if (f)
		fclose(f);
	return c == 'Y' || c == '1';
}

static void usage(void)
{
	fprintf(stderr, "usage: hcl-hostile [--seed N] [--seconds S] "
		"[--exits N] [--vps N] [--scenarios a+b] [--epoch-exits N] "
		"[--verbose 0-2]\n");
	exit(2);
}

static unsigned int parse_scenarios(char *s)
{
	unsigned int mask = 0;

	for (char *t = strtok(s, ",+"); t; t = strtok(NULL, ",+")) {
		int s_ = 0;

		while (s_ < NR_SCEN && strcmp(t, scen_names[s_]))
			s_++;
		if (s_ == NR_SCEN) {
			fprintf(stderr, "unknown scenario %s\n", t);
			usage();
		}
		mask |= 1U << s_;
	}
	return mask;
}

int main(int argc, char **argv)
{
	unsigned int seconds = 20, nvps = 4, rounds_fail = 0, all_ran = 1;
	struct sigaction sa = { .sa_handler = on_signal };
	long long k_exits0, k_exits1, hs_checks0, hs_bad0, hs_checks, hs_bad;
	long long k_str0, k_str1;
	uint64_t start, round = 0, t;
	int seeded = 0, ok_healthy, released, fd;
	double secs;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		if (!strcmp(a, "--seed")) {
			g_seed = strtoull(v, NULL, 0);
			seeded = 1;
		} else if (!strcmp(a, "--seconds")) {
			seconds = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--exits")) {
			g_stop_exits = strtoull(v, NULL, 0);
		} else if (!strcmp(a, "--vps")) {
			nvps = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--scenarios")) {
			g_scen_mask = parse_scenarios(v);
		} else if (!strcmp(a, "--cr8")) {
			g_cr8 = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--verbose")) {
			g_verbose = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--epoch-exits")) {
			g_epoch_exits = strtoul(v, NULL, 0);
		} else {
			usage();
		}
		i++;
	}
	if (!nvps || nvps > MAX_VPS || !g_scen_mask || !g_epoch_exits)
		usage();
	if (!seeded)
		g_seed = now_ns() ^ ((uint64_t)getpid() << 32);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGUSR1, &sa, NULL);		/* no SA_RESTART */
	printf("# hcl-hostile --seed %llu --seconds %u --exits %llu --vps %u\n",
	       (unsigned long long)g_seed, seconds,
	       (unsigned long long)g_stop_exits, nvps);
	printf("1..8\n");
	read_vtl2_ram();
	printf("# VTL2 RAM ranges probed: %u\n", nr_vtl2_ram);
	k_exits0 = debugfs_stat("exits");
	k_str0 = debugfs_stat("io_string");
	hs_checks0 = debugfs_stat("host_state_checks");
	hs_bad0 = debugfs_stat("host_state_bad");
	start = now_ns();
	g_deadline = start + seconds * 1000000000ULL;
	while (!over()) {
		struct rng r;

		rng_init(&r, g_seed, round, 7);
		t = now_ns() + (4 + below(&r, 12)) * 1000000000ULL;
		if (run_round(round++, nvps, t))
			rounds_fail++;
		if (rounds_fail)
			break;
	}
	secs = (now_ns() - start) / 1e9;
	k_exits1 = debugfs_stat("exits");
	k_str1 = debugfs_stat("io_string");
	hs_checks = debugfs_stat("host_state_checks");
	hs_bad = debugfs_stat("host_state_bad");

	printf("# summary: %llu exits in %.1f s (%.0f/s), seed %llu, %llu "
	       "rounds\n", (unsigned long long)st.exits, secs,
	       st.exits / (secs > 0 ? secs : 1), (unsigned long long)g_seed,
	       (unsigned long long)st.rounds);
	printf("# exits by reason:");
	for (int i = 1; i < NR_REASONS; i++)
		printf(" %s %llu", reason_names[i],
		       (unsigned long long)st.reason[i]);
	printf("\n# scenarios (epochs):");
	for (int s = 0; s < NR_SCEN; s++) {
		printf(" %s %llu", scen_names[s],
		       (unsigned long long)st.scen[s]);
		if ((g_scen_mask & 1U << s) && !st.scen[s])
			all_ran = 0;
	}
	printf("\n# epochs: %llu done, %llu given up by the guest, %llu "
	       "abandoned (%llu timed out), "
	       "%llu skipped instructions, %llu shutdowns (%llu refused "
	       "RUN after), %llu failed entries\n",
	       (unsigned long long)st.done, (unsigned long long)st.gave_up,
	       (unsigned long long)st.abandoned,
	       (unsigned long long)st.timeouts, (unsigned long long)st.skips,
	       (unsigned long long)st.shutdowns,
	       (unsigned long long)st.ebadfd_ok,
	       (unsigned long long)st.fail_entry);
	printf("# runs: %llu ioctl, %llu io_uring (%llu rings torn down, "
	       "%llu busy), %llu interrupted\n",
	       (unsigned long long)st.ioctl_runs,
	       (unsigned long long)st.uring_runs,
	       (unsigned long long)st.ring_resets,
	       (unsigned long long)st.busy, (unsigned long long)st.eintr);
	printf("# injected: %llu (%llu NMIs, %llu refused); guest saw %llu "
	       "interrupts, %llu NMIs, %llu exceptions\n",
	       (unsigned long long)st.injected,
	       (unsigned long long)st.inject_nmi,
	       (unsigned long long)st.inject_err,
	       (unsigned long long)st.guest_irq,
	       (unsigned long long)st.guest_nmi,
	       (unsigned long long)st.guest_exc);
	printf("# guest vectors:");
	for (int i = 0; i < 32; i++)
		if (st.vec[i])
			printf(" %d:%llu", i, (unsigned long long)st.vec[i]);
	printf("\n");
	if (k_exits0 >= 0 && k_exits1 >= 0)
		printf("# hcl.ko exits (debugfs, all kinds): %lld\n",
		       k_exits1 - k_exits0);
	if (k_str0 >= 0 && k_str1 >= 0)
		printf("# string I/O done in hcl.ko: %lld\n", k_str1 - k_str0);

	printf("%sok 1 hostile: %llu exits, every scenario's VPs set up "
	       "(seed %llu)\n", st.exits && !st.setup_err ? "" : "not ",
	       (unsigned long long)st.exits, (unsigned long long)g_seed);
	printf("%sok 2 hostile: every exit record well-formed (%llu bad)\n",
	       st.bad ? "not " : "", (unsigned long long)st.bad);
	/*
	 * Under QEMU's TCG the guest's own state changes make VMRUN fail
	 * (a MOV to CR0 a CPU refuses, taken): hcl.ko's checks catch that
	 * before VMRUN, and the state set again must enter.  "cpu" is the
	 * CPU refusing what the checks passed (QEMU: a MOV to CR3 above
	 * MAXPHYADDR fails the running guest's VMRUN); "lost", states the
	 * CPU overwrote with the host's (docs/runloop.md).
	 */
	printf("# failed entries: %llu (checks: cpu %llu cr0 %llu cr3 %llu "
	       "cr4 %llu dr %llu efer %llu long %llu event %llu; lost %llu, "
	       "RUN refused after %llu); guest counters torn by its own "
	       "code: %llu epochs\n", (unsigned long long)st.fail_entry,
	       (unsigned long long)st.fail_check[HCL_ENTRY_CPU],
	       (unsigned long long)st.fail_check[HCL_ENTRY_CR0],
	       (unsigned long long)st.fail_check[HCL_ENTRY_CR3],
	       (unsigned long long)st.fail_check[HCL_ENTRY_CR4],
	       (unsigned long long)st.fail_check[HCL_ENTRY_DR6_DR7],
	       (unsigned long long)st.fail_check[HCL_ENTRY_EFER],
	       (unsigned long long)st.fail_check[HCL_ENTRY_LONG_MODE],
	       (unsigned long long)st.fail_check[HCL_ENTRY_EVENT],
	       (unsigned long long)st.fail_lost,
	       (unsigned long long)st.fail_lost_ebadfd,
	       (unsigned long long)st.data_torn);
	printf("%sok 3 hostile: no VP wedged, every round ended\n",
	       rounds_fail ? "not " : "");
	printf("%sok 4 hostile: every scenario ran\n",
	       all_ran || st.exits < 10000 ? "" : "not ");
	if (hs_checks < 0 || !check_host_state_on())
		printf("ok 5 hostile: host state # SKIP hcl.check_host_state "
		       "is off\n");
	else
		printf("%sok 5 hostile: host state kept over %lld checks "
		       "(%lld bad)\n", hs_bad != hs_bad0 ? "not " : "",
		       hs_checks - hs_checks0, hs_bad - hs_bad0);
	ok_healthy = healthy();
	fd = open_hcl_wait(10000);
	released = fd >= 0;
	if (fd >= 0)
		close(fd);
	printf("%sok 6 hostile: VTL2 healthy: a new partition runs a guest "
	       "to HLT%s\n", ok_healthy && released ? "" : "not ",
	       released ? "" : " (/dev/hcl not released)");
	printf("%sok 7 hostile: every state the entry checks refused entered "
	       "once set again (%llu refused again)\n",
	       st.fail_unrecovered ? "not " : "",
	       (unsigned long long)st.fail_unrecovered);
	printf("%sok 8 hostile: every state a VP reached was set again or "
	       "refused by the entry checks too (%llu set, %llu refused, %llu "
	       "entered after SET_SREGS refused them)\n",
	       st.put_back_bad ? "not " : "",
	       (unsigned long long)st.put_back,
	       (unsigned long long)st.put_back_refused,
	       (unsigned long long)st.put_back_bad);
	return st.exits && !st.bad && !rounds_fail && !st.fail_unrecovered &&
	       !st.put_back_bad &&
	       ok_healthy && released ? 0 : 1;
}
