// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: the guest-state store's file (tools/hclctl/vmgs.c):
 * round trips, atomic saves, and every kind of damage refused with a
 * message (never read as an empty store); blobs arriving in chunks,
 * handed over whole and checked or not at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostchan.h"
#include "kselftest_harness.h"
#include "vmgs.h"

static struct vmgs s, t;
static char err[512];

static uint8_t *sample(size_t *len)
{
	vmgs_free(&s);
	if (vmgs_set(&s, "openvmm_hcl.boots", "\2\0\0\0\0\0\0\0", 8) ||
	    vmgs_set(&s, "tpm.permall", "tpm-state-bytes", 15) ||
	    vmgs_set(&s, "empty", NULL, 0))
		return NULL;
	return vmgs_serialize(&s, len);
}

TEST(roundtrip)
{
	size_t len;
	uint8_t *buf = sample(&len);

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, vmgs_parse(buf, len, &t, err, sizeof(err)));
	ASSERT_EQ(3u, t.count);
	EXPECT_STREQ("tpm.permall", t.blob[1].name);
	EXPECT_EQ(15u, t.blob[1].size);
	EXPECT_EQ(0, memcmp(t.blob[1].data, "tpm-state-bytes", 15));
	EXPECT_EQ(0u, vmgs_find(&t, "empty")->size);
	EXPECT_EQ(NULL, vmgs_find(&t, "nope"));
	vmgs_free(&t);
	free(buf);
}

TEST(replace_and_limits)
{
	size_t len;
	uint8_t *buf = sample(&len);
	char name[64];

	free(buf);
	ASSERT_EQ(0, vmgs_set(&s, "tpm.permall", "x", 1));
	EXPECT_EQ(3u, s.count);
	EXPECT_EQ(1u, vmgs_find(&s, "tpm.permall")->size);
	EXPECT_EQ(-1, vmgs_set(&s, "", "x", 1));
	EXPECT_EQ(-1, vmgs_set(&s, "a/b", "x", 1));
	EXPECT_EQ(-1, vmgs_set(&s, "with space", "x", 1));
	memset(name, 'n', 48);
	name[48] = 0;
	EXPECT_EQ(-1, vmgs_set(&s, name, "x", 1));
	EXPECT_EQ(-1, vmgs_set(&s, "big", NULL, VMGS_MAX_BLOB + 1));
	for (unsigned int i = s.count; i < VMGS_MAX_BLOBS; i++) {
		snprintf(name, sizeof(name), "b%u", i);
		ASSERT_EQ(0, vmgs_set(&s, name, "", 0));
	}
	EXPECT_EQ(-1, vmgs_set(&s, "one-too-many", "", 0));
}

/* every single-byte change and every truncation is refused */
TEST(damage_refused)
{
	size_t len;
	uint8_t *buf = sample(&len);

	ASSERT_NE(NULL, buf);
	for (size_t i = 0; i < len; i++) {
		buf[i] ^= 0x01;
		EXPECT_EQ(-1, vmgs_parse(buf, len, &t, err, sizeof(err)))
			TH_LOG("a flipped bit at %zu was accepted", i);
		EXPECT_NE(0, err[0]);
		EXPECT_EQ(0u, t.count);
		buf[i] ^= 0x01;
	}
	for (size_t n = 0; n < len; n++)
		EXPECT_EQ(-1, vmgs_parse(buf, n, &t, err, sizeof(err)));
	ASSERT_EQ(-1, vmgs_parse(buf, len - 1, &t, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "truncated"));
	free(buf);
}

TEST(save_load_atomic)
{
	char dir[] = "/tmp/vmgs-test-XXXXXX", path[128], tmp[140];
	struct stat st;
	size_t len;
	uint8_t *buf = sample(&len);
	FILE *f;

	free(buf);
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vmgs.bin", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	EXPECT_EQ(0, vmgs_load(path, &t, err, sizeof(err)));	/* none yet */
	ASSERT_EQ(0, vmgs_save(path, &s, err, sizeof(err)));
	EXPECT_NE(0, stat(tmp, &st));	/* the temporary file is gone */
	ASSERT_EQ(1, vmgs_load(path, &t, err, sizeof(err)));
	EXPECT_EQ(3u, t.count);
	vmgs_free(&t);
	/* a damaged file: refused with the path in the message */
	f = fopen(path, "r+");
	ASSERT_NE(NULL, f);
	fseek(f, 70, SEEK_SET);
	fputc('X', f);
	fclose(f);
	EXPECT_EQ(-1, vmgs_load(path, &t, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, path));
	EXPECT_NE(NULL, strstr(err, "checksum"));
	/* truncated */
	ASSERT_EQ(0, vmgs_save(path, &s, err, sizeof(err)));
	ASSERT_EQ(0, truncate(path, 100));
	EXPECT_EQ(-1, vmgs_load(path, &t, err, sizeof(err)));
	unlink(path);
	rmdir(dir);
}

TEST(other_version_refused)
{
	size_t len;
	uint8_t *buf = sample(&len);

	buf[8] = 2;
	ASSERT_EQ(-1, vmgs_parse(buf, len, &t, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "version 2"));
	free(buf);
}

/* ---- chunked uploads ------------------------------------------------------ */

static struct vmgs_uploads up;
static uint8_t big[10000];

static void fill(uint8_t seed)
{
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + seed);
}

/* one chunk of big[] (size @size, its CRC unless @crc); the return */
static int chunk(const char *name, uint32_t size, uint32_t crc, uint32_t off,
		 uint32_t len, uint32_t *have, uint8_t **data)
{
	return vmgs_upload_chunk(&up, name, size, crc, off, big + off, len,
				 HOSTCHAN_STORE_MAX, have, data, err,
				 sizeof(err));
}

TEST(upload_whole_only_at_the_last_chunk)
{
	uint32_t crc, have;
	uint8_t *data;

	fill(1);
	crc = hostchan_crc32(0, big, sizeof(big));
	for (uint32_t off = 0; off < 9000; off += 3000) {
		EXPECT_EQ(0, chunk("tpm.permall", 10000, crc, off, 3000, &have,
				   &data));
		EXPECT_EQ(off + 3000, have);
		EXPECT_EQ(NULL, data);
	}
	ASSERT_EQ(1, chunk("tpm.permall", 10000, crc, 9000, 1000, &have,
			   &data));
	EXPECT_EQ(10000u, have);
	ASSERT_NE(NULL, data);
	EXPECT_EQ(0, memcmp(data, big, sizeof(big)));
	free(data);
	/* the transfer is closed: a next chunk has nothing to continue */
	EXPECT_EQ(-HOSTCHAN_E_STATE, chunk("tpm.permall", 10000, crc, 10000, 0,
					   &have, &data));
	/* an empty blob is whole at once */
	EXPECT_EQ(1, vmgs_upload_chunk(&up, "empty", 0, 0, 0, NULL, 0,
				       HOSTCHAN_STORE_MAX, &have, &data, err,
				       sizeof(err)));
	free(data);
	vmgs_uploads_free(&up);
}

TEST(upload_bad_crc_hands_nothing_over)
{
	uint32_t crc, have;
	uint8_t *data;

	fill(2);
	crc = hostchan_crc32(0, big, sizeof(big));
	ASSERT_EQ(0, chunk("b", 10000, crc, 0, 5000, &have, &data));
	big[7000] ^= 1;			/* damaged on the way */
	EXPECT_EQ(-HOSTCHAN_E_PAYLOAD, chunk("b", 10000, crc, 5000, 5000,
					     &have, &data));
	EXPECT_EQ(NULL, data);
	EXPECT_NE(NULL, strstr(err, "CRC"));
	/* and the transfer is gone: it must start again at 0 */
	EXPECT_EQ(-HOSTCHAN_E_STATE, chunk("b", 10000, crc, 5000, 5000,
					   &have, &data));
	vmgs_uploads_free(&up);
}

TEST(upload_out_of_order_refused)
{
	uint32_t crc, have;
	uint8_t *data;

	fill(3);
	crc = hostchan_crc32(0, big, sizeof(big));
	/* no transfer yet */
	EXPECT_EQ(-HOSTCHAN_E_STATE, chunk("c", 10000, crc, 3000, 3000, &have,
					   &data));
	ASSERT_EQ(0, chunk("c", 10000, crc, 0, 3000, &have, &data));
	/* a chunk skipped, one repeated, another size, another CRC */
	EXPECT_EQ(-HOSTCHAN_E_STATE, chunk("c", 10000, crc, 6000, 3000, &have,
					   &data));
	ASSERT_EQ(0, chunk("c", 10000, crc, 0, 3000, &have, &data));
	EXPECT_EQ(-HOSTCHAN_E_STATE, chunk("c", 10000, crc, 0 + 2000, 1000,
					   &have, &data));
	ASSERT_EQ(0, chunk("c", 10000, crc, 0, 3000, &have, &data));
	EXPECT_EQ(-HOSTCHAN_E_STATE, chunk("c", 9999, crc, 3000, 3000, &have,
					   &data));
	ASSERT_EQ(0, chunk("c", 10000, crc, 0, 3000, &have, &data));
	EXPECT_EQ(-HOSTCHAN_E_STATE, chunk("c", 10000, crc ^ 1, 3000, 3000,
					   &have, &data));
	/* offset 0 again starts afresh and completes */
	ASSERT_EQ(0, chunk("c", 10000, crc, 0, 6000, &have, &data));
	ASSERT_EQ(0, chunk("c", 10000, crc, 0, 3000, &have, &data));
	EXPECT_EQ(3000u, have);
	ASSERT_EQ(1, chunk("c", 10000, crc, 3000, 7000, &have, &data));
	free(data);
	vmgs_uploads_free(&up);
}

TEST(upload_limits)
{
	uint32_t crc, have;
	uint8_t *data;

	fill(4);
	crc = hostchan_crc32(0, big, sizeof(big));
	EXPECT_EQ(-HOSTCHAN_E_TOOBIG, vmgs_upload_chunk(&up, "d", 10000, crc,
			0, big, 100, 9999, &have, &data, err, sizeof(err)));
	EXPECT_EQ(-HOSTCHAN_E_TOOBIG, vmgs_upload_chunk(&up, "d",
			VMGS_MAX_BLOB + 1, crc, 0, big, 100, UINT32_MAX,
			&have, &data, err, sizeof(err)));
	EXPECT_EQ(-HOSTCHAN_E_PAYLOAD, chunk("a/b", 10000, crc, 0, 100, &have,
					     &data));
	/* a chunk that runs past the declared size */
	EXPECT_EQ(-HOSTCHAN_E_PAYLOAD, vmgs_upload_chunk(&up, "d", 100, crc,
			0, big, 101, HOSTCHAN_STORE_MAX, &have, &data, err,
			sizeof(err)));
	ASSERT_EQ(0, chunk("d", 10000, crc, 0, 9000, &have, &data));
	EXPECT_EQ(-HOSTCHAN_E_PAYLOAD, chunk("d", 10000, crc, 9000, 1001,
					     &have, &data));
	vmgs_uploads_free(&up);
}

TEST(upload_evicts_the_oldest_transfer)
{
	uint32_t crc, have;
	uint8_t *data;
	char name[8];

	fill(5);
	crc = hostchan_crc32(0, big, sizeof(big));
	for (int i = 0; i <= VMGS_UPLOADS; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		ASSERT_EQ(0, chunk(name, 10000, crc, 0, 1000, &have, &data));
	}
	/* n0 was evicted; n1..n4 go on */
	EXPECT_EQ(-HOSTCHAN_E_STATE, chunk("n0", 10000, crc, 1000, 9000, &have,
					   &data));
	for (int i = 1; i <= VMGS_UPLOADS; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		ASSERT_EQ(1, chunk(name, 10000, crc, 1000, 9000, &have, &data));
		free(data);
	}
	vmgs_uploads_free(&up);
}

TEST_HARNESS_MAIN
