/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device bus: port I/O and MMIO ranges, each owned by one device.
 *
 * A device is a struct device with a struct device_ops; bus_add_device()
 * calls its init, which registers the device's ranges with
 * bus_add_range() (or bus_add_doorbell()).  Each range is claimed in the
 * kernel through the bus's claim callback (HCL_ADD_RANGE in underhill_vm),
 * so accesses to it exit to userspace, and an access the VP makes there
 * comes back through bus_access() to the owner's io callback.  A range is
 * written once: the claim and the dispatch come from the same entry.
 *
 * Locking: bus->lock serialises the io callbacks (the ioctl run path has a
 * thread per VP); ranges and devices are added before any VP runs and
 * never change afterwards, so dispatch reads them under the same lock
 * only to keep the devices' state consistent.
 */
#ifndef HCL_VM_BUS_H
#define HCL_VM_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/hcl.h>

#define BUS_MAX_RANGES	HCL_MAX_RANGES
#define BUS_MAX_DEVICES	32

/* spaces: HCL_RANGE_PIO and HCL_RANGE_MMIO */

/* One guest access as the device sees it. */
struct bus_access {
	unsigned int vp;	/* index of the VP that made it */
	uint8_t size;		/* 1, 2, 4 or 8 bytes */
	bool write;
	uint64_t data;		/* in for writes, out for reads */
	uint64_t addr;		/* the port or GPA (bus_access() sets it) */
	/*
	 * Set by a device that answers a read later (a device worker): the
	 * VP stays stopped until the device completes it (vm_vp_complete).
	 */
	bool deferred;
};

struct bus;
struct device;

struct device_ops {
	const char *name;
	/* registers the device's ranges; 0 or a negative errno */
	int (*init)(struct device *dev, struct bus *bus);
	/* puts the device in its power-on state (also right after init) */
	void (*reset)(struct device *dev);
	/* an access at @offset from the start of one of its ranges */
	void (*io)(struct device *dev, uint8_t space, uint64_t offset,
		   struct bus_access *a);
	/* the VM is going away: flush what is buffered (optional) */
	void (*exit)(struct device *dev);
};

/* Devices embed this and find themselves with container_of. */
struct device {
	const struct device_ops *ops;
};

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

struct bus_range {
	uint8_t space;
	uint8_t kind;		/* HCL_RANGE_USER or HCL_RANGE_DOORBELL */
	uint64_t start, len;
	struct device *dev;
};

/* Claims @r (HCL_ADD_RANGE's argument) in the kernel: 0 or -errno. */
typedef int (*bus_claim_fn)(void *arg, const struct hcl_range *r);

struct bus {
	pthread_mutex_t lock;
	bus_claim_fn claim;		/* NULL: nothing to claim (tests) */
	void *claim_arg;
	unsigned int nr_ranges;		/* sorted by space, then start */
	struct bus_range ranges[BUS_MAX_RANGES];
	unsigned int nr_devs;
	struct device *devs[BUS_MAX_DEVICES];
};

void bus_init(struct bus *bus, bus_claim_fn claim, void *claim_arg);

/*
 * Adds a device: runs its init (which registers its ranges), then its
 * reset.  0, or a negative errno (-ENOSPC: too many devices, or init's).
 */
int bus_add_device(struct bus *bus, struct device *dev);

/*
 * Registers [start, start + len) of @space for @dev and claims it.
 * -EINVAL for an empty or wrapping range, a port range past 0xffff or an
 * unknown space; -EEXIST when it overlaps one already there; -ENOSPC when
 * the bus is full; the claim's error when the kernel refuses it.
 */
int bus_add_range(struct bus *bus, struct device *dev, uint8_t space,
		  uint64_t start, uint64_t len);

/*
 * The same for a doorbell: the kernel answers writes to the range by
 * signalling @eventfd, with no exit (reads return 0); the device waits
 * on the eventfd, e.g. with loop_add_fd().  Same errors, and -EBADF for
 * a negative @eventfd.
 */
int bus_add_doorbell(struct bus *bus, struct device *dev, uint8_t space,
		     uint64_t start, uint64_t len, int eventfd);

/*
 * Routes one access at @addr to the device whose range holds all of
 * [addr, addr + a->size).  Returns 0 when a device took it; -ENOENT when
 * no range holds it (then a read returns all ones).
 */
int bus_access(struct bus *bus, uint8_t space, uint64_t addr,
	       struct bus_access *a);

/* Resets every device, in the order they were added. */
void bus_reset(struct bus *bus);

/* Runs every device's exit callback, last added first. */
void bus_exit(struct bus *bus);

#endif
