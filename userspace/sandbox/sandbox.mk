# SPDX-License-Identifier: GPL-2.0
#
# The device-worker sandbox (a library linked into whoever spawns
# workers), its host test and the same test as a static VTL2 program;
# included by the top-level Makefile.

SANDBOX_SRC := userspace/sandbox/sandbox.c userspace/sandbox/seccomp_policy.c
SANDBOX_HDR := userspace/sandbox/sandbox.h
SANDBOX_LIBS := -lseccomp
# the tests' shared helpers
SANDBOX_TEST_HDR := $(SANDBOX_HDR) tests/user/sandbox_test.h

$(BUILD)/tests/sandbox: tests/user/host_sandbox.c $(SANDBOX_SRC) \
		$(SANDBOX_TEST_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Iuserspace/sandbox -o $@ $< $(SANDBOX_SRC) \
		$(SANDBOX_LIBS)

# the host test, static, for running the same checks inside VTL2
$(BUILD)/vtl2/bin/hcl-sandbox-test: tests/user/host_sandbox.c \
		$(SANDBOX_SRC) $(SANDBOX_TEST_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(USER_LDFLAGS) -Iuserspace/sandbox -o $@ $< \
		$(SANDBOX_SRC) $(SANDBOX_LIBS)

userspace: $(BUILD)/vtl2/bin/hcl-sandbox-test

# the tpm profile against a real libtpms worker (libcrypto underneath)
SANDBOX_TPM_LIBS := -ltpms -lcrypto $(SANDBOX_LIBS)

$(BUILD)/tests/sandbox_tpm: tests/user/host_sandbox_tpm.c $(SANDBOX_SRC) \
		$(SANDBOX_TEST_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Iuserspace/sandbox -o $@ $< $(SANDBOX_SRC) \
		$(SANDBOX_TPM_LIBS)

$(BUILD)/vtl2/bin/hcl-sandbox-tpm-test: tests/user/host_sandbox_tpm.c \
		$(SANDBOX_SRC) $(SANDBOX_TEST_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(USER_LDFLAGS) -Iuserspace/sandbox -o $@ $< \
		$(SANDBOX_SRC) $(SANDBOX_TPM_LIBS)

userspace: $(BUILD)/vtl2/bin/hcl-sandbox-tpm-test

# both run inside VTL2 too, from the test initramfs (hcl-vmtest)
VTL2_TEST_BINS += hcl-sandbox-test hcl-sandbox-tpm-test
