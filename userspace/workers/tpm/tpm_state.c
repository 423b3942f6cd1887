// SPDX-License-Identifier: GPL-2.0
/* vTPM state files: header, CRC and atomic replacement (tpm_state.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tpm_state.h"

uint32_t tpm_crc32(const void *data, uint32_t len)
{
	static uint32_t table[256];
	const uint8_t *p = data;
	uint32_t crc = 0xffffffff;
	uint32_t i, j, c;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			c = i;
			for (j = 0; j < 8; j++)
				c = (c & 1) ? 0xedb88320 ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

int tpm_state_kind(const char *name)
{
	if (!strcmp(name, "permall"))
		return TPM_STATE_PERMANENT;
	if (!strcmp(name, "volatilestate"))
		return TPM_STATE_VOLATILE;
	if (!strcmp(name, "savestate"))
		return TPM_STATE_SAVESTATE;
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int tpm_state_write(int dirfd, const char *name, int kind, uint64_t gen,
		    const void *data, uint32_t len, bool durable)
{
	uint8_t hdr[TPM_STATE_HDR_SIZE] = { 0 };
	char tmp[64];
	int fd, ret;

	if (len > TPM_STATE_MAX || strlen(name) > 40)
		return -EINVAL;
	put32(hdr, TPM_STATE_MAGIC);
	put16(hdr + 4, TPM_STATE_VERSION);
	put16(hdr + 6, kind);
	put32(hdr + 8, len);
	put32(hdr + 12, tpm_crc32(data, len));
	put32(hdr + 16, (uint32_t)gen);
	put32(hdr + 20, (uint32_t)(gen >> 32));
	put32(hdr + 28, tpm_crc32(hdr, 28));

	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	ret = write_all(fd, hdr, sizeof(hdr));
	if (!ret)
		ret = write_all(fd, data, len);
	if (!ret && durable && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && renameat(dirfd, tmp, dirfd, name))
		ret = -errno;
	if (ret) {
		unlinkat(dirfd, tmp, 0);
		return ret;
	}
	if (durable && fsync(dirfd))
		return -errno;
	return 0;
}

int tpm_state_read(int dirfd, const char *name, int kind, void **data,
		   uint32_t *len, uint64_t *gen, const char **why)
{
	uint8_t hdr[TPM_STATE_HDR_SIZE];
	const char *dummy;
	uint8_t *buf = NULL, extra;
	uint32_t n;
	ssize_t got;
	int fd, ret = -EBADMSG;

	if (!why)
		why = &dummy;
	*why = NULL;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	got = pread(fd, hdr, sizeof(hdr), 0);
	if (got < 0) {
		ret = -errno;
		goto out;
	}
	if (got != sizeof(hdr)) {
		*why = "truncated header";
		goto out;
	}
	if (get32(hdr) != TPM_STATE_MAGIC) {
		*why = "bad magic";
		goto out;
	}
	if (get32(hdr + 28) != tpm_crc32(hdr, 28)) {
		*why = "header checksum mismatch";
		goto out;
	}
	if ((get32(hdr + 4) & 0xffff) != TPM_STATE_VERSION) {
		*why = "unknown version";
		goto out;
	}
	if ((int)(get32(hdr + 4) >> 16) != kind) {
		*why = "wrong kind of state";
		goto out;
	}
	n = get32(hdr + 8);
	if (n > TPM_STATE_MAX || get32(hdr + 24)) {
		*why = "bad length or reserved field";
		goto out;
	}
	buf = malloc(n ? n : 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	got = pread(fd, buf, n, sizeof(hdr));
	if (got < 0) {
		ret = -errno;
		goto out;
	}
	if ((uint32_t)got != n) {
		*why = "truncated payload";
		goto out;
	}
	if (pread(fd, &extra, 1, sizeof(hdr) + (off_t)n) != 0) {
		*why = "trailing bytes";
		goto out;
	}
	if (tpm_crc32(buf, n) != get32(hdr + 12)) {
		*why = "payload checksum mismatch";
		goto out;
	}
	*data = buf;
	*len = n;
	if (gen)
		*gen = get32(hdr + 16) | (uint64_t)get32(hdr + 20) << 32;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

int tpm_state_delete(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0)) {
		if (errno == ENOENT)
			return 0;
		return -errno;
	}
	return fsync(dirfd) ? -errno : 0;
}
