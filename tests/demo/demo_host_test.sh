#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's first command, `make demo`, as a newcomer runs it: it must
# end with status 0 after changing the target's value through the zxproc
# command and seeing the planted breakpoint hit, all inside the 6.12
# guest with the module loaded by `zxproc load` (libkmod) from where
# `make install` would put it.  The build is this run's ($BUILD).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
out=$(mktemp)
trap 'rm -f "$out"; _tap_exit' EXIT

status=0
make --no-print-directory -C "$top" BUILD="$build" demo >"$out" 2>&1 || status=$?
if [ "$status" = 0 ]; then
	ok "make demo exits 0"
else
	not_ok "make demo exits 0" "status $status; its output:"
	sed 's/^/#   /' "$out"
fi
expect_line() { # DESCRIPTION PATTERN
	if grep -q -- "$2" "$out"; then
		ok "$1"
	else
		not_ok "$1" "no line matching '$2' in make demo's output"
	fi
}
expect_line "zxproc load loads the staged module" '^\$ .*zxproc load'
expect_line "zxproc status shows it loaded and usable" '^zxproc: *loaded and usable$'
expect_line "the target prints the value written" '^value = 42$'
expect_line "the planted breakpoint is hit" 'counter: breakpoint hit at'
expect_line "the job's last word" '^main-job: value changed to 42 and breakpoint hit: zxproc works\.$'
done_testing
