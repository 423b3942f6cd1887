// SPDX-License-Identifier: GPL-2.0
/*
 * The VTL0 test guest, run by every VP: asks its VP index (a hypercall
 * hcl.ko answers), checks the CPUID leaves underhill_vm put in the VP's
 * table (answered by hcl.ko without a user round trip), reports through
 * the 16550 on COM1 (VP 0 greets first), writes its result to the test
 * port and halts.
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
	if (!result) {
		lock_uart();
		puts_serial("vtl0: VP ");
		putdec(vp);
		puts_serial(": CPUID check passed\n");
		unlock_uart();
	}
	outl(HCL_TEST_PORT, result);
}
