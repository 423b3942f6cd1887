# SPDX-License-Identifier: GPL-2.0
#
# The VTL0 test guest and the benchmark guest: freestanding flat binaries
# loaded at 1 MiB; included by the top-level Makefile.
#
#   make guest   $(BUILD)/guest/vtl0-guest.bin

.PHONY: guest

GUEST_CFLAGS := -O2 $(WARN) -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mno-red-zone \
	-mgeneral-regs-only -nostdlib -static -no-pie -Iuserspace/lib -Irt \
	-Wl,-T,tests/guest/guest.lds -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

guest: $(BUILD)/guest/vtl0-guest.bin

$(BUILD)/guest/vtl0-guest.elf: tests/guest/start.S tests/guest/guest.c \
		tests/guest/guest.lds userspace/lib/vtl0_test_abi.h rt/pio.h
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ tests/guest/start.S tests/guest/guest.c

$(BUILD)/guest/bench-guest.elf: tests/guest/bench_start.S \
		tests/guest/bench_guest.c tests/guest/guest.lds \
		userspace/bench/bench_abi.h userspace/lib/vtl0_test_abi.h
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -Iuserspace/bench -o $@ \
		tests/guest/bench_start.S tests/guest/bench_guest.c

$(BUILD)/guest/%.bin: $(BUILD)/guest/%.elf
	objcopy -O binary $< $@
