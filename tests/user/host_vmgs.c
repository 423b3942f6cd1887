// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: the guest-state store's file (tools/hclctl/vmgs.c):
 * round trips, atomic saves, and every kind of damage refused with a
 * message (never read as an empty store).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

TEST_HARNESS_MAIN
