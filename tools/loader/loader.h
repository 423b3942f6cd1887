/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcl-loader: the host side of an IGVM boot on a QEMU without an IGVM
 * loader.  QEMU boots this program as a PVH kernel with the IGVM file as
 * its module; it does the host VMM's job (validate the file, place its
 * pages, fill its parameter areas, set the boot CPU's registers) and
 * jumps to the image.  Shared declarations of the loader's files.
 */
#ifndef HCL_LOADER_H
#define HCL_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host_config.h"
#include "igvm.h"

#define LOADER_PAGE		0x1000ull
#define LOADER_COM1		0x3f8
/* the host channel's UART (docs/hostchan.md), when QEMU has one there */
#define LOADER_COM2		0x2f8
#define LOADER_COM2_IRQ		3
#define LOADER_MAX_RAM		HCL_HOST_MAX_RANGES
#define LOADER_MAX_CPUS		HCL_BOOT_MAX_VPS
#define LOADER_CMDLINE_MAX	4096u	/* with the NUL */
/* the loader's identity map covers the first 4 GiB */
#define LOADER_MAPPED_END	0x100000000ull

/* a half-open range [base, end) */
struct lrange {
	uint64_t base, end;
};

static inline bool lrange_overlap(const struct lrange *a,
				  const struct lrange *b)
{
	return a->base < a->end && b->base < b->end && a->base < b->end &&
	       b->base < a->end;
}

static inline uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

static inline uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* what the loader learnt about the machine before touching the image */
struct machine {
	char cmdline[LOADER_CMDLINE_MAX];	/* hcl.loader.* removed */
	const char *fault;			/* hcl.loader.fault=, or NULL */
	uint16_t exit_port;			/* hcl.loader.exit_port=, or 0 */
	uint8_t test_exception;			/* vector to raise, or 0 */
	uint64_t tsc;				/* at the first instruction */
	uint64_t rsdp;				/* physical address, or 0 */
	uint32_t nram;
	struct lrange ram[LOADER_MAX_RAM];	/* sorted, page aligned */
	uint32_t ncpus;
	uint32_t apic_id[LOADER_MAX_CPUS];	/* MADT order */
	uint32_t boot_apic_id;
	struct lrange module;			/* the IGVM file */
	struct lrange loader;			/* image, stack and heap */
	/* chosen from the image */
	struct lrange vtl2, vtl0;
	bool vtl2_protectable;
};

/* prints "hcl-loader: error: <message>" and exits through rt_exit(0) */
__attribute__((noreturn, format(printf, 1, 2)))
void fail(const char *fmt, ...);

/* true if [base, end) lies inside one RAM range */
bool in_ram(const struct machine *m, const struct lrange *r);

/* legacy.c: removes the firmware's MP table (Linux must not see it) */
void legacy_remove_mptable(void);

/* acpi.c: the CPUs from the MADT; any other table by signature */
void acpi_find_cpus(struct machine *m);
/* the table with @sig (4 chars), checksum verified, or NULL */
const void *acpi_find_table(const struct machine *m, const char *sig,
			    uint32_t *len);

/*
 * hostdt.c: builds the host device tree (schema: shim/host_config.h) into
 * @buf of @size bytes, checks it with the shim's own parser and applies
 * the fault m->fault, if any, after that check.  Returns the bytes used
 * (at most @size).
 */
size_t hostdt_build(const struct machine *m, void *buf, size_t size);
/* true if @name is a fault hostdt_build knows; the list, for messages */
#define HOSTDT_FAULTS	"dt-truncate, dt-bad-magic, dt-overlap, dt-no-cpus, " \
	"dt-dup-apic, dt-no-openhcl, dt-chan-console, dt-chan-size"
bool hostdt_fault_known(const char *name);

/* load.c: does the host VMM's job for a parsed file and never returns */
__attribute__((noreturn)) void igvm_load(struct machine *m);

/* entry.S */
extern char __loader_start[], __loader_end[];
extern char loader_enter_end[];	/* loader_enter_image ends here */
extern void *const loader_exception_entries[32];

struct enter_ctx {
	uint64_t cr3;
	uint64_t gdtr_base, gdtr_limit;
	uint64_t idtr_base, idtr_limit;
	uint64_t cs, ss, ds, es, fs, gs;
	uint64_t fs_base, gs_base;
	uint64_t rsp, rbp, rsi, r8, r9, r10, r11, r12;
	uint64_t rflags, rip;
};

/* loads @c (CR3, GDTR, IDTR, segments, GPRs, RFLAGS) and jumps to c->rip */
__attribute__((noreturn)) void loader_enter_image(const struct enter_ctx *c);

#endif /* HCL_LOADER_H */
