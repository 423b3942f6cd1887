/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest-state store: a file on the host holding named blobs for the
 * paravisor (the role VMGS plays for OpenHCL).  docs/hostchan.md has the
 * layout; in short, all little endian:
 *
 *   header (64 bytes)
 *     0  magic "HCLVMGS\0"     8  u32 version (1)    12 u32 count
 *     16 u64 file size        24 u32 directory CRC  28 u32 header CRC
 *     32 reserved, zero (the header CRC covers bytes 0..63 with its own
 *        field taken as zero)
 *   directory: count entries of 64 bytes
 *     0  name, 48 bytes, NUL-padded (1..47 printable bytes)
 *     48 u32 offset   52 u32 size   56 u32 data CRC   60 u32 reserved
 *   data: each blob at its offset, in directory order, back to back
 *
 * Rules a reader checks: magic, version, sizes (the file is exactly
 * file size bytes), both CRCs, every entry's name, bounds and CRC,
 * names unique.  A store that fails is reported, never reset.
 * Written whole to a temporary file, fsync'ed and renamed over the old
 * one (then the directory fsync'ed): a crash leaves the old or the new.
 */
#ifndef HCL_VMGS_H
#define HCL_VMGS_H

#include <stddef.h>
#include <stdint.h>

#define VMGS_MAGIC		"HCLVMGS"
#define VMGS_VERSION		1u
#define VMGS_HDR_SIZE		64u
#define VMGS_ENTRY_SIZE		64u
#define VMGS_NAME_MAX		47u	/* without the NUL */
#define VMGS_MAX_BLOBS		64u
#define VMGS_MAX_BLOB		(1u << 20)

struct vmgs_blob {
	char name[VMGS_NAME_MAX + 1];
	uint8_t *data;
	uint32_t size;
};

struct vmgs {
	unsigned int count;
	struct vmgs_blob blob[VMGS_MAX_BLOBS];
};

/* true if @name is a valid blob name (1..47 printable, no '/') */
int vmgs_name_ok(const char *name);

/*
 * Parses @len bytes into @s (blobs copied).  0, or -1 with one line in
 * @err.  Safe on any input.
 */
int vmgs_parse(const uint8_t *buf, size_t len, struct vmgs *s, char *err,
	       size_t errlen);

/* the file's bytes for @s (malloc'ed, *len set), NULL on failure */
uint8_t *vmgs_serialize(const struct vmgs *s, size_t *len);

/* the blob @name or NULL */
const struct vmgs_blob *vmgs_find(const struct vmgs *s, const char *name);

/* adds or replaces @name; 0, or -1 (bad name, too big, too many) */
int vmgs_set(struct vmgs *s, const char *name, const void *data,
	     uint32_t size);

void vmgs_free(struct vmgs *s);

/*
 * The file at @path: 1 with @s filled, 0 if it does not exist (@s
 * empty), -1 with @err if it cannot be read or fails its checks.
 */
int vmgs_load(const char *path, struct vmgs *s, char *err, size_t errlen);

/* writes @s to @path atomically (temp, fsync, rename); 0 or -1 + @err */
int vmgs_save(const char *path, const struct vmgs *s, char *err,
	      size_t errlen);

/*
 * Blobs arriving in chunks (the channel's STORE_PUT): each transfer is
 * assembled here, apart from the store, and handed over only when its
 * last chunk is in and the CRC of the whole matches, so a transfer cut
 * short never changes a stored blob.  A few transfers (of different
 * names) may be open at once; a new one beyond that evicts the one
 * touched longest ago, whose next chunk is then refused.
 */
#define VMGS_UPLOADS		4

struct vmgs_upload {
	char name[VMGS_NAME_MAX + 1];	/* "": a free slot */
	uint32_t size, crc, have;
	uint8_t *buf;
	uint64_t touched;
};

struct vmgs_uploads {
	struct vmgs_upload slot[VMGS_UPLOADS];
	uint64_t clock;
};

/*
 * One chunk of blob @name: @len bytes at @off of a blob of @size bytes
 * whose CRC-32 is @crc.  Returns 0 when more chunks are expected (*have
 * set), 1 when the blob is complete and sound (*have == @size; *data
 * is the malloc'ed blob, the caller's to store and free; the transfer
 * is closed), or -enum hostchan_err with a message in @err; the
 * transfer is then dropped (the next chunk must start at 0 again).
 * @size above @max is HOSTCHAN_E_TOOBIG.
 */
int vmgs_upload_chunk(struct vmgs_uploads *u, const char *name,
		      uint32_t size, uint32_t crc, uint32_t off,
		      const uint8_t *chunk, uint32_t len, uint32_t max,
		      uint32_t *have, uint8_t **data, char *err,
		      size_t errlen);

void vmgs_uploads_free(struct vmgs_uploads *u);

#endif
