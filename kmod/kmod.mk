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
# modules are current" to the initramfs rules.
$(BUILD)/kbuild/modules.stamp: $(KMOD_SRC)
	@mkdir -p $(BUILD)/kbuild/tests
	@rsync -a --delete --exclude='*.o' --exclude='.*.cmd' \
		Kbuild kmod include $(BUILD)/kbuild/
	@rsync -a --delete --exclude='*.o' --exclude='.*.cmd' \
		tests/kunit $(BUILD)/kbuild/tests/
	$(MAKE) -C $(KDIR) M=$(BUILD)/kbuild W=1 modules
	@touch $@
