/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TPM's FIFO register interface (TCG PC Client Platform TPM Profile,
 * "TIS"): five localities of 4 KiB each from TIS_BASE.  A pure register
 * model: the command it collects is handed to an engine through
 * tis_ops.execute, which may answer at once or later with
 * tis_command_done(); register reads are always answered at once.
 *
 * Every access at every offset and width has a defined outcome:
 *   - 1, 2 or 4 bytes inside one locality page: bytes are taken in
 *     increasing address order, each from the register it belongs to
 *     (DATA_FIFO 0x24-0x27 and XDATA_FIFO 0x80-0xbf move one byte each);
 *   - unknown offsets read 0xff and ignore writes;
 *   - any other size, or an access crossing a page or past the window:
 *     -EINVAL, reads give all ones, writes change nothing.
 */
#ifndef HCL_TIS_H
#define HCL_TIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIS_BASE		0xfed40000ULL
#define TIS_LOCALITIES		5
#define TIS_PAGE		0x1000u
#define TIS_SIZE		(TIS_LOCALITIES * TIS_PAGE)
#define TIS_BUFSIZE		4096u

/* register offsets inside a locality page */
#define TIS_ACCESS		0x00
#define TIS_INT_ENABLE		0x08
#define TIS_INT_VECTOR		0x0c
#define TIS_INT_STATUS		0x10
#define TIS_INTF_CAPABILITY	0x14
#define TIS_STS			0x18
#define TIS_DATA_FIFO		0x24
#define TIS_INTERFACE_ID	0x30
#define TIS_XDATA_FIFO		0x80
#define TIS_XDATA_FIFO_END	0xc0
#define TIS_DID_VID		0xf00
#define TIS_RID			0xf04

/* TPM_ACCESS */
#define TIS_ACCESS_ESTABLISHMENT	0x01	/* 1: not established */
#define TIS_ACCESS_REQUEST_USE		0x02
#define TIS_ACCESS_PENDING_REQUEST	0x04
#define TIS_ACCESS_SEIZE		0x08
#define TIS_ACCESS_BEEN_SEIZED		0x10
#define TIS_ACCESS_ACTIVE_LOCALITY	0x20
#define TIS_ACCESS_VALID		0x80

/* TPM_INT_ENABLE / TPM_INT_STATUS */
#define TIS_INT_DATA_AVAIL		0x00000001u
#define TIS_INT_STS_VALID		0x00000002u
#define TIS_INT_LOCALITY_CHANGE		0x00000004u
#define TIS_INT_COMMAND_READY		0x00000080u
#define TIS_INT_ALL			0x00000087u
#define TIS_INT_POLARITY_MASK		0x00000018u
#define TIS_INT_GLOBAL_ENABLE		0x80000000u

/* TPM_STS */
#define TIS_STS_RESPONSE_RETRY		0x00000002u
#define TIS_STS_SELFTEST_DONE		0x00000004u
#define TIS_STS_EXPECT			0x00000008u
#define TIS_STS_DATA_AVAIL		0x00000010u
#define TIS_STS_GO			0x00000020u
#define TIS_STS_COMMAND_READY		0x00000040u
#define TIS_STS_VALID			0x00000080u
#define TIS_STS_BURST_SHIFT		8
#define TIS_STS_COMMAND_CANCEL		0x01000000u
#define TIS_STS_RESET_ESTABLISHMENT	0x02000000u
#define TIS_STS_FAMILY_TPM2		0x04000000u

/* identity: IBM's vendor id as libtpms-based TPMs report it */
#define TIS_VID			0x1014
#define TIS_DID			0x0001
#define TIS_RID_VALUE		0x01

/* TPM_INTF_CAPABILITY: the interrupts below, low level, dynamic burst
 * count, 64-byte transfers, interface version 1.3 for TPM 2.0 */
#define TIS_INTF_CAPS		(TIS_INT_DATA_AVAIL | TIS_INT_STS_VALID | \
				 TIS_INT_LOCALITY_CHANGE | \
				 TIS_INT_COMMAND_READY | 0x00000010u | \
				 (3u << 9) | (3u << 28))
/* TPM_INTERFACE_ID: FIFO interface (type 0, version 0), localities,
 * 64-byte transfers, FIFO capable, selector locked to FIFO, RID */
#define TIS_INTERFACE_ID_VALUE	((1u << 8) | (3u << 11) | (1u << 13) | \
				 (1u << 19) | ((uint32_t)TIS_RID_VALUE << 24))

enum tis_state {
	TIS_IDLE,
	TIS_READY,
	TIS_RECEPTION,
	TIS_EXECUTION,
	TIS_COMPLETION,
};

struct tis_ops {
	/*
	 * Run a command: cmd/len stay valid and unchanged until
	 * tis_command_done() (which may be called from inside execute).
	 */
	void (*execute)(void *arg, const uint8_t *cmd, uint32_t len,
			unsigned int locality);
	/* STS.commandCancel during execution; the command still completes */
	void (*cancel)(void *arg);
	/*
	 * The interrupt output changed: @line is the SIRQ the active
	 * locality's TPM_INT_VECTOR names (0-15), @level 1 asserted.  A
	 * new vector while asserted lowers the old line first.
	 */
	void (*irq)(void *arg, unsigned int line, int level);
	/*
	 * TPM_ACCESS.tpmEstablishment (true: established) and its reset
	 * (STS.resetEstablishment from locality 3, never during execution)
	 */
	bool (*established)(void *arg);
	void (*reset_establishment)(void *arg, unsigned int locality);
};

struct tis {
	const struct tis_ops *ops;
	void *arg;

	enum tis_state state;
	int active;			/* -1: no locality active */
	uint8_t pending;		/* bit per locality: requestUse */
	uint8_t seized;			/* bit per locality: beenSeized */
	bool abort_pending;		/* drop the response in execution */
	enum tis_state abort_state;	/* ...and land here */
	bool oversize;			/* header size beyond the buffer */
	int irq_level;
	uint8_t irq_line;		/* the line irq_level is on */
	uint8_t sirq;			/* TPM_INT_VECTOR after a reset */
	unsigned int cmd_locality;

	uint32_t int_enable[TIS_LOCALITIES];
	uint32_t int_status[TIS_LOCALITIES];
	uint8_t int_vector[TIS_LOCALITIES];

	uint32_t len;			/* bytes received / response length */
	uint32_t expect;		/* command size from the header, 0: not yet */
	uint32_t pos;			/* response read position */
	uint8_t buf[TIS_BUFSIZE];

	/* counters */
	uint64_t commands;
	uint64_t aborts;
	uint64_t rejected;
};

void tis_init(struct tis *tis, const struct tis_ops *ops, void *arg);
/* power-on reset: no locality, idle, interrupts off */
void tis_reset(struct tis *tis);
/*
 * The SIRQ the platform wired the TPM to (as firmware would program
 * it): every locality's TPM_INT_VECTOR reads it after a reset, so a
 * driver without ACPI probes that line alone.  0: none.  -EINVAL above 15.
 */
int tis_set_sirq(struct tis *tis, unsigned int sirq);

/* offset is relative to TIS_BASE; 0 or -EINVAL (see above) */
int tis_mmio_read(struct tis *tis, uint32_t offset, unsigned int size,
		  uint32_t *val);
int tis_mmio_write(struct tis *tis, uint32_t offset, unsigned int size,
		   uint32_t val);

/*
 * The engine's answer to the command of the last execute.  A response
 * larger than the buffer becomes TPM_RC_FAILURE.  Returns 0, or -EINVAL
 * when no command is executing (the call is then ignored).
 */
int tis_command_done(struct tis *tis, const uint8_t *rsp, uint32_t len);

/* the STS value of the active locality (for tests and tracing) */
uint32_t tis_sts(const struct tis *tis);

/*
 * Register state as a fixed little-endian blob (the command or response
 * buffer included); restore validates every field.  A command in
 * execution is saved as "execution" and must be completed again by the
 * engine after restore (tis_restore reports it through *executing).
 */
#define TIS_SAVE_MAGIC		0x53495448u	/* "HTIS" */
#define TIS_SAVE_VERSION	1u
#define TIS_SAVE_SIZE		(64 + 12 * TIS_LOCALITIES + TIS_BUFSIZE)
size_t tis_save(const struct tis *tis, uint8_t *blob, size_t size);
int tis_restore(struct tis *tis, const uint8_t *blob, size_t size,
		bool *executing);

#endif
