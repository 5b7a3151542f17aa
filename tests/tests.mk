# SPDX-License-Identifier: GPL-2.0
#
# The test suites, included by the top-level Makefile (which defines TOP,
# BUILD and KERNELS, and includes userlib/userlib.mk for the library).
#
#   make tests         build every C suite:
#                        tests/AREA/NAME_test.c -> build/tests/AREA/NAME_test
#                        (guest suites, kselftest harness, libzxproc.a);
#                        tests/host/NAME_test.c -> build/tests/host/NAME_test
#                        (host suites, ASan/UBSan, san/libzxproc.a)
#   make check         install missing packages (tests/deps), build
#                      everything, run the host suites, then every guest
#                      suite in one guest per Debian kernel (6.1, 6.12,
#                      6.12-rt), then DEBUG_SUITES (every guest suite)
#                      on the 7.2 kernel, which is the debug kernel
#                      (built first when not cached, see check-debug),
#                      and ARM64_SUITES in arm64 guests on Debian's arm64
#                      6.1 and 6.12 (tests/arm64/arm64.mk);
#                      the last line is "N passed, N failed, N skipped"
#                      over all of them.  This is what CI runs.
#   make check-host    the host suites only
#   make check-guest   the guest suites only, on Debian's kernels
#   make check-debug   the whole debug-kernel tier: build the debug kernel
#                      (tests/vm/debug-kernel: Linux 7.2 with KASAN,
#                      lockdep, kmemleak,
#                      UBSAN, KUnit, fault injection; cached) and the
#                      module against it, then every guest suite in one
#                      debug guest, the KUnit suite and fault-injection
#                      suites included, ending with a kmemleak scan; any
#                      kernel report fails the run
#   make soak          the long sweeps, outside CI: the suites that
#                      tests/schedule marks "soak", with ZXPROC_SOAK=1
#                      (tests/README.md has the contract), on KERNELS
#                      (default: Debian's), SOAK_TIMEOUT per suite
#
#   KERNELS="6.1 6.12"  kernels to boot, by name (tests/vm/kernels: 6.1,
#                       6.12, 6.12-rt, and 7.2 or debug, one kernel) or
#                       release; default: Debian's three (and, for
#                       make check, 7.2)
#   SUITES="GLOB..."    only suites whose AREA/NAME matches a glob, e.g.
#                       SUITES='module/*' or SUITES=harness/guest_test.sh
#   SUITE_TIMEOUT=SEC   per-suite limit (default 300)
#   JOBS=N              run up to N parts at once: the host suites and
#                       each guest (default 2: one TCG guest keeps about
#                       one core busy; tests/README.md has the figures)
#   DEBUG_SUITES="GLOB..." the suites make check runs on the debug kernel
#                       (default: SUITES)
#
# tests/run-suites does the running and the counting.

TESTS_CFLAGS	:= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g
TESTS_SAN	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
# The kselftest harness, unpacked from linux-source-6.1 on first use
# (evaluated once, and only when a suite is compiled).
TESTS_KSFT	= $(or $(tests_ksft_dir),$(eval tests_ksft_dir := \
		  $(shell $(TOP)/tests/linux-source dir)/tools/testing/selftests)$(tests_ksft_dir))
# tests/harness/include first: its kselftest_harness.h wraps the kernel's
# (SKIP fixes and test selection, see that file).
TESTS_CPPFLAGS	= -I$(TOP)/tests/harness/include -I$(TOP)/uapi -I$(TOP)/userlib/include \
		  -isystem $(TESTS_KSFT)

# tests/arm64 holds arm64-only suites: built by the cross build alone
# (tests/arm64/arm64.mk sets TESTS_ARM64).
TESTS_GUEST_SRCS := $(filter-out $(TOP)/tests/host/% $(if $(TESTS_ARM64),,$(TOP)/tests/arm64/%), \
		    $(wildcard $(TOP)/tests/*/*_test.c))
TESTS_HOST_SRCS	:= $(wildcard $(TOP)/tests/host/*_test.c)
TESTS_GUEST	:= $(patsubst $(TOP)/tests/%.c,$(BUILD)/tests/%,$(TESTS_GUEST_SRCS))
TESTS_HOST	:= $(patsubst $(TOP)/tests/%.c,$(BUILD)/tests/%,$(TESTS_HOST_SRCS))

SUITES		?= *
SUITE_TIMEOUT	?= 300
JOBS		?= 2
SOAK_TIMEOUT	?= 7200
# KERNELS given on the command line may be names (6.12, 7.2 or debug) or
# releases; the module is built per release, so the build's sub-make gets
# them as releases, mapped by the shell when the line runs (after
# tests/deps has installed the kernels).  The debug kernel's module is
# built against its own tree (tests/vm/debug-kernel), not by `make modules`.
# Without KERNELS on the command line, the sub-make and the runner each
# ask tests/vm/kernels.
ifeq ($(origin KERNELS),command line)
KERNEL_NAMES	= $(shell $(TOP)/tests/vm/kernels --name $(KERNELS))
TESTS_BUILD_KERNELS = KERNELS="$$(for k in $(filter-out debug,$(KERNEL_NAMES)); do \
		  $(TOP)/tests/vm/kernels $$k 2>/dev/null || echo $$k; done)"
TESTS_RUN_KERNELS = --kernels "$(KERNELS)"
CHECK_DEBUG	= $(filter debug,$(KERNEL_NAMES))
else
CHECK_DEBUG	= debug
TESTS_CHECK_KERNELS = --debug
endif
TESTS_BUILD	= $(MAKE) --no-print-directory all tests $(TESTS_BUILD_KERNELS)
TESTS_RUN	= BUILD=$(BUILD) $(TOP)/tests/run-suites $(TESTS_RUN_KERNELS) \
		  --suites "$(SUITES)" --timeout $(SUITE_TIMEOUT) --jobs $(JOBS)

# KASAN, lockdep and kmemleak under TCG make every suite several times
# slower than on Debian's kernels: the per-suite limit grows with them.
DEBUG_SUITE_TIMEOUT ?= 1200
# The debug tier inside make check: every guest suite.  Its kernel is
# also the 7.2 tier (the newest kernel tested), and a tier of the matrix
# runs every suite; KASAN, lockdep, UBSAN and kmemleak then see every
# path the suites reach.  A narrower glob here trades that for time.
DEBUG_SUITES	?= $(SUITES)

.PHONY: tests check check-host check-guest check-debug soak

# A suite renamed or removed leaves its binary in a kept build directory,
# and run-suites runs every binary it finds there: remove those.
TESTS_STALE = $(filter-out $(TESTS_GUEST) $(TESTS_HOST),$(wildcard $(BUILD)/tests/*/*_test))

tests: $(TESTS_GUEST) $(TESTS_HOST)
	$(if $(TESTS_STALE),rm -f $(TESTS_STALE))

# libzxproc-win32.a (only win32.o) before libzxproc.a, whose internals it uses.
$(TESTS_GUEST): $(BUILD)/tests/%: $(TOP)/tests/%.c $(BUILD)/userlib/libzxproc.a \
		$(BUILD)/userlib/libzxproc-win32.a
	@mkdir -p $(@D)
	$(CC) $(TESTS_CPPFLAGS) $(TESTS_CFLAGS) -MMD -MP -MF $@.d -o $@ $< \
		$(BUILD)/userlib/libzxproc-win32.a $(BUILD)/userlib/libzxproc.a -lpthread

$(TESTS_HOST): $(BUILD)/tests/%: $(TOP)/tests/%.c $(BUILD)/userlib/san/libzxproc.a \
		$(BUILD)/userlib/san/libzxproc-win32.a
	@mkdir -p $(@D)
	$(CC) $(TESTS_CPPFLAGS) $(TESTS_CFLAGS) $(TESTS_SAN) -MMD -MP -MF $@.d -o $@ $< \
		$(BUILD)/userlib/san/libzxproc-win32.a $(BUILD)/userlib/san/libzxproc.a -lpthread

-include $(addsuffix .d,$(TESTS_GUEST) $(TESTS_HOST))

# The packages first (a fresh machine has no kernel headers to compute
# KERNELS from), then the build in a sub-make that sees them; the runner
# last, so its total is the last line printed.
check:
	@$(TOP)/tests/deps
	@$(TESTS_BUILD)
	@$(if $(CHECK_DEBUG),$(MAKE) --no-print-directory debug-module)
	@$(if $(ARM64_SUITES),$(MAKE) --no-print-directory arm64)
	@$(TESTS_RUN) $(TESTS_CHECK_KERNELS) --debug-suites "$(DEBUG_SUITES)" \
		--debug-timeout $(DEBUG_SUITE_TIMEOUT) $(if $(ARM64_SUITES),--arm64 "$(ARM64_SUITES)")

check-host:
	@$(TOP)/tests/deps
	@$(TESTS_BUILD)
	@$(TESTS_RUN) --host

check-guest:
	@$(TOP)/tests/deps
	@$(TESTS_BUILD)
	@$(TESTS_RUN) --guest

check-debug:
	@$(TOP)/tests/deps
	@$(TESTS_BUILD)
	@$(MAKE) --no-print-directory debug-module
	@BUILD=$(BUILD) $(TOP)/tests/run-suites --guest --kernels debug \
		--suites "$(SUITES)" --timeout $(DEBUG_SUITE_TIMEOUT) --jobs $(JOBS)

# The soak suites' guests on Debian's kernels (KERNELS=debug adds nothing
# the sweeps need and is several times slower); host suites have no soak
# mode yet, but would run too.
soak:
	@$(TOP)/tests/deps
	@$(TESTS_BUILD)
	@$(if $(CHECK_DEBUG),$(if $(filter command line,$(origin KERNELS)),$(MAKE) --no-print-directory debug-module))
	@BUILD=$(BUILD) $(TOP)/tests/run-suites --soak $(TESTS_RUN_KERNELS) \
		--suites "$(SUITES)" --timeout $(SOAK_TIMEOUT) --debug-timeout $(SOAK_TIMEOUT) --jobs $(JOBS)
