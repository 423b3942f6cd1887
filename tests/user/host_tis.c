// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: the TPM FIFO (TIS) register model, with a fake engine. */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "tis.h"

struct fake {
	struct tis *tis;
	bool defer;		/* answer later, not inside execute */
	int executed, cancels, irq_changes, irq_level, est_resets;
	unsigned int irq_line;
	uint8_t cmd[TIS_BUFSIZE];
	uint32_t cmd_len;
	unsigned int locality;
	uint8_t rsp[TIS_BUFSIZE + 16];
	uint32_t rsp_len;
};

static void f_execute(void *arg, const uint8_t *cmd, uint32_t len,
		      unsigned int locality)
{
	struct fake *f = arg;

	f->executed++;
	memcpy(f->cmd, cmd, len);
	f->cmd_len = len;
	f->locality = locality;
	if (!f->defer)
		tis_command_done(f->tis, f->rsp, f->rsp_len);
}

static void f_cancel(void *arg)
{
	((struct fake *)arg)->cancels++;
}

static void f_irq(void *arg, unsigned int line, int level)
{
	struct fake *f = arg;

	f->irq_changes++;
	f->irq_level = level;
	f->irq_line = line;
}

static bool f_established(void *arg)
{
	(void)arg;
	return false;
}

static void f_reset_est(void *arg, unsigned int loc)
{
	(void)loc;
	((struct fake *)arg)->est_resets++;
}

static const struct tis_ops fops = {
	.execute = f_execute, .cancel = f_cancel, .irq = f_irq,
	.established = f_established, .reset_establishment = f_reset_est,
};

static uint32_t rd(struct tis *t, int loc, uint32_t reg, unsigned int size)
{
	uint32_t v = 0;

	if (tis_mmio_read(t, loc * TIS_PAGE + reg, size, &v))
		return 0xdeadbeef;
	return v;
}

static void wr(struct tis *t, int loc, uint32_t reg, unsigned int size,
	       uint32_t v)
{
	tis_mmio_write(t, loc * TIS_PAGE + reg, size, v);
}

/* a TPM2_GetRandom(8) command: 12 bytes */
static const uint8_t getrandom[12] = {
	0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 8,
};

FIXTURE(tis) {
	struct tis t;
	struct fake f;
};

FIXTURE_SETUP(tis)
{
	uint32_t i;

	memset(&self->f, 0, sizeof(self->f));
	self->f.tis = &self->t;
	/* a 16-byte response: header + 6 bytes */
	self->f.rsp_len = 16;
	self->f.rsp[0] = 0x80;
	self->f.rsp[1] = 0x01;
	self->f.rsp[5] = 16;
	for (i = 10; i < 16; i++)
		self->f.rsp[i] = i;
	tis_init(&self->t, &fops, &self->f);
}

FIXTURE_TEARDOWN(tis) {}

static void send_bytes(struct tis *t, int loc, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		wr(t, loc, TIS_DATA_FIFO, 1, p[i]);
}

static void claim(struct tis *t, int loc)
{
	wr(t, loc, TIS_ACCESS, 1, TIS_ACCESS_REQUEST_USE);
}

TEST_F(tis, identity_and_reset_values)
{
	int l;

	for (l = 0; l < TIS_LOCALITIES; l++) {
		EXPECT_EQ(TIS_ACCESS_VALID | TIS_ACCESS_ESTABLISHMENT,
			  rd(&self->t, l, TIS_ACCESS, 1));
		EXPECT_EQ(0xffffffffu, rd(&self->t, l, TIS_STS, 4));
		EXPECT_EQ(0x00011014u, rd(&self->t, l, TIS_DID_VID, 4));
		EXPECT_EQ(TIS_RID_VALUE, rd(&self->t, l, TIS_RID, 1));
		EXPECT_EQ(TIS_INTF_CAPS, rd(&self->t, l, TIS_INTF_CAPABILITY,
					    4));
		EXPECT_EQ(TIS_INTERFACE_ID_VALUE,
			  rd(&self->t, l, TIS_INTERFACE_ID, 4));
		EXPECT_EQ(0u, rd(&self->t, l, TIS_INT_ENABLE, 4));
	}
	/* TPM 2.0 family, interface version 1.3 for TPM 2.0 */
	EXPECT_EQ(3u, (TIS_INTF_CAPS >> 28) & 7);
	claim(&self->t, 0);
	EXPECT_EQ(TIS_STS_FAMILY_TPM2 | TIS_STS_VALID,
		  rd(&self->t, 0, TIS_STS, 4));
}

TEST_F(tis, locality_request_and_relinquish)
{
	claim(&self->t, 0);
	EXPECT_EQ(0, self->t.active);
	EXPECT_NE(0, rd(&self->t, 0, TIS_ACCESS, 1) &
		  TIS_ACCESS_ACTIVE_LOCALITY);
	claim(&self->t, 2);
	EXPECT_EQ(0, self->t.active);
	EXPECT_NE(0, rd(&self->t, 2, TIS_ACCESS, 1) & TIS_ACCESS_REQUEST_USE);
	EXPECT_NE(0, rd(&self->t, 0, TIS_ACCESS, 1) &
		  TIS_ACCESS_PENDING_REQUEST);
	EXPECT_EQ(0, rd(&self->t, 2, TIS_ACCESS, 1) &
		  TIS_ACCESS_ACTIVE_LOCALITY);
	claim(&self->t, 1);
	/* relinquish: the highest requester wins */
	wr(&self->t, 0, TIS_ACCESS, 1, TIS_ACCESS_ACTIVE_LOCALITY);
	EXPECT_EQ(2, self->t.active);
	EXPECT_NE(0, self->t.int_status[2] & TIS_INT_LOCALITY_CHANGE);
	/* a pending requester withdraws with the same bit */
	wr(&self->t, 1, TIS_ACCESS, 1, TIS_ACCESS_ACTIVE_LOCALITY);
	EXPECT_EQ(0, rd(&self->t, 1, TIS_ACCESS, 1) & TIS_ACCESS_REQUEST_USE);
	wr(&self->t, 2, TIS_ACCESS, 1, TIS_ACCESS_ACTIVE_LOCALITY);
	EXPECT_EQ(-1, self->t.active);
	/* two actions in one write: ignored */
	wr(&self->t, 0, TIS_ACCESS, 1,
	   TIS_ACCESS_REQUEST_USE | TIS_ACCESS_SEIZE);
	EXPECT_EQ(-1, self->t.active);
	/* locality 4 is not the software's */
	claim(&self->t, 4);
	EXPECT_EQ(-1, self->t.active);
}

TEST_F(tis, seize)
{
	claim(&self->t, 1);
	wr(&self->t, 0, TIS_ACCESS, 1, TIS_ACCESS_SEIZE);	/* lower */
	EXPECT_EQ(1, self->t.active);
	wr(&self->t, 3, TIS_ACCESS, 1, TIS_ACCESS_SEIZE);
	EXPECT_EQ(3, self->t.active);
	EXPECT_NE(0, rd(&self->t, 1, TIS_ACCESS, 1) &
		  TIS_ACCESS_BEEN_SEIZED);
	wr(&self->t, 1, TIS_ACCESS, 1, TIS_ACCESS_BEEN_SEIZED);
	EXPECT_EQ(0, rd(&self->t, 1, TIS_ACCESS, 1) &
		  TIS_ACCESS_BEEN_SEIZED);
}

TEST_F(tis, only_the_active_locality_acts)
{
	claim(&self->t, 0);
	wr(&self->t, 1, TIS_STS, 1, TIS_STS_COMMAND_READY);
	EXPECT_EQ(TIS_IDLE, self->t.state);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	EXPECT_EQ(TIS_READY, self->t.state);
	wr(&self->t, 1, TIS_DATA_FIFO, 4, 0x01020304);
	EXPECT_EQ(TIS_READY, self->t.state);
	EXPECT_EQ(0xffffffffu, rd(&self->t, 1, TIS_STS, 4));
	EXPECT_EQ(0xffffffffu, rd(&self->t, 1, TIS_DATA_FIFO, 4));
	wr(&self->t, 1, TIS_INT_ENABLE, 4, TIS_INT_GLOBAL_ENABLE);
	EXPECT_EQ(0u, rd(&self->t, 1, TIS_INT_ENABLE, 4));
}

TEST_F(tis, command_round_trip_with_burst_count)
{
	uint32_t sts, i, v;
	uint8_t out[16];

	claim(&self->t, 0);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	sts = rd(&self->t, 0, TIS_STS, 4);
	EXPECT_NE(0, sts & TIS_STS_COMMAND_READY);
	EXPECT_EQ(TIS_BUFSIZE, (sts >> 8) & 0xffff);
	/* 1-, 2- and 4-byte FIFO writes; Expect until the last byte */
	wr(&self->t, 0, TIS_DATA_FIFO, 1, getrandom[0]);
	wr(&self->t, 0, TIS_DATA_FIFO, 2, getrandom[1] | getrandom[2] << 8);
	EXPECT_NE(0, rd(&self->t, 0, TIS_STS, 1) & TIS_STS_EXPECT);
	memcpy(&v, getrandom + 3, 4);
	wr(&self->t, 0, TIS_DATA_FIFO, 4, v);
	memcpy(&v, getrandom + 7, 4);
	wr(&self->t, 0, TIS_XDATA_FIFO, 4, v);
	sts = rd(&self->t, 0, TIS_STS, 4);
	EXPECT_NE(0, sts & TIS_STS_EXPECT);
	EXPECT_EQ(TIS_BUFSIZE - 11, (sts >> 8) & 0xffff);
	wr(&self->t, 0, TIS_DATA_FIFO, 1, getrandom[11]);
	sts = rd(&self->t, 0, TIS_STS, 4);
	EXPECT_EQ(0, sts & TIS_STS_EXPECT);
	EXPECT_NE(0, sts & TIS_STS_VALID);
	EXPECT_EQ(0, self->f.executed);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);
	ASSERT_EQ(1, self->f.executed);
	EXPECT_EQ(12u, self->f.cmd_len);
	EXPECT_EQ(0, memcmp(getrandom, self->f.cmd, 12));
	EXPECT_EQ(0u, self->f.locality);
	/* completion: dataAvail and a burst count of what is left */
	sts = rd(&self->t, 0, TIS_STS, 4);
	EXPECT_EQ(TIS_STS_VALID | TIS_STS_DATA_AVAIL, sts & 0xff);
	EXPECT_EQ(16u, (sts >> 8) & 0xffff);
	for (i = 0; i < 16; i += 4) {
		v = rd(&self->t, 0, i < 8 ? TIS_DATA_FIFO : TIS_XDATA_FIFO, 4);
		memcpy(out + i, &v, 4);
		EXPECT_EQ(16 - i - 4, (rd(&self->t, 0, TIS_STS, 4) >> 8) &
			  0xffff);
	}
	EXPECT_EQ(0, memcmp(out, self->f.rsp, 16));
	EXPECT_EQ(0, rd(&self->t, 0, TIS_STS, 1) & TIS_STS_DATA_AVAIL);
	EXPECT_EQ(0xffu, rd(&self->t, 0, TIS_DATA_FIFO, 1));
	/* responseRetry: the response again */
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_RESPONSE_RETRY);
	EXPECT_EQ(0x80u, rd(&self->t, 0, TIS_DATA_FIFO, 1));
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	EXPECT_EQ(TIS_READY, self->t.state);
}

TEST_F(tis, asynchronous_engine)
{
	self->f.defer = true;
	claim(&self->t, 2);
	wr(&self->t, 2, TIS_STS, 1, TIS_STS_COMMAND_READY);
	send_bytes(&self->t, 2, getrandom, sizeof(getrandom));
	wr(&self->t, 2, TIS_STS, 1, TIS_STS_GO);
	EXPECT_EQ(1, self->f.executed);
	EXPECT_EQ(2u, self->f.locality);
	/* the registers answer while the command runs */
	EXPECT_EQ(0, rd(&self->t, 2, TIS_STS, 1) & TIS_STS_VALID);
	EXPECT_EQ(0xffu, rd(&self->t, 2, TIS_DATA_FIFO, 1));
	EXPECT_NE(0, rd(&self->t, 2, TIS_ACCESS, 1) &
		  TIS_ACCESS_ACTIVE_LOCALITY);
	/* a second tpmGo or more data changes nothing */
	wr(&self->t, 2, TIS_STS, 1, TIS_STS_GO);
	wr(&self->t, 2, TIS_DATA_FIFO, 1, 0x55);
	EXPECT_EQ(1, self->f.executed);
	wr(&self->t, 2, TIS_STS + 3, 1, TIS_STS_COMMAND_CANCEL >> 24);
	EXPECT_EQ(1, self->f.cancels);
	EXPECT_EQ(0, tis_command_done(&self->t, self->f.rsp, 16));
	EXPECT_NE(0, rd(&self->t, 2, TIS_STS, 1) & TIS_STS_DATA_AVAIL);
	/* a completion nobody asked for is refused */
	EXPECT_EQ(-EINVAL, tis_command_done(&self->t, self->f.rsp, 16));
}

TEST_F(tis, abort_in_reception_and_completion)
{
	claim(&self->t, 0);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	send_bytes(&self->t, 0, getrandom, 7);
	EXPECT_EQ(TIS_RECEPTION, self->t.state);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	EXPECT_EQ(TIS_READY, self->t.state);
	EXPECT_EQ(0u, self->t.len);
	EXPECT_EQ(1u, self->t.aborts);
	send_bytes(&self->t, 0, getrandom, sizeof(getrandom));
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);
	EXPECT_EQ(1, self->f.executed);
	EXPECT_EQ(12u, self->f.cmd_len);
	rd(&self->t, 0, TIS_DATA_FIFO, 4);	/* partial read, then abort */
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	EXPECT_EQ(TIS_READY, self->t.state);
	EXPECT_EQ(0xffu, rd(&self->t, 0, TIS_DATA_FIFO, 1));
	EXPECT_EQ(2u, self->t.aborts);
}

TEST_F(tis, abort_during_execution_drops_the_response)
{
	self->f.defer = true;
	claim(&self->t, 0);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	send_bytes(&self->t, 0, getrandom, sizeof(getrandom));
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	EXPECT_EQ(TIS_EXECUTION, self->t.state);
	EXPECT_EQ(0, tis_command_done(&self->t, self->f.rsp, 16));
	EXPECT_EQ(TIS_READY, self->t.state);
	EXPECT_EQ(0, rd(&self->t, 0, TIS_STS, 1) & TIS_STS_DATA_AVAIL);
	/* a locality change while executing: the response is dropped too */
	send_bytes(&self->t, 0, getrandom, sizeof(getrandom));
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);
	wr(&self->t, 3, TIS_ACCESS, 1, TIS_ACCESS_SEIZE);
	EXPECT_EQ(3, self->t.active);
	EXPECT_EQ(0, tis_command_done(&self->t, self->f.rsp, 16));
	EXPECT_EQ(TIS_IDLE, self->t.state);
	EXPECT_EQ(2, self->f.executed);
}

TEST_F(tis, locality_change_aborts_reception)
{
	claim(&self->t, 0);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	send_bytes(&self->t, 0, getrandom, 8);
	wr(&self->t, 0, TIS_ACCESS, 1, TIS_ACCESS_ACTIVE_LOCALITY);
	EXPECT_EQ(TIS_IDLE, self->t.state);
	claim(&self->t, 1);
	EXPECT_EQ(TIS_STS_VALID, rd(&self->t, 1, TIS_STS, 1));
}

static void oversize(struct __test_metadata *_metadata, struct tis *t,
		     struct fake *f, uint32_t size)
{
	uint8_t hdr[6] = { 0x80, 0x01, size >> 24, size >> 16, size >> 8,
			   size };
	uint32_t v;

	wr(t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	send_bytes(t, 0, hdr, 6);
	EXPECT_EQ(0, rd(t, 0, TIS_STS, 1) & TIS_STS_EXPECT);
	EXPECT_EQ(0u, (rd(t, 0, TIS_STS, 4) >> 8) & 0xffff);
	wr(t, 0, TIS_DATA_FIFO, 4, 0x11223344);		/* ignored */
	EXPECT_EQ(6u, t->len);
	wr(t, 0, TIS_STS, 1, TIS_STS_GO);
	EXPECT_EQ(0, f->executed);
	EXPECT_NE(0, rd(t, 0, TIS_STS, 1) & TIS_STS_DATA_AVAIL);
	/* TPM_RC_COMMAND_SIZE */
	v = rd(t, 0, TIS_DATA_FIFO, 4);
	EXPECT_EQ(0x00000180u, v);
	v = rd(t, 0, TIS_DATA_FIFO, 4);
	EXPECT_EQ(0x00000a00u, v);
	v = rd(t, 0, TIS_DATA_FIFO, 2);
	EXPECT_EQ(0x4201u, v);
	EXPECT_EQ(0, rd(t, 0, TIS_STS, 1) & TIS_STS_DATA_AVAIL);
}

TEST_F(tis, oversize_and_undersize_commands_are_rejected)
{
	claim(&self->t, 0);
	oversize(_metadata, &self->t, &self->f, TIS_BUFSIZE + 1);
	oversize(_metadata, &self->t, &self->f, 0xffffffff);
	oversize(_metadata, &self->t, &self->f, 9);
	oversize(_metadata, &self->t, &self->f, 0);
	EXPECT_EQ(4u, self->t.rejected);
}

TEST_F(tis, full_buffer_command_and_extra_bytes)
{
	uint8_t cmd[TIS_BUFSIZE + 8];
	uint32_t i;

	for (i = 0; i < sizeof(cmd); i++)
		cmd[i] = i;
	cmd[2] = 0;
	cmd[3] = 0;
	cmd[4] = TIS_BUFSIZE >> 8;
	cmd[5] = 0;
	claim(&self->t, 0);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	send_bytes(&self->t, 0, cmd, sizeof(cmd));	/* 8 too many */
	EXPECT_EQ(TIS_BUFSIZE, self->t.len);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);
	ASSERT_EQ(1, self->f.executed);
	EXPECT_EQ(TIS_BUFSIZE, self->f.cmd_len);
	EXPECT_EQ(0, memcmp(cmd, self->f.cmd, TIS_BUFSIZE));
}

TEST_F(tis, go_before_the_command_is_complete_is_ignored)
{
	claim(&self->t, 0);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);		/* idle */
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);		/* ready */
	send_bytes(&self->t, 0, getrandom, 4);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);		/* no header */
	send_bytes(&self->t, 0, getrandom + 4, 6);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);		/* 10 of 12 */
	EXPECT_EQ(0, self->f.executed);
	/* two actions in one STS write: ignored */
	send_bytes(&self->t, 0, getrandom + 10, 2);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO | TIS_STS_COMMAND_READY);
	EXPECT_EQ(0, self->f.executed);
	EXPECT_EQ(TIS_RECEPTION, self->t.state);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);
	EXPECT_EQ(1, self->f.executed);
}

TEST_F(tis, partial_register_reads)
{
	uint32_t sts;

	claim(&self->t, 0);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	sts = rd(&self->t, 0, TIS_STS, 4);
	EXPECT_EQ(sts & 0xff, rd(&self->t, 0, TIS_STS, 1));
	EXPECT_EQ((sts >> 8) & 0xff, rd(&self->t, 0, TIS_STS + 1, 1));
	EXPECT_EQ((sts >> 8) & 0xffff, rd(&self->t, 0, TIS_STS + 1, 2));
	EXPECT_EQ(sts >> 24, rd(&self->t, 0, TIS_STS + 3, 1));
	/* an access straddling two registers takes each byte from its own */
	EXPECT_EQ((TIS_INTF_CAPS >> 16) | (sts & 0xffff) << 16,
		  rd(&self->t, 0, TIS_INTF_CAPABILITY + 2, 4));
	EXPECT_EQ(0x1014u, rd(&self->t, 3, TIS_DID_VID, 2));
	EXPECT_EQ(0x0001u, rd(&self->t, 3, TIS_DID_VID + 2, 2));
	EXPECT_EQ(0xffu, rd(&self->t, 0, 0x40, 1));	/* reserved */
}

TEST_F(tis, bad_sizes_and_offsets)
{
	uint32_t v = 0;

	EXPECT_EQ(-EINVAL, tis_mmio_read(&self->t, 0, 3, &v));
	EXPECT_EQ(0xffffffffu, v);
	EXPECT_EQ(-EINVAL, tis_mmio_read(&self->t, 0, 8, &v));
	EXPECT_EQ(-EINVAL, tis_mmio_read(&self->t, 0, 0, &v));
	EXPECT_EQ(-EINVAL, tis_mmio_read(&self->t, TIS_SIZE, 1, &v));
	EXPECT_EQ(-EINVAL, tis_mmio_read(&self->t, TIS_PAGE - 2, 4, &v));
	EXPECT_EQ(-EINVAL, tis_mmio_write(&self->t, TIS_SIZE - 1, 2, 0));
	EXPECT_EQ(-EINVAL, tis_mmio_write(&self->t, 0xffffffff, 4, 0));
	EXPECT_EQ(0, tis_mmio_read(&self->t, TIS_SIZE - 4, 4, &v));
}

/* every offset and width, reads and writes of all-ones and patterns */
TEST_F(tis, every_offset_and_width)
{
	static const uint32_t pat[] = { 0, 0xffffffff, 0x5a5aa5a5,
					0x000000ff };
	uint32_t off, v;
	unsigned int size, p;
	int ret;

	claim(&self->t, 0);
	for (p = 0; p < 4; p++) {
		for (off = 0; off < TIS_SIZE + 8; off++) {
			for (size = 0; size <= 8; size++) {
				ret = tis_mmio_read(&self->t, off, size, &v);
				if (ret)
					ASSERT_EQ(0xffffffffu, v);
				tis_mmio_write(&self->t, off, size, pat[p]);
				ASSERT_LE(self->t.len, TIS_BUFSIZE);
				ASSERT_LE(self->t.pos, self->t.len);
				ASSERT_LE(self->t.state, TIS_COMPLETION);
				ASSERT_GE(self->t.active, -1);
				ASSERT_LT(self->t.active, 4);
			}
		}
	}
}

TEST_F(tis, interrupts)
{
	claim(&self->t, 0);
	wr(&self->t, 0, TIS_INT_VECTOR, 1, 0xfb);
	EXPECT_EQ(0x0bu, rd(&self->t, 0, TIS_INT_VECTOR, 1));
	wr(&self->t, 0, TIS_INT_ENABLE, 4, TIS_INT_GLOBAL_ENABLE |
	   TIS_INT_DATA_AVAIL | 0x7f00);
	EXPECT_EQ(TIS_INT_GLOBAL_ENABLE | TIS_INT_DATA_AVAIL,
		  rd(&self->t, 0, TIS_INT_ENABLE, 4));
	EXPECT_EQ(0, self->f.irq_level);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	send_bytes(&self->t, 0, getrandom, sizeof(getrandom));
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);
	EXPECT_EQ(1, self->f.irq_level);
	EXPECT_EQ(0x0bu, self->f.irq_line);	/* the SIRQ the guest chose */
	EXPECT_NE(0, rd(&self->t, 0, TIS_INT_STATUS, 4) & TIS_INT_DATA_AVAIL);
	wr(&self->t, 0, TIS_INT_STATUS, 4, TIS_INT_ALL);	/* W1C */
	EXPECT_EQ(0u, rd(&self->t, 0, TIS_INT_STATUS, 4));
	EXPECT_EQ(0, self->f.irq_level);
	EXPECT_EQ(0x0bu, self->f.irq_line);
	EXPECT_EQ(2, self->f.irq_changes);
}

/* the platform's SIRQ: what every locality's vector reads after a reset */
TEST_F(tis, platform_sirq)
{
	unsigned int l;

	EXPECT_EQ(0u, rd(&self->t, 0, TIS_INT_VECTOR, 1));
	EXPECT_EQ(-EINVAL, tis_set_sirq(&self->t, 16));
	ASSERT_EQ(0, tis_set_sirq(&self->t, 5));
	for (l = 0; l < TIS_LOCALITIES; l++)
		EXPECT_EQ(5u, rd(&self->t, l, TIS_INT_VECTOR, 1));
	claim(&self->t, 0);
	wr(&self->t, 0, TIS_INT_VECTOR, 1, 9);
	EXPECT_EQ(9u, rd(&self->t, 0, TIS_INT_VECTOR, 1));
	tis_reset(&self->t);
	EXPECT_EQ(5u, rd(&self->t, 0, TIS_INT_VECTOR, 1));
}

/* a new TPM_INT_VECTOR while asserted: the old line drops, the new rises */
TEST_F(tis, interrupt_vector_moves_while_asserted)
{
	claim(&self->t, 0);
	wr(&self->t, 0, TIS_INT_VECTOR, 1, 5);
	wr(&self->t, 0, TIS_INT_ENABLE, 4, TIS_INT_GLOBAL_ENABLE |
	   TIS_INT_DATA_AVAIL);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	send_bytes(&self->t, 0, getrandom, sizeof(getrandom));
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);
	EXPECT_EQ(1, self->f.irq_level);
	EXPECT_EQ(5u, self->f.irq_line);
	EXPECT_EQ(1, self->f.irq_changes);
	wr(&self->t, 0, TIS_INT_VECTOR, 1, 7);
	EXPECT_EQ(1, self->f.irq_level);
	EXPECT_EQ(7u, self->f.irq_line);
	EXPECT_EQ(3, self->f.irq_changes);	/* 5 down, 7 up */
	wr(&self->t, 0, TIS_INT_STATUS, 4, TIS_INT_ALL);
	EXPECT_EQ(0, self->f.irq_level);
	EXPECT_EQ(7u, self->f.irq_line);
}

TEST_F(tis, reset_establishment_from_locality_3_only)
{
	claim(&self->t, 0);
	wr(&self->t, 0, TIS_STS + 3, 1, TIS_STS_RESET_ESTABLISHMENT >> 24);
	EXPECT_EQ(0, self->f.est_resets);
	wr(&self->t, 3, TIS_ACCESS, 1, TIS_ACCESS_SEIZE);
	wr(&self->t, 3, TIS_STS, 4, TIS_STS_RESET_ESTABLISHMENT);
	EXPECT_EQ(1, self->f.est_resets);
}

TEST_F(tis, bad_engine_responses_become_failures)
{
	self->f.rsp_len = 4;
	claim(&self->t, 0);
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	send_bytes(&self->t, 0, getrandom, sizeof(getrandom));
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);
	EXPECT_EQ(10u, (rd(&self->t, 0, TIS_STS, 4) >> 8) & 0xffff);
	rd(&self->t, 0, TIS_DATA_FIFO, 4);
	rd(&self->t, 0, TIS_DATA_FIFO, 4);
	EXPECT_EQ(0x0101u, rd(&self->t, 0, TIS_DATA_FIFO, 2));	/* FAILURE */
	self->f.rsp_len = TIS_BUFSIZE + 1;
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_COMMAND_READY);
	send_bytes(&self->t, 0, getrandom, sizeof(getrandom));
	wr(&self->t, 0, TIS_STS, 1, TIS_STS_GO);
	EXPECT_EQ(10u, (rd(&self->t, 0, TIS_STS, 4) >> 8) & 0xffff);
}

TEST_F(tis, save_and_restore)
{
	static uint8_t blob[TIS_SAVE_SIZE];
	struct tis t2;
	bool exec = true;
	uint32_t i;

	claim(&self->t, 1);
	wr(&self->t, 1, TIS_INT_ENABLE, 4, TIS_INT_COMMAND_READY);
	wr(&self->t, 1, TIS_STS, 1, TIS_STS_COMMAND_READY);
	send_bytes(&self->t, 1, getrandom, 7);
	ASSERT_EQ(TIS_SAVE_SIZE, tis_save(&self->t, blob, sizeof(blob)));
	tis_init(&t2, &fops, &self->f);
	self->f.tis = &t2;
	ASSERT_EQ(0, tis_restore(&t2, blob, sizeof(blob), &exec));
	EXPECT_FALSE(exec);
	EXPECT_EQ(1, t2.active);
	EXPECT_EQ(TIS_INT_COMMAND_READY, rd(&t2, 1, TIS_INT_ENABLE, 4));
	send_bytes(&t2, 1, getrandom + 7, 5);
	wr(&t2, 1, TIS_STS, 1, TIS_STS_GO);
	ASSERT_EQ(1, self->f.executed);
	EXPECT_EQ(0, memcmp(getrandom, self->f.cmd, 12));
	/* every single corrupted field of interest is refused */
	for (i = 8; i < 64; i++) {
		uint8_t saved = blob[i];

		blob[i] = 0xee;
		EXPECT_EQ(-EINVAL, tis_restore(&t2, blob, sizeof(blob), NULL))
			TH_LOG("byte %u accepted", i);
		blob[i] = saved;
	}
	blob[0] ^= 1;
	EXPECT_EQ(-EINVAL, tis_restore(&t2, blob, sizeof(blob), NULL));
	blob[0] ^= 1;
	EXPECT_EQ(-EINVAL, tis_restore(&t2, blob, sizeof(blob) - 1, NULL));
}

TEST_HARNESS_MAIN
