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
#                       tests/bench/RESULTS.md (the committed copy)
#
#   BENCH_SMP=N         guest CPUs (default 2); with N != 2 the files
#                       are named NAME-smpN.*
#   BENCH_ARGS=...      more zxbench options, e.g. "--time 0.5"
#   BENCH_KERNELS=...   kernel names (default: Debian's, tests/vm/kernels)
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
BENCH_KERNELS	?= $(shell $(TOP)/tests/vm/kernels 2>/dev/null | awk '$$1 != "debug" { print $$1 }')
# TCG on a shared machine: a full run takes minutes, more under load.
BENCH_TIMEOUT	?= 1800

BENCH_CFLAGS	:= -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
		   -I$(TOP)/userlib/include -I$(TOP)/uapi

.PHONY: bench bench-results

$(BENCH_BIN): $(BENCH_SRCS) $(BENCH_DIR)/bench.h $(LIB_A) $(TOP)/uapi/linux/zxproc.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $(BENCH_SRCS) $(LIB_A) -lpthread -lm

bench: $(BENCH_BIN) modules
	@mkdir -p $(BENCH_RESULTS)
	@set -e; \
	suffix=; [ "$(BENCH_SMP)" = 2 ] || suffix=-smp$(BENCH_SMP); \
	for k in $(BENCH_KERNELS); do \
		out=$(BENCH_RESULTS)/$$k$$suffix; \
		echo "bench: $$k, $(BENCH_SMP) CPUs: $(BENCH_BIN) $(BENCH_ARGS)" >&2; \
		ZXPROC_BENCH_HOST_LOAD="$$(cat /proc/loadavg)" \
			$(TOP)/tests/vm/run --kernel $$k --smp $(BENCH_SMP) --timeout $(BENCH_TIMEOUT) -- \
			$(BENCH_BIN) --json - $(BENCH_ARGS) >$$out.out; \
		awk -v md=$$out.md -v js=$$out.json \
			'/^```json$$/ { j = 1; next } j && /^```$$/ { j = 0; next } { print > (j ? js : md) }' \
			$$out.out; \
		rm -f $$out.out; \
		cat $$out.md; \
	done; \
	{ \
		echo "# zxbench results"; echo; \
		echo "Produced by \`make bench\` (tests/bench/bench.mk): for each kernel,"; \
		echo "\`tests/vm/run --kernel K --smp $(BENCH_SMP) -- build/tests/bench/zxbench --json - $(BENCH_ARGS)\`."; \
		echo "The JSON copies are in build/bench/K$$suffix.json."; echo; \
		for k in $(BENCH_KERNELS); do cat $(BENCH_RESULTS)/$$k$$suffix.md; done; \
	} >$(BENCH_RESULTS)/RESULTS$$suffix.md; \
	echo "bench: wrote $(BENCH_RESULTS)/RESULTS$$suffix.md" >&2

bench-results: bench
	cp $(BENCH_RESULTS)/RESULTS.md $(BENCH_DIR)/RESULTS.md
