#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# zxproc patch against a live target (cli_target), in the guest with the
# module loaded: a good patch is applied through one handle and
# summarized; any bad line (syntax, unknown or ambiguous name, unmapped
# or unwritable range) stops the whole patch before anything is written,
# which the target's memory read back through /proc/PID/mem proves.
# Also the progress bar of write and patch: on a terminal only, and only
# for transfers longer than a second.
#
# Nothing here depends on how fast the guest runs: the patched value is
# looked for in a line the target printed after the patch returned
# (counted, not waited for by the clock), and the progress bar's "longer
# than a second" is decided by a clock the test gives the command
# (an LD_PRELOAD of clock_gettime(CLOCK_MONOTONIC): frozen, or two
# seconds further at every reading).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=tests/cli/common.sh
. "$top/tests/cli/common.sh"
# shellcheck disable=SC2317 # called from the EXIT trap
force_back() { echo always >"$force"; }
trap 'on_exit force_back' EXIT

force=/sys/module/zxproc/parameters/force_override
if ! "$zxproc" status >/dev/null 2>&1; then
	diag "zxproc status says the module is not usable: $("$zxproc" status 2>&1 || true)"
	exit 1
fi

start_target 8
heap=$(map_base "$tpid" "[heap]")
base=$(map_base "$tpid" cli_target)
buf_off=$(hex "$t_buf - $heap")
value_off=$(hex "$t_value - $base")
p=$work/good.patch
cat >"$p" <<PATCH
# a comment line, then a blank one

[heap]+$buf_off de ad be ef    # trailing comment
cli_target+$value_off 63000000
$t_edge  5a5a 5a5a 01
$(hex "$t_buf + 32") $(fill 77 40)
PATCH
before_buf=$(mem "$tpid" "$t_buf" 4)
before_text=$(mem "$tpid" "$t_spare" 1)

bad_patch() { # NAME LINE: the good patch with LINE inserted as line 4
	sed "3a\\
$2" "$p" >"$work/$1.patch"
}

bad_patch syntax "$(hex "$t_buf + 4") 1g"
expect "a syntax error stops the patch" 2 "syntax.patch:4: bad bytes: 'g' at column 2 is not a hex digit" \
	"$zxproc" patch "$tpid" "$work/syntax.patch"
case $err in *"nothing was written: 1 error in $work/syntax.patch"*) ok "syntax error: says nothing was written" ;;
*) not_ok "syntax error: says nothing was written" "$err" ;; esac
bad_patch nobytes "$(hex "$t_buf + 4")"
expect "a line without bytes stops the patch" 2 "nobytes.patch:4: .* has no bytes" \
	"$zxproc" patch "$tpid" "$work/nobytes.patch"
bad_patch unmapped "0x10 00"
expect "an unmapped address stops the patch" 7 "unmapped.patch:4: 0x10 \(0x10\) is not mapped in process $tpid" \
	"$zxproc" patch "$tpid" "$work/unmapped.patch"
bad_patch hole "$(hex "$t_edge + 4092") 0102030405060708"
expect "a range running into a hole stops the patch" 7 "hole.patch:4: .*runs past mapped memory at $(hex "$t_edge + 4096")" \
	"$zxproc" patch "$tpid" "$work/hole.patch"
bad_patch roshared "$t_roshared 41"
expect "a read-only shared mapping stops the patch" 7 "roshared.patch:4: .*read-only shared mapping" \
	"$zxproc" patch "$tpid" "$work/roshared.patch"
bad_patch unknown "nosuchlib.so+0x10 00"
expect "an unknown name stops the patch" 7 'unknown.patch:4: bad address: no mapping named "nosuchlib.so"' \
	"$zxproc" patch "$tpid" "$work/unknown.patch"
bad_patch ambiguous "zxdata 00"
expect "an ambiguous name stops the patch" 2 "ambiguous.patch:4: bad address: .*ambiguous" \
	"$zxproc" patch "$tpid" "$work/ambiguous.patch"
echo never >"$force"
bad_patch text "$t_spare cc"
expect "program text with force_override=never stops the patch" 7 \
	"text.patch:4: .*read-only .*writes are not forced: the module's force_override parameter is never" \
	"$zxproc" patch "$tpid" "$work/text.patch"
echo always >"$force"
{ cat "$p"; echo "0x10 00"; echo "zz 00"; } >"$work/two.patch"
expect "two bad lines: the first one's exit status" 7 "two.patch:7: 0x10 " \
	"$zxproc" patch "$tpid" "$work/two.patch"
case $err in *"two.patch:8: bad address"*"2 errors in"*) ok "two bad lines: both reported" ;;
*) not_ok "two bad lines: both reported" "$err" ;; esac
same "failed patches wrote nothing (heap)" "$(mem "$tpid" "$t_buf" 4)" "$before_buf"
same "failed patches wrote nothing (variable)" "$(mem "$tpid" "$t_value" 4)" 07000000
same "failed patches wrote nothing (edge)" "$(mem "$tpid" "$t_edge" 5)" 5a5a5a5a5a
same "failed patches wrote nothing (text)" "$(mem "$tpid" "$t_spare" 1)" "$before_text"

printf '# only comments\n\n' >"$work/empty.patch"
expect "a patch with no writes" 2 "lists no writes" "$zxproc" patch "$tpid" "$work/empty.patch"
expect "a missing patch file" 1 "cannot open $work/none.patch" "$zxproc" patch "$tpid" "$work/none.patch"
true &
gone=$!
wait "$gone"
expect "patch: no such process" 5 "no such process: $gone" "$zxproc" patch "$gone" "$p"

expect "a good patch is applied" 0 "" "$zxproc" patch "$tpid" "$p"
same "patch: the summary" "$out" "applied 4 writes, 53 bytes, to process $tpid"
same "patch: [heap]+OFFSET line" "$(mem "$tpid" "$t_buf" 4)" deadbeef
same "patch: program-name line" "$(mem "$tpid" "$t_value" 4)" 63000000
same "patch: numeric line with blanks between bytes" "$(mem "$tpid" "$t_edge" 6)" 5a5a5a5a015a
same "patch: 40-byte line" "$(mem "$tpid" "$((t_buf + 32))" 40)" "$(fill 77 40)"
# Line n+1 may have read the value before the patch; line n+2 was read
# after line n+1 was printed, so after the patch.  The suite's timeout is
# the only bound on this wait.
n=$(wc -l <"$tlog")
while [ "$(wc -l <"$tlog")" -lt $((n + 2)) ] && kill -0 "$tpid" 2>/dev/null; do
	sleep 0.1
done
same "the target prints the patched value" "$(sed -n "$((n + 2))p" "$tlog")" "value = 99"

printf '%s 01020304\n' "$t_value" >"$work/stdin.patch"
status=0
"$zxproc" patch "$tpid" - <"$work/stdin.patch" >"$work/out" 2>&1 || status=$?
same "patch - reads standard input" "$status:$(mem "$tpid" "$t_value" 4)" 0:01020304

# --- progress bar ---------------------------------------------------------------
# The command's clock: frozen (step 0: no transfer ever lasts a second)
# or two seconds further at every reading (step 2: every one does).
cat >"$work/clock.c" <<'SHIM'
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static long readings;
	const char *step = getenv("ZXPROC_TEST_CLOCK_STEP");

	if (id != CLOCK_MONOTONIC || step == NULL)
		return (int)syscall(SYS_clock_gettime, id, ts);
	ts->tv_sec = 1000 + readings++ * atol(step);
	ts->tv_nsec = 0;
	return 0;
}
SHIM
cc -shared -fPIC -o "$work/clock.so" "$work/clock.c"
head -c $((8 << 20)) /dev/zero | tr '\0' '\021' >"$work/8m"
on_tty() { # CMD...: run CMD with a terminal as stdin/stdout/stderr (script(1))
	script -qec "$(printf '%q ' "$@")" /dev/null >"$work/tty" 2>&1 </dev/null || true
}
bar="writing \[#+\] 100% 8.0/8.0 MiB"
expect "--progress=always: a bar even into a file" 0 "$bar" \
	"$zxproc" write "$tpid" "$t_big" --file "$work/8m" --progress=always
same "--progress=always: the write happened" "$(mem "$tpid" "$((t_big + (8 << 20) - 2))" 2)" 1111
expect "auto, stderr not a terminal, over a second: no bar" 0 "" \
	env LD_PRELOAD="$work/clock.so" ZXPROC_TEST_CLOCK_STEP=2 \
	"$zxproc" write "$tpid" "$t_big" --file "$work/8m"
case $err in *"writing ["*) not_ok "auto, not a terminal: stderr has no bar" "$err" ;;
*) ok "auto, not a terminal: stderr has no bar" ;; esac
on_tty env LD_PRELOAD="$work/clock.so" ZXPROC_TEST_CLOCK_STEP=0 \
	"$zxproc" write "$tpid" "$t_big" --file "$work/8m"
if grep -q "writing \[" "$work/tty"; then
	not_ok "auto, on a terminal, under a second: no bar" "$(cat "$work/tty")"
else
	ok "auto, on a terminal, under a second: no bar"
fi
on_tty env LD_PRELOAD="$work/clock.so" ZXPROC_TEST_CLOCK_STEP=2 \
	"$zxproc" write "$tpid" "$t_big" --file "$work/8m"
if grep -qE "$bar" "$work/tty"; then
	ok "auto, on a terminal, over a second: a bar"
else
	not_ok "auto, on a terminal, over a second: a bar" "$(cat "$work/tty")"
fi
printf '%s %s\n' "$t_value" 05000000 >"$work/small.patch"
expect "patch --progress=always" 0 "patching \[#+\] 100%" \
	"$zxproc" patch "$tpid" "$work/small.patch" --progress=always
expect "bad --progress value" 2 "bad --progress" \
	"$zxproc" write "$tpid" "$t_big" --hex 00 --progress=sometimes

done_testing
