# SPDX-License-Identifier: GPL-2.0
#
# VTL2 userspace (static binaries for the initramfs), the in-VM test
# programs and the host unit tests of userspace's code; included by the
# top-level Makefile.
#
#   userspace/lib/     code several programs share (also the bench's)
#   userspace/vm/      underhill_vm: main.c, and the VMM it is made of
#   userspace/vm/dev/  underhill_vm's devices, one file each
#
#   make userspace    $(BUILD)/vtl2/bin/{underhill_init,openvmm_hcl,...}

.PHONY: userspace

USER_LIB := $(wildcard userspace/lib/*.c)
USER_HDR := $(wildcard userspace/lib/*.h) include/uapi/linux/hcl.h
# underhill_vm without its main(): what the host tests link against
# with the shim's boot-protocol code (one implementation of the setup
# header and boot_params for VTL2's Linux and VTL0's) and igvmtool's
# VTL0 Linux bundle (one reader and writer of that format)
VM_CORE := $(filter-out userspace/vm/main.c,$(wildcard userspace/vm/*.c \
	userspace/vm/dev/*.c)) shim/linux_boot.c shim/host_config.c \
	shim/shim_err.c tools/igvm/vtl0_bundle.c
# device workers are spawned into the sandbox by underhill_vm itself
VM_CORE += userspace/sandbox/sandbox.c userspace/sandbox/seccomp_policy.c
VM_HDR := $(wildcard userspace/vm/*.h userspace/vm/dev/*.h) \
	shim/linux_boot.h shim/shim_err.h shim/dt_build.h shim/host_config.h \
	userspace/sandbox/sandbox.h userspace/workers/devworker_proto.h \
	include/hcl/vtl0_bundle.h
VM_CFLAGS := -Iuserspace/vm -Ishim -Iuserspace/sandbox -Iuserspace/workers
VM_LIBS := -lseccomp
VTL2_BINS := underhill_init openvmm_hcl underhill_vm
VTL2_TEST_BINS := hcl-vmtest hcl-uapi-test hcl-dt-test hcl-sidecar-test \
	hcl-uapi-fuzz hcl-vm-crash hcl-hostile

userspace: $(addprefix $(BUILD)/vtl2/bin/,$(VTL2_BINS) $(VTL2_TEST_BINS))

$(BUILD)/vtl2/bin/underhill_vm: userspace/vm/main.c $(VM_CORE) $(VM_HDR) \
		$(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(VM_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(VM_CORE) \
		$(USER_LIB) $(USER_LIBS) $(VM_LIBS)

$(BUILD)/vtl2/bin/%: userspace/%.c $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(USER_LIB) $(USER_LIBS)

$(BUILD)/vtl2/bin/hcl-vmtest: tests/user/vmtest.c $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(USER_LIB) $(USER_LIBS)

$(BUILD)/vtl2/bin/hcl-uapi-test: tests/user/uapi_test.c $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(USER_LIB) $(USER_LIBS)

$(BUILD)/vtl2/bin/hcl-uapi-fuzz: tests/user/uapi_fuzz.c tests/user/test_rng.h \
		$(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(USER_LDFLAGS) -pthread -o $@ $< $(USER_LIB) \
		$(USER_LIBS)

$(BUILD)/vtl2/bin/hcl-vm-crash: tests/user/vm_crash.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $<
$(BUILD)/vtl2/bin/hcl-hostile: tests/user/hostile_guest.c tests/user/test_rng.h \
		$(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(USER_LDFLAGS) -pthread -o $@ $< $(USER_LIB) \
		$(USER_LIBS)

$(BUILD)/vtl2/bin/hcl-dt-test: tests/user/dt_test.c $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(USER_LIB) $(USER_LIBS)

$(BUILD)/vtl2/bin/hcl-sidecar-test: tests/user/sidecar_test.c $(USER_LIB) \
		$(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(USER_LIB) $(USER_LIBS)

# any other tests/user/host_X.c: a host test of userspace's code, shared
# or underhill_vm's (components with their own sources give build/tests/X
# a rule of theirs)
$(BUILD)/tests/%: tests/user/host_%.c $(USER_LIB) $(USER_HDR) $(VM_CORE) \
		$(VM_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(VM_CFLAGS) -o $@ $< $(VM_CORE) $(USER_LIB) \
		$(USER_LIBS) $(VM_LIBS)

# the fuzzers' "vm" component: underhill_vm's device models
# (tests/fuzz/fuzz.mk; a fuzzer says "fuzz-build: vm")
FUZZ_DEPS_vm := userspace/vm/dev/uart16550.c userspace/vm/bus.c $(VM_HDR)
FUZZ_LINK_vm := userspace/vm/dev/uart16550.c userspace/vm/bus.c
FUZZ_CFLAGS_vm := -Iuserspace/vm -Iinclude/uapi

# the fuzzers' "hostchan" component: the host channel's codec
FUZZ_DEPS_hostchan := userspace/lib/hostchan.c userspace/lib/hostchan.h \
	include/hcl/hostchan.h
FUZZ_LINK_hostchan := userspace/lib/hostchan.c
FUZZ_CFLAGS_hostchan := -Iuserspace/lib -Iinclude
