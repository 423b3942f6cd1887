/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC's legacy ports a Linux guest touches although nothing here
 * stands behind them, absorbed quietly: writes dropped, reads giving what
 * an idle part gives.
 *
 *   0x00-0x1f, 0xc0-0xdf   the DMA controllers: read 0
 *   0x20-0x21, 0xa0-0xa1   the 8259 PICs: the mask (IMR) written is read
 *                          back, so Linux finds the chips and keeps them
 *                          masked; IRR/ISR read 0.  Interrupts come from
 *                          the IOAPIC (the MP table routes the ISA IRQs
 *                          there), never from the PICs.
 *   0x40-0x43              the 8254 PIT: read 0 (the guest's clocks are
 *                          kvmclock and the local APIC timer)
 *   0x61                   NMI status and speaker: the written bits, with
 *                          the refresh bit (4) toggling on every read
 *   0x80-0x8f              POST code and DMA page registers
 *   0x92                   system control port A: the written value
 *   0xed                   the I/O delay port
 *   0x4d0-0x4d1            the PICs' edge/level control: read 0
 *   0x2f8, 0x3e8, 0x2e8    COM2-COM4 (8 ports each): absent, all ones
 *
 * legacy_add_unknown(), called after every other device is on the bus,
 * claims every port nobody else decodes: an access there reads all ones,
 * is counted, and logged once per port.
 */
#ifndef HCL_VM_LEGACY_H
#define HCL_VM_LEGACY_H

#include <stdint.h>
#include <stdio.h>

#include "bus.h"

struct legacy_dev {
	struct device dev;
	uint8_t imr[2];		/* master, slave */
	uint8_t port61, port92;
	uint8_t refresh;
};

struct unknown_dev {
	struct device dev;
	FILE *log;		/* NULL: count only */
	uint64_t accesses;
	uint32_t ports_seen;	/* distinct ports logged */
	uint8_t seen[0x10000 / 8];
};

int legacy_dev_add(struct legacy_dev *l, struct bus *bus);

/*
 * Claims the port space's gaps for @u.  0, or the bus's error (-ENOSPC
 * when the kernel's range table cannot hold them).
 */
int legacy_add_unknown(struct unknown_dev *u, struct bus *bus, FILE *log);

#endif
