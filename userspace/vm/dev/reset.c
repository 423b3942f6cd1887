// SPDX-License-Identifier: GPL-2.0
#include "reset.h"

static int reset_init(struct device *dev, struct bus *bus)
{
	int ret;

	ret = bus_add_range(bus, dev, HCL_RANGE_PIO, RESET_PCI_CONF1, 8);
	if (!ret)
		ret = bus_add_range(bus, dev, HCL_RANGE_PIO, RESET_I8042_DATA, 1);
	if (!ret)
		ret = bus_add_range(bus, dev, HCL_RANGE_PIO, RESET_I8042_CMD, 1);
	if (!ret)
		ret = bus_add_range(bus, dev, HCL_RANGE_PIO,
				    RESET_POWEROFF_PORT, 1);
	return ret;
}

static void reset_reset(struct device *dev)
{
	container_of(dev, struct reset_dev, dev)->cf9 = 0;
}

/* offsets are from each range's start: the port tells them apart */
static void reset_io(struct device *dev, uint8_t space, uint64_t offset,
		     struct bus_access *a)
{
	struct reset_dev *r = container_of(dev, struct reset_dev, dev);
	uint8_t val = (uint8_t)a->data;

	(void)space;
	(void)offset;
	/* 0xcf8-0xcff but the reset register's byte: no PCI behind it */
	if (a->addr >= RESET_PCI_CONF1 && a->addr < RESET_PCI_CONF1 + 8 &&
	    (a->addr != RESET_CF9_PORT || a->size != 1)) {
		if (!a->write)
			a->data = ~0ULL;
		return;
	}
	if (!a->write) {
		a->data = ~0ULL;
		if ((uint16_t)a->addr == RESET_CF9_PORT)
			a->data = r->cf9;
		return;
	}
	switch ((uint16_t)a->addr) {
	case RESET_CF9_PORT:
		r->cf9 = val & 0x0e;
		if (val & RESET_CF9_RST_CPU)
			vm_event_raise(r->events, VM_EVENT_RESET,
				       VM_RESET_PORT_CF9, a->vp);
		break;
	case RESET_I8042_CMD:
		if (val == RESET_I8042_PULSE)
			vm_event_raise(r->events, VM_EVENT_RESET,
				       VM_RESET_I8042, a->vp);
		break;
	case RESET_POWEROFF_PORT:
		vm_event_raise(r->events, VM_EVENT_POWEROFF, val, a->vp);
		break;
	default:
		break;	/* the i8042 data port: nothing behind it */
	}
}

static const struct device_ops reset_ops = {
	.name = "reset",
	.init = reset_init,
	.reset = reset_reset,
	.io = reset_io,
};

int reset_dev_add(struct reset_dev *r, struct bus *bus,
		  struct vm_events *events)
{
	r->dev.ops = &reset_ops;
	r->events = events;
	r->cf9 = 0;
	return bus_add_device(bus, &r->dev);
}
