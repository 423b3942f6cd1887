// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the TPM TIS register model (the guest's register
 * traffic, which reaches it unfiltered).  The input is a program of
 * register reads and writes at any offset, width and locality, engine
 * completions of any length (immediate or deferred), resets and
 * save/restore round trips, including restores of damaged blobs.  After
 * every step the model's invariants must hold, and a saved state must
 * restore and save again to the same bytes.
 *
 * `fuzz_tis --write-seed FILE` writes one complete command cycle.
 *
 * fuzz-build: tis
 * fuzz-seed: self
 * fuzz-run: max_len=4096 seconds=5
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tis.h"

static struct tis tis;
static bool defer, pending;
static const uint8_t *in_rsp;
static uint32_t in_rsp_len;

static void f_execute(void *arg, const uint8_t *cmd, uint32_t len,
		      unsigned int loc)
{
	(void)arg;
	/* only complete, in-range commands of their header's size run */
	if (len < 10 || len > TIS_BUFSIZE || loc > 3 ||
	    ((uint32_t)cmd[2] << 24 | (uint32_t)cmd[3] << 16 |
	     (uint32_t)cmd[4] << 8 | cmd[5]) != len)
		abort();
	if (defer) {
		pending = true;
		return;
	}
	tis_command_done(&tis, in_rsp, in_rsp_len);
}

static bool f_est(void *arg)
{
	(void)arg;
	return false;
}

static const struct tis_ops ops = { .execute = f_execute,
				    .established = f_est };

static void check(const struct tis *t)
{
	if (t->len > TIS_BUFSIZE || t->pos > t->len ||
	    t->state > TIS_COMPLETION || t->active < -1 || t->active > 3)
		abort();
	/* a deferred command keeps the model in execution until done */
	if (pending && t->state != TIS_EXECUTION)
		abort();
}

static void roundtrip(const uint8_t *d, size_t n)
{
	static uint8_t a[TIS_SAVE_SIZE], b[TIS_SAVE_SIZE];
	static struct tis copy;
	bool exec;

	if (tis_save(&tis, a, sizeof(a)) != TIS_SAVE_SIZE)
		abort();
	tis_init(&copy, &ops, NULL);
	if (tis_restore(&copy, a, sizeof(a), &exec) ||
	    exec != (tis.state == TIS_EXECUTION))
		abort();
	if (tis_save(&copy, b, sizeof(b)) != TIS_SAVE_SIZE ||
	    memcmp(a, b, sizeof(a)))
		abort();
	/* a damaged blob: refused, or a state that holds together */
	if (n >= 3) {
		a[(d[0] | d[1] << 8) % TIS_SAVE_SIZE] ^= d[2] | 1;
		tis_init(&copy, &ops, NULL);
		if (!tis_restore(&copy, a, sizeof(a), &exec)) {
			if (copy.len > TIS_BUFSIZE || copy.pos > copy.len ||
			    copy.state > TIS_COMPLETION || copy.active > 4)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t rsp[TIS_BUFSIZE + 64];
	size_t i = 0;
	uint32_t v, reg;

	tis_init(&tis, &ops, NULL);
	defer = false;
	pending = false;
	in_rsp = rsp;
	in_rsp_len = 16;
	while (i < size) {
		uint8_t op = data[i] & 7, loc = (data[i] >> 3) % 5;
		size_t left = size - i - 1;
		const uint8_t *a = data + i + 1;

		i++;
		switch (op) {
		case 0:		/* read anywhere */
			if (left < 3)
				return 0;
			reg = (a[0] | a[1] << 8) % 0x1010;
			tis_mmio_read(&tis, loc * TIS_PAGE + reg, a[2] % 9, &v);
			i += 3;
			break;
		case 1:		/* write anywhere */
			if (left < 7)
				return 0;
			reg = (a[0] | a[1] << 8) % 0x1010;
			memcpy(&v, a + 3, 4);
			tis_mmio_write(&tis, loc * TIS_PAGE + reg, a[2] % 9, v);
			i += 7;
			break;
		case 2:		/* the engine answers */
			if (left < 2)
				return 0;
			in_rsp_len = (a[0] | a[1] << 8) % (TIS_BUFSIZE + 64);
			if (pending) {
				pending = false;
				if (tis_command_done(&tis, rsp, in_rsp_len))
					abort();
			} else if (!tis_command_done(&tis, rsp, in_rsp_len)) {
				abort();
			}
			i += 2;
			break;
		case 3:		/* TPM_ACCESS */
			if (left < 1)
				return 0;
			tis_mmio_write(&tis, loc * TIS_PAGE + TIS_ACCESS, 1,
				       a[0]);
			i++;
			break;
		case 4:		/* TPM_STS */
			if (left < 1)
				return 0;
			tis_mmio_write(&tis, loc * TIS_PAGE + TIS_STS, 1, a[0]);
			i++;
			break;
		case 5:		/* a burst of FIFO bytes */
			if (left < 1)
				return 0;
			for (v = 0; v < a[0] && v + 1 < left; v++)
				tis_mmio_write(&tis, loc * TIS_PAGE +
					       TIS_DATA_FIFO, 1, a[1 + v]);
			i += 1 + v;
			break;
		case 6:
			roundtrip(a, left);
			i += left < 3 ? left : 3;
			break;
		case 7:
			if (left < 1)
				return 0;
			if (a[0] & 1) {
				tis_reset(&tis);
				pending = false;
			} else if (!pending) {
				defer = !defer;
			}
			i++;
			break;
		}
		check(&tis);
	}
	return 0;
}

static int write_seed(const char *path)
{
	static const uint8_t seed[] = {
		3, 0x02,			/* locality 0: requestUse */
		4, 0x40,			/* commandReady */
		5, 12, 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 8,
		4, 0x20,			/* tpmGo */
		0, 0x24, 0, 4, 0, 0x24, 0, 4,	/* read the response */
		0, 0x18, 0, 4,
		6, 0, 0, 0,			/* save/restore */
		7, 0,				/* deferred engine */
		4, 0x40, 5, 12, 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b,
		0, 8, 4, 0x20, 0, 0x18, 0, 4, 2, 20, 0,
		0x0b, 0x02,			/* locality 1 requests */
		3, 0x20,			/* locality 0 relinquishes */
	};
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(seed, 1, sizeof(seed), f) != sizeof(seed))
		return 1;
	return fclose(f) ? 1 : 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (*argc == 3 && !strcmp((*argv)[1], "--write-seed"))
		exit(write_seed((*argv)[2]));
	return 0;
}
