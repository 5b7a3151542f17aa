# SPDX-License-Identifier: GPL-2.0
#
# zxbench, the side-by-side benchmark of zxproc and its peers (issue 7).
# Included by the top-level Makefile, which defines TOP and BUILD and
# includes userlib/userlib.mk (LIB_A) first.  Not part of `make check`:
# a benchmark is a report, never a timed test.
#
#   make bench          build zxbench, run it in a guest on each Debian
#                       kernel, one after the other, and write
#                       $(BUILD)/bench/NAME.md and NAME.json per kernel
#                       and $(BUILD)/bench/RESULTS.md for all of them
#   make bench-results  the same, then copy RESULTS.md to
#                       tests/bench/RESULTS.md (the committed copy;
#                       RESULTS-x.md with BENCH_TAG=-x)
#   make bench-run      only the guest runs (e.g. BENCH_KERNELS=6.12 to
#                       re-run one kernel); make bench-report then joins
#                       the kernels' latest runs into RESULTS.md
#
#   BENCH_SMP=N         guest CPUs (default 2); with N != 2 the files
#                       are named NAME-smpN.*
#   BENCH_TAG=-x        name the files NAME-x.* and RESULTS-x.md instead
#   BENCH_ARGS=...      more zxbench options, e.g. "--time 0.5"
#   BENCH_KERNELS=...   kernel names (default: Debian's, tests/vm/kernels)
#   BENCH_VM_ARGS=...   more tests/vm/run options, e.g.
#                       "--append transparent_hugepage=never"
#   BENCH_CPU=MODEL     the guest's QEMU -cpu (default max,-erms,-fsrm:
#                       QEMU's max CPU without fast-string copies, which
#                       TCG emulates a byte at a time, so that a copy
#                       costs in the guest what it costs on hardware
#                       relative to the rest; README.md, "Copy
#                       instructions").  BENCH_CPU=max BENCH_TAG=-erms
#                       measures with them.
#
# The guest sees the host's files read-only, so zxbench prints its JSON
# after the tables (--json -) and the host splits the two.

BENCH_DIR	:= $(TOP)/tests/bench
BENCH_OUT	:= $(BUILD)/tests/bench
BENCH_BIN	:= $(BENCH_OUT)/zxbench
BENCH_SRCS	:= $(sort $(wildcard $(BENCH_DIR)/*.c))
BENCH_RESULTS	:= $(BUILD)/bench
BENCH_SMP	?= 2
BENCH_ARGS	?=
BENCH_VM_ARGS	?=
BENCH_CPU	?= max,-erms,-fsrm
BENCH_KERNELS	?= $(shell $(TOP)/tests/vm/kernels 2>/dev/null | awk '$$1 != "debug" { print $$1 }')
# TCG on a shared machine: a full run takes minutes, more under load.
BENCH_TIMEOUT	?= 1800

BENCH_CFLAGS	:= -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
		   -I$(TOP)/userlib/include -I$(TOP)/uapi

# File suffix: BENCH_TAG, or -smpN for a guest of N != 2 CPUs.
BENCH_SUFFIX	= $(or $(BENCH_TAG),$(if $(filter-out 2,$(BENCH_SMP)),-smp$(BENCH_SMP)))

.PHONY: bench bench-run bench-report bench-results

$(BENCH_BIN): $(BENCH_SRCS) $(BENCH_DIR)/bench.h $(LIB_A) $(TOP)/uapi/linux/zxproc.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $(BENCH_SRCS) $(LIB_A) -lpthread -lm

# RESULTS.md from each kernel's latest run.
define bench_report
	@set -e; suffix=$(BENCH_SUFFIX); \
	for k in $(BENCH_KERNELS); do \
		[ -r $(BENCH_RESULTS)/$$k$$suffix.md ] || { echo "bench: no results for $$k (make bench-run)" >&2; exit 1; }; \
	done; \
	{ \
		echo "# zxbench results"; echo; \
		echo "Produced by \`make bench\` (tests/bench/bench.mk): for each kernel,"; \
		echo "\`tests/vm/run --kernel K --smp $(BENCH_SMP) --cpu $(BENCH_CPU) $(BENCH_VM_ARGS) -- build/tests/bench/zxbench --json - $(BENCH_ARGS)\`."; \
		echo "The JSON copies are in build/bench/K$$suffix.json."; echo; \
		for k in $(BENCH_KERNELS); do cat $(BENCH_RESULTS)/$$k$$suffix.md; done; \
	} >$(BENCH_RESULTS)/RESULTS$$suffix.md; \
	echo "bench: wrote $(BENCH_RESULTS)/RESULTS$$suffix.md" >&2
endef

# One guest per kernel, one after the other: never two benchmarks at once.
bench-run: $(BENCH_BIN) modules
	@mkdir -p $(BENCH_RESULTS)
	@set -e; suffix=$(BENCH_SUFFIX); \
	for k in $(BENCH_KERNELS); do \
		out=$(BENCH_RESULTS)/$$k$$suffix; \
		echo "bench: $$k, $(BENCH_SMP) CPUs: $(BENCH_BIN) $(BENCH_ARGS)" >&2; \
		ZXPROC_BENCH_HOST_LOAD="$$(cat /proc/loadavg)" \
			$(TOP)/tests/vm/run --kernel $$k --smp $(BENCH_SMP) --cpu $(BENCH_CPU) --timeout $(BENCH_TIMEOUT) $(BENCH_VM_ARGS) -- \
			$(BENCH_BIN) --json - $(BENCH_ARGS) >$$out.out; \
		awk -v md=$$out.md -v js=$$out.json \
			'/^```json$$/ { j = 1; next } j && /^```$$/ { j = 0; next } { print > (j ? js : md) }' \
			$$out.out; \
		rm -f $$out.out; \
		cat $$out.md; \
	done

bench: bench-run
	$(bench_report)

bench-report:
	$(bench_report)

bench-results: bench
	cp $(BENCH_RESULTS)/RESULTS$(BENCH_SUFFIX).md $(BENCH_DIR)/RESULTS$(BENCH_SUFFIX).md
