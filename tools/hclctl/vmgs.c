// SPDX-License-Identifier: GPL-2.0
/* The guest-state store's file format and its atomic writes (vmgs.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostchan.h"
#include "vmgs.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int vmgs_name_ok(const char *name)
{
	size_t n = strnlen(name, VMGS_NAME_MAX + 1);

	if (!n || n > VMGS_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (name[i] <= 0x20 || name[i] >= 0x7f || name[i] == '/')
			return 0;
	return 1;
}

/* the header's CRC: bytes 0..63 with the CRC field as zero */
static uint32_t header_crc(const uint8_t *h)
{
	uint8_t tmp[VMGS_HDR_SIZE];

	memcpy(tmp, h, sizeof(tmp));
	memset(tmp + 28, 0, 4);
	return hostchan_crc32(0, tmp, sizeof(tmp));
}

void vmgs_free(struct vmgs *s)
{
	for (unsigned int i = 0; i < s->count; i++)
		free(s->blob[i].data);
	memset(s, 0, sizeof(*s));
}

int vmgs_parse(const uint8_t *buf, size_t len, struct vmgs *s, char *err,
	       size_t errlen)
{
	uint32_t count, dirlen, off;
	uint64_t size;

	memset(s, 0, sizeof(*s));
	if (len < VMGS_HDR_SIZE)
		return fail(err, errlen, "%zu bytes, shorter than the %u-byte header",
			    len, VMGS_HDR_SIZE);
	if (memcmp(buf, VMGS_MAGIC, 8))
		return fail(err, errlen, "not a guest-state store (bad magic)");
	if (rd32(buf + 8) != VMGS_VERSION)
		return fail(err, errlen, "version %u, this host reads %u",
			    rd32(buf + 8), VMGS_VERSION);
	if (header_crc(buf) != rd32(buf + 28))
		return fail(err, errlen, "header checksum mismatch");
	for (unsigned int i = 32; i < VMGS_HDR_SIZE; i++)
		if (buf[i])
			return fail(err, errlen, "reserved header byte %u is not zero",
				    i);
	count = rd32(buf + 12);
	size = rd32(buf + 16) | (uint64_t)rd32(buf + 20) << 32;
	if (size != len)
		return fail(err, errlen, "truncated or extended: header says %llu bytes, file has %zu",
			    (unsigned long long)size, len);
	if (count > VMGS_MAX_BLOBS)
		return fail(err, errlen, "%u blobs, limit %u", count,
			    VMGS_MAX_BLOBS);
	dirlen = count * VMGS_ENTRY_SIZE;
	if (len - VMGS_HDR_SIZE < dirlen)
		return fail(err, errlen, "directory of %u entries past the end",
			    count);
	if (hostchan_crc32(0, buf + VMGS_HDR_SIZE, dirlen) != rd32(buf + 24))
		return fail(err, errlen, "directory checksum mismatch");
	off = VMGS_HDR_SIZE + dirlen;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = buf + VMGS_HDR_SIZE + i * VMGS_ENTRY_SIZE;
		struct vmgs_blob *b = &s->blob[i];
		uint32_t boff = rd32(e + 48), bsize = rd32(e + 52);

		if (e[VMGS_NAME_MAX] != 0 || rd32(e + 60))
			goto bad_entry;
		memcpy(b->name, e, VMGS_NAME_MAX + 1);
		for (size_t k = strlen(b->name); k <= VMGS_NAME_MAX; k++)
			if (e[k])
				goto bad_entry;
		if (!vmgs_name_ok(b->name))
			goto bad_entry;
		if (boff != off || bsize > VMGS_MAX_BLOB || bsize > len - off) {
			vmgs_free(s);
			return fail(err, errlen, "blob %s: %u bytes at %u outside the file",
				    b->name, bsize, boff);
		}
		if (hostchan_crc32(0, buf + off, bsize) != rd32(e + 56)) {
			char name[VMGS_NAME_MAX + 1];

			memcpy(name, b->name, sizeof(name));
			vmgs_free(s);
			return fail(err, errlen, "blob %s: checksum mismatch",
				    name);
		}
		for (uint32_t j = 0; j < i; j++)
			if (!strcmp(s->blob[j].name, b->name)) {
				vmgs_free(s);
				return fail(err, errlen, "blob %s listed twice",
					    b->name);
			}
		b->data = malloc(bsize ? bsize : 1);
		if (!b->data) {
			vmgs_free(s);
			return fail(err, errlen, "out of memory");
		}
		memcpy(b->data, buf + off, bsize);
		b->size = bsize;
		s->count = i + 1;
		off += bsize;
		continue;
bad_entry:
		vmgs_free(s);
		return fail(err, errlen, "directory entry %u: bad name or reserved field",
			    i);
	}
	if (off != len) {
		vmgs_free(s);
		return fail(err, errlen, "%zu bytes after the last blob",
			    len - off);
	}
	return 0;
}

uint8_t *vmgs_serialize(const struct vmgs *s, size_t *lenp)
{
	size_t len = VMGS_HDR_SIZE + (size_t)s->count * VMGS_ENTRY_SIZE;
	uint32_t off;
	uint8_t *buf;

	if (s->count > VMGS_MAX_BLOBS)
		return NULL;
	for (unsigned int i = 0; i < s->count; i++)
		len += s->blob[i].size;
	buf = calloc(1, len);
	if (!buf)
		return NULL;
	memcpy(buf, VMGS_MAGIC, 8);
	wr32(buf + 8, VMGS_VERSION);
	wr32(buf + 12, s->count);
	wr32(buf + 16, (uint32_t)len);
	wr32(buf + 20, (uint32_t)((uint64_t)len >> 32));
	off = VMGS_HDR_SIZE + s->count * VMGS_ENTRY_SIZE;
	for (unsigned int i = 0; i < s->count; i++) {
		uint8_t *e = buf + VMGS_HDR_SIZE + i * VMGS_ENTRY_SIZE;
		const struct vmgs_blob *b = &s->blob[i];

		memcpy(e, b->name, strlen(b->name));
		wr32(e + 48, off);
		wr32(e + 52, b->size);
		wr32(e + 56, hostchan_crc32(0, b->data, b->size));
		if (b->size)
			memcpy(buf + off, b->data, b->size);
		off += b->size;
	}
	wr32(buf + 24, hostchan_crc32(0, buf + VMGS_HDR_SIZE,
				      s->count * VMGS_ENTRY_SIZE));
	wr32(buf + 28, header_crc(buf));
	*lenp = len;
	return buf;
}

const struct vmgs_blob *vmgs_find(const struct vmgs *s, const char *name)
{
	for (unsigned int i = 0; i < s->count; i++)
		if (!strcmp(s->blob[i].name, name))
			return &s->blob[i];
	return NULL;
}

int vmgs_set(struct vmgs *s, const char *name, const void *data,
	     uint32_t size)
{
	struct vmgs_blob *b = (struct vmgs_blob *)vmgs_find(s, name);
	uint8_t *copy;

	if (!vmgs_name_ok(name) || size > VMGS_MAX_BLOB ||
	    (!b && s->count == VMGS_MAX_BLOBS))
		return -1;
	copy = malloc(size ? size : 1);
	if (!copy)
		return -1;
	if (size)
		memcpy(copy, data, size);
	if (!b) {
		b = &s->blob[s->count++];
		snprintf(b->name, sizeof(b->name), "%s", name);
	} else {
		free(b->data);
	}
	b->data = copy;
	b->size = size;
	return 0;
}

int vmgs_load(const char *path, struct vmgs *s, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	int fd, ret;
	size_t max = VMGS_HDR_SIZE + (size_t)VMGS_MAX_BLOBS *
		     (VMGS_ENTRY_SIZE + VMGS_MAX_BLOB);

	memset(s, 0, sizeof(*s));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		return fail(err, errlen, "%s: not a regular file of at most %zu bytes",
			    path, max);
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return fail(err, errlen, "%s: out of memory", path);
	}
	n = read(fd, buf, st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return fail(err, errlen, "%s: short read", path);
	}
	ret = vmgs_parse(buf, n, s, err, errlen);
	free(buf);
	if (ret) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err);
		return fail(err, errlen, "%s: %s", path, msg);
	}
	return 1;
}

int vmgs_save(const char *path, const struct vmgs *s, char *err,
	      size_t errlen)
{
	char tmp[4096], dir[4096];
	size_t len, done = 0;
	uint8_t *buf;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return fail(err, errlen, "%s: path too long", path);
	buf = vmgs_serialize(s, &len);
	if (!buf)
		return fail(err, errlen, "%s: out of memory", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(buf);
		return fail(err, errlen, "%s: %s", tmp, strerror(errno));
	}
	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			goto io;
		}
		done += n;
	}
	if (fsync(fd))
		goto io;
	if (close(fd)) {
		fd = -1;
		goto io;
	}
	free(buf);
	if (rename(tmp, path)) {
		int e = errno;

		unlink(tmp);
		return fail(err, errlen, "rename %s: %s", path, strerror(e));
	}
	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
io:
	{
		int e = errno;

		if (fd >= 0)
			close(fd);
		free(buf);
		unlink(tmp);
		return fail(err, errlen, "%s: %s", tmp, strerror(e));
	}
}

/* ---- chunked uploads ------------------------------------------------------ */

static void upload_drop(struct vmgs_upload *up)
{
	free(up->buf);
	memset(up, 0, sizeof(*up));
}

void vmgs_uploads_free(struct vmgs_uploads *u)
{
	for (unsigned int i = 0; i < VMGS_UPLOADS; i++)
		upload_drop(&u->slot[i]);
}

/* the open transfer of @name, or NULL */
static struct vmgs_upload *upload_find(struct vmgs_uploads *u,
				       const char *name)
{
	for (unsigned int i = 0; i < VMGS_UPLOADS; i++)
		if (u->slot[i].name[0] && !strcmp(u->slot[i].name, name))
			return &u->slot[i];
	return NULL;
}

/* a slot for a new transfer: a free one, else the one idle longest */
static struct vmgs_upload *upload_slot(struct vmgs_uploads *u)
{
	struct vmgs_upload *old = &u->slot[0];

	for (unsigned int i = 0; i < VMGS_UPLOADS; i++) {
		if (!u->slot[i].name[0])
			return &u->slot[i];
		if (u->slot[i].touched < old->touched)
			old = &u->slot[i];
	}
	upload_drop(old);
	return old;
}

static int upload_fail(struct vmgs_upload *up, int code, char *err,
		       size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int upload_fail(struct vmgs_upload *up, int code, char *err,
		       size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (up)
		upload_drop(up);
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -code;
}

int vmgs_upload_chunk(struct vmgs_uploads *u, const char *name,
		      uint32_t size, uint32_t crc, uint32_t off,
		      const uint8_t *chunk, uint32_t len, uint32_t max,
		      uint32_t *have, uint8_t **data, char *err,
		      size_t errlen)
{
	struct vmgs_upload *up;

	*have = 0;
	*data = NULL;
	if (!vmgs_name_ok(name))
		return upload_fail(NULL, HOSTCHAN_E_PAYLOAD, err, errlen,
				   "bad blob name");
	up = upload_find(u, name);
	if (!off) {
		if (size > max || size > VMGS_MAX_BLOB)
			return upload_fail(up, HOSTCHAN_E_TOOBIG, err, errlen,
					   "%s: %u bytes, the limit is %u",
					   name, size,
					   max < VMGS_MAX_BLOB ? max :
					   VMGS_MAX_BLOB);
		if (up)
			upload_drop(up);
		up = upload_slot(u);
		up->buf = malloc(size ? size : 1);
		if (!up->buf)
			return upload_fail(up, HOSTCHAN_E_IO, err, errlen,
					   "out of memory");
		snprintf(up->name, sizeof(up->name), "%s", name);
		up->size = size;
		up->crc = crc;
	} else if (!up || up->size != size || up->crc != crc ||
		   up->have != off) {
		return upload_fail(up, HOSTCHAN_E_STATE, err, errlen,
				   "%s: no transfer to continue at offset %u (start again at 0)",
				   name, off);
	}
	if (len > up->size - up->have)
		return upload_fail(up, HOSTCHAN_E_PAYLOAD, err, errlen,
				   "%s: %u bytes at %u run past its %u bytes",
				   name, len, off, up->size);
	if (len)
		memcpy(up->buf + up->have, chunk, len);
	up->have += len;
	up->touched = ++u->clock;
	*have = up->have;
	if (up->have < up->size)
		return 0;
	if (hostchan_crc32(0, up->buf, up->size) != up->crc)
		return upload_fail(up, HOSTCHAN_E_PAYLOAD, err, errlen,
				   "%s: the %u bytes received fail their CRC; the stored blob is unchanged",
				   name, up->size);
	*data = up->buf;
	up->buf = NULL;
	upload_drop(up);
	return 1;
}
