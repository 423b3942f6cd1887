# SPDX-License-Identifier: GPL-2.0
#
# Device workers: the vTPM worker (libtpms, statically linked for VTL2;
# a dynamically linked host build for the host tests), its host unit tests
# and its fuzzer; included by the top-level Makefile.
#
#   make userspace    also builds $(BUILD)/vtl2/bin/hcl-tpm-worker

TPM_DIR := userspace/workers/tpm
TPM_SRC := $(TPM_DIR)/tis.c $(TPM_DIR)/tpm_engine.c $(TPM_DIR)/tpm_state.c
TPM_HDR := $(wildcard $(TPM_DIR)/*.h) userspace/workers/devworker_proto.h \
	$(SANDBOX_HDR)
TPM_CFLAGS = $(USER_CFLAGS) -Iuserspace/workers -I$(TPM_DIR) -Iuserspace/sandbox
TPM_LIBS := -ltpms -lcrypto -lpthread
# the worker enters its own sandbox (sandbox_exec_enter)
TPM_WORKER_SRC := $(TPM_SRC) $(SANDBOX_SRC)
TPM_WORKER_LIBS := $(TPM_LIBS) $(SANDBOX_LIBS)
HOST_TPM_WORKER := $(BUILD)/host/bin/hcl-tpm-worker

$(BUILD)/vtl2/bin/hcl-tpm-worker: $(TPM_DIR)/tpm_worker.c $(TPM_WORKER_SRC) \
		$(TPM_HDR)
	@mkdir -p $(@D)
	$(CC) $(TPM_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(TPM_WORKER_SRC) \
		$(TPM_WORKER_LIBS)

$(HOST_TPM_WORKER): $(TPM_DIR)/tpm_worker.c $(TPM_WORKER_SRC) $(TPM_HDR)
	@mkdir -p $(@D)
	$(CC) $(TPM_CFLAGS) -o $@ $< $(TPM_WORKER_SRC) $(TPM_WORKER_LIBS)

userspace: $(BUILD)/vtl2/bin/hcl-tpm-worker
# underhill_vm spawns it for the test guest: in every initramfs
VTL2_BINS += hcl-tpm-worker

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

# the test device worker: every protocol message, for the proxy's tests
TESTDEV_W_DIR := userspace/workers/testdev
$(BUILD)/host/bin/hcl-testdev-worker: $(TESTDEV_W_DIR)/testdev_worker.c \
		$(TESTDEV_W_DIR)/testdev_worker.h userspace/workers/devworker_proto.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Iuserspace/workers -o $@ $<

# underhill_vm's proxy against the test worker and the real tpm worker
$(BUILD)/tests/devworker: tests/user/host_devworker.c $(USER_LIB) \
		$(USER_HDR) $(VM_CORE) $(VM_HDR) $(HOST_TPM_WORKER) \
		$(BUILD)/host/bin/hcl-testdev-worker
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(VM_CFLAGS) -o $@ $< $(VM_CORE) $(USER_LIB) \
		$(USER_LIBS) $(VM_LIBS)
