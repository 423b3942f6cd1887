# SPDX-License-Identifier: GPL-2.0
#
# hcl: one Makefile drives everything.
#
#   make run     build what is missing, boot the paravisor under QEMU
#   make check   every test; ends with "N passed, N failed"
#   make bench   the run loop, exit kind by exit kind, against KVM
#   make         build the module, VTL2 userspace, the VTL0 guest, initramfs
#
# Variables: KDIR=<prepared kernel tree> (default: our cached VTL2 kernel),
# SMP=, MEM= for make run, V=1 for a verbose kernel console,
# CHECK="host style vm e2e" to pick test groups for make check,
# BENCH_N= (iterations per case) and BENCH_SMP= (default 4) for make bench.

SHELL := /bin/bash
.DEFAULT_GOAL := all

BUILD := $(CURDIR)/build
ifeq ($(origin KDIR),undefined)
KDIR := $(shell scripts/kernel.sh --print-dir)
OWN_KERNEL := 1
endif
BZIMAGE := $(KDIR)/arch/x86/boot/bzImage
SMP ?= 2
MEM ?= 1G

CC := gcc
WARN := -Wall -Wextra -Werror
USER_CFLAGS := -O2 -g $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude/uapi \
	-Iuserspace -Iuserspace/lib
USER_LDFLAGS := -static
USER_LIBS := -luring -lfdt

USER_LIB := $(wildcard userspace/lib/*.c)
USER_HDR := $(wildcard userspace/lib/*.h) include/uapi/linux/hcl.h
VTL2_BINS := underhill_init openvmm_hcl underhill_vm
VTL2_TEST_BINS := hcl-vmtest hcl-uapi-test hcl-dt-test
HOST_TESTS := $(patsubst tests/user/host_%.c,%,$(wildcard tests/user/host_*.c))

KMOD_SRC := Kbuild $(wildcard kmod/*) include/uapi/linux/hcl.h \
	$(wildcard tests/kunit/*)

.PHONY: all deps kernel module userspace guest initramfs run check \
	host-tests vm-tests style clean distclean bench host-tools fuzz igvm \
	FORCE

all: module userspace guest initramfs

deps:
	@scripts/deps.sh

kernel:
ifeq ($(OWN_KERNEL),1)
	@scripts/kernel.sh > /dev/null
else
	@test -f $(KDIR)/Module.symvers || \
		{ echo "KDIR=$(KDIR) is not a prepared kernel tree"; exit 1; }
endif

# ---- hcl.ko and hcl_kunit.ko (out of tree; sources mirrored under build/)

module: $(BUILD)/kbuild/modules.stamp

# Kbuild rebuilds only what changed; the stamp says "both modules are
# current" to the initramfs rules.
$(BUILD)/kbuild/modules.stamp: $(KMOD_SRC)
	@mkdir -p $(BUILD)/kbuild/tests
	@rsync -a --delete --exclude='*.o' --exclude='.*.cmd' \
		Kbuild kmod include $(BUILD)/kbuild/
	@rsync -a --delete --exclude='*.o' --exclude='.*.cmd' \
		tests/kunit $(BUILD)/kbuild/tests/
	$(MAKE) -C $(KDIR) M=$(BUILD)/kbuild W=1 modules
	@touch $@

# ---- VTL2 userspace (static) ----------------------------------------------

userspace: $(addprefix $(BUILD)/vtl2/bin/,$(VTL2_BINS) $(VTL2_TEST_BINS))

$(BUILD)/vtl2/bin/%: userspace/%.c $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(USER_LIB) $(USER_LIBS)

KSELFTEST := $(KDIR)/tools/testing/selftests
TEST_CFLAGS := $(USER_CFLAGS) -I$(KSELFTEST) -Wno-unused-parameter -Wno-sign-compare \
	-Wno-clobbered

$(BUILD)/vtl2/bin/hcl-vmtest: tests/user/vmtest.c $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(USER_LIB) $(USER_LIBS)

$(BUILD)/vtl2/bin/hcl-uapi-test: tests/user/uapi_test.c $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(USER_LIB) $(USER_LIBS)

$(BUILD)/vtl2/bin/hcl-dt-test: tests/user/dt_test.c $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(USER_LIB) $(USER_LIBS)

# ---- the VTL0 test guest (freestanding, flat binary at 1 MiB) -------------

GUEST_CFLAGS := -O2 $(WARN) -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mno-red-zone \
	-mgeneral-regs-only -nostdlib -static -no-pie -Iuserspace/lib \
	-Wl,-T,tests/guest/guest.lds -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

guest: $(BUILD)/guest/vtl0-guest.bin

$(BUILD)/guest/vtl0-guest.elf: tests/guest/start.S tests/guest/guest.c \
		tests/guest/guest.lds userspace/lib/vtl0_test_abi.h
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ tests/guest/start.S tests/guest/guest.c

$(BUILD)/guest/vtl0-guest.bin: $(BUILD)/guest/vtl0-guest.elf
	objcopy -O binary $< $@

# ---- initramfs ------------------------------------------------------------

initramfs: $(BUILD)/initramfs.cpio $(BUILD)/initramfs-test.cpio

INITRAMFS_DEPS := scripts/mkinitramfs.sh $(BUILD)/kbuild/modules.stamp \
	$(addprefix $(BUILD)/vtl2/bin/,$(VTL2_BINS)) $(BUILD)/guest/vtl0-guest.bin

$(BUILD)/initramfs.cpio: $(INITRAMFS_DEPS)
	scripts/mkinitramfs.sh $@ $(BUILD) $(KDIR) run

$(BUILD)/initramfs-test.cpio: $(INITRAMFS_DEPS) \
		$(addprefix $(BUILD)/vtl2/bin/,$(VTL2_TEST_BINS))
	scripts/mkinitramfs.sh $@ $(BUILD) $(KDIR) test

# ---- IGVM images: shim + VTL2 kernel + initramfs + VTL0 image --------------
#
# The measured static command line; the host's line (make run ARGS=...) is
# appended by the shim because this line says openhcl_boot.host_cmdline=append.
# acpi=off: CPUs and LAPIC come from the shim's tree.  As OpenHCL does,
# trust the TSC (no clocksource watchdog; TCG's TSC follows the host's)
# and skip the timer check; VTL2 has one UART.
IGVM_CMDLINE ?= console=ttyS0 acpi=off quiet loglevel=4 panic=-1 \
	tsc=reliable no_timer_check 8250.nr_uarts=1 \
	openhcl_boot.host_cmdline=append
LOADER := $(BUILD)/loader/hcl-loader.elf
SHIM_BIN := $(BUILD)/shim/openhcl_boot.bin
IGVMTOOL := $(BUILD)/bin/igvmtool

igvm: $(BUILD)/hcl.igvm $(LOADER)

# rewritten only when the command line changes, so the images follow it
IGVM_CMDLINE_FILE := $(BUILD)/igvm-cmdline
$(IGVM_CMDLINE_FILE): FORCE
	@mkdir -p $(@D)
	@echo '$(IGVM_CMDLINE)' | cmp -s - $@ || echo '$(IGVM_CMDLINE)' > $@
FORCE:

# $(BUILD)/X.igvm carries $(BUILD)/initramfs-X.cpio (hcl.igvm: initramfs.cpio)
$(BUILD)/hcl.igvm: $(BUILD)/initramfs.cpio
$(BUILD)/hcl-test.igvm: $(BUILD)/initramfs-test.cpio
$(BUILD)/hcl-bench.igvm: $(BUILD)/initramfs-bench.cpio
$(BUILD)/hcl.igvm $(BUILD)/hcl-test.igvm $(BUILD)/hcl-bench.igvm: \
		$(SHIM_BIN) $(IGVMTOOL) $(BUILD)/guest/vtl0-guest.bin $(BZIMAGE) \
		$(IGVM_CMDLINE_FILE)
	$(IGVMTOOL) build -o $@ --shim $(SHIM_BIN) --kernel $(BZIMAGE) \
		--initrd $(filter %.cpio,$^) \
		--vtl0 $(BUILD)/guest/vtl0-guest.bin --cmdline "$(IGVM_CMDLINE)"

# ---- run and check --------------------------------------------------------

QEMU_VERBOSE := $(if $(filter 1,$(V)),-v,)

run: deps
	@$(MAKE) --no-print-directory kernel
	@$(MAKE) --no-print-directory all igvm
	@scripts/qemu-run.sh -g $(BUILD)/hcl.igvm -L $(LOADER) \
		-s $(SMP) -m $(MEM) $(QEMU_VERBOSE) -l $(BUILD)/run.log \
		$(if $(ARGS),-a "$(ARGS)"); rc=$$?; \
	tr -d '\r' < $(BUILD)/run.log | \
		sed -n 's/^openvmm_hcl: timeline-json //p' > $(BUILD)/timeline.json; \
	exit $$rc

host-tests: $(addprefix $(BUILD)/tests/,$(HOST_TESTS))

# ---- host tools: igvmtool and its library (scripts/igvm/) -----------------

IGVM_LIB := $(filter-out scripts/igvm/igvmtool.c,$(wildcard scripts/igvm/*.c))
IGVM_HDR := $(wildcard scripts/igvm/*.h)
HOST_TOOL_CFLAGS := -O2 -g $(WARN) -std=c11 -Iscripts/igvm

host-tools: $(BUILD)/bin/igvmtool

$(BUILD)/bin/igvmtool: scripts/igvm/igvmtool.c $(IGVM_LIB) $(IGVM_HDR)
	@mkdir -p $(@D)
	$(CC) $(HOST_TOOL_CFLAGS) -o $@ $< $(IGVM_LIB)

# the IGVM host test links the library (a more specific rule than below)
$(BUILD)/tests/igvm: tests/user/host_igvm.c $(IGVM_LIB) $(IGVM_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Iscripts/igvm -o $@ $< $(IGVM_LIB)

# make fuzz: the IGVM parser, the host device tree, the command line, the
# IGVM parameters and the boot protocol under libFuzzer (FUZZ_TIME seconds
# each)
FUZZ_TIME ?= 300
FUZZ_CFLAGS := -O1 -g $(WARN) -std=c11 -Iscripts/igvm \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

$(BUILD)/fuzz/fuzz_igvm: tests/fuzz/fuzz_igvm.c $(IGVM_LIB) $(IGVM_HDR)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(IGVM_LIB)

# ---- shim/ pure logic (cmdline, host DT, Linux DT) on the host ------------
# libfdt is compiled from the kernel tree's sources, never copied; the
# shim's own files build with -std=c11 -Wall -Wextra -Werror.
LIBFDT_DIR := $(KDIR)/scripts/dtc/libfdt
LIBFDT_SRC := fdt fdt_ro fdt_rw fdt_sw fdt_wip fdt_strerror fdt_addresses \
	fdt_empty_tree
SHIM_LIB := $(wildcard shim/*.c)
SHIM_HDR := $(wildcard shim/*.h)
SHIM_HOST_CFLAGS := -O2 -g $(WARN) -std=c11 -Ishim -I$(LIBFDT_DIR)

$(BUILD)/libfdt/%.o: $(LIBFDT_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -I$(LIBFDT_DIR) -c -o $@ $<

$(BUILD)/libfdt/libfdt.a: $(patsubst %,$(BUILD)/libfdt/%.o,$(LIBFDT_SRC))
	ar rcs $@ $^

$(BUILD)/shim-host/%.o: shim/%.c $(SHIM_HDR)
	@mkdir -p $(@D)
	$(CC) $(SHIM_HOST_CFLAGS) -c -o $@ $<

$(BUILD)/tests/shim: tests/user/host_shim.c \
		$(patsubst shim/%.c,$(BUILD)/shim-host/%.o,$(SHIM_LIB)) \
		$(BUILD)/libfdt/libfdt.a $(SHIM_HDR)
	@mkdir -p $(@D)
	$(CC) -Ishim -I$(LIBFDT_DIR) $(TEST_CFLAGS) -o $@ $< \
		$(patsubst shim/%.c,$(BUILD)/shim-host/%.o,$(SHIM_LIB)) \
		$(BUILD)/libfdt/libfdt.a

# the shim's tree builder against VTL2 userspace's reader: one libfdt (the
# kernel tree's) for both
$(BUILD)/tests/hcl_dt: tests/user/host_hcl_dt.c userspace/lib/hcl_dt.c \
		userspace/lib/hcl_dt.h \
		$(patsubst shim/%.c,$(BUILD)/shim-host/%.o,$(SHIM_LIB)) \
		$(BUILD)/libfdt/libfdt.a $(SHIM_HDR)
	@mkdir -p $(@D)
	$(CC) -I$(LIBFDT_DIR) -Ishim $(TEST_CFLAGS) -o $@ $< \
		userspace/lib/hcl_dt.c \
		$(patsubst shim/%.c,$(BUILD)/shim-host/%.o,$(SHIM_LIB)) \
		$(BUILD)/libfdt/libfdt.a

# the same under clang with the fuzzer's sanitizers
$(BUILD)/fuzz/libfdt/%.o: $(LIBFDT_DIR)/%.c
	@mkdir -p $(@D)
	clang -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=undefined -I$(LIBFDT_DIR) -c -o $@ $<

$(BUILD)/fuzz/libfdt/libfdt.a: \
		$(patsubst %,$(BUILD)/fuzz/libfdt/%.o,$(LIBFDT_SRC))
	ar rcs $@ $^

$(BUILD)/fuzz/fuzz_host_dt $(BUILD)/fuzz/fuzz_cmdline \
$(BUILD)/fuzz/fuzz_igvm_params $(BUILD)/fuzz/fuzz_linux_boot: $(BUILD)/fuzz/%: \
		tests/fuzz/%.c $(SHIM_LIB) $(SHIM_HDR) \
		$(BUILD)/fuzz/libfdt/libfdt.a
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -Ishim -I$(LIBFDT_DIR) -o $@ $< $(SHIM_LIB) \
		$(BUILD)/fuzz/libfdt/libfdt.a

# the freestanding boot chain: the host loader (scripts/loader/) and
# openhcl_boot (shim/); each adds its own rules
-include scripts/loader/loader.mk
-include shim/shim.mk

fuzz:
	@scripts/fuzz-smoke.sh $(BUILD) $(FUZZ_TIME)

$(BUILD)/tests/%: tests/user/host_%.c $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(USER_LIB) $(USER_LIBS)

check: deps
	@$(MAKE) --no-print-directory kernel
	@$(MAKE) --no-print-directory all host-tests host-tools igvm \
		$(BUILD)/hcl-test.igvm $(BUILD)/loader/probe_shim.bin
	@scripts/check.sh $(BUILD) $(KDIR) $(CHECK)

# ---- make bench: the run loop, hcl.ko against KVM in one QEMU boot ---------

BENCH_SMP ?= 4
# One host thread for all vCPUs: with multi-threaded TCG the multi-VP
# phases often reset the VM (docs/runloop.md); BENCH_ACCEL=tcg to compare.
BENCH_ACCEL ?= tcg,thread=single
BENCH_BINS := hcl-bench hcl-bench-hcl hcl-bench-kvm
BENCH_CFLAGS := $(USER_CFLAGS) -Iuserspace/bench
BENCH_COMMON := userspace/bench/bench_common.c
BENCH_DEPS := $(BENCH_COMMON) $(wildcard userspace/bench/*.h) $(USER_LIB) \
	$(USER_HDR)

$(BUILD)/vtl2/bin/hcl-bench: userspace/bench/bench_runner.c $(BENCH_DEPS)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(USER_LIB) $(USER_LIBS)

BENCH_SIDES := $(BUILD)/vtl2/bin/hcl-bench-hcl $(BUILD)/vtl2/bin/hcl-bench-kvm
$(BENCH_SIDES): $(BUILD)/vtl2/bin/hcl-bench-%: userspace/bench/%_bench.c \
		$(BENCH_DEPS)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(BENCH_COMMON) \
		$(USER_LIB) $(USER_LIBS)

$(BUILD)/guest/bench-guest.elf: tests/guest/bench_start.S \
		tests/guest/bench_guest.c tests/guest/guest.lds \
		userspace/bench/bench_abi.h userspace/lib/vtl0_test_abi.h
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -Iuserspace/bench -o $@ \
		tests/guest/bench_start.S tests/guest/bench_guest.c

$(BUILD)/guest/bench-guest.bin: $(BUILD)/guest/bench-guest.elf
	objcopy -O binary $< $@

$(BUILD)/initramfs-bench.cpio: $(INITRAMFS_DEPS) \
		$(addprefix $(BUILD)/vtl2/bin/,$(BENCH_BINS)) \
		$(BUILD)/guest/bench-guest.bin
	scripts/mkinitramfs.sh $@ $(BUILD) $(KDIR) bench

bench: deps
	@$(MAKE) --no-print-directory kernel
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory $(BUILD)/initramfs-bench.cpio
	@BENCH_N=$(BENCH_N) QEMU_ACCEL=$(BENCH_ACCEL) \
		scripts/bench.sh $(BUILD) $(KDIR) -s $(BENCH_SMP) \
		-m $(MEM) $(QEMU_VERBOSE)

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $${XDG_CACHE_HOME:-$$HOME/.cache}/hcl
