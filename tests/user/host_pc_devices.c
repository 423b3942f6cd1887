// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: the PC devices of the Linux guest's platform (CMOS
 * RTC, reset and power-off ports, absorbed legacy ports, the catch-all
 * for unknown ports), the VM events they raise, and the interrupt lines
 * (irq.c) against a stand-in for /dev/hcl.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "bus.h"
#include "event.h"
#include "irq.h"
#include "dev/cmos_rtc.h"
#include "dev/legacy.h"
#include "dev/reset.h"

/* ---- CMOS RTC ------------------------------------------------------------ */

static struct timespec fake_time;

static void fake_now(void *arg, struct timespec *ts)
{
	(void)arg;
	*ts = fake_time;
}

FIXTURE(cmos) {
	struct cmos_rtc c;
	struct bus bus;
};

FIXTURE_SETUP(cmos)
{
	bus_init(&self->bus, NULL, NULL);
	ASSERT_EQ(0, cmos_rtc_add(&self->c, &self->bus));
	self->c.now = fake_now;
	/* 2026-12-07 21:59:58 UTC, a Monday */
	fake_time.tv_sec = 1796680798;
	fake_time.tv_nsec = 500000000;
}

FIXTURE_TEARDOWN(cmos) {}

static uint8_t port_read(struct bus *bus, uint8_t reg)
{
	struct bus_access a = { .size = 1, .write = true, .data = reg | 0x80 };

	bus_access(bus, HCL_RANGE_PIO, 0x70, &a);	/* NMI mask bit set */
	a.write = false;
	bus_access(bus, HCL_RANGE_PIO, 0x71, &a);
	return (uint8_t)a.data;
}

TEST_F(cmos, bcd_24h)
{
	EXPECT_EQ(0x02, port_read(&self->bus, CMOS_REG_B));
	EXPECT_EQ(0x58, port_read(&self->bus, 0x00));
	EXPECT_EQ(0x59, port_read(&self->bus, 0x02));
	EXPECT_EQ(0x21, port_read(&self->bus, 0x04));
	EXPECT_EQ(0x02, port_read(&self->bus, 0x06));	/* Monday = 2 */
	EXPECT_EQ(0x07, port_read(&self->bus, 0x07));
	EXPECT_EQ(0x12, port_read(&self->bus, 0x08));
	EXPECT_EQ(0x26, port_read(&self->bus, 0x09));
	EXPECT_EQ(0x20, port_read(&self->bus, CMOS_CENTURY));
	EXPECT_EQ(0x80, port_read(&self->bus, CMOS_REG_D));
	EXPECT_EQ(0x00, port_read(&self->bus, CMOS_REG_C));
}

TEST_F(cmos, binary_12h)
{
	cmos_write(&self->c, CMOS_REG_B, CMOS_B_BINARY);
	EXPECT_EQ(58, cmos_read(&self->c, 0x00));
	EXPECT_EQ(0x80 | 9, cmos_read(&self->c, 0x04));	/* 9 PM */
	EXPECT_EQ(26, cmos_read(&self->c, 0x09));
	cmos_write(&self->c, CMOS_REG_B, 0);			/* BCD, 12h */
	EXPECT_EQ(0x89, cmos_read(&self->c, 0x04));
	fake_time.tv_sec -= 21 * 3600;				/* 00:59 */
	EXPECT_EQ(0x12, cmos_read(&self->c, 0x04));		/* 12 AM */
	fake_time.tv_sec += 12 * 3600;				/* 12:59 */
	EXPECT_EQ(0x92, cmos_read(&self->c, 0x04));		/* 12 PM */
}

TEST_F(cmos, uip_only_before_the_second)
{
	EXPECT_EQ(0x26, cmos_read(&self->c, CMOS_REG_A));
	fake_time.tv_nsec = 999800000;
	EXPECT_EQ(0xa6, cmos_read(&self->c, CMOS_REG_A));
	fake_time.tv_sec++;
	fake_time.tv_nsec = 0;
	EXPECT_EQ(0x26, cmos_read(&self->c, CMOS_REG_A));
	cmos_write(&self->c, CMOS_REG_A, 0xff);			/* UIP read-only */
	EXPECT_EQ(0x7f, cmos_read(&self->c, CMOS_REG_A));
}

TEST_F(cmos, nvram_and_read_only)
{
	cmos_write(&self->c, 0x40, 0xab);
	EXPECT_EQ(0xab, port_read(&self->bus, 0x40));
	cmos_write(&self->c, 0x00, 0x11);			/* the host's clock */
	EXPECT_EQ(0x58, cmos_read(&self->c, 0x00));
	cmos_write(&self->c, CMOS_REG_D, 0);
	EXPECT_EQ(0x80, cmos_read(&self->c, CMOS_REG_D));
	bus_reset(&self->bus);
	EXPECT_EQ(0, cmos_read(&self->c, 0x40));
}

/* ---- reset and power-off --------------------------------------------------- */

static void out8(struct bus *bus, uint16_t port, uint8_t v, unsigned int vp)
{
	struct bus_access a = { .vp = vp, .size = 1, .write = true, .data = v };

	bus_access(bus, HCL_RANGE_PIO, port, &a);
}

static uint64_t in8(struct bus *bus, uint16_t port)
{
	struct bus_access a = { .size = 1 };

	bus_access(bus, HCL_RANGE_PIO, port, &a);
	return a.data;
}

FIXTURE(reset) {
	struct vm_events ev;
	struct reset_dev r;
	struct bus bus;
};

FIXTURE_SETUP(reset)
{
	memset(&self->ev, 0, sizeof(self->ev));
	bus_init(&self->bus, NULL, NULL);
	ASSERT_EQ(0, reset_dev_add(&self->r, &self->bus, &self->ev));
}

FIXTURE_TEARDOWN(reset) {}

TEST_F(reset, cf9)
{
	out8(&self->bus, 0xcf9, 0x02, 0);		/* reboot=pci's first write */
	EXPECT_EQ(VM_EVENT_NONE, vm_event_get(&self->ev));
	EXPECT_EQ(0x02u, in8(&self->bus, 0xcf9));
	/* PCI conf1 around it: absent, and a dword at 0xcf8 resets nothing */
	struct bus_access a = { .size = 4, .write = true, .data = 0x80000000 };

	EXPECT_EQ(0, bus_access(&self->bus, HCL_RANGE_PIO, 0xcf8, &a));
	a.write = false;
	EXPECT_EQ(0, bus_access(&self->bus, HCL_RANGE_PIO, 0xcfc, &a));
	EXPECT_EQ(~0ull, a.data);
	a.size = 2;
	a.write = true;
	a.data = 0x0606;
	EXPECT_EQ(0, bus_access(&self->bus, HCL_RANGE_PIO, 0xcf9, &a));
	EXPECT_EQ(VM_EVENT_NONE, vm_event_get(&self->ev));
	out8(&self->bus, 0xcf9, 0x06, 1);
	EXPECT_EQ(VM_EVENT_RESET, vm_event_get(&self->ev));
	EXPECT_EQ(VM_RESET_PORT_CF9, self->ev.status);
	EXPECT_EQ(1u, self->ev.vp);
	/* the first event stays */
	out8(&self->bus, 0xf4, 0, 0);
	EXPECT_EQ(VM_EVENT_RESET, vm_event_get(&self->ev));
}

TEST_F(reset, i8042_and_poweroff)
{
	/* no controller: the ports read all ones */
	EXPECT_EQ(0xffu, in8(&self->bus, 0x64) & 0xff);
	EXPECT_EQ(0xffu, in8(&self->bus, 0x60) & 0xff);
	out8(&self->bus, 0x64, 0xaa, 0);		/* other commands: nothing */
	EXPECT_EQ(VM_EVENT_NONE, vm_event_get(&self->ev));
	out8(&self->bus, 0x64, 0xfe, 0);
	EXPECT_EQ(VM_EVENT_RESET, vm_event_get(&self->ev));
	EXPECT_EQ(VM_RESET_I8042, self->ev.status);

	memset(&self->ev, 0, sizeof(self->ev));
	out8(&self->bus, 0xf4, 42, 3);
	EXPECT_EQ(VM_EVENT_POWEROFF, vm_event_get(&self->ev));
	EXPECT_EQ(42, self->ev.status);
	EXPECT_EQ(3u, self->ev.vp);
}

/* ---- legacy ports and the catch-all -------------------------------------- */

struct claims {
	int n;
	uint64_t covered;
};

static int claim(void *arg, const struct hcl_range *r)
{
	struct claims *c = arg;

	c->n++;
	c->covered += r->len;
	return 0;
}

TEST(legacy_absorbed)
{
	struct legacy_dev l;
	struct bus bus;

	bus_init(&bus, NULL, NULL);
	ASSERT_EQ(0, legacy_dev_add(&l, &bus));
	/* the PICs' masks read back: Linux finds the chips */
	out8(&bus, 0x21, 0xfb, 0);
	out8(&bus, 0xa1, 0xff, 0);
	EXPECT_EQ(0xfbu, in8(&bus, 0x21));
	EXPECT_EQ(0xffu, in8(&bus, 0xa1));
	EXPECT_EQ(0u, in8(&bus, 0x20));
	/* PIT, POST, delay: writes vanish, reads 0 */
	out8(&bus, 0x43, 0x34, 0);
	out8(&bus, 0x40, 0xff, 0);
	out8(&bus, 0x80, 0x55, 0);
	out8(&bus, 0xed, 0, 0);
	EXPECT_EQ(0u, in8(&bus, 0x40));
	/* port 0x61's refresh bit toggles */
	out8(&bus, 0x61, 0x03, 0);
	EXPECT_NE(in8(&bus, 0x61) & 0x10, in8(&bus, 0x61) & 0x10);
	EXPECT_EQ(0x03u, in8(&bus, 0x61) & 0x0f);
	/* COM2: absent */
	EXPECT_EQ(~0ull, in8(&bus, 0x2fd));
	out8(&bus, 0x92, 0x03, 0);
	EXPECT_EQ(0x02u, in8(&bus, 0x92));	/* no fast reset */
}

TEST(unknown_ports_counted_and_logged_once)
{
	struct claims c = { 0 };
	struct legacy_dev l;
	struct unknown_dev *u = calloc(1, sizeof(*u));
	struct bus bus;
	char log[512] = "";
	FILE *f = fmemopen(log, sizeof(log), "w");

	ASSERT_NE(NULL, f);
	bus_init(&bus, claim, &c);
	ASSERT_EQ(0, legacy_dev_add(&l, &bus));
	ASSERT_EQ(0, legacy_add_unknown(u, &bus, f));
	/* the whole port space is claimed, each port once */
	EXPECT_EQ(0x10000ull, c.covered);
	EXPECT_LE(c.n, HCL_MAX_RANGES);
	EXPECT_EQ(~0ull, in8(&bus, 0x378));
	EXPECT_EQ(~0ull, in8(&bus, 0x378));
	out8(&bus, 0x378, 1, 2);
	out8(&bus, 0xffff, 1, 0);
	fflush(f);
	EXPECT_EQ(4ull, u->accesses);
	EXPECT_EQ(2u, u->ports_seen);
	EXPECT_NE(NULL, strstr(log, "read of 1 byte at unknown port 0x378"));
	EXPECT_EQ(NULL, strstr(strstr(log, "0x378") + 1, "0x378"));
	EXPECT_NE(NULL, strstr(log, "port 0xffff"));
	/* known ports do not reach it */
	out8(&bus, 0x80, 1, 0);
	EXPECT_EQ(4ull, u->accesses);
	fclose(f);
	free(u);
}

/* ---- interrupt lines --------------------------------------------------------- */

struct fake_hcl {
	int err;		/* errno to fail with, 0: succeed */
	int chip_err;		/* HCL_CREATE_IRQCHIP's errno, 0: succeed */
	int chips;		/* HCL_CREATE_IRQCHIP calls */
	int calls;
	unsigned long req;
	struct hcl_irq_line line;
	struct hcl_irqfd irqfd;
};

static int fake_ioctl(void *arg, unsigned long req, void *data)
{
	struct fake_hcl *h = arg;

	h->calls++;
	h->req = req;
	if (req == HCL_CREATE_IRQCHIP) {
		const struct hcl_create_irqchip *c = data;

		h->chips++;
		if (c->flags || c->pad || c->reserved[0] || c->reserved[1] ||
		    c->reserved[2]) {
			errno = EINVAL;
			return -1;
		}
		if (h->chip_err) {
			errno = h->chip_err;
			return -1;
		}
	} else if (req == HCL_IRQ_LINE)
		memcpy(&h->line, data, sizeof(h->line));
	else if (req == HCL_IRQFD)
		memcpy(&h->irqfd, data, sizeof(h->irqfd));
	if (h->err) {
		errno = h->err;
		return -1;
	}
	return 0;
}

TEST(irq_lines)
{
	struct fake_hcl h = { 0 };
	struct irq_line line;
	struct irq irq;

	ASSERT_EQ(0, irq_init(&irq, fake_ioctl, &h));
	EXPECT_TRUE(irq.present);
	EXPECT_EQ(1, h.chips);
	EXPECT_EQ(HCL_IRQ_LINE, h.req);
	EXPECT_EQ(0u, h.line.level);
	EXPECT_EQ(-EINVAL, irq_line_init(&line, &irq, IRQ_NR_GSIS));
	ASSERT_EQ(0, irq_line_init(&line, &irq, 4));
	h.calls = 0;
	EXPECT_EQ(0, irq_line_set(&line, 1));
	EXPECT_EQ(4u, h.line.gsi);
	EXPECT_EQ(1u, h.line.level);
	EXPECT_EQ(0ull, h.line.reserved);
	EXPECT_EQ(0, irq_line_set(&line, 1));	/* no change: not sent */
	EXPECT_EQ(1, h.calls);
	EXPECT_EQ(0, irq_line_set(&line, 0));
	EXPECT_EQ(0u, h.line.level);
	EXPECT_EQ(2, h.calls);
	/* a failure is counted and the next level is sent again */
	h.err = EIO;
	EXPECT_EQ(-EIO, irq_line_set(&line, 1));
	EXPECT_EQ(1ull, irq.errors);
	h.err = 0;
	EXPECT_EQ(0, irq_line_set(&line, 1));
	EXPECT_EQ(4, h.calls);
	/* irqfds */
	EXPECT_EQ(0, irq_add_irqfd(&irq, 7, 5, 8));
	EXPECT_EQ(HCL_IRQFD, h.req);
	EXPECT_EQ(7, h.irqfd.fd);
	EXPECT_EQ(5u, h.irqfd.gsi);
	EXPECT_EQ(HCL_IRQFD_RESAMPLE, h.irqfd.flags);
	EXPECT_EQ(8, h.irqfd.resamplefd);
	EXPECT_EQ(0, irq_add_irqfd(&irq, 7, 5, -1));
	EXPECT_EQ(0u, h.irqfd.flags);
	EXPECT_EQ(0, irq_del_irqfd(&irq, 7, 5));
	EXPECT_EQ(HCL_IRQFD_DEASSIGN, h.irqfd.flags);
	EXPECT_EQ(-EINVAL, irq_add_irqfd(&irq, 7, 24, -1));
}

TEST(irq_without_irqchip)
{
	struct fake_hcl h = { .err = ENOTTY };
	struct irq_line line;
	struct irq irq;

	/* an older hcl.ko: one line on stderr, lines silent, no error */
	ASSERT_EQ(1, irq_init(&irq, fake_ioctl, &h));
	EXPECT_FALSE(irq.present);
	ASSERT_EQ(0, irq_line_init(&line, &irq, 4));
	h.calls = 0;
	EXPECT_EQ(0, irq_line_set(&line, 1));
	EXPECT_EQ(0, irq_line_set(&line, 0));
	EXPECT_EQ(0, h.calls);
	EXPECT_EQ(-ENOTTY, irq_add_irqfd(&irq, 3, 4, -1));
	EXPECT_EQ(0, h.calls);
	/* any other failure is an error */
	h.err = EBADF;
	EXPECT_EQ(-EBADF, irq_init(&irq, fake_ioctl, &h));
}

TEST(irq_chip_exists_or_refused)
{
	struct fake_hcl h = { .chip_err = EEXIST };
	struct irq irq;

	/* made before: used as it is */
	ASSERT_EQ(0, irq_init(&irq, fake_ioctl, &h));
	EXPECT_TRUE(irq.present);
	/* VPs exist already: the lines answer ENXIO, no irqchip */
	h.chip_err = EBUSY;
	h.err = ENXIO;
	ASSERT_EQ(1, irq_init(&irq, fake_ioctl, &h));
	EXPECT_FALSE(irq.present);
	EXPECT_EQ(2, h.chips);
	/* a malformed request or another failure is an error */
	h.chip_err = EINVAL;
	h.err = 0;
	EXPECT_EQ(-EINVAL, irq_init(&irq, fake_ioctl, &h));
}

TEST(irq_against_a_real_fd)
{
	struct irq irq;
	int fd = open("/dev/null", O_RDWR);

	/* not /dev/hcl: the ioctl is refused (ENOTTY), the fallback taken */
	ASSERT_GE(fd, 0);
	EXPECT_EQ(1, irq_init(&irq, irq_hcl_ioctl, &fd));
	close(fd);
}

TEST_HARNESS_MAIN
