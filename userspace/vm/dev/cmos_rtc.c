// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "cmos_rtc.h"

#define UIP_NS		244000L	/* the update cycle's warning window */

static void host_now(void *arg, struct timespec *ts)
{
	(void)arg;
	clock_gettime(CLOCK_REALTIME, ts);
}

static void cmos_reset(struct cmos_rtc *c)
{
	c->index = 0;
	memset(c->ram, 0, sizeof(c->ram));
	c->ram[CMOS_REG_A] = 0x26;	/* 32.768 kHz base, 1024 Hz rate */
	c->ram[CMOS_REG_B] = CMOS_B_24H;
}

void cmos_init(struct cmos_rtc *c)
{
	memset(c, 0, sizeof(*c));
	c->now = host_now;
	cmos_reset(c);
}

static uint8_t encode(const struct cmos_rtc *c, unsigned int v)
{
	if (c->ram[CMOS_REG_B] & CMOS_B_BINARY)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | (v % 10));
}

static uint8_t hour(const struct cmos_rtc *c, unsigned int h)
{
	unsigned int h12;

	if (c->ram[CMOS_REG_B] & CMOS_B_24H)
		return encode(c, h);
	h12 = h % 12 ? h % 12 : 12;
	return encode(c, h12) | (h >= 12 ? 0x80 : 0);
}

uint8_t cmos_read(struct cmos_rtc *c, uint8_t reg)
{
	struct timespec ts;
	struct tm tm;

	reg &= CMOS_SIZE - 1;
	switch (reg) {
	case 0x00: case 0x02: case 0x04: case 0x06: case 0x07: case 0x08:
	case 0x09: case CMOS_CENTURY: case CMOS_REG_A:
		break;
	case CMOS_REG_C:
		return 0;
	case CMOS_REG_D:
		return 0x80;
	default:
		return c->ram[reg];
	}
	c->now(c->now_arg, &ts);
	if (reg == CMOS_REG_A)
		return (c->ram[CMOS_REG_A] & 0x7f) |
		       (ts.tv_nsec >= 1000000000L - UIP_NS ? CMOS_A_UIP : 0);
	gmtime_r(&ts.tv_sec, &tm);
	switch (reg) {
	case 0x00:
		return encode(c, (unsigned int)tm.tm_sec);
	case 0x02:
		return encode(c, (unsigned int)tm.tm_min);
	case 0x04:
		return hour(c, (unsigned int)tm.tm_hour);
	case 0x06:
		return encode(c, (unsigned int)tm.tm_wday + 1);
	case 0x07:
		return encode(c, (unsigned int)tm.tm_mday);
	case 0x08:
		return encode(c, (unsigned int)tm.tm_mon + 1);
	case 0x09:
		return encode(c, (unsigned int)(tm.tm_year % 100));
	default:
		return encode(c, (unsigned int)(tm.tm_year / 100 + 19));
	}
}

void cmos_write(struct cmos_rtc *c, uint8_t reg, uint8_t val)
{
	reg &= CMOS_SIZE - 1;
	switch (reg) {
	case 0x00: case 0x02: case 0x04: case 0x06: case 0x07: case 0x08:
	case 0x09: case CMOS_CENTURY: case CMOS_REG_C: case CMOS_REG_D:
		break;	/* the clock is the host's; C and D are read-only */
	case CMOS_REG_A:
		c->ram[reg] = val & 0x7f;	/* UIP is read-only */
		break;
	default:
		c->ram[reg] = val;
		break;
	}
}

/* ---- the bus device ------------------------------------------------------ */

static int cmos_dev_init(struct device *dev, struct bus *bus)
{
	return bus_add_range(bus, dev, HCL_RANGE_PIO, CMOS_PORT, 2);
}

static void cmos_dev_reset(struct device *dev)
{
	cmos_reset(container_of(dev, struct cmos_rtc, dev));
}

static void cmos_dev_io(struct device *dev, uint8_t space, uint64_t offset,
			struct bus_access *a)
{
	struct cmos_rtc *c = container_of(dev, struct cmos_rtc, dev);

	(void)space;
	if (!offset) {
		if (a->write)
			c->index = (uint8_t)a->data & (CMOS_SIZE - 1);
		else
			a->data = 0xff;	/* the index port is write-only */
		return;
	}
	if (a->write)
		cmos_write(c, c->index, (uint8_t)a->data);
	else
		a->data = cmos_read(c, c->index);
}

static const struct device_ops cmos_dev_ops = {
	.name = "cmos_rtc",
	.init = cmos_dev_init,
	.reset = cmos_dev_reset,
	.io = cmos_dev_io,
};

int cmos_rtc_add(struct cmos_rtc *c, struct bus *bus)
{
	cmos_init(c);
	c->dev.ops = &cmos_dev_ops;
	return bus_add_device(bus, &c->dev);
}
