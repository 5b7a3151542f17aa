# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The zxproc command, included by the top-level Makefile (which defines
# TOP and BUILD).  It links the static libzxproc, so the command runs
# from the build tree with no library path, and libkmod from pkg-config.
#
#   make cli     $(BUILD)/userlib/zxproc, and the helper programs of the
#                command's guest tests ($(BUILD)/tests/cli/*)

CLI_DIR		:= $(TOP)/userlib/cli
CLI_OUT		:= $(BUILD)/userlib
CLI_SRCS	:= $(sort $(wildcard $(CLI_DIR)/*.c))
CLI_OBJS	:= $(patsubst $(CLI_DIR)/%.c,$(CLI_OUT)/cli-obj/%.o,$(CLI_SRCS))
CLI_BIN		:= $(CLI_OUT)/zxproc
CLI_CPPFLAGS	:= -I$(TOP)/userlib/include -I$(TOP)/uapi -D_GNU_SOURCE \
		   $(shell pkg-config --cflags libkmod) $(CPPFLAGS)
CLI_CFLAGS	:= -std=c11 -Wall -Wextra -Werror -O2 -g $(CFLAGS)
CLI_LIBS	:= $(shell pkg-config --libs libkmod)

# Target programs the guest tests of the command run (tests/cli/*.c that
# are not kselftest suites).
CLI_HELPER_SRCS	:= $(filter-out %_test.c,$(wildcard $(TOP)/tests/cli/*.c))
CLI_HELPERS	:= $(patsubst $(TOP)/tests/cli/%.c,$(BUILD)/tests/cli/%,$(CLI_HELPER_SRCS))

.PHONY: cli
all: cli
cli: $(CLI_BIN) $(CLI_HELPERS)

$(CLI_OUT)/cli-obj/%.o: $(CLI_DIR)/%.c $(CLI_DIR)/cli.h $(TOP)/uapi/linux/zxproc.h \
		$(wildcard $(TOP)/userlib/include/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CLI_CPPFLAGS) $(CLI_CFLAGS) -c -o $@ $<

$(CLI_BIN): $(CLI_OBJS) $(BUILD)/userlib/libzxproc.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(BUILD)/userlib/libzxproc.a $(CLI_LIBS)

# -no-pie: fixed addresses make the maps and symbols the tests read
# simpler to check by hand; the tests themselves never assume them.
$(BUILD)/tests/cli/%: $(TOP)/tests/cli/%.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -O0 -g -D_GNU_SOURCE -o $@ $<

# The man page renders without groff warnings, and documents every
# subcommand (a ".SS NAME" per entry of main.c's table) and every exit
# code of cli.h (a ".B N" paragraph).
CLI_MAN		:= $(TOP)/userlib/man/man1/zxproc.1
cli: $(CLI_OUT)/zxproc-man.ok
$(CLI_OUT)/zxproc-man.ok: $(CLI_MAN) $(CLI_DIR)/main.c $(CLI_DIR)/cli.h
	@mkdir -p $(@D)
	@out=$$(groff -man -ww -z $(CLI_MAN) 2>&1); \
		[ -z "$$out" ] || { echo "$(CLI_MAN): groff: $$out" >&2; exit 1; }
	@for c in $$(sed -n 's/^\t{ "\([a-z]*\)", zxc_cmd_.*/\1/p' $(CLI_DIR)/main.c); do \
		grep -qx "\.SS $$c" $(CLI_MAN) || { echo "$(CLI_MAN): no section for '$$c'" >&2; exit 1; }; \
	done
	@for n in $$(sed -n 's/^\tZXC_EXIT_[A-Z_]* = \([0-9]*\),.*/\1/p' $(CLI_DIR)/cli.h); do \
		grep -qx "\.B $$n" $(CLI_MAN) || { echo "$(CLI_MAN): exit status $$n undocumented" >&2; exit 1; }; \
	done
	@touch $@
