// SPDX-License-Identifier: GPL-2.0
/*
 * Reads the shim's device tree (see hcl_dt.h) with libfdt.  Every value is
 * checked: a tree that does not follow the layout is reported with one
 * line, never half-used.
 */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hcl_dt.h"

#define DT_MAX_SIZE	(1u << 20)

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

const char *hcl_dt_type_name(uint32_t type)
{
	static const char *const names[OPENHCL_MEM_NR_TYPES] =
		OPENHCL_MEM_TYPE_NAMES;

	return type < OPENHCL_MEM_NR_TYPES ? names[type] : "?";
}

static uint64_t be64_cells(const fdt32_t *p)
{
	return ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);
}

/*
 * Property @name of @node (at @path) in *p, exactly @size bytes: 0, 1 if
 * it is absent, -1 with a message if it has another size.
 */
static int get_prop(const void *fdt, int node, const char *path,
		    const char *name, int size, const fdt32_t **p,
		    char *err, size_t errlen)
{
	int len;

	*p = fdt_getprop(fdt, node, name, &len);
	if (!*p)
		return 1;
	if (len != size)
		return fail(err, errlen, "%s/%s is %d bytes, not %d", path,
			    name, len, size);
	return 0;
}

/* a <base-hi base-lo size-hi size-lo> property; 1 if absent, -1 if bad */
static int get_range(const void *fdt, int node, const char *name,
		     uint64_t *base, uint64_t *size, char *err, size_t errlen)
{
	const fdt32_t *p;
	int ret = get_prop(fdt, node, OPENHCL_DT_PATH, name,
			   OPENHCL_DT_RANGE_SIZE, &p, err, errlen);

	if (ret)
		return ret;
	*base = be64_cells(p);
	*size = be64_cells(p + 2);
	if (*base + *size < *base)
		return fail(err, errlen, "%s/%s wraps", OPENHCL_DT_PATH, name);
	return 0;
}

static int get_u32(const void *fdt, int node, const char *path,
		   const char *name, uint32_t *v, char *err, size_t errlen)
{
	const fdt32_t *p;
	int ret = get_prop(fdt, node, path, name, OPENHCL_DT_CELL_SIZE, &p,
			   err, errlen);

	if (!ret)
		*v = fdt32_to_cpu(*p);
	return ret;
}

static int get_u64(const void *fdt, int node, const char *name,
		   uint64_t *v, char *err, size_t errlen)
{
	const fdt32_t *p;
	int len;

	p = fdt_getprop(fdt, node, name, &len);
	if (!p)
		return 0;	/* a missing stamp is allowed: it stays 0 */
	if (len != OPENHCL_DT_U64_SIZE)
		return fail(err, errlen,
			    "/openhcl/timestamps/%s is %d bytes, not %d", name,
			    len, OPENHCL_DT_U64_SIZE);
	*v = be64_cells(p);
	return 0;
}

static int read_map(const void *fdt, int node, struct hcl_dt_info *info,
		    char *err, size_t errlen)
{
	const fdt32_t *p;
	uint64_t end = 0;
	unsigned int i;
	int len, nvtl0 = 0;

	p = fdt_getprop(fdt, node, OPENHCL_DT_MEMORY_MAP, &len);
	if (!p)
		return fail(err, errlen, "/openhcl has no memory-map");
	if (len <= 0 || len % OPENHCL_DT_MAP_ENTRY_SIZE ||
	    len / OPENHCL_DT_MAP_ENTRY_SIZE > OPENHCL_DT_MAP_MAX)
		return fail(err, errlen,
			    "/openhcl/memory-map is %d bytes: not 1..%d entries of %d",
			    len, OPENHCL_DT_MAP_MAX, OPENHCL_DT_MAP_ENTRY_SIZE);
	info->nmap = len / OPENHCL_DT_MAP_ENTRY_SIZE;
	for (i = 0; i < info->nmap; i++, p += OPENHCL_DT_MAP_CELLS) {
		struct hcl_dt_range *r = &info->map[i];

		r->type = fdt32_to_cpu(p[0]);
		r->base = be64_cells(p + 1);
		r->size = be64_cells(p + 3);
		if (r->type >= OPENHCL_MEM_NR_TYPES)
			return fail(err, errlen,
				    "memory-map entry %u has unknown type %u",
				    i, r->type);
		if (!r->size || r->base + r->size < r->base)
			return fail(err, errlen,
				    "memory-map entry %u (%#llx+%#llx) is empty or wraps",
				    i, (unsigned long long)r->base,
				    (unsigned long long)r->size);
		if (i && r->base < end)
			return fail(err, errlen,
				    "memory-map entry %u at %#llx overlaps or is out of order",
				    i, (unsigned long long)r->base);
		end = r->base + r->size;
		if (r->type == OPENHCL_MEM_VTL0_RAM)
			nvtl0++;
	}
	if (nvtl0 != 1)
		return fail(err, errlen,
			    "memory-map has %d VTL0 RAM ranges, need exactly one",
			    nvtl0);
	return 0;
}

static int read_serial(const void *fdt, struct hcl_dt_info *info,
		       char *err, size_t errlen)
{
	const fdt32_t *reg;
	int node, len;

	node = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
	if (node < 0)
		return 0;
	reg = fdt_getprop(fdt, node, "reg", &len);
	/* on the ISA bus: <flags port size>, flags bit 0 = I/O space */
	if (!reg || len != 12 || !(fdt32_to_cpu(reg[0]) & 1) ||
	    fdt32_to_cpu(reg[1]) > 0xffff)
		return fail(err, errlen,
			    "the ns16550a node's reg is not <io-flags port size>");
	info->has_serial = true;
	info->serial_port = (uint16_t)fdt32_to_cpu(reg[1]);
	return 0;
}

/* /openhcl/host-channel = <io-port irq>, optional */
static int read_host_channel(const void *fdt, int node,
			     struct hcl_dt_info *info, char *err,
			     size_t errlen)
{
	const fdt32_t *p;
	uint32_t port, irq;
	int ret = get_prop(fdt, node, OPENHCL_DT_PATH,
			   OPENHCL_DT_HOST_CHANNEL,
			   OPENHCL_DT_HOST_CHANNEL_SIZE, &p, err, errlen);

	if (ret)
		return ret < 0 ? ret : 0;
	port = fdt32_to_cpu(p[0]);
	irq = fdt32_to_cpu(p[1]);
	if (!port || port > 0x10000 - OPENHCL_DT_HOST_CHANNEL_PORTS || irq > 15)
		return fail(err, errlen,
			    "/openhcl/host-channel <%#x %u> is not an I/O port and an ISA IRQ",
			    port, irq);
	info->has_host_channel = true;
	info->host_channel_port = (uint16_t)port;
	info->host_channel_irq = (uint8_t)irq;
	return 0;
}

int hcl_dt_parse(const void *fdt, size_t len, struct hcl_dt_info *info,
		 char *err, size_t errlen)
{
	const char *args;
	unsigned int i, ncpus = 0;
	int node, sub, ret;

	memset(info, 0, sizeof(*info));
	if (len < sizeof(struct fdt_header) || len > DT_MAX_SIZE)
		return fail(err, errlen, "device tree of %zu bytes", len);
	/* libfdt's readers check every offset against the header's sizes */
	ret = fdt_check_header(fdt);
	if (ret)
		return fail(err, errlen, "device tree: %s", fdt_strerror(ret));
	if (fdt_totalsize(fdt) > len)
		return fail(err, errlen,
			    "device tree: header says %u bytes, only %zu present",
			    fdt_totalsize(fdt), len);

	node = fdt_path_offset(fdt, OPENHCL_DT_PATH);
	if (node < 0)
		return fail(err, errlen, "device tree has no /openhcl node");
	ret = read_map(fdt, node, info, err, errlen);
	if (ret)
		return ret;
	ret = get_range(fdt, node, OPENHCL_DT_VTL0_RANGE, &info->vtl0_base,
			&info->vtl0_size, err, errlen);
	if (ret)
		return ret < 0 ? ret :
		       fail(err, errlen, "/openhcl has no vtl0-range");
	for (i = 0; i < info->nmap; i++)
		if (info->map[i].type == OPENHCL_MEM_VTL0_RAM &&
		    (info->map[i].base != info->vtl0_base ||
		     info->map[i].size != info->vtl0_size))
			return fail(err, errlen,
				    "vtl0-range differs from the memory map");
	ret = get_range(fdt, node, OPENHCL_DT_VTL0_IMAGE, &info->image_base,
			&info->image_size, err, errlen);
	if (ret < 0)
		return ret;
	ret = get_u32(fdt, node, OPENHCL_DT_PATH, OPENHCL_DT_VP_COUNT,
		      &info->vp_count, err, errlen);
	if (ret)
		return ret < 0 ? ret :
		       fail(err, errlen, "/openhcl has no vp-count");
	if (!info->vp_count || info->vp_count > HCL_BOOT_MAX_VPS)
		return fail(err, errlen, "/openhcl/vp-count %u is not 1..%d",
			    info->vp_count, HCL_BOOT_MAX_VPS);

	ret = read_host_channel(fdt, node, info, err, errlen);
	if (ret)
		return ret;
	sub = fdt_subnode_offset(fdt, node, OPENHCL_DT_SIDECAR);
	if (sub >= 0) {
		ret = get_u32(fdt, sub, OPENHCL_DT_PATH "/" OPENHCL_DT_SIDECAR,
			      OPENHCL_DT_SIDECAR_CPU_COUNT, &info->sidecar_cpus,
			      err, errlen);
		if (ret < 0)
			return ret;
	}
	sub = fdt_subnode_offset(fdt, node, OPENHCL_DT_TIMESTAMPS);
	if (sub >= 0 &&
	    (get_u64(fdt, sub, OPENHCL_DT_TS_LOADER, &info->loader_tsc, err,
		     errlen) ||
	     get_u64(fdt, sub, OPENHCL_DT_TS_SHIM, &info->shim_tsc, err,
		     errlen) ||
	     get_u64(fdt, sub, OPENHCL_DT_TS_HANDOFF, &info->handoff_tsc, err,
		     errlen) ||
	     get_u64(fdt, sub, OPENHCL_DT_TS_SIDECAR_START,
		     &info->sidecar_start_tsc, err, errlen) ||
	     get_u64(fdt, sub, OPENHCL_DT_TS_SIDECAR_READY,
		     &info->sidecar_ready_tsc, err, errlen)))
		return -1;

	/* /cpus lists every CPU; the sidecar's are not Linux's */
	node = fdt_path_offset(fdt, "/cpus");
	if (node >= 0)
		fdt_for_each_subnode(sub, fdt, node)
			ncpus++;
	if (!ncpus)
		return fail(err, errlen, "device tree lists no CPU in /cpus");
	if (ncpus != info->vp_count || info->sidecar_cpus >= ncpus)
		return fail(err, errlen,
			    "/cpus lists %u CPUs, %u for the sidecar, vp-count %u",
			    ncpus, info->sidecar_cpus, info->vp_count);
	info->linux_cpus = ncpus - info->sidecar_cpus;

	ret = read_serial(fdt, info, err, errlen);
	if (ret)
		return ret;
	node = fdt_path_offset(fdt, "/chosen");
	args = node >= 0 ? fdt_getprop(fdt, node, "bootargs", &ret) : NULL;
	if (args) {
		if (ret <= 0 || args[ret - 1] ||
		    (size_t)ret > sizeof(info->bootargs))
			return fail(err, errlen,
				    "/chosen/bootargs is not a string of at most %zu bytes",
				    sizeof(info->bootargs) - 1);
		memcpy(info->bootargs, args, ret);
	}
	return 0;
}

int hcl_dt_parse_file(const char *path, struct hcl_dt_info *info,
		      char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	void *buf;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	/* sysfs reports the blob's size; a regular file its own */
	if (fstat(fd, &st) || st.st_size <= 0 || st.st_size > DT_MAX_SIZE) {
		close(fd);
		errno = EINVAL;
		return fail(err, errlen, "%s: not a device tree of a sane size",
			    path);
	}
	buf = malloc(st.st_size);
	if (!buf) {
		close(fd);
		return fail(err, errlen, "%s: out of memory", path);
	}
	n = read(fd, buf, st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(buf);
		errno = EIO;
		return fail(err, errlen, "%s: short read", path);
	}
	ret = hcl_dt_parse(buf, n, info, err, errlen);
	free(buf);
	return ret;
}
