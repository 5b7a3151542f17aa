#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/logscan, the check tests/vm/run applies to every guest's kernel
# log, on canned logs (tests/harness/logs): a clean boot passes, including
# its look-alikes (kmemleak's and KASAN's boot lines, a user program's
# general protection trap); a planted WARNING splat and each documented
# pattern fail, naming the pattern and printing the lines.
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
Kernel panic|Kernel panic - not syncing: Fatal exception
EOF

done_testing
