// SPDX-License-Identifier: GPL-2.0
/*
 * The host device tree the loader gives the image in its DEVICE_TREE
 * parameter, to the schema in include/hcl/openhcl_dt.h and
 * shim/host_config.h:
 *
 *   / { #address-cells = <2>; #size-cells = <2>;   boot_cpuid_phys = BSP
 *     cpus { cpu@ID { device_type = "cpu"; reg = <ID>; } ... }  MADT order
 *     memory@BASE { device_type = "memory"; reg = <BASE SIZE>; } per RAM
 *     openhcl { vtl2-range; vtl0-range; loader-tsc; [debug-exit-port];
 *               [entropy]; [host-channel = <0x2f8 3>] }
 *     isa { #address-cells = <2>; #size-cells = <1>;
 *           serial@i3f8 { compatible = "ns16550a"; reg = <1 0x3f8 8>; } }
 *     chosen { bootargs = the host command line; } }
 *
 * The shim's own parser (shim/host_config.c) checks the result before the
 * loader uses it.  hcl.loader.fault=NAME then breaks it on purpose, for
 * end-to-end tests of the shim's error paths (the same parser must then
 * reject it; the loader prints its message):
 *   dt-truncate     totalsize larger than the parameter area
 *   dt-bad-magic    a wrong FDT magic
 *   dt-overlap      vtl0-range equal to (so overlapping) vtl2-range
 *   dt-no-cpus      /cpus removed
 *   dt-dup-apic     a second CPU with the first CPU's APIC id
 *   dt-no-openhcl   /openhcl removed
 *   dt-chan-console /openhcl/host-channel on the console's ports
 *   dt-chan-size    /openhcl/host-channel of 4 bytes
 *
 * The host channel is described when a 16550 answers at COM2 (QEMU's
 * second serial device, which scripts/qemu-run.sh attaches to hclctl's
 * socket): its scratch register must hold what is written to it.
 */
#include <string.h>

#include <libfdt.h>

#include "loader.h"
#include "pio.h"
#include "rt.h"

static void check(int rc, const char *what)
{
	if (rc < 0)
		fail("host device tree: %s: %s", what, fdt_strerror(rc));
}

static void prop_range(void *fdt, const char *name, const struct lrange *r)
{
	fdt32_t v[4] = {
		cpu_to_fdt32((uint32_t)(r->base >> 32)),
		cpu_to_fdt32((uint32_t)r->base),
		cpu_to_fdt32((uint32_t)((r->end - r->base) >> 32)),
		cpu_to_fdt32((uint32_t)(r->end - r->base)),
	};

	check(fdt_property(fdt, name, v, sizeof(v)), name);
}

/* one 64-bit random number from RDRAND, retried as Intel advises */
static bool rdrand64(uint64_t *v)
{
	for (int i = 0; i < 10; i++) {
		unsigned char ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

/*
 * /openhcl/entropy: HOST_ENTROPY bytes from the CPU's random number
 * generator, as a host hands its guest a seed.  Nothing when the CPU has
 * no RDRAND (CPUID 1 ECX bit 30) or it fails.
 */
#define HOST_ENTROPY	64
static void add_entropy(void *fdt)
{
	uint64_t seed[HOST_ENTROPY / 8];
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 30)))
		return;
	for (unsigned int i = 0; i < HOST_ENTROPY / 8; i++)
		if (!rdrand64(&seed[i]))
			return;
	check(fdt_property(fdt, OPENHCL_DT_ENTROPY, seed, sizeof(seed)),
	      OPENHCL_DT_PATH);
	memset(seed, 0, sizeof(seed));
}

/* a 16550 at @port: its scratch register keeps two patterns */
static bool uart_present(uint16_t port)
{
	outb(port + 7, 0x5a);
	if (inb(port + 7) != 0x5a)
		return false;
	outb(port + 7, 0xa5);
	return inb(port + 7) == 0xa5 && inb(port + 5) != 0xff;
}

static void host_channel(void *fdt, uint32_t port, uint32_t irq, int len)
{
	fdt32_t v[2] = { cpu_to_fdt32(port), cpu_to_fdt32(irq) };

	check(fdt_setprop(fdt, fdt_path_offset(fdt, OPENHCL_DT_PATH),
			  OPENHCL_DT_HOST_CHANNEL, v, len),
	      OPENHCL_DT_HOST_CHANNEL);
}

static void build(const struct machine *m, void *fdt, size_t size)
{
	char name[32];

	check(fdt_create(fdt, (int)size), "create");
	check(fdt_finish_reservemap(fdt), "reserve map");
	check(fdt_begin_node(fdt, ""), "/");
	check(fdt_property_u32(fdt, "#address-cells", 2), "/");
	check(fdt_property_u32(fdt, "#size-cells", 2), "/");
	check(fdt_property_string(fdt, "model", "hcl,qemu-pvh"), "/");

	check(fdt_begin_node(fdt, "cpus"), "/cpus");
	check(fdt_property_u32(fdt, "#address-cells", 1), "/cpus");
	check(fdt_property_u32(fdt, "#size-cells", 0), "/cpus");
	for (uint32_t i = 0; i < m->ncpus; i++) {
		snprintf(name, sizeof(name), "cpu@%x", m->apic_id[i]);
		check(fdt_begin_node(fdt, name), "cpu");
		check(fdt_property_string(fdt, "device_type", "cpu"), "cpu");
		check(fdt_property_u32(fdt, "reg", m->apic_id[i]), "cpu");
		check(fdt_end_node(fdt), "cpu");
	}
	check(fdt_end_node(fdt), "/cpus");

	for (uint32_t i = 0; i < m->nram; i++) {
		snprintf(name, sizeof(name), "memory@%llx",
			 (unsigned long long)m->ram[i].base);
		check(fdt_begin_node(fdt, name), "memory");
		check(fdt_property_string(fdt, "device_type", "memory"),
		      "memory");
		prop_range(fdt, "reg", &m->ram[i]);
		check(fdt_end_node(fdt), "memory");
	}

	check(fdt_begin_node(fdt, OPENHCL_DT_NODE), OPENHCL_DT_PATH);
	prop_range(fdt, OPENHCL_DT_VTL2_RANGE, &m->vtl2);
	prop_range(fdt, OPENHCL_DT_VTL0_RANGE, &m->vtl0);
	check(fdt_property_u64(fdt, OPENHCL_DT_LOADER_TSC, m->tsc),
	      OPENHCL_DT_PATH);
	if (m->exit_port)
		check(fdt_property_u32(fdt, OPENHCL_DT_DEBUG_EXIT_PORT,
				       m->exit_port), OPENHCL_DT_PATH);
	add_entropy(fdt);
	if (uart_present(LOADER_COM2)) {
		fdt32_t v[2] = { cpu_to_fdt32(LOADER_COM2),
				 cpu_to_fdt32(LOADER_COM2_IRQ) };

		check(fdt_property(fdt, OPENHCL_DT_HOST_CHANNEL, v, sizeof(v)),
		      OPENHCL_DT_PATH);
	}
	check(fdt_end_node(fdt), OPENHCL_DT_PATH);

	check(fdt_begin_node(fdt, "isa"), "/isa");
	check(fdt_property_string(fdt, "compatible", "isa"), "/isa");
	check(fdt_property_u32(fdt, "#address-cells", 2), "/isa");
	check(fdt_property_u32(fdt, "#size-cells", 1), "/isa");
	check(fdt_begin_node(fdt, "serial@i3f8"), "serial");
	check(fdt_property_string(fdt, "compatible", "ns16550a"), "serial");
	{
		fdt32_t reg[3] = { cpu_to_fdt32(1), cpu_to_fdt32(LOADER_COM1),
				   cpu_to_fdt32(8) };

		check(fdt_property(fdt, "reg", reg, sizeof(reg)), "serial");
	}
	check(fdt_property_u32(fdt, "clock-frequency", 1843200), "serial");
	check(fdt_property_u32(fdt, "current-speed", 115200), "serial");
	check(fdt_end_node(fdt), "serial");
	check(fdt_end_node(fdt), "/isa");

	check(fdt_begin_node(fdt, "chosen"), "/chosen");
	check(fdt_property_string(fdt, "bootargs", m->cmdline), "/chosen");
	check(fdt_end_node(fdt), "/chosen");

	check(fdt_end_node(fdt), "/");
	check(fdt_finish(fdt), "finish");
	fdt_set_boot_cpuid_phys(fdt, m->boot_apic_id);
}

static bool same(const struct hcl_host_range *a, const struct lrange *b)
{
	return a->base == b->base && a->size == b->end - b->base;
}

/* the shim's parser must accept the tree and read back what was put in */
static void self_check(const struct machine *m, const void *fdt, size_t size)
{
	static struct hcl_host_config cfg;
	static char err[256];

	if (hcl_host_config_parse(fdt, size, &cfg, err, sizeof(err)) < 0)
		fail("self-check: %s", err);
	if (cfg.ncpus != m->ncpus || !same(&cfg.vtl2, &m->vtl2) ||
	    !same(&cfg.vtl0, &m->vtl0) || cfg.nram != m->nram ||
	    cfg.apic_id[cfg.boot_cpu] != m->boot_apic_id)
		fail("self-check: the shim's parser reads back %u CPUs, %u RAM ranges, VTL2 0x%llx+0x%llx, VTL0 0x%llx+0x%llx",
		     cfg.ncpus, cfg.nram, (unsigned long long)cfg.vtl2.base,
		     (unsigned long long)cfg.vtl2.size,
		     (unsigned long long)cfg.vtl0.base,
		     (unsigned long long)cfg.vtl0.size);
}

static int node(void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	check(off, path);
	return off;
}

static void apply_fault(const struct machine *m, void *fdt, size_t size)
{
	const char *f = m->fault;

	check(fdt_open_into(fdt, fdt, (int)size), "open for the fault");
	if (!strcmp(f, "dt-truncate")) {
		fdt_set_totalsize(fdt, (uint32_t)size + 0x1000);
	} else if (!strcmp(f, "dt-bad-magic")) {
		fdt_set_magic(fdt, 0xdeadbeef);
	} else if (!strcmp(f, "dt-overlap")) {
		int o = node(fdt, OPENHCL_DT_PATH);

		check(fdt_delprop(fdt, o, OPENHCL_DT_VTL0_RANGE),
		      OPENHCL_DT_VTL0_RANGE);
		check(fdt_open_into(fdt, fdt, (int)size), "reopen");
		o = node(fdt, OPENHCL_DT_PATH);
		{
			fdt32_t v[4] = {
				cpu_to_fdt32((uint32_t)(m->vtl2.base >> 32)),
				cpu_to_fdt32((uint32_t)m->vtl2.base),
				cpu_to_fdt32((uint32_t)((m->vtl2.end -
							 m->vtl2.base) >> 32)),
				cpu_to_fdt32((uint32_t)(m->vtl2.end -
							m->vtl2.base)),
			};

			check(fdt_setprop(fdt, o, OPENHCL_DT_VTL0_RANGE, v,
					 sizeof(v)),
			      "vtl0-range");
		}
	} else if (!strcmp(f, "dt-no-cpus")) {
		check(fdt_del_node(fdt, node(fdt, "/cpus")), "/cpus");
	} else if (!strcmp(f, "dt-dup-apic")) {
		int cpus = node(fdt, "/cpus"), c;

		c = fdt_add_subnode(fdt, cpus, "cpu@dup");
		check(c, "cpu@dup");
		check(fdt_setprop_string(fdt, c, "device_type", "cpu"),
		      "cpu@dup");
		check(fdt_setprop_u32(fdt, c, "reg", m->apic_id[0]),
		      "cpu@dup");
	} else if (!strcmp(f, "dt-no-openhcl")) {
		check(fdt_del_node(fdt, node(fdt, OPENHCL_DT_PATH)), "/openhcl");
	} else if (!strcmp(f, "dt-chan-console")) {
		host_channel(fdt, LOADER_COM1, LOADER_COM2_IRQ, 8);
	} else if (!strcmp(f, "dt-chan-size")) {
		host_channel(fdt, LOADER_COM2, LOADER_COM2_IRQ, 4);
	} else {
		fail("unknown fault '%s' (hcl.loader.fault=): %s", f,
		     HOSTDT_FAULTS);
	}
	if (strcmp(f, "dt-truncate") && strcmp(f, "dt-bad-magic"))
		check(fdt_pack(fdt), "pack");
	/* the fault must make the shim's parser reject the tree */
	{
		static struct hcl_host_config cfg;
		static char err[256];

		if (hcl_host_config_parse(fdt, size, &cfg, err,
					  sizeof(err)) >= 0)
			fail("fault %s: the shim's parser still accepts the tree",
			     f);
		rt_printf("hcl-loader: fault %s applied (%s)\n", f, err);
	}
}

static const char *const faults[] = {
	"dt-truncate", "dt-bad-magic", "dt-overlap", "dt-no-cpus",
	"dt-dup-apic", "dt-no-openhcl", "dt-chan-console", "dt-chan-size",
};

bool hostdt_fault_known(const char *name)
{
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (!strcmp(name, faults[i]))
			return true;
	return false;
}

size_t hostdt_build(const struct machine *m, void *buf, size_t size)
{
	size_t used;

	if (size > 0x7fffffff)
		size = 0x7fffffff;
	build(m, buf, size);
	self_check(m, buf, size);
	if (m->fault)
		apply_fault(m, buf, size);
	used = fdt_totalsize(buf);
	return used < size ? used : size;
}
