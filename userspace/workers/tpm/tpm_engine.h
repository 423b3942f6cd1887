/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The libtpms front end: a TPM 2.0 whose state lives in one directory
 * (tpm_state.h files).  libtpms is one global instance, so there is one
 * engine per process.
 *
 * Opening: the permanent and volatile files are read and checked first
 * (a corrupt one fails the open: nothing is reset silently), then
 * TPMLIB_ChooseTPMVersion(2), TPMLIB_RegisterCallbacks,
 * TPMLIB_SetState(PERMANENT) and (VOLATILE) if present, TPMLIB_MainInit.
 * A restored volatile file is deleted at once so it can never be loaded a
 * second time, and the TPM's current volatile state is written anew, so a
 * kill before the next command still resumes.
 *
 * Crash safety: libtpms pushes the permanent state through the NV store
 * callback at every NV commit (written atomically and durably: fsync);
 * after every command the volatile state (TPMLIB_GetState(VOLATILE)) is
 * written atomically (rename, no fsync: it only has to outlive the
 * process, not a power loss, after which the TPM starts over anyway), so
 * a process killed at any point restarts with the state of the last
 * completed command, started (no TPM2_Startup needed) and PCRs intact.
 * tpm_engine_save_volatile() writes it durably, for planned stops.
 */
#ifndef HCL_TPM_ENGINE_H
#define HCL_TPM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#define TPM_ENGINE_BUFSIZE	4096

struct tpm_engine_stats {
	uint64_t commands;
	uint64_t saves;
	uint64_t save_errors;
	uint64_t save_ns;	/* total time in the volatile save */
	uint64_t getstate_ns;	/* ...of which in TPMLIB_GetState */
	uint64_t saves_skipped;	/* state unchanged since the last save */
	uint64_t process_ns;	/* total time in TPMLIB_Process */
	uint64_t nv_writes;	/* permanent-state writes (NV commits) */
	uint32_t last_volatile_size;
};

struct tpm_engine_restore {
	bool permanent;		/* permanent state found */
	bool volatile_state;	/* volatile state restored: TPM is started */
};

/* write the volatile state after every command (the crash-safe mode) */
#define TPM_ENGINE_SAVE_VOLATILE	0x1
/*
 * the platform was powered on: drop any volatile state first, the guest
 * sends TPM2_Startup (without it, a volatile state is resumed)
 */
#define TPM_ENGINE_POWER_ON		0x2

/* On failure returns -errno and leaves a message in tpm_engine_error(). */
int tpm_engine_open(const char *dir, unsigned int flags,
		    struct tpm_engine_restore *restored);
void tpm_engine_close(void);

/*
 * Run one command at a locality; the response (at most rsp_size bytes,
 * else TPM_RC_FAILURE) lands in rsp.  Returns 0, or -EIO when libtpms
 * failed outright (rsp then holds a TPM_RC_FAILURE response too).
 */
int tpm_engine_process(const uint8_t *cmd, uint32_t len, uint8_t *rsp,
		       uint32_t rsp_size, uint32_t *rsp_len,
		       unsigned int locality);

/* abort a long command (may be called from another thread) */
void tpm_engine_cancel(void);
/* TPM_ACCESS.tpmEstablishment, as of the last command (any thread) */
bool tpm_engine_established(void);
/* only while no command runs */
void tpm_engine_reset_establishment(unsigned int locality);

/*
 * Power cycle (platform reset): terminate libtpms, drop the volatile
 * state, init again from the permanent state; the guest sends
 * TPM2_Startup again, as after any reset.
 */
int tpm_engine_power_cycle(void);
/* write the volatile state now, durably (before a planned stop) */
int tpm_engine_save_volatile(void);

const struct tpm_engine_stats *tpm_engine_stats(void);
const char *tpm_engine_error(void);

#endif
