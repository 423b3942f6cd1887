# SPDX-License-Identifier: GPL-2.0
#
# The host loader (tools/loader/), included by the top-level Makefile
# after rt/rt.mk, tools/igvm/igvm.mk and shim/shim.mk, whose sources it
# compiles freestanding.
#
#   make loader        $(BUILD)/loader/hcl-loader.elf, the PVH program QEMU
#                      boots with an IGVM file as its -initrd
#   make loader-test   builds the loader, igvmtool and a probe shim, then
#                      boots QEMU with good and broken images (TAP)

# ---- the loader: freestanding x86-64, linked at 1 MiB, booted as PVH

LOADER_DIR := $(BUILD)/loader
LOADER_ELF := $(LOADER_DIR)/hcl-loader.elf
FREESTANDING_CFLAGS := -m64 -O2 -g -std=gnu11 -ffreestanding -fno-builtin \
	-nostdlib -fno-pic -fno-pie -fno-stack-protector -mno-red-zone \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-common
LOADER_SRC_DIR := tools/loader
LOADER_CFLAGS := $(FREESTANDING_CFLAGS) $(WARN) -I$(RT_DIR) -Ishim \
	-I$(IGVM_DIR) -I$(LOADER_SRC_DIR) -Iinclude -I$(LIBFDT_DIR)
LOADER_SRC := $(wildcard $(LOADER_SRC_DIR)/*.c)
LOADER_HDR := $(wildcard $(LOADER_SRC_DIR)/*.h) $(RT_HDR) $(IGVM_HDR) \
	shim/host_config.h shim/shim_err.h include/hcl/openhcl_dt.h
# the IGVM parser and the shim's host DT parser, compiled freestanding
LOADER_SHARED := $(IGVM_DIR)/igvm_parse.c $(IGVM_DIR)/igvm_types.c \
	shim/host_config.c shim/shim_err.c
LOADER_OBJ := $(patsubst $(LOADER_SRC_DIR)/%.c,$(LOADER_DIR)/%.o,$(LOADER_SRC)) \
	$(LOADER_DIR)/entry.o \
	$(patsubst $(RT_DIR)/%.c,$(LOADER_DIR)/rt/%.o,$(RT_SRC)) \
	$(patsubst %.c,$(LOADER_DIR)/shared/%.o,$(notdir $(LOADER_SHARED))) \
	$(patsubst %,$(LOADER_DIR)/libfdt/%.o,$(LIBFDT_SRC))

.PHONY: loader loader-test

loader: $(LOADER_ELF)

$(LOADER_DIR)/%.o: $(LOADER_SRC_DIR)/%.c $(LOADER_HDR)
	@mkdir -p $(@D)
	$(CC) $(LOADER_CFLAGS) -c -o $@ $<

$(LOADER_DIR)/entry.o: $(LOADER_SRC_DIR)/entry.S $(RT_HDR)
	@mkdir -p $(@D)
	$(CC) -m64 -I$(RT_DIR) -c -o $@ $<

$(LOADER_DIR)/rt/%.o: $(RT_DIR)/%.c $(RT_HDR)
	@mkdir -p $(@D)
	$(CC) $(LOADER_CFLAGS) -c -o $@ $<

$(LOADER_DIR)/shared/igvm_%.o: $(IGVM_DIR)/igvm_%.c $(LOADER_HDR)
	@mkdir -p $(@D)
	$(CC) $(LOADER_CFLAGS) -c -o $@ $<

$(LOADER_DIR)/shared/%.o: shim/%.c $(LOADER_HDR)
	@mkdir -p $(@D)
	$(CC) $(LOADER_CFLAGS) -c -o $@ $<

$(LOADER_DIR)/libfdt/%.o: $(LIBFDT_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(FREESTANDING_CFLAGS) -I$(LIBFDT_DIR) -c -o $@ $<

$(LOADER_ELF): $(LOADER_OBJ) $(LOADER_SRC_DIR)/loader.lds
	$(CC) -m64 -nostdlib -static -no-pie \
		-Wl,-T,$(LOADER_SRC_DIR)/loader.lds \
		-Wl,--build-id=none -Wl,-z,noexecstack \
		-Wl,--no-warn-rwx-segments -o $@ $(LOADER_OBJ)

# ---- loader-test: the probe shim and the boot tests (tests/boot/)

$(LOADER_DIR)/probe_shim.elf: tests/boot/probe_shim.S tests/boot/probe_shim.lds
	@mkdir -p $(@D)
	$(CC) -m64 -nostdlib -static -no-pie -Wl,-T,tests/boot/probe_shim.lds \
		-Wl,--build-id=none -Wl,-z,noexecstack -o $@ $<

$(LOADER_DIR)/probe_shim.bin: $(LOADER_DIR)/probe_shim.elf
	objcopy -O binary $< $@

loader-test: $(LOADER_ELF) $(LOADER_DIR)/probe_shim.bin $(BUILD)/bin/igvmtool
	@tests/boot/loader-test.sh $(BUILD) $(BZIMAGE)
