/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vTPM state files: one file per libtpms blob ("permall", "volatilestate",
 * "savestate") in the worker's state directory, each with a header:
 *
 *   0  u32 magic "HTPS"     16 u64 generation (grows with every write)
 *   4  u16 version (1)      24 u32 reserved, zero
 *   6  u16 kind             28 u32 CRC32 of bytes 0..27
 *   8  u32 payload length
 *  12  u32 CRC32 of the payload
 *
 * all little endian, followed by the payload.  Writes are atomic: a
 * temporary file in the same directory, renamed over the old one, so a
 * process killed at any point leaves the old or the new file, never a
 * mix.  A durable write also survives power loss: fsync of the file
 * before the rename and of the directory after it.  A truncated or
 * corrupt file is reported (-EBADMSG), never taken for an absent one.
 */
#ifndef HCL_TPM_STATE_H
#define HCL_TPM_STATE_H

#include <stdbool.h>
#include <stdint.h>

#define TPM_STATE_MAGIC		0x53505448u	/* "HTPS" */
#define TPM_STATE_VERSION	1
#define TPM_STATE_HDR_SIZE	32
#define TPM_STATE_MAX		(1u << 20)

enum tpm_state_kind {
	TPM_STATE_PERMANENT = 1,
	TPM_STATE_VOLATILE = 2,
	TPM_STATE_SAVESTATE = 3,
};

uint32_t tpm_crc32(const void *data, uint32_t len);

/* the kind a libtpms name maps to, 0 for an unknown name */
int tpm_state_kind(const char *name);

int tpm_state_write(int dirfd, const char *name, int kind, uint64_t gen,
		    const void *data, uint32_t len, bool durable);
/*
 * 0 with *data (malloc'd; free it) and *len, -ENOENT when there is no
 * file, -EBADMSG when it is truncated, corrupt or of another kind
 * (*why says which), another -errno on I/O errors.
 */
int tpm_state_read(int dirfd, const char *name, int kind, void **data,
		   uint32_t *len, uint64_t *gen, const char **why);
/* unlink and fsync the directory; 0 also when there was no file */
int tpm_state_delete(int dirfd, const char *name);

#endif
