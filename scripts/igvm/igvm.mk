# SPDX-License-Identifier: GPL-2.0
#
# igvmtool and its IGVM library (parser, writer, image builder); included
# by the top-level Makefile.
#
#   make host-tools   $(BUILD)/bin/igvmtool

.PHONY: host-tools

IGVM_DIR := scripts/igvm
IGVM_LIB := $(filter-out $(IGVM_DIR)/igvmtool.c,$(wildcard $(IGVM_DIR)/*.c))
IGVM_HDR := $(wildcard $(IGVM_DIR)/*.h)
HOST_TOOL_CFLAGS := -O2 -g $(WARN) -std=c11 -I$(IGVM_DIR)

host-tools: $(BUILD)/bin/igvmtool

$(BUILD)/bin/igvmtool: $(IGVM_DIR)/igvmtool.c $(IGVM_LIB) $(IGVM_HDR)
	@mkdir -p $(@D)
	$(CC) $(HOST_TOOL_CFLAGS) -o $@ $< $(IGVM_LIB)

# the IGVM host test links the library (a more specific rule than the
# generic host-test rule)
$(BUILD)/tests/igvm: tests/user/host_igvm.c $(IGVM_LIB) $(IGVM_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -I$(IGVM_DIR) -o $@ $< $(IGVM_LIB)

$(BUILD)/fuzz/fuzz_igvm: tests/fuzz/fuzz_igvm.c $(IGVM_LIB) $(IGVM_HDR)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -I$(IGVM_DIR) -o $@ $< $(IGVM_LIB)
