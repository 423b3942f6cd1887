// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>

#include "legacy.h"

static const struct {
	uint16_t start, len;
} legacy_ranges[] = {
	{ 0x00, 0x20 },		/* DMA 1 */
	{ 0x20, 2 },		/* PIC master */
	{ 0x40, 4 },		/* PIT */
	{ 0x61, 1 },		/* NMI status, speaker */
	{ 0x80, 0x10 },		/* POST, DMA pages */
	{ 0x92, 1 },		/* system control A */
	{ 0xa0, 2 },		/* PIC slave */
	{ 0xc0, 0x20 },		/* DMA 2 */
	{ 0xed, 1 },		/* I/O delay */
	{ 0x2e8, 8 },		/* COM4 */
	{ 0x2f8, 8 },		/* COM2 */
	{ 0x3e8, 8 },		/* COM3 */
	{ 0x4d0, 2 },		/* ELCR */
};

static int legacy_init(struct device *dev, struct bus *bus)
{
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(legacy_ranges) / sizeof(legacy_ranges[0]); i++) {
		ret = bus_add_range(bus, dev, HCL_RANGE_PIO,
				    legacy_ranges[i].start,
				    legacy_ranges[i].len);
		if (ret)
			return ret;
	}
	return 0;
}

static void legacy_reset(struct device *dev)
{
	struct legacy_dev *l = container_of(dev, struct legacy_dev, dev);

	memset(l->imr, 0, sizeof(l->imr));
	l->port61 = 0;
	l->port92 = 0;
	l->refresh = 0;
}

static uint64_t legacy_read(struct legacy_dev *l, uint16_t port)
{
	switch (port) {
	case 0x21:
		return l->imr[0];
	case 0xa1:
		return l->imr[1];
	case 0x61:
		l->refresh ^= 0x10;
		return (l->port61 & 0x0f) | l->refresh;
	case 0x92:
		return l->port92;
	default:
		break;
	}
	if ((port >= 0x2e8 && port < 0x2f0) || (port >= 0x2f8 && port < 0x300) ||
	    (port >= 0x3e8 && port < 0x3f0))
		return ~0ULL;	/* no UART there */
	return 0;
}

static void legacy_io(struct device *dev, uint8_t space, uint64_t offset,
		      struct bus_access *a)
{
	struct legacy_dev *l = container_of(dev, struct legacy_dev, dev);
	uint16_t port = (uint16_t)a->addr;

	(void)space;
	(void)offset;
	if (!a->write) {
		a->data = legacy_read(l, port);
		return;
	}
	switch (port) {
	case 0x21:
		l->imr[0] = (uint8_t)a->data;
		break;
	case 0xa1:
		l->imr[1] = (uint8_t)a->data;
		break;
	case 0x61:
		l->port61 = (uint8_t)a->data;
		break;
	case 0x92:
		l->port92 = (uint8_t)a->data & ~1;	/* no fast reset */
		break;
	default:
		break;
	}
}

static const struct device_ops legacy_ops = {
	.name = "legacy",
	.init = legacy_init,
	.reset = legacy_reset,
	.io = legacy_io,
};

int legacy_dev_add(struct legacy_dev *l, struct bus *bus)
{
	memset(l, 0, sizeof(*l));
	l->dev.ops = &legacy_ops;
	return bus_add_device(bus, &l->dev);
}

/* ---- every other port ---------------------------------------------------- */

static void unknown_io(struct device *dev, uint8_t space, uint64_t offset,
		       struct bus_access *a)
{
	struct unknown_dev *u = container_of(dev, struct unknown_dev, dev);
	uint16_t port = (uint16_t)a->addr;

	(void)space;
	(void)offset;
	u->accesses++;
	if (!(u->seen[port / 8] & (1u << (port % 8)))) {
		u->seen[port / 8] |= (uint8_t)(1u << (port % 8));
		u->ports_seen++;
		if (u->log)
			fprintf(u->log, "underhill_vm: VP %u: %s of %u byte%s at unknown port %#x (logged once)\n",
				a->vp, a->write ? "write" : "read", a->size,
				a->size == 1 ? "" : "s", port);
	}
	if (!a->write)
		a->data = ~0ULL;
}

static const struct device_ops unknown_ops = {
	.name = "unknown",
	.io = unknown_io,
};

int legacy_add_unknown(struct unknown_dev *u, struct bus *bus, FILE *log)
{
	uint64_t gaps[BUS_MAX_RANGES + 1][2];
	unsigned int i, n = 0;
	uint64_t next = 0;
	int ret;

	memset(u, 0, sizeof(*u));
	u->dev.ops = &unknown_ops;
	u->log = log;
	ret = bus_add_device(bus, &u->dev);
	if (ret)
		return ret;
	/* the ranges are sorted: PIO first, by start */
	for (i = 0; i < bus->nr_ranges; i++) {
		const struct bus_range *r = &bus->ranges[i];

		if (r->space != HCL_RANGE_PIO)
			break;
		if (r->start > next) {
			gaps[n][0] = next;
			gaps[n++][1] = r->start - next;
		}
		next = r->start + r->len;
	}
	if (next < 0x10000) {
		gaps[n][0] = next;
		gaps[n++][1] = 0x10000 - next;
	}
	for (i = 0; i < n; i++) {
		ret = bus_add_range(bus, &u->dev, HCL_RANGE_PIO, gaps[i][0],
				    gaps[i][1]);
		if (ret)
			return ret;
	}
	return 0;
}
