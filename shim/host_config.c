// SPDX-License-Identifier: GPL-2.0
/* The host device tree, read and validated (see host_config.h). */
#include <string.h>

#include <libfdt.h>

#include "host_config.h"

#define PFX "host device tree: "

struct ctx {
	const void *fdt;
	char *err;
	size_t errlen;
};

/* a node's name for messages, bounded and NUL-terminated */
static const char *name_of(const struct ctx *c, int off, char *buf,
			   size_t sz)
{
	int len = 0;
	const char *n = fdt_get_name(c->fdt, off, &len);

	if (!n || len < 0) {
		buf[0] = '?';
		buf[1] = 0;
		return buf;
	}
	if (len == 0)
		return "/";
	if ((size_t)len >= sz)
		len = (int)sz - 1;
	memcpy(buf, n, (size_t)len);
	buf[len] = 0;
	return buf;
}

static uint64_t cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_ld(p + i);
	return v;
}

bool hcl_range_overlap(const struct hcl_host_range *a, const struct hcl_host_range *b)
{
	return a->size && b->size && a->base < b->base + b->size &&
	       b->base < a->base + a->size;
}

bool hcl_range_covered(const struct hcl_host_range *ranges, uint32_t n,
		       const struct hcl_host_range *r)
{
	uint64_t at = r->base, end = r->base + r->size;

	if (!r->size || end < r->base)
		return false;
	for (uint32_t i = 0; i < n && at < end; i++) {
		if (ranges[i].base <= at && at < ranges[i].base + ranges[i].size)
			at = ranges[i].base + ranges[i].size;
	}
	return at >= end;
}

/* non-empty, page aligned, no wrap; @what names the range */
static int check_range(const struct ctx *c, const struct hcl_host_range *r,
		       const char *what)
{
	if (!r->size)
		return shim_errf(c->err, c->errlen, SHIM_ERANGE,
				 PFX "%s: empty range at %x", what,
				 (unsigned long long)r->base);
	if ((r->base | r->size) & (HCL_PAGE_SIZE - 1))
		return shim_errf(c->err, c->errlen, SHIM_ERANGE,
				 PFX "%s: range %x+%x is not 4 KiB aligned",
				 what, (unsigned long long)r->base,
				 (unsigned long long)r->size);
	if (r->base + r->size < r->base)
		return shim_errf(c->err, c->errlen, SHIM_ERANGE,
				 PFX "%s: range %x+%x wraps past 2^64",
				 what, (unsigned long long)r->base,
				 (unsigned long long)r->size);
	return 0;
}

static bool status_okay(const void *fdt, int off)
{
	int len;
	const char *s = fdt_getprop(fdt, off, "status", &len);

	if (!s)
		return true;
	return (len == 5 && !memcmp(s, "okay", 5)) ||
	       (len == 3 && !memcmp(s, "ok", 3));
}

static int parse_cpus(const struct ctx *c, struct hcl_host_config *cfg)
{
	const void *fdt = c->fdt;
	char nb[64], nb2[64];
	int cpus, node, ac, len;

	cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return shim_errf(c->err, c->errlen, SHIM_EMISSING,
				 PFX "no /cpus node");
	ac = fdt_address_cells(fdt, cpus);
	if (ac != 1 && ac != 2)
		return shim_errf(c->err, c->errlen, SHIM_EINVAL,
				 PFX "/cpus: #address-cells must be 1 or 2");
	fdt_for_each_subnode(node, fdt, cpus) {
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		uint64_t id;

		if (!status_okay(fdt, node))
			continue;
		if (!reg || len != ac * 4)
			return shim_errf(c->err, c->errlen, SHIM_ECPU,
					 PFX "/cpus/%s: reg must be %u bytes (an APIC id)",
					 name_of(c, node, nb, sizeof(nb)),
					 (unsigned long long)(ac * 4));
		id = cells(reg, ac);
		if (id > 0xffffffffull)
			return shim_errf(c->err, c->errlen, SHIM_ECPU,
					 PFX "/cpus/%s: APIC id %x does not fit 32 bits",
					 name_of(c, node, nb, sizeof(nb)),
					 (unsigned long long)id);
		for (uint32_t i = 0; i < cfg->ncpus; i++) {
			if (cfg->apic_id[i] == id)
				return shim_errf(c->err, c->errlen, SHIM_ECPU,
						 PFX "/cpus/%s: APIC id %x already used by CPU %u",
						 name_of(c, node, nb2, sizeof(nb2)),
						 (unsigned long long)id,
						 (unsigned long long)i);
		}
		if (cfg->ncpus == HCL_BOOT_MAX_VPS)
			return shim_errf(c->err, c->errlen, SHIM_ETOOMANY,
					 PFX "more than %u CPUs",
					 (unsigned long long)HCL_BOOT_MAX_VPS);
		cfg->apic_id[cfg->ncpus++] = (uint32_t)id;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return shim_errf(c->err, c->errlen, SHIM_EFDT,
				 PFX "/cpus: %s", fdt_strerror(node));
	if (!cfg->ncpus)
		return shim_errf(c->err, c->errlen, SHIM_ECPU,
				 PFX "/cpus lists no usable CPU");
	for (uint32_t i = 0; i < cfg->ncpus; i++) {
		if (cfg->apic_id[i] == fdt_boot_cpuid_phys(fdt)) {
			cfg->boot_cpu = i;
			return 0;
		}
	}
	return shim_errf(c->err, c->errlen, SHIM_ECPU,
			 PFX "boot CPU (boot_cpuid_phys %x) is not in /cpus",
			 (unsigned long long)fdt_boot_cpuid_phys(fdt));
}

static bool is_memory_node(const char *name, int len)
{
	return (len == 6 && !memcmp(name, "memory", 6)) ||
	       (len > 7 && !memcmp(name, "memory@", 7));
}

static int parse_memory(const struct ctx *c, struct hcl_host_config *cfg)
{
	const void *fdt = c->fdt;
	int node, ac, sc, len, nlen;
	char nb[64];

	ac = fdt_address_cells(fdt, 0);
	sc = fdt_size_cells(fdt, 0);
	if (ac != 1 && ac != 2)
		return shim_errf(c->err, c->errlen, SHIM_EINVAL,
				 PFX "/: #address-cells must be 1 or 2");
	if (sc != 1 && sc != 2)
		return shim_errf(c->err, c->errlen, SHIM_EINVAL,
				 PFX "/: #size-cells must be 1 or 2");
	fdt_for_each_subnode(node, fdt, 0) {
		const char *name = fdt_get_name(fdt, node, &nlen);
		const fdt32_t *reg;
		int n, step = (ac + sc) * 4;

		if (!name || !is_memory_node(name, nlen) ||
		    !status_okay(fdt, node))
			continue;
		reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || !len || len % step)
			return shim_errf(c->err, c->errlen, SHIM_EINVAL,
					 PFX "/%s: reg must be a non-empty list of %u-byte (base, size) pairs",
					 name_of(c, node, nb, sizeof(nb)),
					 (unsigned long long)step);
		n = len / step;
		for (int i = 0; i < n; i++) {
			struct hcl_host_range r = {
				cells(reg + i * (ac + sc), ac),
				cells(reg + i * (ac + sc) + ac, sc),
			};
			int rc = check_range(c, &r,
					     name_of(c, node, nb, sizeof(nb)));
			uint32_t j;

			if (rc)
				return rc;
			if (cfg->nram == HCL_HOST_MAX_RANGES)
				return shim_errf(c->err, c->errlen,
						 SHIM_ETOOMANY,
						 PFX "more than %u memory ranges",
						 (unsigned long long)HCL_HOST_MAX_RANGES);
			/* insertion sort by base */
			for (j = cfg->nram; j && cfg->ram[j - 1].base > r.base;
			     j--)
				cfg->ram[j] = cfg->ram[j - 1];
			cfg->ram[j] = r;
			cfg->nram++;
		}
	}
	if (node != -FDT_ERR_NOTFOUND)
		return shim_errf(c->err, c->errlen, SHIM_EFDT, PFX "/: %s",
				 fdt_strerror(node));
	if (!cfg->nram)
		return shim_errf(c->err, c->errlen, SHIM_EMISSING,
				 PFX "no memory node with a range");
	for (uint32_t i = 1; i < cfg->nram; i++) {
		const struct hcl_host_range *a = &cfg->ram[i - 1], *b = &cfg->ram[i];

		if (hcl_range_overlap(a, b))
			return shim_errf(c->err, c->errlen, SHIM_EOVERLAP,
					 PFX "memory ranges %x+%x and %x+%x overlap",
					 (unsigned long long)a->base,
					 (unsigned long long)a->size,
					 (unsigned long long)b->base,
					 (unsigned long long)b->size);
	}
	return 0;
}

static int get_range(const struct ctx *c, int node, const char *prop,
		     struct hcl_host_range *r)
{
	int len;
	const fdt32_t *p = fdt_getprop(c->fdt, node, prop, &len);

	if (!p)
		return shim_errf(c->err, c->errlen, SHIM_EMISSING,
				 PFX "/openhcl: no %s property", prop);
	if (len != 16)
		return shim_errf(c->err, c->errlen, SHIM_EINVAL,
				 PFX "/openhcl/%s: %u bytes, expected 16 (<base-hi base-lo size-hi size-lo>)",
				 prop, (unsigned long long)len);
	r->base = cells(p, 2);
	r->size = cells(p + 2, 2);
	return check_range(c, r, prop);
}

static int parse_openhcl(const struct ctx *c, struct hcl_host_config *cfg)
{
	const void *fdt = c->fdt;
	const char *const names[2] = { OPENHCL_DT_VTL2_RANGE,
						OPENHCL_DT_VTL0_RANGE };
	struct hcl_host_range *rs[2] = { &cfg->vtl2, &cfg->vtl0 };
	const fdt32_t *p;
	int node, rc, len;

	node = fdt_path_offset(fdt, OPENHCL_DT_PATH);
	if (node < 0)
		return shim_errf(c->err, c->errlen, SHIM_EMISSING,
				 PFX "no /openhcl node");
	for (int i = 0; i < 2; i++) {
		rc = get_range(c, node, names[i], rs[i]);
		if (rc)
			return rc;
		if (!hcl_range_covered(cfg->ram, cfg->nram, rs[i]))
			return shim_errf(c->err, c->errlen, SHIM_EOUTSIDE,
					 PFX "/openhcl/%s: %x+%x is not inside RAM",
					 names[i],
					 (unsigned long long)rs[i]->base,
					 (unsigned long long)rs[i]->size);
	}
	if (hcl_range_overlap(&cfg->vtl2, &cfg->vtl0))
		return shim_errf(c->err, c->errlen, SHIM_EOVERLAP,
				 PFX "/openhcl: vtl0-range %x+%x overlaps vtl2-range %x+%x",
				 (unsigned long long)cfg->vtl0.base,
				 (unsigned long long)cfg->vtl0.size,
				 (unsigned long long)cfg->vtl2.base,
				 (unsigned long long)cfg->vtl2.size);
	p = fdt_getprop(fdt, node, OPENHCL_DT_LOADER_TSC, &len);
	if (p) {
		if (len != OPENHCL_DT_U64_SIZE)
			return shim_errf(c->err, c->errlen, SHIM_EINVAL,
					 PFX "/openhcl/loader-tsc: %u bytes, expected 8",
					 (unsigned long long)len);
		cfg->loader_tsc = cells(p, 2);
	}
	p = fdt_getprop(fdt, node, OPENHCL_DT_DEBUG_EXIT_PORT, &len);
	if (p) {
		uint32_t port;

		if (len != 4)
			return shim_errf(c->err, c->errlen, SHIM_EINVAL,
					 PFX "/openhcl/debug-exit-port: %u bytes, expected 4",
					 (unsigned long long)len);
		port = fdt32_ld(p);
		if (!port || port > 0xffff)
			return shim_errf(c->err, c->errlen, SHIM_ERANGE,
					 PFX "/openhcl/debug-exit-port: %x is not an I/O port (1..0xffff)",
					 (unsigned long long)port);
		cfg->has_exit_port = true;
		cfg->exit_port = (uint16_t)port;
	}
	p = fdt_getprop(fdt, node, OPENHCL_DT_HOST_CHANNEL, &len);
	if (p) {
		uint32_t port, irq;

		if (len != OPENHCL_DT_HOST_CHANNEL_SIZE)
			return shim_errf(c->err, c->errlen, SHIM_EINVAL,
					 PFX "/openhcl/host-channel: %u bytes, expected 8 (<io-port irq>)",
					 (unsigned long long)len);
		port = fdt32_ld(p);
		irq = fdt32_ld(p + 1);
		if (!port ||
		    port > 0x10000 - OPENHCL_DT_HOST_CHANNEL_PORTS)
			return shim_errf(c->err, c->errlen, SHIM_ERANGE,
					 PFX "/openhcl/host-channel: I/O ports %x+8 outside 1..0xffff",
					 (unsigned long long)port);
		if (irq > 15)
			return shim_errf(c->err, c->errlen, SHIM_ERANGE,
					 PFX "/openhcl/host-channel: IRQ %u is not an ISA IRQ (0..15)",
					 (unsigned long long)irq);
		cfg->has_host_channel = true;
		cfg->host_channel_port = (uint16_t)port;
		cfg->host_channel_irq = (uint8_t)irq;
	}
	p = fdt_getprop(fdt, node, OPENHCL_DT_ENTROPY, &len);
	if (p) {
		if (len < 1 || (uint32_t)len > OPENHCL_DT_ENTROPY_MAX)
			return shim_errf(c->err, c->errlen, SHIM_EINVAL,
					 PFX "/openhcl/entropy: %u bytes, expected 1..%u",
					 (unsigned long long)len,
					 (unsigned long long)OPENHCL_DT_ENTROPY_MAX);
		memcpy(cfg->entropy, p, len);
		cfg->entropy_len = (uint32_t)len;
	}
	return 0;
}

static int parse_serial(const struct ctx *c, struct hcl_host_config *cfg)
{
	const void *fdt = c->fdt;
	int node, parent, len;
	const fdt32_t *reg;
	uint32_t flags, port, size;
	char nb[64];

	node = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
	if (node == -FDT_ERR_NOTFOUND)
		return 0;
	if (node < 0)
		return shim_errf(c->err, c->errlen, SHIM_EFDT,
				 PFX "looking for ns16550a: %s",
				 fdt_strerror(node));
	name_of(c, node, nb, sizeof(nb));
	parent = fdt_parent_offset(fdt, node);
	if (parent < 0)
		return shim_errf(c->err, c->errlen, SHIM_EFDT, PFX "%s: %s",
				 nb, fdt_strerror(parent));
	if (fdt_address_cells(fdt, parent) != 2 ||
	    fdt_size_cells(fdt, parent) != 1)
		return shim_errf(c->err, c->errlen, SHIM_EINVAL,
				 PFX "%s: parent must have #address-cells = 2, #size-cells = 1 (ISA)",
				 nb);
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || len != 12)
		return shim_errf(c->err, c->errlen, SHIM_EINVAL,
				 PFX "%s: reg must be 12 bytes <flags port size>",
				 nb);
	flags = fdt32_ld(reg);
	port = fdt32_ld(reg + 1);
	size = fdt32_ld(reg + 2);
	if (!(flags & 1))
		return shim_errf(c->err, c->errlen, SHIM_EINVAL,
				 PFX "%s: reg is not in I/O space (flags %x)",
				 nb, (unsigned long long)flags);
	if (!size || port > 0xffff || size > 0x10000 - port)
		return shim_errf(c->err, c->errlen, SHIM_ERANGE,
				 PFX "%s: I/O ports %x+%x outside 0..0xffff",
				 nb, (unsigned long long)port,
				 (unsigned long long)size);
	cfg->has_serial = true;
	cfg->serial_port = (uint16_t)port;
	cfg->serial_size = (uint16_t)size;
	return 0;
}

/* the host channel's ports must be its own: not the console's, not the exit port */
static int check_host_channel(const struct ctx *c,
			      const struct hcl_host_config *cfg)
{
	uint32_t lo = cfg->host_channel_port;
	uint32_t hi = lo + OPENHCL_DT_HOST_CHANNEL_PORTS;

	if (!cfg->has_host_channel)
		return 0;
	if (cfg->has_serial && lo < cfg->serial_port + cfg->serial_size &&
	    cfg->serial_port < hi)
		return shim_errf(c->err, c->errlen, SHIM_EOVERLAP,
				 PFX "/openhcl/host-channel: I/O ports %x+8 overlap the console's %x+%x",
				 (unsigned long long)lo,
				 (unsigned long long)cfg->serial_port,
				 (unsigned long long)cfg->serial_size);
	if (cfg->has_exit_port && lo <= cfg->exit_port && cfg->exit_port < hi)
		return shim_errf(c->err, c->errlen, SHIM_EOVERLAP,
				 PFX "/openhcl/host-channel: I/O ports %x+8 hold debug-exit-port %x",
				 (unsigned long long)lo,
				 (unsigned long long)cfg->exit_port);
	return 0;
}

static int parse_chosen(const struct ctx *c, struct hcl_host_config *cfg)
{
	const char *s;
	int node, len, n = 0;

	node = fdt_path_offset(c->fdt, "/chosen");
	if (node < 0)
		return 0;
	s = fdt_getprop(c->fdt, node, "bootargs", &len);
	if (!s)
		return 0;
	while (n < len && s[n])
		n++;
	if (n == len)
		return shim_errf(c->err, c->errlen, SHIM_EINVAL,
				 PFX "/chosen/bootargs is not NUL-terminated");
	if ((size_t)n >= HCL_BOOTARGS_MAX)
		return shim_errf(c->err, c->errlen, SHIM_ETOOMANY,
				 PFX "/chosen/bootargs: %u bytes, limit %u",
				 (unsigned long long)n,
				 (unsigned long long)(HCL_BOOTARGS_MAX - 1));
	memcpy(cfg->bootargs, s, (size_t)n + 1);
	cfg->has_bootargs = true;
	return 0;
}

uint16_t hcl_host_exit_port(const void *fdt, size_t bufsize)
{
	const fdt32_t *p;
	int node, len;
	uint32_t port;

	if (!fdt || bufsize < sizeof(struct fdt_header) ||
	    ((uintptr_t)fdt & (FDT_TAGSIZE - 1)) || fdt_check_header(fdt) ||
	    fdt_totalsize(fdt) > bufsize ||
	    (fdt_off_dt_struct(fdt) & (FDT_TAGSIZE - 1)))
		return 0;
	node = fdt_path_offset(fdt, OPENHCL_DT_PATH);
	if (node < 0)
		return 0;
	p = fdt_getprop(fdt, node, OPENHCL_DT_DEBUG_EXIT_PORT, &len);
	if (!p || len != 4)
		return 0;
	port = fdt32_ld(p);
	return port <= 0xffff ? (uint16_t)port : 0;
}

int hcl_host_config_parse(const void *fdt, size_t bufsize,
			  struct hcl_host_config *cfg, char *err,
			  size_t errlen)
{
	struct ctx c = { fdt, err, errlen };
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	if (errlen)
		err[0] = 0;
	if (!fdt || bufsize < sizeof(struct fdt_header))
		return shim_errf(err, errlen, SHIM_EFDT,
				 PFX "%u bytes, too small for a header",
				 (unsigned long long)bufsize);
	rc = fdt_check_header(fdt);
	if (rc)
		return shim_errf(err, errlen, SHIM_EFDT, PFX "bad header: %s",
				 fdt_strerror(rc));
	/* libfdt loads tags as aligned u32s */
	if (((uintptr_t)fdt | fdt_off_dt_struct(fdt)) & (FDT_TAGSIZE - 1))
		return shim_errf(err, errlen, SHIM_EFDT,
				 PFX "blob at %x or its structure block at offset %x is not 4-byte aligned",
				 (unsigned long long)(uintptr_t)fdt,
				 (unsigned long long)fdt_off_dt_struct(fdt));
	if (fdt_totalsize(fdt) > bufsize)
		return shim_errf(err, errlen, SHIM_EFDT,
				 PFX "totalsize %u exceeds the %u-byte area",
				 (unsigned long long)fdt_totalsize(fdt),
				 (unsigned long long)bufsize);
	rc = parse_cpus(&c, cfg);
	if (!rc)
		rc = parse_memory(&c, cfg);
	if (!rc)
		rc = parse_openhcl(&c, cfg);
	if (!rc)
		rc = parse_serial(&c, cfg);
	if (!rc)
		rc = check_host_channel(&c, cfg);
	if (!rc)
		rc = parse_chosen(&c, cfg);
	if (rc)
		memset(cfg, 0, sizeof(*cfg));
	return rc;
}
