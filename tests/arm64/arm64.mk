# SPDX-License-Identifier: GPL-2.0
#
# arm64 (issue 18), included by the top-level Makefile: the module for
# Debian 12's arm64 kernels and the library and guest suites cross-built
# with gcc-aarch64-linux-gnu, all under ARM64_BUILD, and their runs in
# arm64 guests (tests/vm/run --arch arm64).
#
#   make arm64          fetch the arm64 kernels, headers and user space
#                       (tests/vm/arm64, cached), build zxproc.ko (with
#                       zxproc_delay.ko and zxproc_icache.ko) for each
#                       arm64 kernel at W=1, the library and the suites of
#                       ARM64_AREAS for arm64
#   make arm64-sparse   the same module build with sparse (C=2)
#   make check-arm64    make arm64, then ARM64_SUITES in one arm64 guest
#                       per kernel of ARM64_KERNELS (run-suites names them
#                       arm64-6.1 and arm64-6.12)
#
# make check builds all this and runs ARM64_SUITES (the CI subset) in
# the same tests/run-suites as its other tiers (--arm64), so the arm64
# guests share its parts, summary and last line; ARM64_SUITES= leaves
# arm64 out.  make soak-arm64 runs every suite of ARM64_AREAS.

# Where tests/run-suites looks for the arm64 programs: always BUILD/arm64.
ARM64_BUILD	:= $(BUILD)/arm64
ARM64_CROSS	?= aarch64-linux-gnu-
ARM64_KERNELS	?= arm64-6.1 arm64-6.12
ARM64_AREAS	?= module userlib races privilege arm64
# The CI subset: the arm64-only suite, the module's write paths, the
# short counts at a stalled page (races/exit_test: arm64's raw copies
# stop short of a fault, module/copy.c makes the count exact), the
# library's memory calls and the privilege matrix; measured 39 s (6.1)
# and 27 s (6.12) of guest wall time.  Not the suites not yet run on
# arm64 (make soak-arm64 runs them all).
ARM64_SUITES	?= arm64/* module/write_test module/batch_test races/exit_test userlib/memory_test privilege/*

ARM64_MAKE	= $(MAKE) --no-print-directory BUILD=$(ARM64_BUILD)

.PHONY: arm64 arm64-modules arm64-module-one arm64-tests arm64-tests-build arm64-sparse check-arm64 soak-arm64

arm64: arm64-modules arm64-tests

# Into ARM64_BUILD/kernel/RELEASE/, where tests/vm/run looks (Debian's
# headers call themselves 6.1.192 in include/config/kernel.release, so
# not `make module KDIR=...`).
arm64-modules:
	@$(TOP)/tests/vm/arm64 fetch
	@for name in $(ARM64_KERNELS); do \
		rel=$$($(TOP)/tests/vm/arm64 release $$name) && \
		dir=$$($(TOP)/tests/vm/arm64 dir "$$rel") || exit 1; \
		$(ARM64_MAKE) arm64-module-one ARM64_REL=$$rel ARM64_KDIR=$$dir/build || exit 1; \
	done

arm64-module-one:
	$(call build_module,$(ARM64_REL),$(ARM64_KDIR),ARCH=arm64 CROSS_COMPILE=$(ARM64_CROSS) $(ARM64_KBUILD_FLAGS))

arm64-sparse:
	@$(MAKE) --no-print-directory arm64-modules ARM64_KBUILD_FLAGS="C=2"

# The suites' binaries for ARM64_AREAS only (TESTS_GUEST of the sub-make,
# which sees tests/arm64 too), less ARM64_NOT_BUILT: races/reap_test
# holds its windows open with tests/kmod/zxproc_delay.ko spinning in a
# kprobe handler, which needs ftrace-based kprobes (interrupts enabled);
# Debian's arm64 kernels have no CONFIG_KPROBES_ON_FTRACE, their kprobes
# are BRK exceptions with interrupts off, and the module refuses to spin.
ARM64_NOT_BUILT	:= races/reap_test
arm64-tests:
	@$(ARM64_MAKE) CC=$(ARM64_CROSS)gcc AR=$(ARM64_CROSS)ar TESTS_ARM64=1 \
		ARM64_ONLY_AREAS="$(ARM64_AREAS)" arm64-tests-build

arm64-tests-build: $(filter-out $(addprefix $(BUILD)/tests/,$(ARM64_NOT_BUILT)), \
	$(filter $(foreach a,$(ARM64_ONLY_AREAS),$(BUILD)/tests/$(a)/%),$(TESTS_GUEST)))

check-arm64: arm64
	@BUILD=$(BUILD) $(TOP)/tests/run-suites --guest --kernels "$(ARM64_KERNELS)" \
		--suites "$(ARM64_SUITES)" --timeout $(SUITE_TIMEOUT) --jobs $(JOBS)

soak-arm64: arm64
	@BUILD=$(BUILD) $(TOP)/tests/run-suites --guest --kernels "$(ARM64_KERNELS)" \
		--suites "$(patsubst %,%/*,$(ARM64_AREAS))" --timeout $(SUITE_TIMEOUT) --jobs $(JOBS)
