// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-loader: from the PVH entry to a parsed IGVM file.  Reads what QEMU
 * hands over in struct hvm_start_info (the command line, the E820 memory
 * map, the RSDP and the IGVM file as module 0), sets up the console and
 * the heap, and hands the rest to load.c.
 *
 * Command-line options the loader reads (the rest is the host command
 * line the image gets):
 *   hcl.loader.exit_port=PORT  isa-debug-exit port: failures make QEMU
 *                           exit with status 3; the shim learns it from
 *                           /openhcl/debug-exit-port in the host tree
 *   hcl.loader.fault=NAME   break the host device tree on purpose after
 *                           the self-check (see hostdt.c)
 *   hcl.loader.test_exception=ud|pf
 *                           raise that exception once the command line
 *                           is read, to show the handlers at work
 * Both are removed from the line the image gets; any other hcl.loader.*
 * option is an error.
 */
#include <stdarg.h>
#include <string.h>

#include "loader.h"
#include "rt.h"
#include "x86_desc.h"

/* struct hvm_start_info and friends, from the public PVH boot ABI */
#define HVM_START_MAGIC		0x336ec578u
#define E820_RAM		1u

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;		/* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

/* the heap is carved right after the loader image, at most this big */
#define LOADER_HEAP_MAX		(16ull << 20)
#define LOADER_HEAP_MIN		(1ull << 20)

extern struct rt_idt_gate loader_idt[32];

static struct machine machine;

void fail(const char *fmt, ...)
{
	va_list ap;

	rt_puts("hcl-loader: error: ");
	va_start(ap, fmt);
	rt_vprintf(fmt, ap);
	va_end(ap);
	rt_putc('\n');
	rt_exit(0);
}

void loader_idt_init(void)
{
	for (int i = 0; i < 32; i++)
		rt_idt_gate_set(&loader_idt[i],
				(uint64_t)loader_exception_entries[i], 0x08, 0);
}

/* frame: vector, error code, then what the CPU pushed */
void loader_exception(const uint64_t *frame)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	fail("exception %llu at RIP 0x%llx, error code 0x%llx, CR2 0x%llx, RSP 0x%llx",
	     (unsigned long long)frame[0], (unsigned long long)frame[2],
	     (unsigned long long)frame[1], (unsigned long long)cr2,
	     (unsigned long long)frame[5]);
}

bool in_ram(const struct machine *m, const struct lrange *r)
{
	if (r->end <= r->base)
		return false;
	for (uint32_t i = 0; i < m->nram; i++)
		if (m->ram[i].base <= r->base && r->end <= m->ram[i].end)
			return true;
	return false;
}

/* a physical range below 4 GiB the loader may read */
static const void *phys(uint64_t pa, uint64_t len, const char *what)
{
	if (!pa || pa >= LOADER_MAPPED_END || len > LOADER_MAPPED_END - pa)
		fail("%s at 0x%llx (0x%llx bytes) is not below 4 GiB", what,
		     (unsigned long long)pa, (unsigned long long)len);
	return (const void *)(uintptr_t)pa;
}

static bool word_is(const char *w, size_t n, const char *key, size_t *vlen)
{
	size_t k = strlen(key);

	if (n < k || memcmp(w, key, k))
		return false;
	*vlen = n - k;
	return true;
}

/*
 * hcl.loader.exit_port= first, wherever it is on the line, so that every later
 * error already ends QEMU with a status.
 */
static void parse_exit_port(struct machine *m, const char *line)
{
	size_t n, vlen;
	const char *w;

	for (const char *p = line; *p;) {
		while (*p == ' ')
			p++;
		w = p;
		while (*p && *p != ' ')
			p++;
		n = (size_t)(p - w);
		if (word_is(w, n, "hcl.loader.exit_port=", &vlen)) {
			char num[16], *end;
			unsigned long port;

			if (!vlen || vlen >= sizeof(num))
				fail("hcl.loader.exit_port= needs a port number");
			memcpy(num, p - vlen, vlen);
			num[vlen] = 0;
			port = strtoul(num, &end, 0);
			if (*end || !port || port > 0xffff)
				fail("hcl.loader.exit_port=%s is not an I/O port (1..0xffff)",
				     num);
			m->exit_port = (uint16_t)port;
			rt_set_exit_port(m->exit_port);
		}
	}
}

/*
 * Copies the command line without hcl.loader.* words and picks out the
 * loader's options.  Words are split at spaces; quoting is not needed for
 * any option the loader reads.
 */
static void parse_cmdline(struct machine *m, const char *line)
{
	static char fault[64];
	size_t out = 0, n, vlen;
	const char *w;

	for (const char *p = line; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		w = p;
		while (*p && *p != ' ')
			p++;
		n = (size_t)(p - w);
		if (word_is(w, n, "hcl.loader.fault=", &vlen)) {
			if (!vlen || vlen >= sizeof(fault))
				fail("hcl.loader.fault= needs a fault name");
			memcpy(fault, p - vlen, vlen);
			fault[vlen] = 0;
			if (!hostdt_fault_known(fault))
				fail("unknown fault '%s' (hcl.loader.fault=): %s",
				     fault, HOSTDT_FAULTS);
			m->fault = fault;
			continue;
		}
		if (word_is(w, n, "hcl.loader.exit_port=", &vlen))
			continue;	/* parse_exit_port() read it */
		if (word_is(w, n, "hcl.loader.test_exception=", &vlen)) {
			if (vlen == 2 && !memcmp(p - 2, "ud", 2))
				m->test_exception = 6;
			else if (vlen == 2 && !memcmp(p - 2, "pf", 2))
				m->test_exception = 14;
			else
				fail("hcl.loader.test_exception=%.*s: expected ud or pf",
				     (int)vlen, p - vlen);
			continue;
		}
		if (word_is(w, n, "hcl.loader.", &vlen))
			fail("unknown loader option '%.*s'", (int)n, w);
		if (out + (out ? 1 : 0) + n >= sizeof(m->cmdline))
			fail("the command line is longer than %u bytes",
			     LOADER_CMDLINE_MAX - 1);
		if (out)
			m->cmdline[out++] = ' ';
		memcpy(m->cmdline + out, w, n);
		out += n;
	}
	m->cmdline[out] = 0;
}

/* RAM entries of the E820 map, page aligned, sorted and merged */
static void parse_memmap(struct machine *m, const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *e;

	if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
		fail("the PVH start info has no memory map (version %u, %u entries)",
		     si->version, si->memmap_entries);
	if (si->memmap_entries > 1024)
		fail("the PVH memory map has %u entries", si->memmap_entries);
	e = phys(si->memmap_paddr, (uint64_t)si->memmap_entries * sizeof(*e),
		 "the PVH memory map");
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		struct lrange r;
		uint32_t j;

		if (e[i].type != E820_RAM || !e[i].size ||
		    e[i].addr + e[i].size < e[i].addr)
			continue;
		r.base = align_up(e[i].addr, LOADER_PAGE);
		r.end = align_down(e[i].addr + e[i].size, LOADER_PAGE);
		if (r.end <= r.base)
			continue;
		if (m->nram == LOADER_MAX_RAM)
			fail("more than %u RAM ranges in the memory map",
			     LOADER_MAX_RAM);
		for (j = m->nram; j && m->ram[j - 1].base > r.base; j--)
			m->ram[j] = m->ram[j - 1];
		m->ram[j] = r;
		m->nram++;
	}
	/* merge touching or overlapping ranges */
	for (uint32_t i = 1; i < m->nram;) {
		struct lrange *a = &m->ram[i - 1], *b = &m->ram[i];

		if (b->base <= a->end) {
			if (b->end > a->end)
				a->end = b->end;
			memmove(b, b + 1, (m->nram - i - 1) * sizeof(*b));
			m->nram--;
		} else {
			i++;
		}
	}
	if (!m->nram)
		fail("the memory map has no RAM");
}

/*
 * The heap starts after the loader image and ends at the first of: the
 * end of that RAM range, the IGVM module, LOADER_HEAP_MAX.  load.c keeps
 * every import out of [loader start, heap end).
 */
static void setup_heap(struct machine *m)
{
	uint64_t start = align_up((uint64_t)(uintptr_t)__loader_end,
				  LOADER_PAGE);
	uint64_t end = start + LOADER_HEAP_MAX;
	const struct lrange *ram = NULL;

	for (uint32_t i = 0; i < m->nram; i++)
		if (m->ram[i].base <= start && start < m->ram[i].end)
			ram = &m->ram[i];
	if (!ram || !in_ram(m, &(struct lrange){
			(uint64_t)(uintptr_t)__loader_start, start }))
		fail("the loader at 0x%llx is not in RAM",
		     (unsigned long long)(uintptr_t)__loader_start);
	if (end > ram->end)
		end = ram->end;
	if (m->module.base >= start && m->module.base < end)
		end = align_down(m->module.base, LOADER_PAGE);
	if (end < start + LOADER_HEAP_MIN)
		fail("no room for the loader's heap after 0x%llx",
		     (unsigned long long)start);
	rt_heap_init((void *)(uintptr_t)start, end - start);
	m->loader.base = (uint64_t)(uintptr_t)__loader_start;
	m->loader.end = end;
}

void loader_main(uint64_t start_info, uint64_t tsc)
{
	struct machine *m = &machine;
	const struct hvm_start_info *si;
	const struct hvm_modlist_entry *mod;

	rt_serial_init(LOADER_COM1);
	m->tsc = tsc;
	si = phys(start_info, sizeof(*si), "the PVH start info");
	if (si->magic != HVM_START_MAGIC)
		fail("no PVH start info (magic 0x%x at 0x%llx)", si->magic,
		     (unsigned long long)start_info);
	if (si->cmdline_paddr) {
		const char *line = phys(si->cmdline_paddr, 1, "the command line");

		if (strnlen(line, 65536) == 65536)
			fail("the command line is not NUL-terminated");
		parse_exit_port(m, line);
		parse_cmdline(m, line);
	}
	if (m->test_exception == 6)
		__asm__ volatile("ud2");
	if (m->test_exception == 14)	/* past the loader's identity map */
		*(volatile uint64_t *)(uintptr_t)LOADER_MAPPED_END = 0;
	m->rsdp = si->rsdp_paddr;
	parse_memmap(m, si);
	if (si->nr_modules < 1 || !si->modlist_paddr)
		fail("no IGVM file: pass it to QEMU with -initrd");
	mod = phys(si->modlist_paddr, sizeof(*mod), "the PVH module list");
	if (!mod->size)
		fail("the IGVM module is empty");
	if (mod->size > 0xffffffffull)
		fail("the IGVM module is 0x%llx bytes, more than 4 GiB",
		     (unsigned long long)mod->size);
	phys(mod->paddr, mod->size, "the IGVM module");
	m->module.base = mod->paddr;
	m->module.end = mod->paddr + mod->size;
	setup_heap(m);
	acpi_find_cpus(m);
	legacy_remove_mptable();
	igvm_load(m);
}
