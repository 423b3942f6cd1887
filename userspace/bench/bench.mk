# SPDX-License-Identifier: GPL-2.0
#
# make bench's programs: the runner and the two sides (hcl.ko and KVM),
# all static for the bench initramfs; included by the top-level Makefile.

BENCH_BINS := hcl-bench hcl-bench-hcl hcl-bench-kvm hcl-boot-bench
BENCH_CFLAGS := $(USER_CFLAGS) -Iuserspace/bench
BENCH_COMMON := userspace/bench/bench_common.c
BENCH_DEPS := $(BENCH_COMMON) $(wildcard userspace/bench/*.h) $(USER_LIB) \
	$(USER_HDR)

# the two runners swap hcl.ko and KVM between their sides
$(BUILD)/vtl2/bin/hcl-bench: userspace/bench/bench_runner.c \
		userspace/bench/modswitch.c $(BENCH_DEPS)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(USER_LDFLAGS) -o $@ $< \
		userspace/bench/modswitch.c $(USER_LIB) $(USER_LIBS)

$(BUILD)/vtl2/bin/hcl-boot-bench: userspace/bench/boot_bench.c \
		userspace/bench/modswitch.c $(BENCH_DEPS)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(USER_LDFLAGS) -o $@ $< \
		userspace/bench/modswitch.c $(USER_LIB) $(USER_LIBS)

BENCH_SIDES := $(BUILD)/vtl2/bin/hcl-bench-hcl $(BUILD)/vtl2/bin/hcl-bench-kvm
$(BENCH_SIDES): $(BUILD)/vtl2/bin/hcl-bench-%: userspace/bench/%_bench.c \
		$(BENCH_DEPS)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(BENCH_COMMON) \
		$(USER_LIB) $(USER_LIBS)

# the netlink dump timing: the family's client (userspace/control/), so
# dynamically linked like every libmnl user (control.mk)
BENCH_BINS += hcl-bench-nl
$(BUILD)/vtl2/bin/hcl-bench-nl: userspace/bench/nl_bench.c $(CONTROL_SRC) \
		$(CONTROL_HDR)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(CONTROL_CFLAGS) -o $@ $< $(CONTROL_SRC) \
		$(CONTROL_LIBS)

# built with the rest of VTL2 userspace, so make check's style group
# holds them to -Werror too
userspace: $(addprefix $(BUILD)/vtl2/bin/,$(BENCH_BINS))
