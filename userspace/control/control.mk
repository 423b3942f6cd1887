# SPDX-License-Identifier: GPL-2.0
#
# The client of hcl.ko's netlink family (libmnl): the library
# (hcl_nl.c), the hcl-nl tool, the in-VM netlink tests and the
# library's host test (openvmm_hcl links it too: openvmm_hcl.mk);
# included by the top-level Makefile after userspace.mk.
#
# Debian 12's libmnl-dev ships no static archive, so the programs that
# use libmnl link it, and with it glibc, dynamically; the rest of what
# they link stays static.  scripts/mkinitramfs.sh puts the shared
# libraries a VTL2 program needs into the initramfs (ldd).

CONTROL_SRC := userspace/control/hcl_nl.c
CONTROL_HDR := userspace/control/hcl_nl.h include/uapi/linux/hcl_nl.h \
	kmod/exits.h
CONTROL_CFLAGS := -Iuserspace/control
CONTROL_LIBS := -Wl,-Bstatic $(USER_LIBS) -Wl,-Bdynamic -lmnl

VTL2_BINS += hcl-nl
VTL2_TEST_BINS += hcl-nl-test

userspace: $(BUILD)/vtl2/bin/hcl-nl $(BUILD)/vtl2/bin/hcl-nl-test

$(BUILD)/vtl2/bin/hcl-nl: userspace/control/hcl_nl_tool.c $(CONTROL_SRC) \
		$(CONTROL_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(CONTROL_CFLAGS) -o $@ $< $(CONTROL_SRC) \
		$(CONTROL_LIBS)

$(BUILD)/vtl2/bin/hcl-nl-test: tests/user/nl_test.c $(CONTROL_SRC) \
		$(CONTROL_HDR) $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(CONTROL_CFLAGS) -o $@ $< $(CONTROL_SRC) \
		$(USER_LIB) $(CONTROL_LIBS)

$(BUILD)/tests/hcl_nl: tests/user/host_hcl_nl.c $(CONTROL_SRC) \
		$(CONTROL_HDR)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(CONTROL_CFLAGS) -o $@ $< $(CONTROL_SRC) -lmnl
