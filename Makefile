# SPDX-License-Identifier: GPL-2.0
#
# zxproc: kernel module, libzxproc, the zxproc command, and their tests.
#
#   make                  module for every Debian kernel, library, command
#   make module KDIR=DIR  the module against any other kernel tree
#   make check            host tests, then every guest suite on both kernels
#   make style            checkpatch --strict; `make sparse` runs make C=2
#
# The kernel build itself is described by ./Kbuild (also what DKMS uses).
# Every build product lands under build/; nothing is written into the
# source directories, so one tree builds for several kernels at once.

TOP		:= $(CURDIR)
BUILD		?= $(TOP)/build
ZXPROC_CACHE	?= /var/cache/zxproc
export ZXPROC_CACHE

# The single version source (see uapi/linux/zxproc.h).
version_part = $(shell sed -n 's/^\#define ZXPROC_VERSION_$(1) \([0-9]*\)$$/\1/p' $(TOP)/uapi/linux/zxproc.h)
VERSION_MAJOR	:= $(call version_part,MAJOR)
VERSION		:= $(VERSION_MAJOR).$(call version_part,MINOR).$(call version_part,PATCH)

# Debian's kernels, resolved from the meta-packages: "NAME RELEASE" pairs.
KERNELS		:= $(shell $(TOP)/tests/vm/kernels 2>/dev/null | awk '$$1 != "debug" {print $$2}')
KERNEL_SRCS	:= Kbuild $(wildcard module/*.c module/*.h) uapi/linux/zxproc.h

# W=1 always: the module must build without warnings at that level.
KBUILD_FLAGS	?= W=1

.PHONY: all modules module clean style sparse version-check

all: version-check modules

# One out-of-tree copy per kernel release, so builds do not clobber each
# other's objects.  $(1) = kernel release, $(2) = kernel build dir.
define build_module
	@mkdir -p $(BUILD)/kernel/$(1)
	@rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
		$(TOP)/Kbuild $(TOP)/module $(TOP)/uapi $(BUILD)/kernel/$(1)/ 2>/dev/null || \
		cp -a $(TOP)/Kbuild $(TOP)/module $(TOP)/uapi $(BUILD)/kernel/$(1)/
	$(MAKE) -C $(2) M=$(BUILD)/kernel/$(1) $(KBUILD_FLAGS) $(3) modules
endef

modules: $(patsubst %,$(BUILD)/kernel/%/zxproc.ko,$(KERNELS))

$(BUILD)/kernel/%/zxproc.ko: $(KERNEL_SRCS)
	$(call build_module,$*,/lib/modules/$*/build)

# Any other kernel tree: make module KDIR=/path/to/tree
module:
	@test -n "$(KDIR)" || { echo "usage: make module KDIR=/path/to/kernel/tree" >&2; exit 2; }
	$(call build_module,$(notdir $(abspath $(KDIR))),$(KDIR))

# sparse on every kernel (C=2 checks every file, not only rebuilt ones).
sparse:
	@for k in $(KERNELS); do \
		$(MAKE) --no-print-directory KBUILD_FLAGS="W=1 C=2" $(BUILD)/kernel/$$k/zxproc.ko -B || exit 1; \
	done

# checkpatch.pl --strict, taken from Debian's linux-source-6.1 at run time.
# module/compat.h alone is checked without LINUX_VERSION_CODE and
# CONSTANT_COMPARISON: it holds the one version test an out-of-tree
# module for two kernels cannot avoid (checkpatch is written for in-tree
# code, where that test is never needed).
CHECKPATCH	= $(TOP)/tests/linux-source checkpatch --strict --no-tree --terse --show-types -f
style:
	@$(CHECKPATCH) $(filter-out module/compat.h,$(wildcard module/*.c module/*.h)) uapi/linux/zxproc.h
	@$(CHECKPATCH) --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON module/compat.h

# The version in every derived place must agree with uapi/linux/zxproc.h.
version-check:
	@$(TOP)/tests/version-check $(VERSION)

clean:
	rm -rf $(BUILD)

-include userlib/userlib.mk
-include userlib/cli/cli.mk
-include tests/tests.mk
-include tests/demo/demo.mk
