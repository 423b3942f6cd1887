// SPDX-License-Identifier: GPL-2.0
/* The device tree for the VTL2 Linux kernel (see dt_build.h). */
#include <string.h>

#include <libfdt.h>

#include "dt_build.h"

#define PFX "Linux device tree: "

static const char *type_name(uint32_t t)
{
	static const char *const n[OPENHCL_MEM_NR_TYPES] =
		OPENHCL_MEM_TYPE_NAMES;

	return t < OPENHCL_MEM_NR_TYPES ? n[t] : "?";
}

static int check_extras(const struct hcl_dt_input *in, char *err,
			size_t errlen)
{
	const struct hcl_host_config *h = in->host;

	if (in->vtl0_image.size &&
	    !hcl_range_covered(&h->vtl2, 1, &in->vtl0_image))
		return shim_errf(err, errlen, SHIM_EOUTSIDE,
				 PFX "vtl0-image %x+%x is not inside the VTL2 range",
				 (unsigned long long)in->vtl0_image.base,
				 (unsigned long long)in->vtl0_image.size);
	if (in->nextra > HCL_DT_MAX_EXTRA)
		return shim_errf(err, errlen, SHIM_ETOOMANY,
				 PFX "%u extra ranges, limit %u",
				 (unsigned long long)in->nextra,
				 (unsigned long long)HCL_DT_MAX_EXTRA);
	for (uint32_t i = 0; i < in->nextra; i++) {
		const struct hcl_mem_entry *e = &in->extra[i];
		struct hcl_host_range r = { e->base, e->size };

		if (e->type != OPENHCL_MEM_VTL2_RESERVED &&
		    e->type != OPENHCL_MEM_SIDECAR && e->type != OPENHCL_MEM_MMIO &&
		    e->type != OPENHCL_MEM_VTL2_RAM)
			return shim_errf(err, errlen, SHIM_EINVAL,
					 PFX "extra range %u: type %u is not vtl2-ram, vtl2-reserved, sidecar or mmio",
					 (unsigned long long)i,
					 (unsigned long long)e->type);
		if (!r.size || ((r.base | r.size) & (HCL_PAGE_SIZE - 1)) ||
		    r.base + r.size < r.base)
			return shim_errf(err, errlen, SHIM_ERANGE,
					 PFX "extra range %u: %x+%x is empty, unaligned or wraps",
					 (unsigned long long)i,
					 (unsigned long long)r.base,
					 (unsigned long long)r.size);
		if (e->type == OPENHCL_MEM_MMIO) {
			for (uint32_t j = 0; j < h->nram; j++) {
				if (hcl_range_overlap(&r, &h->ram[j]))
					return shim_errf(err, errlen,
							 SHIM_EOVERLAP,
							 PFX "extra range %u: mmio %x+%x overlaps RAM",
							 (unsigned long long)i,
							 (unsigned long long)r.base,
							 (unsigned long long)r.size);
			}
		} else if (e->type == OPENHCL_MEM_VTL2_RAM) {
			if (!hcl_range_covered(h->ram, h->nram, &r) ||
			    hcl_range_overlap(&r, &h->vtl2) ||
			    hcl_range_overlap(&r, &h->vtl0))
				return shim_errf(err, errlen, SHIM_EOUTSIDE,
						 PFX "extra range %u: vtl2-ram %x+%x is not RAM outside the VTL2 and VTL0 ranges",
						 (unsigned long long)i,
						 (unsigned long long)r.base,
						 (unsigned long long)r.size);
		} else if (!hcl_range_covered(&h->vtl2, 1, &r)) {
			return shim_errf(err, errlen, SHIM_EOUTSIDE,
					 PFX "extra range %u: %s %x+%x is not inside the VTL2 range",
					 (unsigned long long)i,
					 type_name(e->type),
					 (unsigned long long)r.base,
					 (unsigned long long)r.size);
		}
		for (uint32_t j = 0; j < i; j++) {
			struct hcl_host_range o = { in->extra[j].base,
					       in->extra[j].size };

			if (hcl_range_overlap(&r, &o))
				return shim_errf(err, errlen, SHIM_EOVERLAP,
						 PFX "extra ranges %u and %u overlap",
						 (unsigned long long)j,
						 (unsigned long long)i);
		}
	}
	return 0;
}

static bool inside(uint64_t a, uint64_t b, const struct hcl_host_range *r)
{
	return r->size && a >= r->base && b <= r->base + r->size;
}

static uint32_t classify(const struct hcl_dt_input *in, uint64_t a,
			 uint64_t b)
{
	for (uint32_t i = 0; i < in->nextra; i++) {
		struct hcl_host_range r = { in->extra[i].base, in->extra[i].size };

		if (in->extra[i].type != OPENHCL_MEM_MMIO && inside(a, b, &r))
			return in->extra[i].type;
	}
	if (inside(a, b, &in->host->vtl2))
		return OPENHCL_MEM_VTL2_RAM;
	if (inside(a, b, &in->host->vtl0))
		return OPENHCL_MEM_VTL0_RAM;
	return OPENHCL_MEM_UNASSIGNED;
}

static int add(struct hcl_mem_entry *map, int n, uint32_t type, uint64_t a,
	       uint64_t b, char *err, size_t errlen)
{
	if (n > 0 && map[n - 1].type == type &&
	    map[n - 1].base + map[n - 1].size == a) {
		map[n - 1].size += b - a;
		return n;
	}
	if (n == (int)OPENHCL_DT_MAP_MAX)
		return shim_errf(err, errlen, SHIM_ETOOMANY,
				 PFX "memory map needs more than %u entries",
				 (unsigned long long)OPENHCL_DT_MAP_MAX);
	map[n].type = type;
	map[n].base = a;
	map[n].size = b - a;
	return n + 1;
}

/* adds @r's bounds, clipped to [lo, hi], to the cut list */
static void cut(uint64_t *cuts, int *nc, const struct hcl_host_range *r,
		uint64_t lo, uint64_t hi)
{
	uint64_t p[2] = { r->base, r->base + r->size };

	if (!r->size)
		return;
	for (int i = 0; i < 2; i++)
		if (p[i] > lo && p[i] < hi)
			cuts[(*nc)++] = p[i];
}

int hcl_dt_memory_map(const struct hcl_dt_input *in,
		      struct hcl_mem_entry *map, char *err, size_t errlen)
{
	const struct hcl_host_config *h = in->host;
	uint64_t cuts[4 + 2 * 2 + 2 * HCL_DT_MAX_EXTRA];
	int n = 0, rc;

	rc = check_extras(in, err, errlen);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < h->nram; i++) {
		uint64_t lo = h->ram[i].base, hi = lo + h->ram[i].size;
		int nc = 0;

		cuts[nc++] = lo;
		cuts[nc++] = hi;
		cut(cuts, &nc, &h->vtl2, lo, hi);
		cut(cuts, &nc, &h->vtl0, lo, hi);
		for (uint32_t j = 0; j < in->nextra; j++) {
			struct hcl_host_range r = { in->extra[j].base,
					       in->extra[j].size };

			cut(cuts, &nc, &r, lo, hi);
		}
		for (int a = 1; a < nc; a++)	/* insertion sort */
			for (int b = a; b && cuts[b - 1] > cuts[b]; b--) {
				uint64_t t = cuts[b];

				cuts[b] = cuts[b - 1];
				cuts[b - 1] = t;
			}
		for (int k = 0; k + 1 < nc; k++) {
			if (cuts[k] == cuts[k + 1])
				continue;
			n = add(map, n, classify(in, cuts[k], cuts[k + 1]),
				cuts[k], cuts[k + 1], err, errlen);
			if (n < 0)
				return n;
		}
	}
	for (uint32_t j = 0; j < in->nextra; j++) {
		const struct hcl_mem_entry *e = &in->extra[j];

		if (e->type != OPENHCL_MEM_MMIO)
			continue;
		if (n == (int)OPENHCL_DT_MAP_MAX)
			return shim_errf(err, errlen, SHIM_ETOOMANY,
					 PFX "memory map needs more than %u entries",
					 (unsigned long long)OPENHCL_DT_MAP_MAX);
		map[n++] = *e;
	}
	for (int a = 1; a < n; a++)	/* sort by base */
		for (int b = a; b && map[b - 1].base > map[b].base; b--) {
			struct hcl_mem_entry t = map[b];

			map[b] = map[b - 1];
			map[b - 1] = t;
		}
	return n;
}

/* "prefix@<hex>" */
static void unit_name(char *buf, const char *prefix, uint64_t v)
{
	char tmp[17];
	int n = 0;
	size_t l = strlen(prefix);

	memcpy(buf, prefix, l);
	buf[l++] = '@';
	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		buf[l++] = tmp[--n];
	buf[l] = 0;
}

static void put_u64(fdt32_t *p, uint64_t v)
{
	p[0] = cpu_to_fdt32((uint32_t)(v >> 32));
	p[1] = cpu_to_fdt32((uint32_t)v);
}

static int prop_range(void *fdt, const char *name, uint64_t base,
		      uint64_t size)
{
	fdt32_t c[OPENHCL_DT_RANGE_CELLS];

	put_u64(c, base);
	put_u64(c + 2, size);
	return fdt_property(fdt, name, c, sizeof(c));
}

/* fdt_property(.., NULL, 0) would memcpy from NULL */
static int prop_empty(void *fdt, const char *name)
{
	void *p;

	return fdt_property_placeholder(fdt, name, 0, &p);
}

static int fdt_fail(int rc, size_t bufsize, const char *what, char *err,
		    size_t errlen)
{
	if (rc == -FDT_ERR_NOSPACE)
		return shim_errf(err, errlen, SHIM_ENOSPC,
				 PFX "does not fit the %u-byte buffer (at %s)",
				 (unsigned long long)bufsize, what);
	return shim_errf(err, errlen, SHIM_EFDT, PFX "%s: %s", what,
			 fdt_strerror(rc));
}

#define T(x) do {						\
	int r_ = (x);						\
	if (r_ < 0)						\
		return fdt_fail(r_, bufsize, #x, err, errlen);	\
} while (0)

/* true if CPU @i (VP index) goes to Linux rather than to the sidecar */
static bool linux_cpu(const struct hcl_dt_input *in, uint32_t i)
{
	return in->no_sidecar || i == in->host->boot_cpu;
}

static int build_cpus(void *fdt, size_t bufsize,
		      const struct hcl_dt_input *in, char *err, size_t errlen)
{
	const struct hcl_host_config *h = in->host;
	char name[32];

	T(fdt_begin_node(fdt, "cpus"));
	T(fdt_property_u32(fdt, "#address-cells", 1));
	T(fdt_property_u32(fdt, "#size-cells", 0));
	/*
	 * Every CPU: Linux enumerates them all as present; maxcpus= on the
	 * command line keeps the sidecar's offline (cpu_split.h).
	 */
	for (uint32_t i = 0; i < h->ncpus; i++) {
		unit_name(name, "cpu", h->apic_id[i]);
		T(fdt_begin_node(fdt, name));
		T(fdt_property_string(fdt, "device_type", "cpu"));
		T(fdt_property_u32(fdt, "reg", h->apic_id[i]));
		T(fdt_property_string(fdt, "status", "okay"));
		T(fdt_end_node(fdt));
	}
	T(fdt_end_node(fdt));
	return 0;
}

static int build_openhcl(void *fdt, size_t bufsize,
			 const struct hcl_dt_input *in,
			 const struct hcl_mem_entry *map, int nmap,
			 char *err, size_t errlen)
{
	const struct hcl_host_config *h = in->host;
	uint32_t nside;
	fdt32_t *cells;
	void *p;

	T(fdt_begin_node(fdt, OPENHCL_DT_NODE));
	T(fdt_property_string(fdt, "compatible", OPENHCL_DT_COMPATIBLE));
	T(fdt_property_placeholder(fdt, OPENHCL_DT_MEMORY_MAP,
				   nmap * OPENHCL_DT_MAP_ENTRY_SIZE, &p));
	cells = p;
	for (int i = 0; i < nmap; i++) {
		fdt32_t *e = cells + i * OPENHCL_DT_MAP_CELLS;

		e[0] = cpu_to_fdt32(map[i].type);
		put_u64(e + 1, map[i].base);
		put_u64(e + 3, map[i].size);
	}
	T(prop_range(fdt, OPENHCL_DT_VTL2_RANGE, h->vtl2.base, h->vtl2.size));
	T(prop_range(fdt, OPENHCL_DT_VTL0_RANGE, h->vtl0.base, h->vtl0.size));
	T(fdt_property_u32(fdt, OPENHCL_DT_VP_COUNT, h->ncpus));
	if (in->vtl0_image.size)
		T(prop_range(fdt, OPENHCL_DT_VTL0_IMAGE, in->vtl0_image.base,
			     in->vtl0_image.size));
	if (h->has_exit_port)
		T(fdt_property_u32(fdt, OPENHCL_DT_DEBUG_EXIT_PORT,
				   h->exit_port));
	if (h->entropy_len)
		T(fdt_property(fdt, OPENHCL_DT_ENTROPY, h->entropy,
			       h->entropy_len));
	if (h->has_host_channel) {
		fdt32_t hc[2] = { cpu_to_fdt32(h->host_channel_port),
				  cpu_to_fdt32(h->host_channel_irq) };

		T(fdt_property(fdt, OPENHCL_DT_HOST_CHANNEL, hc, sizeof(hc)));
	}

	nside = in->no_sidecar ? 0 : h->ncpus - 1;
	T(fdt_begin_node(fdt, OPENHCL_DT_SIDECAR));
	T(fdt_property_placeholder(fdt, OPENHCL_DT_SIDECAR_APIC_IDS,
				   nside * OPENHCL_DT_CELL_SIZE, &p));
	cells = p;
	for (uint32_t i = 0, k = 0; i < h->ncpus; i++)
		if (!linux_cpu(in, i))
			cells[k++] = cpu_to_fdt32(h->apic_id[i]);
	T(fdt_property_u32(fdt, OPENHCL_DT_SIDECAR_CPU_COUNT, nside));
	if (nside && in->sidecar_region.size)
		T(prop_range(fdt, OPENHCL_DT_SIDECAR_REGION,
			     in->sidecar_region.base, in->sidecar_region.size));
	T(fdt_end_node(fdt));

	T(fdt_begin_node(fdt, OPENHCL_DT_TIMESTAMPS));
	T(fdt_property_u64(fdt, OPENHCL_DT_TS_LOADER, h->loader_tsc));
	T(fdt_property_u64(fdt, OPENHCL_DT_TS_SHIM, in->shim_tsc));
	T(fdt_property_u64(fdt, OPENHCL_DT_TS_HANDOFF, 0));
	T(fdt_property_u64(fdt, OPENHCL_DT_TS_SIDECAR_START, 0));
	T(fdt_property_u64(fdt, OPENHCL_DT_TS_SIDECAR_READY, 0));
	T(fdt_end_node(fdt));
	T(fdt_end_node(fdt));
	return 0;
}

/* /memory@<base>: the VTL2 range and each VTL2_RAM extra, by base */
static int build_memory(void *fdt, size_t bufsize,
			const struct hcl_dt_input *in, char *err,
			size_t errlen)
{
	struct hcl_host_range r[1 + HCL_DT_MAX_EXTRA];
	char name[40];
	int n = 0;

	r[n++] = in->host->vtl2;
	for (uint32_t i = 0; i < in->nextra; i++) {
		if (in->extra[i].type != OPENHCL_MEM_VTL2_RAM)
			continue;
		r[n].base = in->extra[i].base;
		r[n].size = in->extra[i].size;
		for (int j = n++; j && r[j - 1].base > r[j].base; j--) {
			struct hcl_host_range t = r[j];

			r[j] = r[j - 1];
			r[j - 1] = t;
		}
	}
	for (int i = 0; i < n; i++) {
		unit_name(name, "memory", r[i].base);
		T(fdt_begin_node(fdt, name));
		T(fdt_property_string(fdt, "device_type", "memory"));
		T(prop_range(fdt, "reg", r[i].base, r[i].size));
		T(fdt_end_node(fdt));
	}
	return 0;
}

static int build_isa(void *fdt, size_t bufsize,
		     const struct hcl_host_config *h, char *err, size_t errlen)
{
	static const uint32_t ranges[5] = { 1, 0, 0, 0, 0x10000 };
	fdt32_t c[5];
	char name[32] = "serial@i";
	int l = 8;

	T(fdt_begin_node(fdt, "isa@legacy"));
	T(fdt_property_string(fdt, "compatible", "isa"));
	T(fdt_property_string(fdt, "device_type", "isa"));
	T(fdt_property_u32(fdt, "#address-cells", 2));
	T(fdt_property_u32(fdt, "#size-cells", 1));
	for (int i = 0; i < 5; i++)
		c[i] = cpu_to_fdt32(ranges[i]);
	T(fdt_property(fdt, "ranges", c, sizeof(c)));
	for (int s = 12; s >= 0; s -= 4)
		if (h->serial_port >> s || !s)
			name[l++] = "0123456789abcdef"[(h->serial_port >> s) & 15];
	name[l] = 0;
	T(fdt_begin_node(fdt, name));
	T(fdt_property_string(fdt, "compatible", "ns16550a"));
	c[0] = cpu_to_fdt32(1);
	c[1] = cpu_to_fdt32(h->serial_port);
	c[2] = cpu_to_fdt32(h->serial_size);
	T(fdt_property(fdt, "reg", c, 12));
	T(fdt_property_u32(fdt, "clock-frequency", HCL_UART_CLOCK));
	T(fdt_end_node(fdt));
	T(fdt_end_node(fdt));
	return 0;
}

int hcl_dt_build(const struct hcl_dt_input *in, void *buf, size_t bufsize,
		 char *err, size_t errlen)
{
	static struct hcl_mem_entry map[OPENHCL_DT_MAP_MAX];
	const struct hcl_host_config *h = in->host;
	uint64_t lapic = in->lapic_base ? in->lapic_base : HCL_LAPIC_BASE;
	char name[40];
	int nmap, rc;

	if (errlen)
		err[0] = 0;
	if (!h || !h->ncpus || h->boot_cpu >= h->ncpus || !in->bootargs)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX "no host configuration or command line");
	if (bufsize > 0x7fffffff)
		bufsize = 0x7fffffff;
	nmap = hcl_dt_memory_map(in, map, err, errlen);
	if (nmap < 0)
		return nmap;

	T(fdt_create(buf, (int)bufsize));
	T(fdt_finish_reservemap(buf));
	T(fdt_begin_node(buf, ""));
	T(fdt_property_u32(buf, "#address-cells", 2));
	T(fdt_property_u32(buf, "#size-cells", 2));
	T(fdt_property_string(buf, "compatible", OPENHCL_DT_ROOT_COMPATIBLE));
	T(fdt_property_string(buf, "model", "hcl VTL2"));

	T(fdt_begin_node(buf, "chosen"));
	T(fdt_property_string(buf, "bootargs", in->bootargs));
	T(fdt_end_node(buf));

	rc = build_cpus(buf, bufsize, in, err, errlen);
	if (rc)
		return rc;

	rc = build_memory(buf, bufsize, in, err, errlen);
	if (rc)
		return rc;

	T(fdt_begin_node(buf, "reserved-memory"));
	T(fdt_property_u32(buf, "#address-cells", 2));
	T(fdt_property_u32(buf, "#size-cells", 2));
	T(prop_empty(buf, "ranges"));
	for (uint32_t i = 0; i < in->nextra; i++) {
		const struct hcl_mem_entry *e = &in->extra[i];

		if (e->type != OPENHCL_MEM_VTL2_RESERVED &&
		    e->type != OPENHCL_MEM_SIDECAR)
			continue;
		unit_name(name, "reserved", e->base);
		T(fdt_begin_node(buf, name));
		T(prop_range(buf, "reg", e->base, e->size));
		T(prop_empty(buf, "no-map"));
		T(fdt_end_node(buf));
	}
	T(fdt_end_node(buf));

	unit_name(name, "interrupt-controller", lapic);
	T(fdt_begin_node(buf, name));
	T(fdt_property_string(buf, "compatible", "intel,ce4100-lapic"));
	T(prop_range(buf, "reg", lapic, 0x1000));
	T(prop_empty(buf, "interrupt-controller"));
	T(fdt_property_u32(buf, "#interrupt-cells", 2));
	T(fdt_property_u32(buf, "#address-cells", 0));
	T(fdt_end_node(buf));

	if (h->has_serial) {
		rc = build_isa(buf, bufsize, h, err, errlen);
		if (rc)
			return rc;
	}
	rc = build_openhcl(buf, bufsize, in, map, nmap, err, errlen);
	if (rc)
		return rc;
	T(fdt_end_node(buf));
	T(fdt_finish(buf));
	fdt_set_boot_cpuid_phys(buf, h->apic_id[h->boot_cpu]);
	T(fdt_pack(buf));
	return (int)fdt_totalsize(buf);
}

int hcl_dt_set_tsc(void *fdt, const char *name, uint64_t tsc)
{
	int node = fdt_path_offset(fdt,
				   OPENHCL_DT_PATH "/" OPENHCL_DT_TIMESTAMPS);

	if (node < 0)
		return node;
	return fdt_setprop_inplace_u64(fdt, node, name, tsc);
}
