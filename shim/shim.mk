# SPDX-License-Identifier: GPL-2.0
#
# openhcl_boot, the freestanding boot shim, included by the top-level
# Makefile (which defines BUILD, WARN, LIBFDT_DIR and LIBFDT_SRC) after
# rt/rt.mk (RT_DIR, RT_SRC, RT_HDR).
#
#   make shim    $(BUILD)/shim/openhcl_boot.bin: a flat x86-64 binary
#                linked at VTL2 base + HCL_IGVM_OFF_SHIM, entry at offset
#                0 (igvmtool build --shim, no --shim-entry needed)
#
# Sources: shim/*.c (the pure logic, also built for the host tests),
# shim/boot/ (entry, exceptions, the main flow: freestanding only),
# rt/*.c (the runtime shared with the host loader, rt/rt.mk) and libfdt
# from the kernel tree.  The boot contract headers are in include/hcl/.

.PHONY: shim

SHIM_OUT := $(BUILD)/shim
SHIM_BOOT_SRC := shim/boot/entry.S shim/boot/trampoline.S shim/boot/main.c \
	shim/boot/smp.c
SHIM_PURE_SRC := $(wildcard shim/*.c)
SHIM_ALL_HDR := $(wildcard shim/*.h shim/boot/*.h include/hcl/*.h) $(RT_HDR)

# the link address, from the layout header (a C expression made numeric)
SHIM_BASE := $(shell printf '0x%x' $$(( $$(printf '%s\n' \
	'HCL_IGVM_VTL2_BASE + HCL_IGVM_OFF_SHIM' | \
	$(CC) -E -P -include include/hcl/igvm_layout.h - | \
	tail -n 1 | sed 's/ull//g') )))

SHIM_FREESTANDING := -m64 -ffreestanding -fno-builtin -nostdlib -fno-pic \
	-fno-pie -fno-stack-protector -mno-red-zone -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -fno-common -mcmodel=small
SHIM_CFLAGS := -O2 -g $(WARN) -std=gnu11 $(SHIM_FREESTANDING) \
	-Ishim -Ishim/boot -I$(RT_DIR) -Iinclude -I$(LIBFDT_DIR)
SHIM_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,shim/boot/shim.lds \
	-Wl,--defsym=SHIM_BASE=$(SHIM_BASE) -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Wl,-z,max-page-size=4096

SHIM_OBJ := $(patsubst shim/%.c,$(SHIM_OUT)/obj/%.o,\
		$(SHIM_PURE_SRC) shim/boot/main.c shim/boot/smp.c) \
	$(patsubst $(RT_DIR)/%.c,$(SHIM_OUT)/obj/rt/%.o,$(RT_SRC)) \
	$(SHIM_OUT)/obj/boot/entry.o $(SHIM_OUT)/obj/boot/trampoline.o \
	$(patsubst %,$(SHIM_OUT)/libfdt/%.o,$(LIBFDT_SRC))

shim: $(SHIM_OUT)/openhcl_boot.bin

$(SHIM_OUT)/obj/%.o: shim/%.c $(SHIM_ALL_HDR)
	@mkdir -p $(@D)
	$(CC) $(SHIM_CFLAGS) -c -o $@ $<

$(SHIM_OUT)/obj/rt/%.o: $(RT_DIR)/%.c $(RT_HDR)
	@mkdir -p $(@D)
	$(CC) $(SHIM_CFLAGS) -c -o $@ $<

$(SHIM_OUT)/obj/boot/%.o: shim/boot/%.S $(RT_HDR)
	@mkdir -p $(@D)
	$(CC) -m64 -I$(RT_DIR) -c -o $@ $<

# libfdt: the kernel tree's sources, freestanding (its own warnings are
# not ours to fix)
$(SHIM_OUT)/libfdt/%.o: $(LIBFDT_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -std=gnu11 $(SHIM_FREESTANDING) -I$(LIBFDT_DIR) \
		-c -o $@ $<

$(SHIM_OUT)/openhcl_boot.elf: $(SHIM_OBJ) shim/boot/shim.lds
	$(CC) $(SHIM_LDFLAGS) -o $@ $(SHIM_OBJ)

$(SHIM_OUT)/openhcl_boot.bin: $(SHIM_OUT)/openhcl_boot.elf
	objcopy --set-section-flags .bss=alloc,load,contents -O binary $< $@

# ---- the shim's pure logic on the host: unit tests and fuzzers ------------
# shim/*.c build with -std=c11 -Wall -Wextra -Werror against the kernel
# tree's libfdt (HOST_LIBFDT, FUZZ_LIBFDT from the top-level Makefile).

SHIM_LIB := $(wildcard shim/*.c)
SHIM_HDR := $(wildcard shim/*.h include/hcl/*.h)
SHIM_HOST_CFLAGS := -O2 -g $(WARN) -std=c11 -Ishim -Iinclude -I$(LIBFDT_DIR)
SHIM_HOST_OBJ := $(patsubst shim/%.c,$(BUILD)/shim-host/%.o,$(SHIM_LIB))

$(BUILD)/shim-host/%.o: shim/%.c $(SHIM_HDR)
	@mkdir -p $(@D)
	$(CC) $(SHIM_HOST_CFLAGS) -c -o $@ $<

$(BUILD)/tests/shim: tests/user/host_shim.c $(SHIM_HOST_OBJ) $(HOST_LIBFDT) \
		$(SHIM_HDR) tests/common/shim_inputs.h
	@mkdir -p $(@D)
	$(CC) -Ishim -Iinclude -I$(LIBFDT_DIR) $(TEST_CFLAGS) -o $@ $< \
		$(SHIM_HOST_OBJ) $(HOST_LIBFDT)

# the shim's tree builder against VTL2 userspace's reader: one libfdt (the
# kernel tree's) for both
$(BUILD)/tests/hcl_dt: tests/user/host_hcl_dt.c userspace/lib/hcl_dt.c \
		userspace/lib/hcl_dt.h $(SHIM_HOST_OBJ) $(HOST_LIBFDT) \
		$(SHIM_HDR)
	@mkdir -p $(@D)
	$(CC) -I$(LIBFDT_DIR) -Ishim -Iinclude $(TEST_CFLAGS) -o $@ $< \
		userspace/lib/hcl_dt.c $(SHIM_HOST_OBJ) $(HOST_LIBFDT)

# the shim's tree builder against hcl.ko's parser: with --write it
# writes the trees as the config KUnit suite's config_kunit_trees.h,
# generated into the module's build tree (kmod/kmod.mk)
$(BUILD)/tests/openhcl_dt: tests/user/host_openhcl_dt.c $(SHIM_HOST_OBJ) \
		$(HOST_LIBFDT) $(SHIM_HDR)
	@mkdir -p $(@D)
	$(CC) -I$(LIBFDT_DIR) -Ishim -Iinclude $(TEST_CFLAGS) -o $@ $< \
		$(SHIM_HOST_OBJ) $(HOST_LIBFDT)

# what a fuzzer that says "fuzz-build: shim" links (tests/fuzz/fuzz.mk)
FUZZ_DEPS_shim := $(SHIM_LIB) $(SHIM_HDR) $(FUZZ_LIBFDT)
FUZZ_LINK_shim := $(SHIM_LIB) $(FUZZ_LIBFDT)
FUZZ_CFLAGS_shim := -Ishim -Iinclude -I$(LIBFDT_DIR)
