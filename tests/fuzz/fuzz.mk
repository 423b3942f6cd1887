# SPDX-License-Identifier: GPL-2.0
#
# The libFuzzer targets (clang, ASan, UBSan), included by the top-level
# Makefile after the components they test.  Every tests/fuzz/fuzz_*.c is
# a target, $(BUILD)/fuzz/fuzz_*; nothing lists them.  A fuzzer says what
# it links in a line of its leading comment:
#
#    * fuzz-build: shim
#
# naming components whose .mk defines FUZZ_DEPS_<c> (prerequisites),
# FUZZ_LINK_<c> (what to link) and FUZZ_CFLAGS_<c>: igvm (tools/igvm/
# igvm.mk), shim (shim/shim.mk) and tis (userspace/workers/workers.mk).
# Its seed and run length are read by
# scripts/fuzz-smoke.sh from the same comment (fuzz-seed:, fuzz-run:).
#
#   make fuzzers   builds them all; make fuzz runs them (FUZZ_TIME s each)

.PHONY: fuzzers

# headers the fuzzers share among themselves and with the host tests
FUZZ_HDR := $(wildcard tests/fuzz/*.h tests/common/*.h)
FUZZERS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz_uses = $(shell sed -n 's/^ \* fuzz-build: *//p' tests/fuzz/$(1).c)

define fuzz_rule
$(BUILD)/fuzz/$(1): tests/fuzz/$(1).c $(FUZZ_HDR) \
		$(foreach c,$(2),$(FUZZ_DEPS_$(c)))
	@mkdir -p $$(@D)
	clang $$(FUZZ_CFLAGS) $(foreach c,$(2),$(FUZZ_CFLAGS_$(c))) -o $$@ $$< \
		$(foreach c,$(2),$(FUZZ_LINK_$(c)))
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rule,$(f),$(call fuzz_uses,$(f)))))

fuzzers: $(addprefix $(BUILD)/fuzz/,$(FUZZERS))
