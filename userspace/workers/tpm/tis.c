// SPDX-License-Identifier: GPL-2.0
/*
 * The TPM FIFO (TIS) register model: locality arbitration, interrupts,
 * the STS state machine and the command/response buffer.  See tis.h for
 * the access rules.
 *
 * State machine (one buffer shared by all localities, driven only by the
 * active one):
 *   IDLE --commandReady--> READY --first FIFO byte--> RECEPTION
 *   RECEPTION: Expect=1 until the header's commandSize bytes are in;
 *              a size below 10 or beyond the buffer is rejected: Expect
 *              drops at once and tpmGo answers TPM_RC_COMMAND_SIZE
 *              without running anything
 *   RECEPTION --tpmGo (complete)--> EXECUTION --done--> COMPLETION
 *   commandReady from READY/RECEPTION/COMPLETION aborts into READY; in
 *   EXECUTION it marks the command aborted and its response is dropped
 *   when it arrives.  A locality change aborts the same way into IDLE.
 */
#include <errno.h>
#include <string.h>

#include "tis.h"

#define TPM_HEADER_SIZE		10
#define TPM_RC_FAILURE		0x101
#define TPM_RC_COMMAND_SIZE	0x142
#define TPM_ST_NO_SESSIONS	0x8001

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void error_response(struct tis *tis, uint32_t rc)
{
	static const uint8_t hdr[6] = { TPM_ST_NO_SESSIONS >> 8,
					TPM_ST_NO_SESSIONS & 0xff,
					0, 0, 0, TPM_HEADER_SIZE };

	memcpy(tis->buf, hdr, sizeof(hdr));
	tis->buf[6] = rc >> 24;
	tis->buf[7] = rc >> 16;
	tis->buf[8] = rc >> 8;
	tis->buf[9] = rc;
	tis->len = TPM_HEADER_SIZE;
}

static void update_irq(struct tis *tis)
{
	uint8_t line = tis->irq_line;
	int level = 0;

	if (tis->active >= 0) {
		uint32_t en = tis->int_enable[tis->active];

		level = (en & TIS_INT_GLOBAL_ENABLE) &&
			(tis->int_status[tis->active] & en & TIS_INT_ALL);
		line = tis->int_vector[tis->active];
	}
	if (tis->irq_level && level && line != tis->irq_line) {
		/* moved while asserted: the old line goes down first */
		tis->irq_level = 0;
		if (tis->ops && tis->ops->irq)
			tis->ops->irq(tis->arg, tis->irq_line, 0);
	}
	if (level != tis->irq_level) {
		tis->irq_level = level;
		if (level)
			tis->irq_line = line;
		if (tis->ops && tis->ops->irq)
			tis->ops->irq(tis->arg, tis->irq_line, level);
	}
}

static void raise_int(struct tis *tis, uint32_t bits)
{
	if (tis->active < 0)
		return;
	tis->int_status[tis->active] |= bits;
	update_irq(tis);
}

static void clear_buffer(struct tis *tis)
{
	tis->len = 0;
	tis->expect = 0;
	tis->pos = 0;
	tis->oversize = false;
}

/* leave whatever the buffer holds and land in IDLE or READY */
static void abort_to(struct tis *tis, enum tis_state to)
{
	if (tis->state == TIS_EXECUTION) {
		tis->abort_pending = true;
		tis->abort_state = to;
		return;
	}
	if (tis->state == TIS_RECEPTION ||
	    (tis->state == TIS_COMPLETION && tis->pos < tis->len))
		tis->aborts++;
	clear_buffer(tis);
	tis->state = to;
	if (to == TIS_READY)
		raise_int(tis, TIS_INT_COMMAND_READY);
}

static void set_active(struct tis *tis, int loc)
{
	if (loc == tis->active)
		return;
	if (tis->state != TIS_IDLE)
		abort_to(tis, TIS_IDLE);
	tis->active = loc;
	if (loc >= 0) {
		tis->pending &= ~(1u << loc);
		raise_int(tis, TIS_INT_LOCALITY_CHANGE);
	} else {
		update_irq(tis);
	}
}

static int highest_pending(const struct tis *tis)
{
	int l;

	for (l = TIS_LOCALITIES - 1; l >= 0; l--)
		if (tis->pending & (1u << l))
			return l;
	return -1;
}

void tis_reset(struct tis *tis)
{
	const struct tis_ops *ops = tis->ops;
	void *arg = tis->arg;
	int level = tis->irq_level;
	uint8_t line = tis->irq_line, sirq = tis->sirq;
	int l;

	memset(tis, 0, sizeof(*tis));
	tis->ops = ops;
	tis->arg = arg;
	tis->active = -1;
	tis->state = TIS_IDLE;
	tis->irq_level = level;
	tis->irq_line = line;
	tis->sirq = sirq;
	for (l = 0; l < TIS_LOCALITIES; l++)
		tis->int_vector[l] = sirq;
	update_irq(tis);
}

int tis_set_sirq(struct tis *tis, unsigned int sirq)
{
	if (sirq > 15)
		return -EINVAL;
	tis->sirq = (uint8_t)sirq;
	tis_reset(tis);
	return 0;
}

void tis_init(struct tis *tis, const struct tis_ops *ops, void *arg)
{
	memset(tis, 0, sizeof(*tis));
	tis->ops = ops;
	tis->arg = arg;
	tis_reset(tis);
}

static bool expecting(const struct tis *tis)
{
	return tis->state == TIS_RECEPTION && !tis->oversize &&
	       (tis->expect == 0 || tis->len < tis->expect);
}

uint32_t tis_sts(const struct tis *tis)
{
	uint32_t sts = TIS_STS_FAMILY_TPM2, burst = 0;

	switch (tis->state) {
	case TIS_IDLE:
		sts |= TIS_STS_VALID;
		break;
	case TIS_READY:
		sts |= TIS_STS_VALID | TIS_STS_COMMAND_READY;
		burst = TIS_BUFSIZE;
		break;
	case TIS_RECEPTION:
		sts |= TIS_STS_VALID;
		if (expecting(tis)) {
			sts |= TIS_STS_EXPECT;
			burst = TIS_BUFSIZE - tis->len;
		}
		break;
	case TIS_EXECUTION:
		break;
	case TIS_COMPLETION:
		sts |= TIS_STS_VALID;
		if (tis->pos < tis->len) {
			sts |= TIS_STS_DATA_AVAIL;
			burst = tis->len - tis->pos;
		}
		break;
	}
	if (burst > 0xffff)
		burst = 0xffff;
	return sts | burst << TIS_STS_BURST_SHIFT;
}

static bool is_fifo(uint32_t reg)
{
	return (reg >= TIS_DATA_FIFO && reg < TIS_DATA_FIFO + 4) ||
	       (reg >= TIS_XDATA_FIFO && reg < TIS_XDATA_FIFO_END);
}

static uint8_t read_access(const struct tis *tis, int loc)
{
	uint8_t v = TIS_ACCESS_VALID;

	if (!tis->ops || !tis->ops->established ||
	    !tis->ops->established(tis->arg))
		v |= TIS_ACCESS_ESTABLISHMENT;
	if (tis->active == loc)
		v |= TIS_ACCESS_ACTIVE_LOCALITY;
	if (tis->pending & (1u << loc))
		v |= TIS_ACCESS_REQUEST_USE;
	if (tis->pending & ~(1u << loc))
		v |= TIS_ACCESS_PENDING_REQUEST;
	if (tis->seized & (1u << loc))
		v |= TIS_ACCESS_BEEN_SEIZED;
	return v;
}

static uint8_t byte_of(uint32_t v, uint32_t reg, uint32_t base)
{
	return v >> (8 * (reg - base));
}

/* one byte of a register; FIFO bytes consume response data */
static uint8_t read_byte(struct tis *tis, int loc, uint32_t reg)
{
	bool active = tis->active == loc;

	if (is_fifo(reg)) {
		if (!active || tis->state != TIS_COMPLETION ||
		    tis->pos >= tis->len)
			return 0xff;
		return tis->buf[tis->pos++];
	}
	if (reg == TIS_ACCESS)
		return read_access(tis, loc);
	if (reg >= TIS_INT_ENABLE && reg < TIS_INT_ENABLE + 4)
		return byte_of(tis->int_enable[loc], reg, TIS_INT_ENABLE);
	if (reg == TIS_INT_VECTOR)
		return tis->int_vector[loc];
	if (reg >= TIS_INT_VECTOR + 1 && reg < TIS_INT_VECTOR + 4)
		return 0;
	if (reg >= TIS_INT_STATUS && reg < TIS_INT_STATUS + 4)
		return byte_of(tis->int_status[loc], reg, TIS_INT_STATUS);
	if (reg >= TIS_INTF_CAPABILITY && reg < TIS_INTF_CAPABILITY + 4)
		return byte_of(TIS_INTF_CAPS, reg, TIS_INTF_CAPABILITY);
	if (reg >= TIS_STS && reg < TIS_STS + 4)
		return active ? byte_of(tis_sts(tis), reg, TIS_STS) : 0xff;
	if (reg >= TIS_INTERFACE_ID && reg < TIS_INTERFACE_ID + 4)
		return byte_of(TIS_INTERFACE_ID_VALUE, reg, TIS_INTERFACE_ID);
	if (reg >= TIS_DID_VID && reg < TIS_DID_VID + 4)
		return byte_of((uint32_t)TIS_DID << 16 | TIS_VID, reg,
			       TIS_DID_VID);
	if (reg == TIS_RID)
		return TIS_RID_VALUE;
	return 0xff;
}

static void write_access(struct tis *tis, int loc, uint8_t v)
{
	uint8_t act = v & (TIS_ACCESS_REQUEST_USE | TIS_ACCESS_SEIZE |
			   TIS_ACCESS_BEEN_SEIZED |
			   TIS_ACCESS_ACTIVE_LOCALITY);

	/* one action per write; anything else is ignored */
	if (!act || (act & (act - 1)))
		return;
	switch (act) {
	case TIS_ACCESS_REQUEST_USE:
		if (tis->active < 0)
			set_active(tis, loc);
		else if (tis->active != loc)
			tis->pending |= 1u << loc;
		break;
	case TIS_ACCESS_ACTIVE_LOCALITY:	/* relinquish */
		if (tis->active == loc)
			set_active(tis, highest_pending(tis));
		else
			tis->pending &= ~(1u << loc);
		break;
	case TIS_ACCESS_SEIZE:
		if (tis->active >= 0 && loc > tis->active) {
			tis->seized |= 1u << tis->active;
			set_active(tis, loc);
		}
		break;
	case TIS_ACCESS_BEEN_SEIZED:
		tis->seized &= ~(1u << loc);
		break;
	}
}

static void go(struct tis *tis)
{
	if (tis->state != TIS_RECEPTION || expecting(tis))
		return;
	if (tis->oversize) {
		tis->rejected++;
		error_response(tis, TPM_RC_COMMAND_SIZE);
		tis->pos = 0;
		tis->state = TIS_COMPLETION;
		raise_int(tis, TIS_INT_DATA_AVAIL | TIS_INT_STS_VALID);
		return;
	}
	tis->state = TIS_EXECUTION;
	tis->commands++;
	tis->cmd_locality = tis->active;
	tis->ops->execute(tis->arg, tis->buf, tis->len, tis->cmd_locality);
}

static void write_sts0(struct tis *tis, uint8_t v)
{
	uint8_t act = v & (TIS_STS_COMMAND_READY | TIS_STS_GO |
			   TIS_STS_RESPONSE_RETRY);

	if (!act || (act & (act - 1)))
		return;
	switch (act) {
	case TIS_STS_COMMAND_READY:
		if (tis->state != TIS_READY)
			abort_to(tis, TIS_READY);
		break;
	case TIS_STS_GO:
		go(tis);
		break;
	case TIS_STS_RESPONSE_RETRY:
		if (tis->state == TIS_COMPLETION) {
			tis->pos = 0;
			raise_int(tis, TIS_INT_DATA_AVAIL);
		}
		break;
	}
}

static void write_sts3(struct tis *tis, int loc, uint8_t v)
{
	if ((v & (TIS_STS_COMMAND_CANCEL >> 24)) &&
	    tis->state == TIS_EXECUTION && tis->ops->cancel)
		tis->ops->cancel(tis->arg);
	/* not while the engine runs a command */
	if ((v & (TIS_STS_RESET_ESTABLISHMENT >> 24)) && loc >= 3 &&
	    tis->state != TIS_EXECUTION && tis->ops->reset_establishment)
		tis->ops->reset_establishment(tis->arg, loc);
}

static void write_fifo(struct tis *tis, uint8_t v)
{
	if (tis->state == TIS_READY) {
		clear_buffer(tis);
		tis->state = TIS_RECEPTION;
	}
	if (!expecting(tis))
		return;		/* not receiving, or the command is complete */
	tis->buf[tis->len++] = v;
	if (tis->len == 6) {
		tis->expect = be32(tis->buf + 2);
		if (tis->expect < TPM_HEADER_SIZE ||
		    tis->expect > TIS_BUFSIZE)
			tis->oversize = true;
	}
	if (!expecting(tis))
		raise_int(tis, TIS_INT_STS_VALID);
}

static void write_byte(struct tis *tis, int loc, uint32_t reg, uint8_t v)
{
	unsigned int sh;

	if (reg == TIS_ACCESS) {
		write_access(tis, loc, v);
		return;
	}
	if (tis->active != loc)
		return;		/* only the active locality's writes act */
	if (is_fifo(reg)) {
		write_fifo(tis, v);
	} else if (reg >= TIS_INT_ENABLE && reg < TIS_INT_ENABLE + 4) {
		const uint32_t mask = TIS_INT_ALL | TIS_INT_POLARITY_MASK |
				      TIS_INT_GLOBAL_ENABLE;

		sh = 8 * (reg - TIS_INT_ENABLE);
		tis->int_enable[loc] &= ~(0xffu << sh);
		tis->int_enable[loc] |= ((uint32_t)v << sh) & mask;
		update_irq(tis);
	} else if (reg == TIS_INT_VECTOR) {
		tis->int_vector[loc] = v & 0x0f;
		update_irq(tis);
	} else if (reg >= TIS_INT_STATUS && reg < TIS_INT_STATUS + 4) {
		sh = 8 * (reg - TIS_INT_STATUS);
		tis->int_status[loc] &= ~((uint32_t)v << sh);
		update_irq(tis);
	} else if (reg == TIS_STS) {
		write_sts0(tis, v);
	} else if (reg == TIS_STS + 3) {
		write_sts3(tis, loc, v);
	}
	/* everything else is read-only or reserved: ignored */
}

static int check_access(uint32_t offset, unsigned int size)
{
	if (size != 1 && size != 2 && size != 4)
		return -EINVAL;
	if (offset >= TIS_SIZE || size > TIS_SIZE - offset)
		return -EINVAL;
	if ((offset & (TIS_PAGE - 1)) + size > TIS_PAGE)
		return -EINVAL;
	return 0;
}

int tis_mmio_read(struct tis *tis, uint32_t offset, unsigned int size,
		  uint32_t *val)
{
	int loc = offset / TIS_PAGE;
	uint32_t reg = offset % TIS_PAGE, v = 0;
	unsigned int i;

	if (check_access(offset, size)) {
		*val = 0xffffffff;
		return -EINVAL;
	}
	for (i = 0; i < size; i++)
		v |= (uint32_t)read_byte(tis, loc, reg + i) << (8 * i);
	*val = v;
	return 0;
}

int tis_mmio_write(struct tis *tis, uint32_t offset, unsigned int size,
		   uint32_t val)
{
	int loc = offset / TIS_PAGE;
	uint32_t reg = offset % TIS_PAGE;
	unsigned int i;

	if (check_access(offset, size))
		return -EINVAL;
	if (loc == 4)
		return 0;	/* locality 4 is the CPU's (H-CRTM) only */
	for (i = 0; i < size; i++)
		write_byte(tis, loc, reg + i, val >> (8 * i));
	return 0;
}

int tis_command_done(struct tis *tis, const uint8_t *rsp, uint32_t len)
{
	if (tis->state != TIS_EXECUTION)
		return -EINVAL;
	if (tis->abort_pending) {
		tis->abort_pending = false;
		tis->aborts++;
		clear_buffer(tis);
		tis->state = tis->abort_state;
		if (tis->state == TIS_READY)
			raise_int(tis, TIS_INT_COMMAND_READY);
		return 0;
	}
	if (len < TPM_HEADER_SIZE || len > TIS_BUFSIZE) {
		error_response(tis, TPM_RC_FAILURE);
	} else {
		memmove(tis->buf, rsp, len);
		tis->len = len;
	}
	tis->pos = 0;
	tis->state = TIS_COMPLETION;
	raise_int(tis, TIS_INT_DATA_AVAIL | TIS_INT_STS_VALID);
	return 0;
}

/* ---- save / restore ---------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

size_t tis_save(const struct tis *tis, uint8_t *b, size_t size)
{
	int l;

	if (size < TIS_SAVE_SIZE)
		return 0;
	memset(b, 0, TIS_SAVE_SIZE);
	put32(b, TIS_SAVE_MAGIC);
	put32(b + 4, TIS_SAVE_VERSION);
	put32(b + 8, tis->state);
	put32(b + 12, (uint32_t)tis->active);
	b[16] = tis->pending;
	b[17] = tis->seized;
	b[18] = tis->abort_pending;
	b[19] = tis->abort_state;
	b[20] = tis->oversize;
	b[22] = tis->cmd_locality;
	put32(b + 24, tis->len);
	put32(b + 28, tis->expect);
	put32(b + 32, tis->pos);
	for (l = 0; l < TIS_LOCALITIES; l++) {
		put32(b + 64 + 12 * l, tis->int_enable[l]);
		put32(b + 68 + 12 * l, tis->int_status[l]);
		put32(b + 72 + 12 * l, tis->int_vector[l]);
	}
	memcpy(b + 64 + 12 * TIS_LOCALITIES, tis->buf, TIS_BUFSIZE);
	return TIS_SAVE_SIZE;
}

int tis_restore(struct tis *tis, const uint8_t *b, size_t size,
		bool *executing)
{
	const uint32_t en_mask = TIS_INT_ALL | TIS_INT_POLARITY_MASK |
				 TIS_INT_GLOBAL_ENABLE;
	uint32_t state, len, expect, pos;
	int32_t active;
	size_t i;
	int l;

	if (size != TIS_SAVE_SIZE || get32(b) != TIS_SAVE_MAGIC ||
	    get32(b + 4) != TIS_SAVE_VERSION)
		return -EINVAL;
	state = get32(b + 8);
	active = (int32_t)get32(b + 12);
	len = get32(b + 24);
	expect = get32(b + 28);
	pos = get32(b + 32);
	if (state > TIS_COMPLETION || active < -1 ||
	    active >= TIS_LOCALITIES || b[16] >= 1u << TIS_LOCALITIES ||
	    b[17] >= 1u << TIS_LOCALITIES || b[18] > 1 ||
	    (b[19] != TIS_IDLE && b[19] != TIS_READY) || b[20] > 1 ||
	    b[21] || b[22] >= TIS_LOCALITIES || b[23] ||
	    len > TIS_BUFSIZE || pos > len)
		return -EINVAL;
	for (i = 36; i < 64; i++)
		if (b[i])
			return -EINVAL;
	for (l = 0; l < TIS_LOCALITIES; l++)
		if ((get32(b + 64 + 12 * l) & ~en_mask) ||
		    (get32(b + 68 + 12 * l) & ~TIS_INT_ALL) ||
		    get32(b + 72 + 12 * l) > 0x0f)
			return -EINVAL;
	/* the header size must agree with what was received */
	if (state == TIS_RECEPTION && len >= 6 &&
	    expect != ((uint32_t)b[64 + 60 + 2] << 24 |
		       (uint32_t)b[64 + 60 + 3] << 16 |
		       (uint32_t)b[64 + 60 + 4] << 8 | b[64 + 60 + 5]))
		return -EINVAL;
	if (state == TIS_RECEPTION && len < 6 && expect)
		return -EINVAL;
	if (state == TIS_RECEPTION && !b[20] && expect && len > expect)
		return -EINVAL;
	if (b[20] && !(expect < 10 || expect > TIS_BUFSIZE))
		return -EINVAL;
	if (state == TIS_RECEPTION && len >= 6 && !b[20] &&
	    (expect < 10 || expect > TIS_BUFSIZE))
		return -EINVAL;

	tis->state = state;
	tis->active = active;
	tis->pending = b[16];
	tis->seized = b[17];
	tis->abort_pending = b[18];
	tis->abort_state = b[19];
	tis->oversize = b[20];
	tis->cmd_locality = b[22];
	tis->len = len;
	tis->expect = expect;
	tis->pos = pos;
	for (l = 0; l < TIS_LOCALITIES; l++) {
		tis->int_enable[l] = get32(b + 64 + 12 * l);
		tis->int_status[l] = get32(b + 68 + 12 * l);
		tis->int_vector[l] = get32(b + 72 + 12 * l) & 0x0f;
	}
	memcpy(tis->buf, b + 64 + 12 * TIS_LOCALITIES, TIS_BUFSIZE);
	if (executing)
		*executing = state == TIS_EXECUTION;
	update_irq(tis);
	return 0;
}
