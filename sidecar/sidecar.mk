# SPDX-License-Identifier: GPL-2.0
#
# The sidecar kernel, included by the top-level Makefile after rt/rt.mk
# and shim/shim.mk (SHIM_FREESTANDING: the same freestanding flags).
#
#   make sidecar   $(BUILD)/sidecar/sidecar.bin: a flat x86-64 binary
#                  linked at VTL2 base + HCL_IGVM_OFF_SIDECAR, starting
#                  with struct hcl_sidecar_image (igvmtool build --sidecar)
#
# Sources: sidecar/*.c and entry.S, and rt/string.c (memset/memcpy: the
# compiler may emit calls to them).  The contract is include/hcl/sidecar.h.

.PHONY: sidecar

SIDECAR_OUT := $(BUILD)/sidecar
SIDECAR_SRC := $(wildcard sidecar/*.c)
SIDECAR_HDR := $(wildcard sidecar/*.h include/hcl/*.h) $(RT_HDR)

SIDECAR_BASE := $(shell printf '0x%x' $$(( $$(printf '%s\n' \
	'HCL_IGVM_VTL2_BASE + HCL_IGVM_OFF_SIDECAR' | \
	$(CC) -E -P -include include/hcl/igvm_layout.h - | \
	tail -n 1 | sed 's/ull//g') )))

SIDECAR_CFLAGS := -O2 -g $(WARN) -std=gnu11 $(SHIM_FREESTANDING) \
	-Isidecar -I$(RT_DIR) -Iinclude
SIDECAR_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,sidecar/sidecar.lds \
	-Wl,--defsym=SIDECAR_BASE=$(SIDECAR_BASE) -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-Wl,-z,max-page-size=4096

SIDECAR_OBJ := $(patsubst sidecar/%.c,$(SIDECAR_OUT)/obj/%.o,$(SIDECAR_SRC)) \
	$(SIDECAR_OUT)/obj/entry.o $(SIDECAR_OUT)/obj/vmrun.o \
	$(SIDECAR_OUT)/obj/rt/string.o

sidecar: $(SIDECAR_OUT)/sidecar.bin

$(SIDECAR_OUT)/obj/%.o: sidecar/%.c $(SIDECAR_HDR)
	@mkdir -p $(@D)
	$(CC) $(SIDECAR_CFLAGS) -c -o $@ $<

$(SIDECAR_OUT)/obj/rt/%.o: $(RT_DIR)/%.c $(RT_HDR)
	@mkdir -p $(@D)
	$(CC) $(SIDECAR_CFLAGS) -c -o $@ $<

$(SIDECAR_OUT)/obj/%.o: sidecar/%.S $(RT_HDR)
	@mkdir -p $(@D)
	$(CC) -m64 -I$(RT_DIR) -c -o $@ $<

$(SIDECAR_OUT)/sidecar.elf: $(SIDECAR_OBJ) sidecar/sidecar.lds
	$(CC) $(SIDECAR_LDFLAGS) -o $@ $(SIDECAR_OBJ)

$(SIDECAR_OUT)/sidecar.bin: $(SIDECAR_OUT)/sidecar.elf
	objcopy --set-section-flags .bss=alloc,load,contents -O binary $< $@
