# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: the README's first command.  Installs what is missing,
# builds everything, and runs tests/demo/main-job: in a guest on this
# kind of machine (whose own kernel cannot load modules), with the
# module staged in /lib/modules so that `zxproc load` (libkmod) finds it.

DEMO_KERNEL ?= 6.12

$(BUILD)/tests/demo/counter: $(TOP)/tests/demo/counter.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g -o $@ $<

all: $(BUILD)/tests/demo/counter

.PHONY: demo
demo:
	@$(TOP)/tests/deps
	@$(MAKE) --no-print-directory all
	BUILD=$(BUILD) ZXPROC_DEMO_CLI=$(BUILD)/userlib/zxproc \
		ZXPROC_DEMO_COUNTER=$(BUILD)/tests/demo/counter \
		$(TOP)/tests/vm/run --kernel $(DEMO_KERNEL) --stage-module --no-module -- \
		$(TOP)/tests/demo/main-job
