#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmemleak around a guest's whole run of suites (tests/run-suites
# --in-guest calls it; it is not a suite of its own, hence no _test in its
# name):
#
#   kmemleak_scan.sh --clear   before the first suite: scan once, then
#                              forget every suspect found so far (leaks of
#                              the boot, not of zxproc).  Exit 0 when done,
#                              1 when the kernel is built without kmemleak
#                              (the caller then runs no scan), 2 when it is
#                              built with it but kmemleak cannot be used
#                              (turned itself off, or no debugfs file):
#                              one line says why, and the caller still runs
#                              the scan, which then fails
#   kmemleak_scan.sh           after the last suite: unload zxproc.ko (so
#                              objects it still holds count as leaked if
#                              nothing else points at them), scan, and
#                              report one test that fails on any suspect,
#                              printing kmemleak's report, or when kmemleak
#                              cannot be used on a kernel built with it
#
# Only kernels built with CONFIG_DEBUG_KMEMLEAK (the debug-kernel tier)
# have /sys/kernel/debug/kmemleak.  kmemleak turns itself off for good
# after an internal error (its object pool ran out, say): the file stays,
# but every write fails with EPERM, and a scan would find nothing.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)

ctl=/sys/kernel/debug/kmemleak
mountpoint -q /sys/kernel/debug 2>/dev/null || mount -t debugfs none /sys/kernel/debug 2>/dev/null

built_with_kmemleak() {
	if [ -r /proc/config.gz ]; then
		zcat /proc/config.gz | grep -qx 'CONFIG_DEBUG_KMEMLEAK=y'
	else
		grep -qx 'CONFIG_DEBUG_KMEMLEAK=y' "/boot/config-$(uname -r)" 2>/dev/null
	fi
}

# Why kmemleak cannot be used, or nothing when it can.
unusable() {
	if [ ! -e "$ctl" ]; then
		echo "$ctl does not exist"
	elif ! { echo scan >"$ctl"; } 2>/dev/null; then
		echo "writing 'scan' to $ctl fails: kmemleak has turned itself off (look for 'Kernel memory leak detector disabled' in the kernel log)"
	fi
}

if [ "${1:-}" = --clear ]; then
	if ! built_with_kmemleak && [ ! -e "$ctl" ]; then
		exit 1
	fi
	why=$(unusable)
	if [ -z "$why" ] && ! { echo clear >"$ctl"; } 2>/dev/null; then
		why="writing 'clear' to $ctl fails"
	fi
	if [ -n "$why" ]; then
		echo "# kmemleak: kernel $(uname -r) is built with kmemleak, but $why" >&2
		exit 2
	fi
	exit 0
fi

# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

if ! built_with_kmemleak && [ ! -e "$ctl" ]; then
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
why=$(unusable)
if [ -n "$why" ]; then
	not_ok "kmemleak: usable" "kernel $(uname -r) is built with kmemleak, but $why"
	done_testing
fi
sleep 6
why=$(unusable)
if [ -n "$why" ]; then
	not_ok "kmemleak: usable" "kernel $(uname -r) is built with kmemleak, but $why"
	done_testing
fi
report=$(cat "$ctl")
if [ -z "$report" ]; then
	ok "kmemleak: no suspected leaks"
else
	n=$(printf '%s\n' "$report" | grep -c '^unreferenced object')
	not_ok "kmemleak: no suspected leaks" "$n suspected leak(s):
$report"
fi
done_testing
