# SPDX-License-Identifier: GPL-2.0
#
# Device workers: the vTPM worker (libtpms, statically linked for VTL2;
# a dynamically linked host build for the host tests), its host unit tests
# and its fuzzer; included by the top-level Makefile.
#
#   make userspace    also builds $(BUILD)/vtl2/bin/hcl-tpm-worker

TPM_DIR := userspace/workers/tpm
TPM_SRC := $(TPM_DIR)/tis.c $(TPM_DIR)/tpm_engine.c $(TPM_DIR)/tpm_state.c
TPM_HDR := $(wildcard $(TPM_DIR)/*.h) userspace/workers/devworker_proto.h
TPM_CFLAGS = $(USER_CFLAGS) -Iuserspace/workers -I$(TPM_DIR)
TPM_LIBS := -ltpms -lcrypto -lpthread
HOST_TPM_WORKER := $(BUILD)/host/bin/hcl-tpm-worker

$(BUILD)/vtl2/bin/hcl-tpm-worker: $(TPM_DIR)/tpm_worker.c $(TPM_SRC) \
		$(TPM_HDR)
	@mkdir -p $(@D)
	$(CC) $(TPM_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(TPM_SRC) $(TPM_LIBS)

$(HOST_TPM_WORKER): $(TPM_DIR)/tpm_worker.c $(TPM_SRC) $(TPM_HDR)
	@mkdir -p $(@D)
	$(CC) $(TPM_CFLAGS) -o $@ $< $(TPM_SRC) $(TPM_LIBS)

userspace: $(BUILD)/vtl2/bin/hcl-tpm-worker

# the register model alone, against a fake engine
$(BUILD)/tests/tis: tests/user/host_tis.c $(TPM_DIR)/tis.c $(TPM_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -I$(TPM_DIR) -o $@ $< $(TPM_DIR)/tis.c

# TIS + libtpms + state files; the worker against swtpm with tpm2-tools
$(BUILD)/tests/tpm_engine: tests/user/host_tpm_engine.c $(TPM_SRC) \
		$(TPM_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -I$(TPM_DIR) -o $@ $< $(TPM_SRC) $(TPM_LIBS)

$(BUILD)/tests/tpm_worker: tests/user/host_tpm_worker.c $(TPM_HDR) \
		$(HOST_TPM_WORKER)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Iuserspace/workers -I$(TPM_DIR) -o $@ $<

# the TIS model for fuzzers that say "fuzz-build: tis" (tests/fuzz/fuzz.mk)
FUZZ_DEPS_tis := $(TPM_DIR)/tis.c $(TPM_HDR)
FUZZ_LINK_tis := $(TPM_DIR)/tis.c
FUZZ_CFLAGS_tis := -I$(TPM_DIR)
