/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal MC146818 CMOS RTC at ports 0x70 (index; bit 7 masks NMI and
 * is ignored) and 0x71 (data): what Linux's rtc-cmos and its early clock
 * read, so that the guest's wall clock is the host's and no driver waits
 * for a stuck "update in progress".
 *
 *   0x00-0x09, 0x32  time and date from the host clock (UTC), in BCD or
 *                    binary (register B's DM bit), 24- or 12-hour (its
 *                    24/12 bit; 12-hour sets bit 7 for PM); the century
 *                    at 0x32.  Writes to them are ignored (the guest's
 *                    clock follows the host's).
 *   0x0a (A)         UIP (bit 7) is set only in the last 244 us of each
 *                    host second, like the chip's update cycle; the
 *                    divider bits are kept.
 *   0x0b (B)         kept (power-on value 0x02: 24-hour, BCD)
 *   0x0c (C)         interrupt flags: always 0 (no RTC interrupt)
 *   0x0d (D)         VRT (valid RAM and time): 0x80
 *   the rest         NVRAM bytes, kept, zero at power-on
 */
#ifndef HCL_VM_CMOS_RTC_H
#define HCL_VM_CMOS_RTC_H

#include <stdint.h>
#include <time.h>

#include "bus.h"

#define CMOS_PORT	0x70
#define CMOS_SIZE	128
#define CMOS_REG_A	0x0a
#define CMOS_REG_B	0x0b
#define CMOS_REG_C	0x0c
#define CMOS_REG_D	0x0d
#define CMOS_CENTURY	0x32
#define CMOS_B_24H	0x02
#define CMOS_B_BINARY	0x04
#define CMOS_A_UIP	0x80

struct cmos_rtc {
	struct device dev;
	uint8_t index;
	uint8_t ram[CMOS_SIZE];
	/* the host clock (CLOCK_REALTIME); tests put their own */
	void (*now)(void *arg, struct timespec *ts);
	void *now_arg;
};

void cmos_init(struct cmos_rtc *c);
uint8_t cmos_read(struct cmos_rtc *c, uint8_t reg);
void cmos_write(struct cmos_rtc *c, uint8_t reg, uint8_t val);

/* On the bus at 0x70-0x71. */
int cmos_rtc_add(struct cmos_rtc *c, struct bus *bus);

#endif
