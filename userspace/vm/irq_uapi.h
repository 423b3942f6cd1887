/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interrupt-line ioctls of /dev/hcl (include/uapi/linux/hcl.h), for
 * building against a header that does not have them yet.  Each block is
 * skipped once the UAPI header defines its ioctl, so the UAPI header
 * stays the one definition when it has it.
 */
#ifndef HCL_VM_IRQ_UAPI_H
#define HCL_VM_IRQ_UAPI_H

#include <linux/hcl.h>

#ifndef HCL_IRQ_LINE
/* Sets the level (0 or 1) of interrupt line @gsi (< 24, the IOAPIC's pins). */
struct hcl_irq_line {
	__u32 gsi;
	__u32 level;
	__u64 reserved;
};
#define HCL_IRQ_LINE	_IOW(HCL_IOCTL_TYPE, 0x04, struct hcl_irq_line)
#endif

#ifndef HCL_IRQFD
/* Binds eventfd @fd to @gsi: a signal on it raises the line (irqfd). */
struct hcl_irqfd {
	__s32 fd;
	__u32 gsi;
	__u32 flags;
	__s32 resamplefd;
	__u64 reserved[2];
};
#define HCL_IRQFD_DEASSIGN	(1U << 0)
/* level-triggered: the line is held until EOI, then resamplefd signalled */
#define HCL_IRQFD_RESAMPLE	(1U << 1)
#define HCL_IRQFD	_IOW(HCL_IOCTL_TYPE, 0x05, struct hcl_irqfd)
#endif

#ifndef HCL_CREATE_IRQCHIP
/* Creates the in-kernel irqchip; before the first VP.  All zero. */
struct hcl_create_irqchip {
	__u32 flags;
	__u32 pad;
	__u64 reserved[3];
};
#define HCL_CREATE_IRQCHIP	_IOW(HCL_IOCTL_TYPE, 0x06, \
				     struct hcl_create_irqchip)
#endif

#endif
