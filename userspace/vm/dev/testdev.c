// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "testdev.h"

static int testdev_init(struct device *dev, struct bus *bus)
{
	struct testdev *t = container_of(dev, struct testdev, dev);

	return bus_add_range(bus, dev, HCL_RANGE_PIO, t->port,
			     TESTDEV_NR_PORTS);
}

static void testdev_reset(struct device *dev)
{
	struct testdev *t = container_of(dev, struct testdev, dev);

	memset(t->result, 0xff, sizeof(t->result));
}

static void testdev_io(struct device *dev, uint8_t space, uint64_t offset,
		       struct bus_access *a)
{
	struct testdev *t = container_of(dev, struct testdev, dev);

	(void)space;
	if (offset || a->size != 4 || a->vp >= TESTDEV_MAX_VPS) {
		if (!a->write)
			a->data = ~0ULL;
		return;
	}
	if (a->write)
		t->result[a->vp] = (uint32_t)a->data;
	else
		a->data = t->result[a->vp];
}

static const struct device_ops testdev_ops = {
	.name = "testdev",
	.init = testdev_init,
	.reset = testdev_reset,
	.io = testdev_io,
};

int testdev_add(struct testdev *t, struct bus *bus, uint16_t port)
{
	memset(t, 0, sizeof(*t));
	t->dev.ops = &testdev_ops;
	t->port = port;
	return bus_add_device(bus, &t->dev);
}

uint32_t testdev_result(const struct testdev *t, unsigned int vp)
{
	return vp < TESTDEV_MAX_VPS ? t->result[vp] : TESTDEV_NO_RESULT;
}
