// SPDX-License-Identifier: GPL-2.0
/*
 * The VTL0 test guest, run by every VP: asks its VP index (a hypercall
 * hcl.ko answers), checks the CPUID leaves underhill_vm put in the VP's
 * table (answered by hcl.ko without a user round trip), reports through
 * the 16550 on COM1 (VP 0 greets first), writes its result to the test
 * port and halts.  VP 0 also drives the vTPM through its TIS registers
 * (a sandboxed device worker behind underhill_vm), kills the worker
 * between and in the middle of commands and checks that the TPM's state
 * survived, then times two commands.
 */
#include <stdint.h>

#include "pio.h"
#include "vtl0_test_abi.h"

#define UART_LSR	5
#define UART_LSR_THRE	0x20

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/*
 * Serializes whole lines between VPs on the one UART.  In .data, not
 * .bss: every VP clears .bss on entry, maybe while another holds it.
 */
static volatile uint32_t uart_lock __attribute__((section(".data")));

static void lock_uart(void)
{
	uint32_t taken;

	do {
		taken = 1;
		__asm__ volatile("xchgl %0, %1" : "+r"(taken), "+m"(uart_lock)
				 : : "memory");
		if (taken)
			__asm__ volatile("pause");
	} while (taken);
}

static void unlock_uart(void)
{
	__asm__ volatile("" : : : "memory");
	uart_lock = 0;
}

static uint64_t vp_index(void)
{
	uint64_t rax = HCL_GUEST_HC_VP_INDEX;

	__asm__ volatile("vmmcall" : "+a"(rax) : : "memory");
	return rax;
}

static void putc_serial(char c)
{
	int spins = 100000;

	/* wait for the transmitter like a real driver (bounded) */
	while (!(inb(HCL_COM1_PORT + UART_LSR) & UART_LSR_THRE) && --spins)
		;
	outb(HCL_COM1_PORT, (uint8_t)c);
}

static void puts_serial(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			putc_serial('\r');
		putc_serial(*s);
	}
}

static void puthex(uint32_t v)
{
	static const char digits[] = "0123456789abcdef";
	char buf[11];
	int i;

	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < 8; i++)
		buf[2 + i] = digits[(v >> (28 - 4 * i)) & 0xf];
	buf[10] = 0;
	puts_serial(buf);
}

static void putdec(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i);
	puts_serial(buf + i);
}

/* Returns 0 when every check passes, else the number of the first miss. */
static uint32_t check_cpuid(uint64_t vp)
{
	static const struct {
		uint32_t leaf, reg, want;
	} checks[] = {
		{ HCL_CPUID_SIG_LEAF, 0, HCL_CPUID_TEST_LEAF },
		{ HCL_CPUID_SIG_LEAF, 1, HCL_CPUID_SIG_EBX },
		{ HCL_CPUID_SIG_LEAF, 2, HCL_CPUID_SIG_ECX },
		{ HCL_CPUID_SIG_LEAF, 3, HCL_CPUID_SIG_EDX },
		{ HCL_CPUID_TEST_LEAF, 0, HCL_CPUID_TEST_EAX },
		{ HCL_CPUID_TEST_LEAF, 3, HCL_CPUID_TEST_EDX },
		{ HCL_CPUID_ABSENT_LEAF, 0, 0 },
		{ HCL_CPUID_ABSENT_LEAF, 1, 0 },
	};
	static const char *const regname[] = { "eax", "ebx", "ecx", "edx" };
	uint32_t r[4];
	unsigned int i;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		cpuid(checks[i].leaf, 0, r);
		if (r[checks[i].reg] == checks[i].want)
			continue;
		lock_uart();
		puts_serial("vtl0: VP ");
		putdec(vp);
		puts_serial(": CPUID check failed: leaf ");
		puthex(checks[i].leaf);
		puts_serial(" ");
		puts_serial(regname[checks[i].reg]);
		puts_serial(" = ");
		puthex(r[checks[i].reg]);
		puts_serial(", expected ");
		puthex(checks[i].want);
		puts_serial("\n");
		unlock_uart();
		return i + 1;
	}
	return 0;
}

/* ---- the vTPM ------------------------------------------------------------ */

/*
 * The boot page tables map the first GiB; the TIS window at 0xfed40000
 * gets a 2 MiB uncached page through a page directory of our own, in
 * .data (every VP clears .bss on entry).
 */
static uint64_t tpm_pd[512] __attribute__((aligned(4096), section(".data")));

#define PTE_P	0x001ULL
#define PTE_RW	0x002ULL
#define PTE_PWT	0x008ULL
#define PTE_PCD	0x010ULL
#define PTE_A	0x020ULL
#define PTE_D	0x040ULL
#define PTE_PS	0x080ULL

static void map_tpm(void)
{
	volatile uint64_t *pdpt = (volatile uint64_t *)(HCL_GUEST_PML4_GPA +
							 4096);
	uint64_t cr3, gib = HCL_TPM_BASE >> 30, pde = HCL_TPM_BASE >> 21;

	tpm_pd[pde & 511] = (pde << 21) | PTE_P | PTE_RW | PTE_PWT | PTE_PCD |
			    PTE_PS | PTE_A | PTE_D;
	pdpt[gib] = (uint64_t)(uintptr_t)tpm_pd | PTE_P | PTE_RW | PTE_A;
	__asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : :
			 "memory");
}

#define TIS_ACCESS	0x00
#define TIS_STS		0x18
#define TIS_FIFO	0x24
#define ACCESS_REQUEST	0x02
#define ACCESS_ACTIVE	0x20
#define ACCESS_VALID	0x80
#define STS_VALID	0x80
#define STS_READY	0x40
#define STS_GO		0x20
#define STS_AVAIL	0x10
#define TPM_POLLS	1000000

static inline uint8_t tis_rb(uint32_t reg)
{
	return *(volatile uint8_t *)(uintptr_t)(HCL_TPM_BASE + reg);
}

static inline uint32_t tis_rl(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(HCL_TPM_BASE + reg);
}

static inline void tis_wb(uint32_t reg, uint8_t v)
{
	*(volatile uint8_t *)(uintptr_t)(HCL_TPM_BASE + reg) = v;
}

/* locality 0 active; 0 or -1 */
static int tis_request(void)
{
	int i;

	tis_wb(TIS_ACCESS, ACCESS_REQUEST);
	for (i = 0; i < TPM_POLLS; i++)
		if ((tis_rb(TIS_ACCESS) & (ACCESS_VALID | ACCESS_ACTIVE)) ==
		    (ACCESS_VALID | ACCESS_ACTIVE))
			return 0;
	return -1;
}

static int tis_wait(uint32_t mask)
{
	int i;

	for (i = 0; i < TPM_POLLS; i++)
		if ((tis_rl(TIS_STS) & mask) == mask)
			return 0;
	return -1;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* sends a command up to tpmGo (the response is left in the TPM) */
static int tpm_send(const uint8_t *cmd, uint32_t len)
{
	uint32_t i;

	tis_wb(TIS_STS, STS_READY);
	if (tis_wait(STS_READY))
		return -1;
	for (i = 0; i < len; i++)
		tis_wb(TIS_FIFO, cmd[i]);
	tis_wb(TIS_STS, STS_GO);
	return 0;
}

/*
 * One command: its response in rsp (room for max bytes).  Returns the
 * response code, or 0xffffffff when the interface failed.
 */
static uint32_t tpm_cmd(const uint8_t *cmd, uint32_t len, uint8_t *rsp,
			uint32_t max)
{
	uint32_t i, size;

	if (tpm_send(cmd, len) || tis_wait(STS_VALID | STS_AVAIL))
		return ~0U;
	for (i = 0; i < 10; i++)
		rsp[i] = tis_rb(TIS_FIFO);
	size = be32(rsp + 2);
	if (size < 10 || size > max)
		return ~0U;
	for (; i < size; i++)
		rsp[i] = tis_rb(TIS_FIFO);
	tis_wb(TIS_STS, STS_READY);	/* done with the response */
	return be32(rsp + 6);
}

#define TPM_RC_NV_DEFINED	0x14c
#define NV_INDEX		0x01500016u
#define PCR_INDEX		16

/* headers are filled in by put_header(): tag, size, command code */
static uint32_t put_header(uint8_t *c, uint16_t tag, uint32_t len,
			   uint32_t cc)
{
	c[0] = (uint8_t)(tag >> 8);
	c[1] = (uint8_t)tag;
	c[2] = (uint8_t)(len >> 24);
	c[3] = (uint8_t)(len >> 16);
	c[4] = (uint8_t)(len >> 8);
	c[5] = (uint8_t)len;
	c[6] = (uint8_t)(cc >> 24);
	c[7] = (uint8_t)(cc >> 16);
	c[8] = (uint8_t)(cc >> 8);
	c[9] = (uint8_t)cc;
	return len;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

/* an authorization area with one empty password session */
static uint8_t *put_pw_session(uint8_t *p)
{
	p = put32(p, 9);		/* authorizationSize */
	p = put32(p, 0x40000009);	/* TPM_RS_PW */
	p = put16(p, 0);		/* nonce */
	*p++ = 0;			/* sessionAttributes */
	return put16(p, 0);		/* hmac */
}

static uint8_t cmd[128], rsp[256];

static uint32_t tpm_startup(void)
{
	uint8_t *p = put16(cmd + 10, 0);	/* TPM_SU_CLEAR */

	return tpm_cmd(cmd, put_header(cmd, 0x8001, (uint32_t)(p - cmd),
				       0x144), rsp, sizeof(rsp));
}

static uint32_t tpm_getrandom(void)
{
	uint8_t *p = put16(cmd + 10, 32);
	uint32_t rc = tpm_cmd(cmd, put_header(cmd, 0x8001,
					      (uint32_t)(p - cmd), 0x17b),
			      rsp, sizeof(rsp));

	if (!rc && (rsp[10] != 0 || rsp[11] != 32))
		return ~0U;
	return rc;
}

static uint32_t tpm_pcr_extend(uint8_t fill)
{
	uint8_t *p = put32(cmd + 10, PCR_INDEX);
	int i;

	p = put_pw_session(p);
	p = put32(p, 1);		/* TPML_DIGEST_VALUES.count */
	p = put16(p, 0x000b);		/* TPM_ALG_SHA256 */
	for (i = 0; i < 32; i++)
		*p++ = (uint8_t)(fill + i);
	return tpm_cmd(cmd, put_header(cmd, 0x8002, (uint32_t)(p - cmd),
				       0x182), rsp, sizeof(rsp));
}

static uint32_t pcr_read_cmd(void)
{
	uint8_t *p = put32(cmd + 10, 1);	/* one selection */

	p = put16(p, 0x000b);
	*p++ = 3;				/* sizeofSelect */
	*p++ = (uint8_t)(1u << (PCR_INDEX % 8)) * (PCR_INDEX / 8 == 0);
	*p++ = (uint8_t)(1u << (PCR_INDEX % 8)) * (PCR_INDEX / 8 == 1);
	*p++ = (uint8_t)(1u << (PCR_INDEX % 8)) * (PCR_INDEX / 8 == 2);
	return put_header(cmd, 0x8001, (uint32_t)(p - cmd), 0x17e);
}

/* PCR 16's SHA-256 value into out */
static uint32_t tpm_pcr_read(uint8_t out[32])
{
	uint32_t rc = tpm_cmd(cmd, pcr_read_cmd(), rsp, sizeof(rsp));
	int i;

	/* header, update counter, selection (10), count, TPM2B size */
	if (rc)
		return rc;
	if (be32(rsp + 24) != 1 || rsp[28] != 0 || rsp[29] != 32)
		return ~0U;
	for (i = 0; i < 32; i++)
		out[i] = rsp[30 + i];
	return 0;
}

static uint32_t tpm_nv_define(void)
{
	uint8_t *p = put32(cmd + 10, 0x40000001);	/* TPM_RH_OWNER */

	p = put_pw_session(p);
	p = put16(p, 0);		/* auth */
	p = put16(p, 14);		/* TPM2B_NV_PUBLIC */
	p = put32(p, NV_INDEX);
	p = put16(p, 0x000b);		/* nameAlg */
	p = put32(p, 0x02040004);	/* AUTHWRITE | AUTHREAD | NO_DA */
	p = put16(p, 0);		/* authPolicy */
	p = put16(p, 32);		/* dataSize */
	return tpm_cmd(cmd, put_header(cmd, 0x8002, (uint32_t)(p - cmd),
				       0x12a), rsp, sizeof(rsp));
}

static uint32_t tpm_nv_write(uint8_t fill)
{
	uint8_t *p = put32(cmd + 10, NV_INDEX);
	int i;

	p = put32(p, NV_INDEX);
	p = put_pw_session(p);
	p = put16(p, 32);
	for (i = 0; i < 32; i++)
		*p++ = (uint8_t)(fill ^ i);
	p = put16(p, 0);		/* offset */
	return tpm_cmd(cmd, put_header(cmd, 0x8002, (uint32_t)(p - cmd),
				       0x137), rsp, sizeof(rsp));
}

static uint32_t nv_read_cmd(void)
{
	uint8_t *p = put32(cmd + 10, NV_INDEX);

	p = put32(p, NV_INDEX);
	p = put_pw_session(p);
	p = put16(p, 32);		/* size */
	p = put16(p, 0);		/* offset */
	return put_header(cmd, 0x8002, (uint32_t)(p - cmd), 0x14e);
}

static uint32_t tpm_nv_read(uint8_t out[32])
{
	uint32_t rc = tpm_cmd(cmd, nv_read_cmd(), rsp, sizeof(rsp));
	int i;

	/* header, parameterSize, TPM2B_MAX_NV_BUFFER */
	if (rc)
		return rc;
	if (rsp[14] != 0 || rsp[15] != 32)
		return ~0U;
	for (i = 0; i < 32; i++)
		out[i] = rsp[16 + i];
	return 0;
}

static int same(const uint8_t *a, const uint8_t *b)
{
	int i;

	for (i = 0; i < 32; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static void tpm_fail(const char *what, uint32_t rc)
{
	lock_uart();
	puts_serial("vtl0: VP 0: TPM check failed: ");
	puts_serial(what);
	puts_serial(" ");
	puthex(rc);
	puts_serial("\n");
	unlock_uart();
}

static void tpm_say(const char *what)
{
	lock_uart();
	puts_serial("vtl0: VP 0: TPM ");
	puts_serial(what);
	puts_serial("\n");
	unlock_uart();
}

/* @what and the 32 bytes of @nv in hex */
static void tpm_say_nv(const char *what, const uint8_t nv[32])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	lock_uart();
	puts_serial("vtl0: VP 0: TPM ");
	puts_serial(what);
	for (i = 0; i < 32; i++) {
		putc_serial(digits[nv[i] >> 4]);
		putc_serial(digits[nv[i] & 15]);
	}
	puts_serial("\n");
	unlock_uart();
}

/*
 * Kills the worker (the control port returns once it is dead) and
 * checks the defined outcome: the restarted worker's register interface
 * is at power-on, so locality 0 is no longer active (a command in flight
 * is dropped; the driver asks for the locality again and retries), and
 * the TPM is the one of the last completed command: no TPM2_Startup,
 * same PCR, same NV index.
 */
static int kill_and_check(const uint8_t pcr[32], const uint8_t nv[32],
			  uint32_t deaths)
{
	uint8_t got[32];
	uint32_t rc;

	outl(HCL_TPM_CTL_PORT, HCL_TPM_CTL_KILL);
	if (tis_rb(TIS_ACCESS) & ACCESS_ACTIVE) {
		tpm_fail("locality still active after the kill", 0);
		return -1;
	}
	if (inl(HCL_TPM_CTL_PORT) != deaths) {
		tpm_fail("worker deaths", inl(HCL_TPM_CTL_PORT));
		return -1;
	}
	if (tis_request()) {
		tpm_fail("locality after restart", 0);
		return -1;
	}
	rc = tpm_pcr_read(got);
	if (rc || !same(got, pcr)) {
		tpm_fail("PCR after restart", rc);
		return -1;
	}
	rc = tpm_nv_read(got);
	if (rc || !same(got, nv)) {
		tpm_fail("NV index after restart", rc);
		return -1;
	}
	return 0;
}

#define TPM_BENCH_N	32

static uint32_t check_tpm(void)
{
	static const uint8_t zero[32];
	uint8_t pcr[32], nv[32], got[32];
	uint32_t rc, i;

	map_tpm();
	if (tis_request()) {
		tpm_fail("locality 0", 0);
		return 100;
	}
	rc = tpm_startup();
	if (rc) {
		tpm_fail("TPM2_Startup", rc);
		return 101;
	}
	rc = tpm_getrandom();
	if (rc) {
		tpm_fail("TPM2_GetRandom", rc);
		return 102;
	}
	rc = tpm_pcr_read(got);
	if (rc || !same(got, zero)) {
		tpm_fail("TPM2_PCR_Read of a fresh PCR", rc);
		return 103;
	}
	rc = tpm_pcr_extend(0x5a);
	if (!rc)
		rc = tpm_pcr_read(pcr);
	if (rc || same(pcr, zero)) {
		tpm_fail("TPM2_PCR_Extend", rc);
		return 104;
	}
	rc = tpm_nv_define();
	if (rc == TPM_RC_NV_DEFINED) {
		/* the TPM's state came from an earlier boot: show what it kept */
		rc = tpm_nv_read(nv);
		if (rc) {
			tpm_fail("TPM2_NV_Read of the index an earlier boot defined",
				 rc);
			return 105;
		}
		tpm_say_nv("NV index 0x01500016 kept from an earlier boot: ", nv);
	} else if (rc) {
		tpm_fail("TPM2_NV_DefineSpace", rc);
		return 105;
	}
	rc = tpm_nv_write(0xa5);
	if (!rc)
		rc = tpm_nv_read(nv);
	for (i = 0; !rc && i < 32; i++)
		if (nv[i] != (uint8_t)(0xa5 ^ i))
			rc = ~0U;
	if (rc) {
		tpm_fail("TPM2_NV_Write/NV_Read", rc);
		return 106;
	}
	tpm_say("Startup, GetRandom, PCR_Extend/Read, NV_Define/Write/Read ok");

	/* between commands */
	if (kill_and_check(pcr, nv, 1))
		return 107;
	tpm_say("state kept across a worker kill between commands");
	/* in the middle of one: sent, tpmGo, killed before the response */
	if (tpm_send(cmd, nv_read_cmd()) || kill_and_check(pcr, nv, 2))
		return 108;
	tpm_say("state kept across a worker kill in the middle of a command");
	/* crashes in a row: the restarts back off */
	for (i = 3; i <= 4; i++)
		if (kill_and_check(pcr, nv, i))
			return 109;
	tpm_say("state kept across repeated kills");

	outl(HCL_TPM_CTL_PORT, 2);	/* the VMM times the next commands */
	for (i = 0; i < TPM_BENCH_N; i++)
		if (tpm_getrandom())
			return 110;
	outl(HCL_TPM_CTL_PORT, 0x10000 | TPM_BENCH_N);
	outl(HCL_TPM_CTL_PORT, 2);
	for (i = 0; i < TPM_BENCH_N; i++)
		if (tpm_pcr_extend((uint8_t)i))
			return 111;
	outl(HCL_TPM_CTL_PORT, 0x20000 | TPM_BENCH_N);
	/* the pieces: a register read through the worker, a posted write,
	 * and an exit that underhill_vm answers itself */
	outl(HCL_TPM_CTL_PORT, 2);
	for (i = 0; i < 8 * TPM_BENCH_N; i++)
		(void)tis_rl(TIS_STS);
	outl(HCL_TPM_CTL_PORT, 0x30000 | 8 * TPM_BENCH_N);
	outl(HCL_TPM_CTL_PORT, 2);
	for (i = 0; i < 8 * TPM_BENCH_N; i++)
		tis_wb(0xf00, 0);	/* DID_VID: read-only, ignored */
	outl(HCL_TPM_CTL_PORT, 0x40000 | 8 * TPM_BENCH_N);
	outl(HCL_TPM_CTL_PORT, 2);
	for (i = 0; i < 8 * TPM_BENCH_N; i++)
		(void)inl(HCL_TPM_CTL_PORT);
	outl(HCL_TPM_CTL_PORT, 0x50000 | 8 * TPM_BENCH_N);
	return 0;
}

void guest_main(void);

void guest_main(void)
{
	uint64_t vp = vp_index();
	uint32_t result;

	if (vp == 0) {
		lock_uart();
		puts_serial("vtl0: Hello from VTL0, running under hcl.ko\n");
		unlock_uart();
	}
	result = check_cpuid(vp);
	if (!result && vp == 0) {
		result = check_tpm();
		if (!result) {
			lock_uart();
			puts_serial("vtl0: VP 0: TPM checks passed\n");
			unlock_uart();
		}
	}
	if (!result) {
		lock_uart();
		puts_serial("vtl0: VP ");
		putdec(vp);
		puts_serial(": CPUID check passed\n");
		unlock_uart();
	}
	outl(HCL_TEST_PORT, result);
}
