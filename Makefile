# SPDX-License-Identifier: GPL-2.0
#
# hcl: one Makefile drives everything.
#
#   make run     build what is missing, boot the paravisor under QEMU
#   make check   every test; ends with "N passed, N failed"
#   make bench   the run loop, exit kind by exit kind, against KVM
#   make fuzz-vm the UAPI fuzzer in VTL2 for FUZZ_VM_SECONDS (300)
#   make check-debug  the in-VM tests and fuzzers on the debug kernel
#   make hostile-vm  the hostile VTL0 guest for HOSTILE_VM_SECONDS (300)
#                or HOSTILE_VM_EXITS (1000000) exits, whichever comes first
#   make         build the module, VTL2 userspace, the VTL0 guest, initramfs
#
# Variables: KDIR=<prepared kernel tree> (default: our cached VTL2 kernel),
# SMP=, MEM= for make run, V=1 for a verbose kernel console,
# HCLCTL="status;stats" (hclctl commands once VTL0 runs), VMGS= (the
# guest-state store, default build/vmgs.bin),
# CHECK="host style vm e2e" to pick test groups for make check,
# BENCH_N= (iterations per case), BENCH_ROUNDS= (default 5) and BENCH_SMP=
# (default 4) for make bench; BENCH="runloop boot" picks its parts.

SHELL := /bin/bash
.DEFAULT_GOAL := all

BUILD := $(CURDIR)/build
# KDIR is computed when make reads this file.  On a fresh machine that is
# before deps has installed linux-source-6.12, so every target that needs
# KDIR runs in a sub-make started after deps (run, check, bench below).
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
	-Iinclude -Iuserspace -Iuserspace/lib
USER_LDFLAGS := -static
USER_LIBS := -luring -lfdt

HOST_TESTS := $(patsubst tests/user/host_%.c,%,$(wildcard tests/user/host_*.c))
KSELFTEST = $(KDIR)/tools/testing/selftests
TEST_CFLAGS = $(USER_CFLAGS) -I$(KSELFTEST) -Wno-unused-parameter \
	-Wno-sign-compare -Wno-clobbered
FUZZ_TIME ?= 300
FUZZ_CFLAGS := -O1 -g $(WARN) -std=c11 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

.PHONY: all deps kernel initramfs run check host-tests clean distclean \
	check-debug check-debug-built \
	bench fuzz igvm FORCE run-built check-built bench-built vtl0-linux \
	fuzz-vm fuzz-vm-built hostile-vm hostile-vm-built mttcg-repro \
	mttcg-repro-built

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


# ---- shared host libraries: libfdt from the kernel tree ------------------
# compiled from the kernel tree's sources, never copied; once plainly for
# the host tests, once with the fuzzers' sanitizers

LIBFDT_DIR = $(KDIR)/scripts/dtc/libfdt
LIBFDT_SRC := fdt fdt_ro fdt_rw fdt_sw fdt_wip fdt_strerror fdt_addresses \
	fdt_empty_tree
HOST_LIBFDT := $(BUILD)/libfdt/libfdt.a
FUZZ_LIBFDT := $(BUILD)/fuzz/libfdt/libfdt.a

$(BUILD)/libfdt/%.o: $(LIBFDT_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -I$(LIBFDT_DIR) -c -o $@ $<

$(HOST_LIBFDT): $(patsubst %,$(BUILD)/libfdt/%.o,$(LIBFDT_SRC))
	ar rcs $@ $^

$(BUILD)/fuzz/libfdt/%.o: $(LIBFDT_DIR)/%.c
	@mkdir -p $(@D)
	clang -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=undefined -I$(LIBFDT_DIR) -c -o $@ $<

$(FUZZ_LIBFDT): $(patsubst %,$(BUILD)/fuzz/libfdt/%.o,$(LIBFDT_SRC))
	ar rcs $@ $^

# ---- components: each adds its own targets and rules -----------------------

include kmod/kmod.mk
include userspace/userspace.mk
include userspace/control/control.mk
include userspace/openvmm_hcl/openvmm_hcl.mk
include userspace/sandbox/sandbox.mk
include userspace/workers/workers.mk
include userspace/bench/bench.mk
include tests/guest/guest.mk
include rt/rt.mk
include tools/igvm/igvm.mk
include shim/shim.mk
include sidecar/sidecar.mk
include tools/loader/loader.mk
include tools/hclctl/hclctl.mk
include tests/fuzz/fuzz.mk

host-tests: $(addprefix $(BUILD)/tests/,$(HOST_TESTS))

# ---- initramfs ------------------------------------------------------------

initramfs: $(BUILD)/initramfs.cpio $(BUILD)/initramfs-test.cpio

INITRAMFS_DEPS := scripts/mkinitramfs.sh $(BUILD)/kbuild/modules.stamp \
	$(addprefix $(BUILD)/vtl2/bin/,$(VTL2_BINS)) $(BUILD)/guest/vtl0-guest.bin

$(BUILD)/initramfs.cpio: $(INITRAMFS_DEPS)
	scripts/mkinitramfs.sh $@ $(BUILD) $(KDIR) run

$(BUILD)/initramfs-test.cpio: $(INITRAMFS_DEPS) \
		$(addprefix $(BUILD)/vtl2/bin/,$(VTL2_TEST_BINS))
	scripts/mkinitramfs.sh $@ $(BUILD) $(KDIR) test

# the VTL0 Linux payload (make run GUEST=linux): scripts/vtl0-linux.sh
# rewrites these files only when they change; `make vtl0-linux` runs it.
# They travel in hcl-linux.igvm as one measured VTL0 Linux bundle
# (include/hcl/vtl0_bundle.h), the image's staged VTL0 image.
VTL0_LINUX := $(addprefix $(BUILD)/vtl0-linux/,bzImage initrd cmdline)
VTL0_BUNDLE := $(BUILD)/vtl0-linux/vtl0-linux.bundle
# defined before the first rule that lists it: prerequisites expand at once
IGVMTOOL := $(BUILD)/bin/igvmtool

vtl0-linux:
	@scripts/vtl0-linux.sh $(BUILD)/vtl0-linux $(KDIR)

$(VTL0_BUNDLE): $(VTL0_LINUX) $(IGVMTOOL)
	$(IGVMTOOL) vtl0-linux -o $@ --kernel $(BUILD)/vtl0-linux/bzImage \
		--initrd $(BUILD)/vtl0-linux/initrd \
		--cmdline "$$(cat $(BUILD)/vtl0-linux/cmdline)"

$(BUILD)/initramfs-bench.cpio: $(INITRAMFS_DEPS) \
		$(addprefix $(BUILD)/vtl2/bin/,$(BENCH_BINS)) \
		$(BUILD)/guest/bench-guest.bin
	scripts/mkinitramfs.sh $@ $(BUILD) $(KDIR) bench

$(BUILD)/initramfs-bootbench.cpio: $(INITRAMFS_DEPS) $(VTL0_LINUX) \
		$(BUILD)/vtl2/bin/hcl-boot-bench
	scripts/mkinitramfs.sh $@ $(BUILD) $(KDIR) bootbench

# ---- IGVM images: shim + VTL2 kernel + initramfs + VTL0 image --------------
#
# The measured static command line; the host's line (make run ARGS=...) is
# appended by the shim because this line says openhcl_boot.host_cmdline=append.
# acpi=off: CPUs and LAPIC come from the shim's tree.  As OpenHCL does,
# trust the TSC (no clocksource watchdog; TCG's TSC follows the host's)
# and skip the timer check; VTL2 has two UARTs: the console (ttyS0) and
# the host channel (ttyS1 at 0x2f8, IRQ 3: docs/hostchan.md).
IGVM_CMDLINE ?= console=ttyS0 acpi=off quiet loglevel=4 panic=-1 \
	tsc=reliable no_timer_check 8250.nr_uarts=2 \
	openhcl_boot.host_cmdline=append
LOADER := $(BUILD)/loader/hcl-loader.elf
SHIM_BIN := $(BUILD)/shim/openhcl_boot.bin
SIDECAR_BIN := $(BUILD)/sidecar/sidecar.bin

igvm: $(BUILD)/hcl.igvm $(LOADER)

# rewritten only when the command line changes, so the images follow it
IGVM_CMDLINE_FILE := $(BUILD)/igvm-cmdline
$(IGVM_CMDLINE_FILE): FORCE
	@mkdir -p $(@D)
	@echo '$(IGVM_CMDLINE)' | cmp -s - $@ || echo '$(IGVM_CMDLINE)' > $@
FORCE:

# $(BUILD)/X.igvm carries $(BUILD)/initramfs-X.cpio (hcl.igvm and
# hcl-linux.igvm: initramfs.cpio) and a staged VTL0 image: the test guest,
# or for hcl-linux.igvm the VTL0 Linux bundle
$(BUILD)/hcl.igvm: $(BUILD)/initramfs.cpio $(BUILD)/guest/vtl0-guest.bin
$(BUILD)/hcl-test.igvm: $(BUILD)/initramfs-test.cpio \
	$(BUILD)/guest/vtl0-guest.bin
$(BUILD)/hcl-bench.igvm: $(BUILD)/initramfs-bench.cpio \
	$(BUILD)/guest/vtl0-guest.bin
$(BUILD)/hcl-linux.igvm: $(BUILD)/initramfs.cpio $(VTL0_BUNDLE)
$(BUILD)/hcl.igvm $(BUILD)/hcl-test.igvm $(BUILD)/hcl-bench.igvm \
		$(BUILD)/hcl-linux.igvm: \
		$(SHIM_BIN) $(SIDECAR_BIN) $(IGVMTOOL) $(BZIMAGE) \
		$(IGVM_CMDLINE_FILE)
	$(IGVMTOOL) build -o $@ --shim $(SHIM_BIN) --sidecar $(SIDECAR_BIN) \
		--kernel $(BZIMAGE) $(if $(IGVM_VTL2_SIZE),--vtl2-size $(IGVM_VTL2_SIZE)) \
		--initrd $(filter %.cpio,$^) \
		--vtl0 $(filter %/vtl0-guest.bin %.bundle,$^) --cmdline "$(IGVM_CMDLINE)"

# ---- run, check, bench ------------------------------------------------------
#
# Each installs what is missing (deps), then does the rest in a sub-make,
# which reads KDIR afresh now that the kernel source is installed.

QEMU_VERBOSE := $(if $(filter 1,$(V)),-v,)

# GUEST=linux boots Debian's kernel in VTL0 (scripts/vtl0-linux.sh): an
# interactive shell on the terminal, or VTL0_CMD="..." run and its status
# returned; VTL0_KERNEL= and VTL0_INITRD= take other files.
GUEST ?= test
RUN_IGVM := $(BUILD)/$(if $(filter linux,$(GUEST)),hcl-linux,hcl).igvm
# an interactive guest: the terminal's input reaches it, and no time limit
RUN_INTERACTIVE := $(and $(filter linux,$(GUEST)),$(if $(VTL0_CMD),,1))

run: deps
	@$(MAKE) --no-print-directory kernel
	@$(if $(filter linux,$(GUEST)),$(MAKE) --no-print-directory vtl0-linux)
	@$(MAKE) --no-print-directory run-built

# The host channel (docs/hostchan.md): hclctl serve runs beside QEMU on
# its second UART; `build/bin/hclctl -s build/hclctl.sock status` from
# another terminal, or HCLCTL="status;stats" runs the commands once VTL0
# runs.  VMGS= is the guest-state store (default build/vmgs.bin).
VMGS ?= $(BUILD)/vmgs.bin

run-built: all $(RUN_IGVM) $(LOADER) $(HCLCTL_BIN)
	@$(if $(RUN_INTERACTIVE),QEMU_STDIN=1) scripts/qemu-run.sh \
		-g $(RUN_IGVM) -L $(LOADER) $(if $(RUN_INTERACTIVE),-t 0) \
		-s $(SMP) -m $(MEM) $(QEMU_VERBOSE) -l $(BUILD)/run.log \
		-H $(HCLCTL_BIN) -S $(BUILD)/hclctl.sock -V $(VMGS) \
		$(if $(HCLCTL),-C "$(HCLCTL)") \
		$(if $(ARGS),-a "$(ARGS)"); rc=$$?; \
	tr -d '\r' < $(BUILD)/run.log | \
		sed -n 's/^openvmm_hcl: timeline-json //p' > $(BUILD)/timeline.json; \
	exit $$rc

check: deps
	@$(MAKE) --no-print-directory kernel
	@$(MAKE) --no-print-directory vtl0-linux
	@$(MAKE) --no-print-directory check-built

check-built: all host-tests host-tools igvm $(BUILD)/hcl-test.igvm \
		$(BUILD)/hcl-linux.igvm $(BUILD)/loader/probe_shim.bin
	@scripts/check.sh $(BUILD) $(KDIR) $(CHECK)

fuzz:
	@scripts/fuzz-smoke.sh $(BUILD) $(FUZZ_TIME)

# The in-VM tests on the debug flavour of the VTL2 kernel (KASAN, UBSAN,
# KFENCE, lockdep, kmemleak, debug lists and objects, hung tasks, fault
# injection: scripts/vtl2-debug.config), built and cached beside the
# main one by scripts/kernel.sh --debug; hcl.ko and the images are built
# against it in $(BUILD)/debug.  Any report fails it (scripts/check.sh,
# group debug).  HCL_FAIL_ALLOC= sets the failslab percentage (2).  The
# debug kernel needs 64 MiB to decompress and KASAN's shadow: its images
# give VTL2 512 MiB instead of 128.
DEBUG_VTL2_SIZE ?= 0x20000000
check-debug: deps
	@scripts/kernel.sh --debug > /dev/null
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/debug \
		KDIR=$$(scripts/kernel.sh --debug --print-dir) \
		IGVM_VTL2_SIZE=$(DEBUG_VTL2_SIZE) check-debug-built

check-debug-built: all $(BUILD)/hcl-test.igvm $(LOADER)
	@scripts/check.sh $(BUILD) $(KDIR) debug

# The UAPI fuzzer (tests/user/uapi_fuzz.c) in VTL2 for FUZZ_VM_SECONDS,
# with FUZZ_VM_THREADS threads; FUZZ_VM_SEED= replays a run's seed.  It
# boots the test image with only the fuzz group (and the kernel log
# check); the log is $(BUILD)/fuzz-vm.log.
FUZZ_VM_SECONDS ?= 300
FUZZ_VM_THREADS ?= 4
FUZZ_VM_ARGS = --seconds,$(FUZZ_VM_SECONDS),--threads,$(FUZZ_VM_THREADS)$(if \
	$(FUZZ_VM_SEED),$(comma)--seed$(comma)$(FUZZ_VM_SEED))
comma := ,

fuzz-vm: deps
	@$(MAKE) --no-print-directory kernel
	@$(MAKE) --no-print-directory fuzz-vm-built

fuzz-vm-built: all $(BUILD)/hcl-test.igvm $(LOADER)
	@scripts/qemu-run.sh -g $(BUILD)/hcl-test.igvm -L $(LOADER) \
		-t $$(($(FUZZ_VM_SECONDS) + 300)) -m 512M -l $(BUILD)/fuzz-vm.log \
		-a "HCL_EXEC=/bin/hcl-vmtest HCL_VMTEST_ONLY=fuzz HCL_FUZZ_ARGS=$(FUZZ_VM_ARGS) openhcl_boot.sidecar=off hcl.max_vps=4 hcl.check_host_state=1" \
		> /dev/null; rc=$$?; \
	tr -d '\r' < $(BUILD)/fuzz-vm.log | \
		sed -n '/^HCL-TEST-BEGIN fuzz$$/,/^HCL-TEST-END dmesg$$/p' | \
		grep -v '^# klog: <[67]>'; \
	tr -d '\r' < $(BUILD)/fuzz-vm.log | grep -q '^HCL-TEST-DONE' && \
		! tr -d '\r' < $(BUILD)/fuzz-vm.log | grep -q '^not ok' && \
		exit $$rc; exit 1

# The hostile VTL0 guest (tests/user/hostile_guest.c) on HOSTILE_VM_VPS
# VPs until HOSTILE_VM_EXITS exits or HOSTILE_VM_SECONDS, whichever comes
# first; HOSTILE_VM_SEED= replays a run's seed.  It boots the test image
# with only the hostile group (and the kernel log check), host state
# checked on every entry; the log is $(BUILD)/hostile-vm.log.
HOSTILE_VM_SECONDS ?= 300
HOSTILE_VM_EXITS ?= 1000000
HOSTILE_VM_VPS ?= 4
HOSTILE_VM_ARGS = --seconds,$(HOSTILE_VM_SECONDS),--exits,$(HOSTILE_VM_EXITS),--vps,$(HOSTILE_VM_VPS)$(if \
	$(HOSTILE_VM_SEED),$(comma)--seed$(comma)$(HOSTILE_VM_SEED))

hostile-vm: deps
	@$(MAKE) --no-print-directory kernel
	@$(MAKE) --no-print-directory hostile-vm-built

hostile-vm-built: all $(BUILD)/hcl-test.igvm $(LOADER)
	@scripts/qemu-run.sh -g $(BUILD)/hcl-test.igvm -L $(LOADER) \
		-t $$(($(HOSTILE_VM_SECONDS) + 300)) -m 512M -l $(BUILD)/hostile-vm.log \
		-a "HCL_EXEC=/bin/hcl-vmtest HCL_VMTEST_ONLY=hostile HCL_HOSTILE_ARGS=$(HOSTILE_VM_ARGS) openhcl_boot.sidecar=off hcl.max_vps=$(HOSTILE_VM_VPS) hcl.check_host_state=1" \
		> /dev/null; rc=$$?; \
	tr -d '\r' < $(BUILD)/hostile-vm.log | \
		sed -n '/^HCL-TEST-BEGIN hostile$$/,/^HCL-TEST-END dmesg$$/p'; \
	tr -d '\r' < $(BUILD)/hostile-vm.log | grep -q '^HCL-TEST-DONE' && \
		! tr -d '\r' < $(BUILD)/hostile-vm.log | grep -q '^not ok' && \
		exit $$rc; exit 1

BENCH_SMP ?= 4
# the boot benchmark's VTL2: 512M of VTL0 RAM for each side, QEMU inside
BENCH_BOOT_MEM ?= 2G
# One host thread for all vCPUs: with multi-threaded TCG the multi-VP
# phases often reset the VM (docs/runloop.md); BENCH_ACCEL=tcg to compare.
BENCH_ACCEL ?= tcg,thread=single

# QEMU's multi-threaded TCG failure with nested SVM, without hcl.ko
# (docs/runloop.md, "Known limits"): MTTCG_RUNS boots of kvm_amd running
# the benchmark's guest on 4 vCPUs, counted (scripts/mttcg-repro.sh).
MTTCG_RUNS ?= 40
mttcg-repro: deps
	@$(MAKE) --no-print-directory kernel
	@$(MAKE) --no-print-directory mttcg-repro-built

mttcg-repro-built: all $(BUILD)/initramfs-bench.cpio
	@scripts/mttcg-repro.sh $(BUILD) $(KDIR) $(MTTCG_RUNS)

bench: deps
	@$(MAKE) --no-print-directory kernel
	@$(MAKE) --no-print-directory bench-built

# BENCH= picks: runloop (exit by exit against KVM), boot (Linux in VTL0
# against QEMU+KVM: scripts/bench-boot.sh), hostchan (hclctl round trips
# and openvmm_hcl's RSS: scripts/bench-hostchan.sh), sidecar (boot
# scaling with the sidecar on and off, and a VP's cost per exit on a
# sidecar CPU against Linux's: scripts/bench-sidecar.sh)
BENCH ?= runloop boot hostchan sidecar
BENCH_FILES := $(if $(filter runloop,$(BENCH)),$(BUILD)/initramfs-bench.cpio) \
	$(if $(filter boot,$(BENCH)),$(BUILD)/initramfs-bootbench.cpio)

bench-built: all
	@$(if $(filter boot hostchan,$(BENCH)),$(MAKE) --no-print-directory vtl0-linux)
	@$(MAKE) --no-print-directory $(BENCH_FILES) \
		$(if $(filter hostchan,$(BENCH)),$(BUILD)/hcl-linux.igvm $(LOADER) $(HCLCTL_BIN)) \
		$(if $(filter sidecar,$(BENCH)),$(BUILD)/hcl.igvm $(BUILD)/hcl-bench.igvm $(LOADER))
	@$(if $(filter runloop,$(BENCH)),BENCH_N=$(BENCH_N) \
		QEMU_ACCEL=$(BENCH_ACCEL) scripts/bench.sh $(BUILD) $(KDIR) \
		-s $(BENCH_SMP) -m $(MEM) $(QEMU_VERBOSE))
	@$(if $(filter boot,$(BENCH)),QEMU_ACCEL=$(BENCH_ACCEL) \
		scripts/bench-boot.sh $(BUILD) $(KDIR) -s $(BENCH_SMP) \
		-m $(BENCH_BOOT_MEM) $(QEMU_VERBOSE))
	@$(if $(filter hostchan,$(BENCH)),QEMU_ACCEL=$(BENCH_ACCEL) \
		scripts/bench-hostchan.sh $(BUILD) -s $(BENCH_SMP) -m $(MEM) \
		$(QEMU_VERBOSE))
	@$(if $(filter sidecar,$(BENCH)),BENCH_N=$(BENCH_N) \
		QEMU_ACCEL=$(BENCH_ACCEL) scripts/bench-sidecar.sh $(BUILD) \
		$(QEMU_VERBOSE))

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $${XDG_CACHE_HOME:-$$HOME/.cache}/hcl
