// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "bus.h"

void bus_init(struct bus *bus, bus_claim_fn claim, void *claim_arg)
{
	memset(bus, 0, sizeof(*bus));
	pthread_mutex_init(&bus->lock, NULL);
	bus->claim = claim;
	bus->claim_arg = claim_arg;
}

int bus_add_device(struct bus *bus, struct device *dev)
{
	int ret;

	if (bus->nr_devs == BUS_MAX_DEVICES)
		return -ENOSPC;
	if (dev->ops->init) {
		ret = dev->ops->init(dev, bus);
		if (ret)
			return ret;
	}
	bus->devs[bus->nr_devs++] = dev;
	if (dev->ops->reset)
		dev->ops->reset(dev);
	return 0;
}

/* orders ranges by space, then start */
static bool range_before(uint8_t space, uint64_t start,
			 const struct bus_range *r)
{
	return space < r->space || (space == r->space && start < r->start);
}

static int add_range(struct bus *bus, struct device *dev, uint8_t space,
		     uint64_t start, uint64_t len, uint8_t kind, int eventfd)
{
	struct hcl_range claim = {
		.space = space, .kind = kind, .start = start, .len = len,
		.eventfd = kind == HCL_RANGE_DOORBELL ? eventfd : 0,
	};
	unsigned int i, pos;
	int ret;

	if (space != HCL_RANGE_PIO && space != HCL_RANGE_MMIO)
		return -EINVAL;
	if (!len || start + len < start ||
	    (space == HCL_RANGE_PIO && start + len > 0x10000))
		return -EINVAL;
	for (i = 0; i < bus->nr_ranges; i++) {
		const struct bus_range *r = &bus->ranges[i];

		if (r->space == space && start < r->start + r->len &&
		    r->start < start + len)
			return -EEXIST;
	}
	if (bus->nr_ranges == BUS_MAX_RANGES)
		return -ENOSPC;
	if (bus->claim) {
		ret = bus->claim(bus->claim_arg, &claim);
		if (ret)
			return ret;
	}
	for (pos = 0; pos < bus->nr_ranges; pos++)
		if (range_before(space, start, &bus->ranges[pos]))
			break;
	memmove(&bus->ranges[pos + 1], &bus->ranges[pos],
		(bus->nr_ranges - pos) * sizeof(bus->ranges[0]));
	bus->ranges[pos] = (struct bus_range){
		.space = space, .kind = kind, .start = start, .len = len,
		.dev = dev,
	};
	bus->nr_ranges++;
	return 0;
}

int bus_add_range(struct bus *bus, struct device *dev, uint8_t space,
		  uint64_t start, uint64_t len)
{
	return add_range(bus, dev, space, start, len, HCL_RANGE_USER, 0);
}

int bus_add_doorbell(struct bus *bus, struct device *dev, uint8_t space,
		     uint64_t start, uint64_t len, int eventfd)
{
	if (eventfd < 0)
		return -EBADF;
	return add_range(bus, dev, space, start, len, HCL_RANGE_DOORBELL,
			 eventfd);
}

/* the range holding @addr, by binary search; NULL if none */
static const struct bus_range *find_range(const struct bus *bus,
					  uint8_t space, uint64_t addr)
{
	unsigned int lo = 0, hi = bus->nr_ranges;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct bus_range *r = &bus->ranges[mid];

		if (range_before(space, addr, r))
			hi = mid;
		else if (r->space == space && addr - r->start < r->len)
			return r;
		else
			lo = mid + 1;
	}
	return NULL;
}

int bus_access(struct bus *bus, uint8_t space, uint64_t addr,
	       struct bus_access *a)
{
	const struct bus_range *r = find_range(bus, space, addr);

	a->addr = addr;
	if (!r || a->size > r->len - (addr - r->start)) {
		if (!a->write)
			a->data = ~0ULL;
		return -ENOENT;
	}
	pthread_mutex_lock(&bus->lock);
	r->dev->ops->io(r->dev, space, addr - r->start, a);
	pthread_mutex_unlock(&bus->lock);
	return 0;
}

void bus_reset(struct bus *bus)
{
	unsigned int i;

	pthread_mutex_lock(&bus->lock);
	for (i = 0; i < bus->nr_devs; i++)
		if (bus->devs[i]->ops->reset)
			bus->devs[i]->ops->reset(bus->devs[i]);
	pthread_mutex_unlock(&bus->lock);
}

void bus_exit(struct bus *bus)
{
	unsigned int i;

	pthread_mutex_lock(&bus->lock);
	for (i = bus->nr_devs; i-- > 0;)
		if (bus->devs[i]->ops->exit)
			bus->devs[i]->ops->exit(bus->devs[i]);
	pthread_mutex_unlock(&bus->lock);
}
