// SPDX-License-Identifier: GPL-2.0
/* The libtpms front end and its crash-safe state (tpm_engine.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <libtpms/tpm_nvfilename.h>
#include <libtpms/tpm_tis.h>

#include "tpm_engine.h"
#include "tpm_state.h"

#define TPM_RC_FAILURE	0x101

/*
 * libtpms is one global TPM; so is its front end.  All calls except
 * tpm_engine_cancel come from one thread at a time (the worker
 * serialises them).
 */
static struct {
	int dirfd;
	bool open;
	bool save_volatile;
	uint64_t gen;
	unsigned int locality;
	bool established;	/* cached: read by other threads */
	unsigned char *rspbuf;
	uint32_t rspbufsize;
	unsigned char *saved;	/* the volatile state on disk */
	uint32_t saved_len;
	uint8_t cmd[TPM_ENGINE_BUFSIZE];
	struct tpm_engine_stats stats;
	char error[256];
} eng = { .dirfd = -1 };

static void set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(eng.error, sizeof(eng.error), fmt, ap);
	va_end(ap);
}

const char *tpm_engine_error(void)
{
	return eng.error;
}

const struct tpm_engine_stats *tpm_engine_stats(void)
{
	return &eng.stats;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ---- libtpms callbacks --------------------------------------------------- */

static TPM_RESULT cb_nvram_init(void)
{
	return TPM_SUCCESS;
}

static TPM_RESULT cb_load(unsigned char **data, uint32_t *length,
			  uint32_t tpm_number, const char *name)
{
	int kind = tpm_state_kind(name);
	const char *why;
	void *buf;
	int ret;

	(void)tpm_number;
	if (!kind)
		return TPM_FAIL;
	ret = tpm_state_read(eng.dirfd, name, kind, &buf, length, NULL, &why);
	if (ret == -ENOENT)
		return TPM_RETRY;	/* libtpms: "no such state" */
	if (ret) {
		set_error("%s: %s", name, why ? why : strerror(-ret));
		return TPM_FAIL;
	}
	*data = buf;	/* libtpms frees it with free() */
	return TPM_SUCCESS;
}

static TPM_RESULT cb_store(const unsigned char *data, uint32_t length,
			   uint32_t tpm_number, const char *name)
{
	int kind = tpm_state_kind(name);
	int ret;

	(void)tpm_number;
	if (!kind)
		return TPM_FAIL;
	/* NV commits (permanent state) must survive power loss */
	ret = tpm_state_write(eng.dirfd, name, kind, ++eng.gen, data, length,
			      true);
	if (ret) {
		set_error("store %s: %s", name, strerror(-ret));
		return TPM_FAIL;
	}
	if (kind == TPM_STATE_PERMANENT)
		eng.stats.nv_writes++;
	return TPM_SUCCESS;
}

static TPM_RESULT cb_delete(uint32_t tpm_number, const char *name,
			    TPM_BOOL must_exist)
{
	(void)tpm_number;
	if (!tpm_state_kind(name))
		return TPM_FAIL;
	if (must_exist && faccessat(eng.dirfd, name, F_OK, 0))
		return TPM_FAIL;
	return tpm_state_delete(eng.dirfd, name) ? TPM_FAIL : TPM_SUCCESS;
}

static TPM_RESULT cb_io_init(void)
{
	return TPM_SUCCESS;
}

static TPM_RESULT cb_locality(TPM_MODIFIER_INDICATOR *loc,
			      uint32_t tpm_number)
{
	(void)tpm_number;
	*loc = eng.locality;
	return TPM_SUCCESS;
}

static TPM_RESULT cb_presence(TPM_BOOL *pp, uint32_t tpm_number)
{
	(void)tpm_number;
	*pp = FALSE;
	return TPM_SUCCESS;
}

static struct libtpms_callbacks callbacks = {
	.sizeOfStruct = sizeof(struct libtpms_callbacks),
	.tpm_nvram_init = cb_nvram_init,
	.tpm_nvram_loaddata = cb_load,
	.tpm_nvram_storedata = cb_store,
	.tpm_nvram_deletename = cb_delete,
	.tpm_io_init = cb_io_init,
	.tpm_io_getlocality = cb_locality,
	.tpm_io_getphysicalpresence = cb_presence,
};

/* libtpms is not thread-safe: the flag is read on the libtpms thread */
static void update_established(void)
{
	TPM_BOOL est = 0;

	if (!eng.open || TPM_IO_TpmEstablished_Get(&est) != TPM_SUCCESS)
		est = 0;
	__atomic_store_n(&eng.established, est != 0, __ATOMIC_RELAXED);
}

/* ---- open / close -------------------------------------------------------- */

/*
 * The volatile state only matters while the platform is powered: after a
 * power-off the TPM starts over with TPM2_Startup.  Against a killed
 * worker an atomic rename is enough (the page cache outlives the
 * process); a durable write is for planned stops that must outlive the
 * VTL2 instance (STOP, SAVE, swtpm's STORE_VOLATILE).
 */
static int save_volatile_now(bool durable)
{
	unsigned char *buf = NULL;
	uint32_t len = 0;
	uint64_t t0 = now_ns();
	TPM_RESULT rc;
	int ret;

	rc = TPMLIB_GetState(TPMLIB_STATE_VOLATILE, &buf, &len);
	eng.stats.getstate_ns += now_ns() - t0;
	if (rc != TPM_SUCCESS) {
		eng.stats.save_errors++;
		set_error("TPMLIB_GetState(volatile): 0x%x", rc);
		return -EIO;
	}
	/* a command that changed nothing (PCR_Read, ...) costs no write */
	if (!durable && eng.saved && len == eng.saved_len &&
	    !memcmp(buf, eng.saved, len)) {
		free(buf);
		eng.stats.saves_skipped++;
		eng.stats.save_ns += now_ns() - t0;
		return 0;
	}
	ret = tpm_state_write(eng.dirfd, TPM_VOLATILESTATE_NAME,
			      TPM_STATE_VOLATILE, ++eng.gen, buf, len, durable);
	free(eng.saved);
	eng.saved = NULL;
	if (ret) {
		free(buf);
		eng.stats.save_errors++;
		set_error("write volatile state: %s", strerror(-ret));
		return ret;
	}
	eng.saved = buf;
	eng.saved_len = len;
	eng.stats.saves++;
	eng.stats.last_volatile_size = len;
	eng.stats.save_ns += now_ns() - t0;
	return 0;
}

int tpm_engine_save_volatile(void)
{
	return eng.open ? save_volatile_now(true) : -EINVAL;
}

static int read_checked(const char *name, int kind, void **buf,
			uint32_t *len)
{
	const char *why;
	uint64_t gen = 0;
	int ret;

	ret = tpm_state_read(eng.dirfd, name, kind, buf, len, &gen, &why);
	if (ret == -EBADMSG)
		set_error("state file %s is corrupt: %s", name, why);
	else if (ret && ret != -ENOENT)
		set_error("state file %s: %s", name, strerror(-ret));
	if (!ret && gen > eng.gen)
		eng.gen = gen;
	return ret;
}

/* Hands a saved state blob, if there is one, to libtpms: 0 or -1. */
static int set_state(enum TPMLIB_StateType type, const char *what,
		     void *blob, uint32_t len)
{
	TPM_RESULT rc;

	if (!blob)
		return 0;
	rc = TPMLIB_SetState(type, blob, len);
	if (rc != TPM_SUCCESS) {
		set_error("%s state rejected by libtpms: 0x%x", what, rc);
		return -1;
	}
	return 0;
}

int tpm_engine_open(const char *dir, unsigned int flags,
		    struct tpm_engine_restore *restored)
{
	void *perm = NULL, *vol = NULL;
	uint32_t perm_len = 0, vol_len = 0;
	TPM_RESULT rc;
	int ret;

	memset(restored, 0, sizeof(*restored));
	if (eng.open) {
		set_error("engine already open");
		return -EBUSY;
	}
	memset(&eng.stats, 0, sizeof(eng.stats));
	eng.gen = 0;
	eng.error[0] = 0;
	eng.save_volatile = flags & TPM_ENGINE_SAVE_VOLATILE;
	eng.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (eng.dirfd < 0) {
		ret = -errno;
		set_error("state directory %s: %s", dir, strerror(errno));
		return ret;
	}

	if (flags & TPM_ENGINE_POWER_ON) {
		ret = tpm_state_delete(eng.dirfd, TPM_VOLATILESTATE_NAME);
		if (ret) {
			set_error("dropping the volatile state: %s",
				  strerror(-ret));
			goto fail;
		}
	}
	ret = read_checked(TPM_PERMANENT_ALL_NAME, TPM_STATE_PERMANENT, &perm,
			   &perm_len);
	if (ret && ret != -ENOENT)
		goto fail;
	ret = read_checked(TPM_VOLATILESTATE_NAME, TPM_STATE_VOLATILE, &vol,
			   &vol_len);
	if (ret && ret != -ENOENT)
		goto fail;
	if (vol && !perm) {
		set_error("volatile state without permanent state");
		ret = -EBADMSG;
		goto fail;
	}

	ret = -EIO;
	rc = TPMLIB_ChooseTPMVersion(TPMLIB_TPM_VERSION_2);
	if (rc == TPM_SUCCESS)
		rc = TPMLIB_RegisterCallbacks(&callbacks);
	if (rc != TPM_SUCCESS) {
		set_error("libtpms setup: 0x%x", rc);
		goto fail;
	}
	if (set_state(TPMLIB_STATE_PERMANENT, "permanent", perm, perm_len) ||
	    set_state(TPMLIB_STATE_VOLATILE, "volatile", vol, vol_len))
		goto fail;
	rc = TPMLIB_MainInit();
	if (rc != TPM_SUCCESS) {
		if (!eng.error[0])
			set_error("TPMLIB_MainInit: 0x%x", rc);
		goto fail;
	}
	eng.open = true;
	update_established();
	restored->permanent = perm != NULL;
	restored->volatile_state = vol != NULL;
	free(perm);
	free(vol);

	if (restored->volatile_state) {
		/* never load this file twice; then record where we are */
		ret = tpm_state_delete(eng.dirfd, TPM_VOLATILESTATE_NAME);
		if (!ret && eng.save_volatile)
			ret = save_volatile_now(false);
		if (ret) {
			set_error("replacing the restored volatile state: %s",
				  strerror(-ret));
			tpm_engine_close();
			return ret;
		}
	}
	return 0;

fail:
	free(perm);
	free(vol);
	close(eng.dirfd);
	eng.dirfd = -1;
	return ret;
}

void tpm_engine_close(void)
{
	if (eng.open)
		TPMLIB_Terminate();
	eng.open = false;
	free(eng.rspbuf);
	eng.rspbuf = NULL;
	eng.rspbufsize = 0;
	free(eng.saved);
	eng.saved = NULL;
	if (eng.dirfd >= 0)
		close(eng.dirfd);
	eng.dirfd = -1;
}

int tpm_engine_power_cycle(void)
{
	TPM_RESULT rc;
	int ret;

	if (!eng.open)
		return -EINVAL;
	TPMLIB_Terminate();
	eng.open = false;
	free(eng.saved);
	eng.saved = NULL;
	ret = tpm_state_delete(eng.dirfd, TPM_VOLATILESTATE_NAME);
	if (ret) {
		set_error("power cycle: %s", strerror(-ret));
		return ret;
	}
	rc = TPMLIB_ChooseTPMVersion(TPMLIB_TPM_VERSION_2);
	if (rc == TPM_SUCCESS)
		rc = TPMLIB_RegisterCallbacks(&callbacks);
	if (rc == TPM_SUCCESS)
		rc = TPMLIB_MainInit();
	if (rc != TPM_SUCCESS) {
		set_error("power cycle: TPMLIB_MainInit: 0x%x", rc);
		return -EIO;
	}
	eng.open = true;
	update_established();
	return 0;
}

/* ---- commands ------------------------------------------------------------ */

static void failure(uint8_t *rsp, uint32_t *rsp_len)
{
	static const uint8_t fail[10] = { 0x80, 0x01, 0, 0, 0, 10,
					  0, 0, TPM_RC_FAILURE >> 8,
					  TPM_RC_FAILURE & 0xff };

	memcpy(rsp, fail, sizeof(fail));
	*rsp_len = sizeof(fail);
}

int tpm_engine_process(const uint8_t *cmd, uint32_t len, uint8_t *rsp,
		       uint32_t rsp_size, uint32_t *rsp_len,
		       unsigned int locality)
{
	uint32_t out = 0;
	uint64_t t0;
	TPM_RESULT rc;

	if (!eng.open || len > sizeof(eng.cmd) || rsp_size < 10) {
		if (rsp_size >= 10)
			failure(rsp, rsp_len);
		return -EINVAL;
	}
	memcpy(eng.cmd, cmd, len);
	eng.locality = locality;
	t0 = now_ns();
	rc = TPMLIB_Process(&eng.rspbuf, &out, &eng.rspbufsize, eng.cmd, len);
	eng.stats.process_ns += now_ns() - t0;
	eng.stats.commands++;
	if (rc != TPM_SUCCESS || out < 10 || out > rsp_size) {
		failure(rsp, rsp_len);
		set_error("TPMLIB_Process: 0x%x, %u bytes", rc, out);
		return -EIO;
	}
	memcpy(rsp, eng.rspbuf, out);
	*rsp_len = out;
	update_established();
	if (eng.save_volatile)
		save_volatile_now(false);	/* failures: in stats */
	return 0;
}

void tpm_engine_cancel(void)
{
	TPMLIB_CancelCommand();
}

bool tpm_engine_established(void)
{
	return __atomic_load_n(&eng.established, __ATOMIC_RELAXED);
}

void tpm_engine_reset_establishment(unsigned int locality)
{
	if (!eng.open)
		return;
	eng.locality = locality;
	TPM_IO_TpmEstablished_Reset();
	update_established();
}
