# SPDX-License-Identifier: GPL-2.0
#
# hclctl, the host side of the host channel (tools/hclctl/, hclctl.h
# lists its files), with the channel's codec from userspace/lib; its host
# test and the store's fuzzer component; included by the top-level
# Makefile.
#
#   make host-tools   also builds $(BUILD)/bin/hclctl

HCLCTL_DIR := tools/hclctl
HCLCTL_LIB := $(HCLCTL_DIR)/vmgs.c userspace/lib/hostchan.c
HCLCTL_HDR := $(wildcard $(HCLCTL_DIR)/*.h) userspace/lib/hostchan.h \
	include/hcl/hostchan.h
HCLCTL_CFLAGS := -O2 -g $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude \
	-Iuserspace/lib -I$(HCLCTL_DIR)
HCLCTL_BIN := $(BUILD)/bin/hclctl

host-tools: $(HCLCTL_BIN)

$(HCLCTL_BIN): $(HCLCTL_DIR)/main.c $(HCLCTL_DIR)/serve.c $(HCLCTL_LIB) \
		$(HCLCTL_HDR)
	@mkdir -p $(@D)
	$(CC) $(HCLCTL_CFLAGS) -o $@ $(HCLCTL_DIR)/main.c \
		$(HCLCTL_DIR)/serve.c $(HCLCTL_LIB)

$(BUILD)/tests/vmgs: tests/user/host_vmgs.c $(HCLCTL_LIB) $(HCLCTL_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -I$(HCLCTL_DIR) -o $@ $< $(HCLCTL_LIB)

# what a fuzzer that says "fuzz-build: hclctl" links (tests/fuzz/fuzz.mk)
FUZZ_DEPS_hclctl := $(HCLCTL_LIB) $(HCLCTL_HDR)
FUZZ_LINK_hclctl := $(HCLCTL_LIB)
FUZZ_CFLAGS_hclctl := -D_GNU_SOURCE -Iinclude -Iuserspace/lib -I$(HCLCTL_DIR)
