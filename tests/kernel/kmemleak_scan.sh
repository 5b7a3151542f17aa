#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmemleak around a guest's whole run of suites (tests/run-suites
# --in-guest calls it; it is not a suite of its own, hence no _test in its
# name):
#
#   kmemleak_scan.sh --clear   before the first suite: scan once, then
#                              forget every suspect found so far (leaks of
#                              the boot, not of zxproc); exits 1 when the
#                              kernel has no kmemleak, so the caller skips
#                              the scan
#   kmemleak_scan.sh           after the last suite: unload zxproc.ko (so
#                              objects it still holds count as leaked if
#                              nothing else points at them), scan, and
#                              report one test that fails on any suspect,
#                              printing kmemleak's report
#
# Only kernels built with CONFIG_DEBUG_KMEMLEAK (the debug-kernel tier)
# have /sys/kernel/debug/kmemleak; elsewhere --clear does nothing and the
# scan is one skip.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)

ctl=/sys/kernel/debug/kmemleak
mountpoint -q /sys/kernel/debug 2>/dev/null || mount -t debugfs none /sys/kernel/debug 2>/dev/null

if [ "${1:-}" = --clear ]; then
	[ -w "$ctl" ] || exit 1
	echo scan >"$ctl" && echo clear >"$ctl"
	exit
fi

# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

if [ ! -w "$ctl" ]; then
	skip "kmemleak: no suspected leaks" "kernel $(uname -r) has no kmemleak (CONFIG_DEBUG_KMEMLEAK)"
	done_testing
fi

# Objects it still owns must be freed by its exit; anything left over is a
# leak the scan can see.  A suite that left it unloaded is fine too.
if grep -q '^zxproc ' /proc/modules; then
	rmmod zxproc || diag "rmmod zxproc failed; scanning with it loaded"
fi
# kmemleak ignores objects younger than 5 s, and a pointer that only a
# register or a stack held during one scan can hide a leak or invent one
# for that scan: wait, scan, wait, scan, and report what the second saw.
sleep 6
echo scan >"$ctl"
sleep 6
echo scan >"$ctl"
report=$(cat "$ctl")
if [ -z "$report" ]; then
	ok "kmemleak: no suspected leaks"
else
	n=$(printf '%s\n' "$report" | grep -c '^unreferenced object')
	not_ok "kmemleak: no suspected leaks" "$n suspected leak(s):
$report"
fi
done_testing
