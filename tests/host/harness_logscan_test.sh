#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/logscan, the check tests/vm/run applies to every guest's kernel
# log, on canned logs (tests/harness/logs): a clean boot passes, including
# its look-alikes (kmemleak's and KASAN's boot lines, a user program's
# general protection trap); a planted WARNING splat and each documented
# pattern fail, naming the pattern and printing the lines.  Injected
# faults' reports (tests/faults) pass, as dmesg and as the console log
# them, and a real warning or stack dump in the same log still fails.
# kmemleak turning itself off fails.  --boot-flake names the known TCG
# boot flake (boot-flake-int3.console: an int3 oops in sched_clock_cpu as
# die() prints it, the shape tests/vm/run has seen) and nothing else: not
# an int3 elsewhere, not another oops in sched_clock_cpu, not a clean log.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

logscan=$top/tests/vm/logscan
logs=$top/tests/harness/logs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; _tap_exit' EXIT

# --- clean logs ---
if out=$("$logscan" "$logs/clean.log" 2>&1) && [ -z "$out" ]; then
	ok "a clean boot log passes silently"
else
	not_ok "a clean boot log passes silently" "status $?, output: $out"
fi
check "a log that does not exist is skipped" "$logscan" "$tmp/none.log"
if "$logscan" >/dev/null 2>&1; then
	not_ok "no log at all is a usage error"
else
	check "no log at all is a usage error (status 2)" test $? = 2
fi

# --- the planted WARNING ---
status=0
out=$("$logscan" --prefix 'P: ' "$logs/clean.log" "$logs/warning.log") || status=$?
check "a planted WARNING fails (status 1)" test "$status" = 1
check "  ... the first line names WARNING: and Call Trace" test \
	"$(echo "$out" | head -n 1)" = 'P: kernel log shows "WARNING:", "Call Trace":'
check "  ... the WARNING line is printed" grep -qF \
	'WARNING: CPU: 1 PID: 318 at module/handle.c:88 zxproc_handle_release+0x4c/0x60 [zxproc]' <<<"$out"
check "  ... with the stack after it" grep -qF 'entry_SYSCALL_64_after_hwframe' <<<"$out"
check "  ... every line carries the prefix" test -z "$(echo "$out" | grep -v '^P: ')"
check "  ... the clean log's lines are not printed" test -z "$(grep "Linux version" <<<"$out")"
status=0
out=$("$logscan" "$logs/warning.log" "$logs/warning.log") || status=$?
check "the same splat in two logs (dmesg, console) is printed once" \
	test "$(grep -c 'WARNING: CPU' <<<"$out")" = 1

# --- injected faults (fault-injection.log: three reports of tests/faults
# on the debug kernel, as dmesg shows them) ---
fi=$logs/fault-injection.log
if out=$("$logscan" "$fi" 2>&1) && [ -z "$out" ]; then
	ok "injected faults' reports pass silently"
else
	not_ok "injected faults' reports pass silently" "status $?, output: $out"
fi
# The console (loglevel=5) has the stacks but not the KERN_NOTICE header.
grep -v -e 'FAULT_INJECTION: forcing a failure' -e '^ *name fail' "$fi" |
	sed 's/$/\r/' >"$tmp/console.log"
if out=$("$logscan" "$tmp/console.log" 2>&1) && [ -z "$out" ] &&
	[ "$(grep -c 'Call Trace' "$tmp/console.log")" = 3 ]; then
	ok "  ... and as the console shows them (no header, CRLF)"
else
	not_ok "  ... and as the console shows them (no header, CRLF)" "status $?, output: $out"
fi
cat "$fi" "$logs/warning.log" >"$tmp/both.log"
status=0
out=$("$logscan" "$tmp/both.log") || status=$?
check "a real WARNING after injected faults in one log fails (status 1)" test "$status" = 1
check "  ... naming WARNING: and Call Trace" test \
	"$(echo "$out" | head -n 1)" = 'kernel log shows "WARNING:", "Call Trace":'
check "  ... printing the WARNING and its stack" grep -qF 'zxproc_handle_release+0x4c/0x60' <<<"$out"
check "  ... and none of the injected faults' lines" test -z "$(grep -e should_fail -e FAULT_INJECTION <<<"$out")"
status=0
out=$("$logscan" "$fi" "$logs/warning.log") || status=$?
check "the same WARNING in another log of the run fails too" test "$status" = 1
# A stack dump whose first frame is not the fault machinery is no injected
# fault's, even right after a FAULT_INJECTION header.
sed '0,/should_fail_ex/{/should_fail_ex/d}' "$fi" >"$tmp/dump.log"
status=0
out=$("$logscan" "$tmp/dump.log") || status=$?
check "a stack dump below a FAULT_INJECTION header but not from it fails" \
	test "$status" = 1
check "  ... naming Call Trace and printing the dump" test \
	"$(echo "$out" | head -n 2 | tr -d '\n')" = "kernel log shows \"Call Trace\":  $(grep -m1 'Call Trace' "$fi")"
# A warning from another CPU logged in the middle of an injected fault's
# stack dump.
awk '/_copy_from_user\+/ && !done { print; print "[   44.081811] WARNING: CPU: 1 PID: 7 at mm/slub.c:3323 kmem_cache_free+0x3c/0x60"; done = 1; next } 1' \
	"$fi" >"$tmp/inside.log"
status=0
out=$("$logscan" "$tmp/inside.log") || status=$?
check "a WARNING inside an injected fault's report fails" test "$status" = 1
check "  ... naming WARNING: alone" test \
	"$(echo "$out" | head -n 1)" = 'kernel log shows "WARNING:":'
# kauditd's record of a handle, printed between the dumper's frames and
# the fault machinery's (seen on the 7.2 debug kernel with CONFIG_AUDIT).
awk '/dump_stack_lvl\+/ && !done { print; print "[   44.081811] audit: type=1316 audit(1796583184.855:113): op=zxproc_open ppid=1 pid=141 comm=\"failnth_test\" target_pid=142 rights=0x800f res=1"; done = 1; next } 1' \
	"$fi" >"$tmp/audit.log"
if out=$("$logscan" "$tmp/audit.log" 2>&1) && [ -z "$out" ] && grep -q 'audit: type=1316' "$tmp/audit.log"; then
	ok "an audit record inside an injected fault's report passes"
else
	not_ok "an audit record inside an injected fault's report passes" "status $?, output: $out"
fi

# --- every pattern, planted alone in the clean log ---
while IFS='|' read -r pattern line; do
	cp "$logs/clean.log" "$tmp/planted.log"
	echo "[   21.000000] $line" >>"$tmp/planted.log"
	status=0
	out=$("$logscan" "$tmp/planted.log") || status=$?
	if [ "$status" = 1 ] && grep -qF "\"$pattern\"" <<<"$out" && grep -qF "$line" <<<"$out"; then
		ok "pattern '$pattern' is found"
	else
		not_ok "pattern '$pattern' is found" "status $status, output: $out"
	fi
done <<'EOF'
BUG:|BUG: kernel NULL pointer dereference, address: 0000000000000008
Oops|Oops: 0002 [#1] PREEMPT SMP NOPTI
general protection|general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP NOPTI
KASAN|BUG: KASAN: use-after-free in zxproc_write_memory+0x9a/0x1c0 [zxproc]
UBSAN|UBSAN: shift-out-of-bounds in module/mem.c:120:17
possible circular locking|WARNING: possible circular locking dependency detected
refcount_t:|refcount_t: underflow; use-after-free.
Call Trace|Call Trace:
suspected memory leak|kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
Kernel memory leak detector disabled|kmemleak: Kernel memory leak detector disabled
Kernel panic|Kernel panic - not syncing: Fatal exception
EOF

# --- the boot flake ---
flake=$logs/boot-flake-int3.console
if out=$("$logscan" --boot-flake "$logs/clean.log" "$flake" 2>&1) && [ "$out" = int3-sched-clock ]; then
	ok "--boot-flake names the int3 in sched_clock_cpu"
else
	not_ok "--boot-flake names the int3 in sched_clock_cpu" "status $?, output: $out"
fi
status=0
"$logscan" "$flake" >/dev/null || status=$?
check "  ... which is still a kernel report to the plain scan" test "$status" = 1
not_flake() { # DESC LOG
	local status=0 out
	out=$("$logscan" --boot-flake "$2" 2>&1) || status=$?
	if [ "$status" = 1 ] && [ -z "$out" ]; then
		ok "$1"
	else
		not_ok "$1" "status $status, output: $out"
	fi
}
not_flake "--boot-flake: a clean log is none" "$logs/clean.log"
not_flake "--boot-flake: a WARNING is none" "$logs/warning.log"
sed 's/RIP: 0010:sched_clock_cpu+0x1\/0x1b0/RIP: 0010:zxproc_pin_range+0x41\/0x2c0 [zxproc]/' "$flake" >"$tmp/int3-elsewhere.console"
not_flake "--boot-flake: an int3 elsewhere is none" "$tmp/int3-elsewhere.console"
sed 's/Oops: int3: 0000/general protection fault, probably for non-canonical address 0xdead000000000100: 0000/' \
	"$flake" >"$tmp/gp.console"
not_flake "--boot-flake: another oops in sched_clock_cpu is none" "$tmp/gp.console"
status=0
"$logscan" --boot-flake >/dev/null 2>&1 || status=$?
check "--boot-flake without a log is a usage error (status 2)" test "$status" = 2

done_testing
