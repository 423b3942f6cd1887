# SPDX-License-Identifier: GPL-2.0
#
# rt/, the freestanding runtime the shim and the host loader both compile
# in (each with its own flags: shim/shim.mk, tools/loader/loader.mk);
# included by the top-level Makefile.  Here: its sources and its host
# unit test.

RT_DIR := rt
RT_SRC := $(wildcard $(RT_DIR)/*.c)
RT_HDR := $(wildcard $(RT_DIR)/*.h)
RT_HOST_SRC := $(RT_DIR)/string.c $(RT_DIR)/printf.c $(RT_DIR)/heap.c

# an explicit rule beats the generic $(BUILD)/tests/% one
$(BUILD)/tests/rt: tests/user/host_rt.c $(RT_HOST_SRC) $(RT_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -fno-builtin -DRT_HOST_TEST -I$(RT_DIR) -o $@ $< \
		$(RT_HOST_SRC)
