/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ways a PC guest resets and powers off without ACPI, as VM events
 * (event.h):
 *
 *   0xcf9        reset control (byte accesses): a write with bit 2
 *                (reset CPU) set resets (Linux's reboot=pci writes 0x06
 *                or 0x0e); reads return the last value's bits 1-3.  The
 *                rest of 0xcf8-0xcff, PCI configuration mechanism 1, reads
 *                all ones: there is no PCI bus.
 *   0x60, 0x64   the i8042 keyboard controller's ports, reading all ones
 *                like a PC without one (Linux reports "No controller
 *                found" at once instead of waiting for self-tests); the
 *                command 0xfe written to 0x64 pulses the reset line
 *                (reboot=kbd, Linux's first choice without ACPI)
 *   0xf4         power-off: a byte written here powers the VM off with
 *                that byte as the guest's exit status.  Linux without
 *                ACPI cannot power a PC off (it halts instead), so the
 *                VTL0 initramfs writes its status here (/dev/port)
 *                before it powers off.
 */
#ifndef HCL_VM_RESET_H
#define HCL_VM_RESET_H

#include <stdint.h>

#include "bus.h"
#include "event.h"

#define RESET_PCI_CONF1		0xcf8
#define RESET_CF9_PORT		0xcf9
#define RESET_I8042_DATA	0x60
#define RESET_I8042_CMD		0x64
#define RESET_POWEROFF_PORT	0xf4
#define RESET_I8042_PULSE	0xfe
#define RESET_CF9_RST_CPU	0x04

struct reset_dev {
	struct device dev;
	struct vm_events *events;
	uint8_t cf9;
};

int reset_dev_add(struct reset_dev *r, struct bus *bus,
		  struct vm_events *events);

#endif
