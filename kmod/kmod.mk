# SPDX-License-Identifier: GPL-2.0
#
# hcl.ko and hcl_kunit.ko, built out of tree against $(KDIR); included by
# the top-level Makefile.  Kbuild (at the top) lists the objects.
#
#   make module   $(BUILD)/kbuild/hcl.ko and hcl_kunit.ko

.PHONY: module

KMOD_SRC := Kbuild $(shell find kmod include tests/kunit -type f 2>/dev/null)

module: $(BUILD)/kbuild/modules.stamp

# Sources are mirrored under build/ so the tree stays free of Kbuild's
# output; Kbuild rebuilds only what changed, and the stamp says "both
# modules are current" to the initramfs rules.  The config suite's
# config_kunit_trees.h is generated there from the shim's tree builder
# (tests/user/host_openhcl_dt.c); rsync leaves it alone (excluded), and
# it is replaced only when its text changes, so Kbuild rebuilds the suite
# only then.
KUNIT_TREES := $(BUILD)/kbuild/tests/kunit/config_kunit_trees.h

$(BUILD)/kbuild/modules.stamp: $(KMOD_SRC) $(BUILD)/tests/openhcl_dt
	@mkdir -p $(BUILD)/kbuild/tests
	@rsync -a --delete --exclude='*.o' --exclude='.*.cmd' \
		Kbuild kmod include $(BUILD)/kbuild/
	@rsync -a --delete --exclude='*.o' --exclude='.*.cmd' \
		--exclude=config_kunit_trees.h tests/kunit $(BUILD)/kbuild/tests/
	@$(BUILD)/tests/openhcl_dt --write $(KUNIT_TREES).new
	@cmp -s $(KUNIT_TREES).new $(KUNIT_TREES) && \
		rm $(KUNIT_TREES).new || mv $(KUNIT_TREES).new $(KUNIT_TREES)
	$(MAKE) -C $(KDIR) M=$(BUILD)/kbuild W=1 modules
	@touch $@
