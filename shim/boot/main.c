// SPDX-License-Identifier: GPL-2.0
/*
 * openhcl_boot: from the IGVM parameters to Linux (see shim/README.md).
 *
 * Runs on the boot CPU only, after entry.S has moved it onto its own
 * GDT, stack, page tables and IDT.  Every check that fails prints one
 * line "openhcl_boot: error: <message>" and stops with rt_exit(0); there
 * is no other way out but the jump to Linux.
 */
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include "cmdline.h"
#include "cpu_split.h"
#include "dt_build.h"
#include "host_config.h"
#include "igvm_params.h"
#include "linux_boot.h"
#include "rt.h"
#include "x86_desc.h"
#include "smp.h"

#define PFX		"openhcl_boot: "
#define EARLY_COM	0x3f8		/* COM1, until the host DT says */
#define DT_SIZE		0x10000u	/* the tree for Linux, at most */

extern char __shim_start[], __shim_end[];
extern const uint64_t shim_isr_table[32];

__attribute__((noreturn)) void shim_start_linux(uint64_t entry,
						uint64_t boot_params);
void shim_idt_init(void);
__attribute__((noreturn)) void shim_exception(uint64_t vector,
					      uint64_t error, uint64_t rip);
__attribute__((noreturn)) void shim_main(uint64_t params_gpa,
					 uint64_t shim_tsc);

/* ---- exceptions */

static struct rt_idt_gate idt[32] __attribute__((aligned(16)));

void shim_idt_init(void)
{
	struct rt_desc_ptr desc;

	for (int i = 0; i < 32; i++)
		rt_idt_gate_set(&idt[i], shim_isr_table[i], 0x10, 0);
	desc.limit = sizeof(idt) - 1;
	desc.base = (uint64_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(desc) : "memory");
}

void shim_exception(uint64_t vector, uint64_t error, uint64_t rip)
{
	static int nested;

	if (nested++)
		for (;;) {
			cli();
			hlt();
		}
	rt_printf(PFX "exception %lu at RIP 0x%lx error 0x%lx\n",
		  (unsigned long)vector, (unsigned long)rip,
		  (unsigned long)error);
	rt_exit(0);
}

/* ---- state handed to Linux; all of it in .bss, inside the shim range */

static struct {
	struct hcl_setup_data hdr;		/* SETUP_DTB */
	uint8_t fdt[DT_SIZE];
} dtb __attribute__((aligned(4096)));

static uint8_t boot_params[HCL_BP_SIZE] __attribute__((aligned(4096)));
static char kernel_cmdline[SHIM_CMDLINE_MAX + 1];

static struct hcl_igvm_params params;
static struct hcl_host_config host;
static struct hcl_igvm_memmap memmap;
static struct hcl_mem_entry map[OPENHCL_DT_MAP_MAX];
static struct hcl_e820_entry e820[HCL_BP_E820_MAX];
static char err[256];

static __attribute__((noreturn)) void fail(const char *msg)
{
	rt_printf(PFX "error: %s\n", msg);
	rt_exit(0);
}

static void check(int rc)
{
	if (rc < 0)
		fail(err);
}

static const void *gpa_ptr(uint64_t gpa)
{
	return (const void *)(uintptr_t)gpa;	/* identity map */
}

static uint64_t page_up(uint64_t v)
{
	return (v + HCL_PAGE_SIZE - 1) & ~(HCL_PAGE_SIZE - 1);
}

static void read_config(uint64_t params_gpa)
{
	const char *host_line = NULL;
	uint32_t vp_count;
	int rc;

	memcpy(&params, gpa_ptr(params_gpa), sizeof(params));
	check(hcl_params_check(&params, params_gpa,
			       (uint64_t)(uintptr_t)__shim_start,
			       (uint64_t)(uintptr_t)__shim_end, err,
			       sizeof(err)));

	if (hcl_host_config_parse(gpa_ptr(params.device_tree.gpa),
				  params.device_tree.size, &host, err,
				  sizeof(err)) < 0) {
		/* still report through the exit port if the tree names one */
		rt_set_exit_port(hcl_host_exit_port(
			gpa_ptr(params.device_tree.gpa),
			params.device_tree.size));
		fail(err);
	}
	/* from here on the console is the host's port, or none */
	rt_serial_init(host.has_serial ? host.serial_port : 0);
	if (host.has_exit_port)
		rt_set_exit_port(host.exit_port);

	check(hcl_igvm_memmap_parse(gpa_ptr(params.memory_map.gpa),
				    params.memory_map.size, &memmap, err,
				    sizeof(err)));
	memcpy(&vp_count, gpa_ptr(params.vp_count_gpa), sizeof(vp_count));
	check(hcl_igvm_cross_check(&params, &memmap, vp_count, &host, err,
				   sizeof(err)));

	/*
	 * The host's command line: /chosen/bootargs of the host device tree
	 * if it has one, else the IGVM command-line parameter area (checked
	 * either way).  cmdline.c appends it only under
	 * openhcl_boot.host_cmdline=append in the measured static line.
	 */
	check(hcl_igvm_host_cmdline(gpa_ptr(params.host_command_line.gpa),
				    params.host_command_line.size, &host_line,
				    err, sizeof(err)));
	if (host.has_bootargs)
		host_line = host.bootargs;
	rc = shim_cmdline_build(gpa_ptr(params.command_line.gpa),
				params.command_line.size + 1, host_line,
				kernel_cmdline, sizeof(kernel_cmdline), err,
				sizeof(err));
	check(rc);
}

/*
 * openhcl_boot.test_exception=ud|pf|de on the command line raises that
 * exception here, once the console and exit port are known: the tests'
 * way to see the exception handlers report and stop.
 */
static void test_exception(void)
{
	static const char *const kinds[] = { "none", "ud", "pf", "de" };
	const char *word = "openhcl_boot.test_exception=";
	int kind = 0;

	check(shim_cmdline_option(kernel_cmdline, strlen(kernel_cmdline),
				  word, kinds, 4, &kind, "command line", err,
				  sizeof(err)));
	switch (kind) {
	case 1:
		__asm__ volatile("ud2");
		break;
	case 2:
		/* past the identity map: not present */
		*(volatile uint64_t *)(uintptr_t)HCL_SHIM_MAP_END = 0;
		break;
	case 3: {
		volatile uint32_t zero = 0;

		__asm__ volatile("divl %1" : : "a"(1), "r"(zero) : "rdx");
		break;
	}
	}
}

__attribute__((noreturn)) void shim_main(uint64_t params_gpa,
					 uint64_t shim_tsc)
{
	const uint8_t *kernel;
	struct hcl_mem_entry extra[4];
	struct hcl_sidecar_plan plan;
	uint64_t sc_start = 0, sc_ready = 0;
	uint32_t sc_fault, nidle = 0;
	struct hcl_dt_input in;
	struct hcl_boot_in boot;
	struct hcl_bzimage bz;
	struct hcl_host_range low;
	uint64_t entry;
	uint32_t nextra = 0, nlinux;
	int nmap, ne820, dtsize;
	bool sidecar;

	rt_serial_init(EARLY_COM);
	read_config(params_gpa);

	/* the kernel: a bzImage that fits its area */
	kernel = gpa_ptr(params.kernel.gpa);
	check(hcl_bzimage_parse(kernel, params.kernel.size, &bz, err,
				sizeof(err)));
	check(hcl_bzimage_check_load(&bz, params.kernel.gpa,
				     params.kernel_reserve, err,
				     sizeof(err)));

	/* memory: VTL2, the low RAM Linux needs, the staged VTL0 image */
	check(hcl_low_ram(&host, &low, err, sizeof(err)));
	extra[nextra++] = (struct hcl_mem_entry){
		OPENHCL_MEM_VTL2_RAM, low.base, low.size,
	};
	if (params.vtl0_image.size)
		extra[nextra++] = (struct hcl_mem_entry){
			OPENHCL_MEM_VTL2_RESERVED, params.vtl0_image.gpa,
			page_up(params.vtl0_image.size),
		};
	test_exception();

	/* the CPU split: the boot CPU to Linux, the rest to the sidecar */
	check(shim_cmdline_sidecar(kernel_cmdline, &sidecar, err,
				   sizeof(err)));
	check(shim_cmdline_sidecar_fault(kernel_cmdline, &sc_fault, err,
					 sizeof(err)));
	check(hcl_sidecar_plan(&host, sidecar,
			       gpa_ptr(params.sidecar.gpa),
			       params.sidecar.gpa, params.sidecar.size,
			       params.free.gpa, params.free.size, &low, &plan,
			       err, sizeof(err)));
	if (sidecar && host.ncpus > 1 && !plan.enabled)
		rt_printf(PFX "the image has no sidecar: every CPU to Linux\n");
	nlinux = plan.nlinux;
	if (plan.enabled) {
		extra[nextra++] = (struct hcl_mem_entry){
			OPENHCL_MEM_SIDECAR, plan.image.base, plan.image.size,
		};
		extra[nextra++] = (struct hcl_mem_entry){
			OPENHCL_MEM_SIDECAR, plan.region.base,
			plan.region.size,
		};
		check(shim_cmdline_append_maxcpus(kernel_cmdline,
						  sizeof(kernel_cmdline),
						  plan.nlinux, err,
						  sizeof(err)));
	}

	memset(&in, 0, sizeof(in));
	in.no_sidecar = !plan.enabled;
	in.sidecar_region.base = plan.region.base;
	in.sidecar_region.size = plan.region.size;
	in.host = &host;
	in.bootargs = kernel_cmdline;
	in.extra = extra;
	in.nextra = nextra;
	in.shim_tsc = shim_tsc;
	in.vtl0_image.base = params.vtl0_image.gpa;
	in.vtl0_image.size = params.vtl0_image.size;
	nmap = hcl_dt_memory_map(&in, map, err, sizeof(err));
	check(nmap);
	ne820 = hcl_e820_from_map(map, nmap, e820, HCL_BP_E820_MAX, err,
				  sizeof(err));
	check(ne820);

	/* the device tree, as the payload of one SETUP_DTB node */
	dtsize = hcl_dt_build(&in, dtb.fdt, sizeof(dtb.fdt), err,
			      sizeof(err));
	check(dtsize);
	dtb.hdr.next = 0;
	dtb.hdr.type = HCL_SETUP_DTB;
	dtb.hdr.len = (uint32_t)dtsize;

	memset(&boot, 0, sizeof(boot));
	boot.image = kernel;
	boot.bz = &bz;
	boot.cmdline_gpa = (uint64_t)(uintptr_t)kernel_cmdline;
	boot.cmdline_len = strlen(kernel_cmdline);
	boot.initrd_gpa = params.initrd.gpa;
	boot.initrd_size = params.initrd.size;
	boot.setup_data_gpa = (uint64_t)(uintptr_t)&dtb.hdr;
	boot.e820 = e820;
	boot.ne820 = (uint32_t)ne820;
	check(hcl_boot_params_fill(boot_params, &boot, err, sizeof(err)));

	rt_printf(PFX "VTL2 [0x%llx, 0x%llx) VTL0 [0x%llx, 0x%llx), %u CPUs (%u Linux, %u sidecar), command line \"%s\"\n",
		  (unsigned long long)host.vtl2.base,
		  (unsigned long long)(host.vtl2.base + host.vtl2.size),
		  (unsigned long long)host.vtl0.base,
		  (unsigned long long)(host.vtl0.base + host.vtl0.size),
		  host.ncpus, nlinux, host.ncpus - nlinux, kernel_cmdline);

	/* the sidecar's CPUs, into its dispatch loop */
	if (plan.enabled) {
		struct hcl_sidecar_control *ctl =
			(void *)(uintptr_t)plan.region.base;

		hcl_sidecar_control_init(ctl, &host, &plan, sc_fault);
		nidle = shim_sidecar_start(&plan, ctl, &sc_start, &sc_ready);
		ctl->start_tsc = sc_start;
		ctl->ready_tsc = sc_ready;
		rt_printf(PFX "sidecar: %u of %u CPUs idle in the dispatch loop\n",
			  nidle, plan.nsidecar);
		if (hcl_dt_set_tsc(dtb.fdt, OPENHCL_DT_TS_SIDECAR_START,
				   sc_start) ||
		    hcl_dt_set_tsc(dtb.fdt, OPENHCL_DT_TS_SIDECAR_READY,
				   sc_ready))
			fail("Linux device tree: cannot set the sidecar's stamps");
	}

	/* the protected-mode part down to the load address, then go */
	memmove((void *)(uintptr_t)params.kernel.gpa, kernel + bz.setup_size,
		bz.file_size - bz.setup_size);
	entry = params.kernel.gpa + HCL_ENTRY64_OFFSET;
	rt_printf(PFX "starting Linux at 0x%llx\n", (unsigned long long)entry);
	if (hcl_dt_set_tsc(dtb.fdt, OPENHCL_DT_TS_HANDOFF, rdtsc()))
		fail("Linux device tree: cannot set handoff-tsc");
	shim_start_linux(entry, (uint64_t)(uintptr_t)boot_params);
}
