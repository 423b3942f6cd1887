# SPDX-License-Identifier: GPL-2.0
#
# igvmtool and its IGVM library (parser, writer, image builder) in
# tools/igvm/; included by the top-level Makefile.
#
#   make host-tools   $(BUILD)/bin/igvmtool

.PHONY: host-tools

IGVM_DIR := tools/igvm
IGVM_LIB := $(filter-out $(IGVM_DIR)/igvmtool.c,$(wildcard $(IGVM_DIR)/*.c))
IGVM_HDR := $(wildcard $(IGVM_DIR)/*.h) include/hcl/igvm_layout.h \
	include/hcl/vtl0_bundle.h
HOST_TOOL_CFLAGS := -O2 -g $(WARN) -std=c11 -I$(IGVM_DIR) -Iinclude

host-tools: $(BUILD)/bin/igvmtool

$(BUILD)/bin/igvmtool: $(IGVM_DIR)/igvmtool.c $(IGVM_LIB) $(IGVM_HDR)
	@mkdir -p $(@D)
	$(CC) $(HOST_TOOL_CFLAGS) -o $@ $< $(IGVM_LIB)

# the IGVM host test links the library (a more specific rule than the
# generic host-test rule)
$(BUILD)/tests/igvm: tests/user/host_igvm.c $(IGVM_LIB) $(IGVM_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -I$(IGVM_DIR) -Iinclude -o $@ $< $(IGVM_LIB)

# what a fuzzer that says "fuzz-build: igvm" links (tests/fuzz/fuzz.mk)
FUZZ_DEPS_igvm := $(IGVM_LIB) $(IGVM_HDR)
FUZZ_LINK_igvm := $(IGVM_LIB)
FUZZ_CFLAGS_igvm := -I$(IGVM_DIR) -Iinclude
