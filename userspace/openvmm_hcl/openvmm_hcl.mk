# SPDX-License-Identifier: GPL-2.0
#
# openvmm_hcl, the VTL2 control process: one file per responsibility in
# userspace/openvmm_hcl/ (openvmm_hcl.h lists them); included by the
# top-level Makefile.

OVH_SRC := $(wildcard userspace/openvmm_hcl/*.c)
OVH_HDR := $(wildcard userspace/openvmm_hcl/*.h)

# with the netlink client (userspace/control/control.mk: libmnl and glibc
# linked dynamically, Debian ships no static libmnl)
# with the vTPM's state-file reader (vtpm.c checks a stored state with it)
OVH_TPM_STATE := userspace/workers/tpm/tpm_state.c \
	userspace/workers/tpm/tpm_state.h

$(BUILD)/vtl2/bin/openvmm_hcl: $(OVH_SRC) $(OVH_HDR) $(USER_LIB) $(USER_HDR) \
		include/hcl/hostchan.h $(CONTROL_SRC) $(CONTROL_HDR) \
		$(OVH_TPM_STATE)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(CONTROL_CFLAGS) -o $@ $(OVH_SRC) \
		$(CONTROL_SRC) $(filter %.c,$(OVH_TPM_STATE)) $(USER_LIB) \
		$(CONTROL_LIBS)

# the host channel's end on a socketpair, the rest faked by the test
$(BUILD)/tests/ovh_channel: tests/user/host_ovh_channel.c \
		userspace/openvmm_hcl/channel.c $(OVH_HDR) $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< userspace/openvmm_hcl/channel.c \
		$(USER_LIB) $(USER_LIBS)

# the store client and its channel against a host with hclctl's store code
$(BUILD)/tests/ovh_store: tests/user/host_ovh_store.c \
		userspace/openvmm_hcl/channel.c userspace/openvmm_hcl/store.c \
		tools/hclctl/vmgs.c tools/hclctl/vmgs.h $(OVH_HDR) $(USER_LIB) \
		$(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Itools/hclctl -o $@ $< \
		userspace/openvmm_hcl/channel.c userspace/openvmm_hcl/store.c \
		tools/hclctl/vmgs.c $(USER_LIB) $(USER_LIBS)

# the vTPM's state sync on a real directory, against a fake store client
$(BUILD)/tests/ovh_vtpm: tests/user/host_ovh_vtpm.c \
		userspace/openvmm_hcl/vtpm.c $(OVH_TPM_STATE) $(OVH_HDR) \
		$(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< userspace/openvmm_hcl/vtpm.c \
		$(filter %.c,$(OVH_TPM_STATE)) $(USER_LIB) $(USER_LIBS)
