#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# zxproc write and zxproc read against a live target (cli_target), in the
# guest with the module loaded: every data source and ADDR form, partial
# and all-or-nothing writes, and every error class, each checked by exit
# status, message, and the target's memory read back through
# /proc/PID/mem (not through zxproc).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=tests/cli/common.sh
. "$top/tests/cli/common.sh"
force=/sys/module/zxproc/parameters/force_override
# Forcing back on whatever happens, for the suites that run after this one.
# shellcheck disable=SC2317 # called from the EXIT trap
force_back() { echo always >"$force"; }
trap 'on_exit force_back' EXIT

if ! "$zxproc" status >/dev/null 2>&1; then
	diag "zxproc status says the module is not usable: $("$zxproc" status 2>&1 || true)"
	exit 1
fi

start_target 8

# --- write: data sources -------------------------------------------------
expect "write --hex to a variable" 0 "" "$zxproc" write "$tpid" "$t_value" --hex 2a000000
same "write --hex: memory holds the bytes" "$(mem "$tpid" "$t_value" 4)" 2a000000
same "write --hex: reports the count" "$out" "wrote 4 bytes to process $tpid at $t_value"
seen=0
for _ in $(seq 30); do
	if tail -n 1 "$tlog" | grep -qx 'value = 42'; then seen=1; break; fi
	sleep 0.1
done
same "the target prints the new value" "$seen" 1

heap=$(map_base "$tpid" "[heap]")
off=$(hex "$t_buf - $heap")
expect "write --string at [heap]+OFFSET" 0 "" "$zxproc" write "$tpid" "[heap]+$off" --string hello
same "write --string: bytes written, no NUL added" "$(mem "$tpid" "$t_buf" 6)" 68656c6c6f05

expect "write at a decimal address" 0 "" "$zxproc" write "$tpid" "$((t_buf + 8))" --hex "ff ee"
same "decimal address: memory" "$(mem "$tpid" "$((t_buf + 8))" 3)" ffee0a

printf '0123456789' >"$work/digits"
expect "write --file --offset --length" 0 "" "$zxproc" write "$tpid" "$(hex "$t_buf + 16")" \
	--file "$work/digits" --offset 2 --length 4
same "write --file: the slice of the file" "$(mem "$tpid" "$((t_buf + 16))" 5)" 3233343514

status=0
printf 'abc' | "$zxproc" write "$tpid" "$(hex "$t_buf + 24")" --file - >/dev/null 2>&1 || status=$?
same "write --file - reads standard input" "$status:$(mem "$tpid" "$((t_buf + 24))" 4)" "0:6162631b"

expect "write --file past its end fails" 2 "shorter than --offset" \
	"$zxproc" write "$tpid" "$t_buf" --file "$work/digits" --offset 11
expect "write --length longer than the file fails" 2 "has only 8 bytes" \
	"$zxproc" write "$tpid" "$t_buf" --file "$work/digits" --offset 2 --length 9
same "failed --file writes changed nothing" "$(mem "$tpid" "$t_buf" 4)" 68656c6c

# --- ADDR forms -------------------------------------------------------------
base=$(map_base "$tpid" cli_target)
expect "ADDR: the program's own name + offset" 0 "" \
	"$zxproc" write "$tpid" "cli_target+$(hex "$t_value - $base")" --hex 01000000
same "program name: memory" "$(mem "$tpid" "$t_value" 4)" 01000000
expect "ADDR: a minus offset" 0 "" \
	"$zxproc" write "$tpid" "$(hex "$t_value + 0x10")-0x10" --hex 02000000
same "minus offset: memory" "$(mem "$tpid" "$t_value" 4)" 02000000
expect "ADDR: libc.so.6 resolves to libc's load base" 0 "" "$zxproc" read "$tpid" libc.so.6 4 --raw
same "libc.so.6 starts with the ELF magic" "$(printf '%s' "$out" | od -An -tx1 | tr -d ' \n')" 7f454c46
expect "ADDR: a full path" 0 "" "$zxproc" read "$tpid" "$tdir/b/zxdata" 16 --raw
same "full path: the file's bytes" "$out" "zxproc test data"
expect "ADDR: a name two files share is ambiguous" 2 "ambiguous: it names both .*/[ab]/zxdata and .*/[ab]/zxdata" \
	"$zxproc" read "$tpid" zxdata 4
expect "ADDR: a file mapped twice is ambiguous" 2 "mapped more than once" \
	"$zxproc" read "$tpid" "$tdir/a/zxdata" 4
expect "ADDR: an unknown name" 7 'no mapping named "nosuchlib.so"' \
	"$zxproc" write "$tpid" nosuchlib.so+0x10 --hex 00
expect "ADDR: hex without 0x is explained" 2 "needs the 0x prefix" \
	"$zxproc" write "$tpid" 7fff0000 --hex 00
expect "ADDR: an offset past the address space" 2 "outside the address space" \
	"$zxproc" write "$tpid" 0xffffffffffffffff+0x10 --hex 00
same "bad ADDRs changed nothing" "$(mem "$tpid" "$t_value" 4)" 02000000

# --- errors of the memory itself ----------------------------------------------
expect "write to an unmapped address" 7 "address 0x10 is not mapped in process $tpid" \
	"$zxproc" write "$tpid" 0x10 --hex 00
expect "read of an unmapped address" 7 "is not mapped in process $tpid" \
	"$zxproc" read "$tpid" 0x10 4

head -c 8192 /dev/zero | tr '\0' '\253' >"$work/ab8k"
edge_end=$(hex "$t_edge + 4096")
expect "--all-or-nothing over a hole writes nothing" 7 "address $edge_end is not mapped" \
	"$zxproc" write "$tpid" "$t_edge" --file "$work/ab8k" --all-or-nothing
case $err in *"--all-or-nothing: nothing was written"*) ok "--all-or-nothing: says nothing was written" ;;
*) not_ok "--all-or-nothing: says nothing was written" "$err" ;; esac
same "--all-or-nothing: the first page is untouched" "$(mem "$tpid" "$t_edge" 4096)" "$(fill 5a 4096)"
expect "a write running into a hole is partial" 8 \
	"wrote 4096 of 8192 bytes: the range runs past mapped memory at $edge_end" \
	"$zxproc" write "$tpid" "$t_edge" --file "$work/ab8k"
same "partial write: the mapped page holds the data" "$(mem "$tpid" "$t_edge" 4096)" "$(fill ab 4096)"
expect "--all-or-nothing within mapped memory" 0 "" \
	"$zxproc" write "$tpid" "$t_buf" --hex 11223344 --all-or-nothing
same "--all-or-nothing: memory" "$(mem "$tpid" "$t_buf" 4)" 11223344

expect "a read running into a hole is partial" 8 \
	"read 4096 of 8192 bytes: the range runs past mapped memory at $edge_end" \
	"$zxproc" read "$tpid" "$t_edge" 8192
same "partial read: the readable part is printed" "$(echo "$out" | wc -l)" 256

expect "write to a read-only shared mapping" 7 "read-only shared mapping" \
	"$zxproc" write "$tpid" "$t_roshared" --hex 41
same "read-only shared mapping: unchanged" "$(mem "$tpid" "$t_roshared" 6)" 7a7870726f63

# Forcing: Debian's kernels force every access (host_force_override=always),
# and force_override can only take that away.
same "host forcing policy" "$(cat /sys/module/zxproc/parameters/host_force_override)" always
same "force_override starts as always" "$(cat "$force")" always
expect "status with force_override=always" 0 "" "$zxproc" status
same "status: accesses forced" "$(printf '%s\n' "$out" | grep '^forcing:')" \
	"forcing:     always (read-only private memory is written by copy-on-write, PROT_NONE memory is read)"
text=$(mem "$tpid" "$t_spare" 1)
expect "write program text (force_override=always)" 0 "" "$zxproc" write "$tpid" "$t_spare" --hex cc
same "program text: written" "$(mem "$tpid" "$t_spare" 1)" cc
expect "write PROT_NONE memory (force_override=always)" 0 "" "$zxproc" write "$tpid" "$t_guard" --hex 5aa51234
same "PROT_NONE memory: written by force" "$(mem "$tpid" "$t_guard" 4)" 5aa51234
expect "read PROT_NONE memory (force_override=always)" 0 "" "$zxproc" read "$tpid" "$t_guard" 4
same "PROT_NONE memory: read by force" "${out:16:14}" "  5a a5 12 34 "
echo never >"$force"
expect "status with force_override=never" 0 "" "$zxproc" status
same "status: accesses not forced" "$(printf '%s\n' "$out" | grep '^forcing:')" \
	"forcing:     not for zxproc: the module's force_override parameter is never"
expect "write program text with force_override=never" 7 \
	"cannot be written: it is read-only, and writes are not forced: the module's force_override parameter is never" \
	"$zxproc" write "$tpid" "$t_spare" --hex "$text"
same "force_override=never: text unchanged" "$(mem "$tpid" "$t_spare" 1)" cc
expect "read PROT_NONE memory with force_override=never" 7 \
	"cannot be read: its mapping does not allow reading, and reads are not forced: the module's force_override parameter is never" \
	"$zxproc" read "$tpid" "$t_guard" 4
same "force_override=never: nothing printed" "$out" ""
expect "write PROT_NONE memory with force_override=never" 7 "writes are not forced" \
	"$zxproc" write "$tpid" "$t_guard" --hex 00
same "force_override=never: PROT_NONE memory unchanged" "$(mem "$tpid" "$t_guard" 4)" 5aa51234
echo ptrace >"$force"
expect "write program text with force_override=ptrace" 7 \
	"writes are not forced: the module's force_override parameter is ptrace, and zxproc is not the process's tracer" \
	"$zxproc" write "$tpid" "$t_spare" --hex "$text"
same "force_override=ptrace: text unchanged" "$(mem "$tpid" "$t_spare" 1)" cc
echo always >"$force"
expect "write program text back (force_override=always)" 0 "" "$zxproc" write "$tpid" "$t_spare" --hex "$text"
same "program text: restored" "$(mem "$tpid" "$t_spare" 1)" "$text"

# --- read ---------------------------------------------------------------------
# The layout of hexdump -C, with the target's addresses in 16 digits.
as_hexdump() { # ADDR: hexdump -C of stdin, offsets replaced by ADDR + offset
	hexdump -C | sed '$d' | while IFS= read -r line; do
		printf '%016x%s\n' "$(($1 + 0x${line%% *}))" "${line#????????}"
	done
}
expect "read prints a hex dump with target addresses" 0 "" "$zxproc" read "$tpid" "$t_buf" 20
want=$(printf '\x11\x22\x33\x44o\x05\x06\x07\xff\xee\x0a\x0b\x0c\x0d\x0e\x0f2345' | as_hexdump "$t_buf")
same "read: the bytes, laid out as hexdump -C" "$out" "$want"
expect "read --raw" 0 "" "$zxproc" read "$tpid" "$(hex "$t_buf + 16")" 4 --raw
same "read --raw: the bytes themselves" "$out" 2345

# --- the process and the caller ----------------------------------------------
true &
gone=$!
wait "$gone"
expect "no such process" 5 "no such process: $gone" "$zxproc" write "$gone" 0x1000 --hex 00
expect "a kernel thread" 10 "process 2 is a kernel thread" "$zxproc" read 2 0x1000 4
expect "without CAP_SYS_PTRACE" 6 "needs CAP_SYS_PTRACE" \
	"$top/tests/vm/nocap" sys_ptrace -- "$zxproc" write "$tpid" "$t_value" --hex 09000000
same "without CAP_SYS_PTRACE: unchanged" "$(mem "$tpid" "$t_value" 4)" 02000000
expect "unprivileged: /dev/zxproc not accessible" 4 "permission denied opening /dev/zxproc \(crw------- root:root\)" \
	"$top/tests/vm/unpriv" -- "$zxproc" write "$tpid" "$t_value" --hex 09000000
same "unprivileged: unchanged" "$(mem "$tpid" "$t_value" 4)" 02000000

# The target execs, then exits, while zxproc read is blocked writing its
# first MiB of output into a full pipe: the next chunk must fail.
blocked_read() { # ACTION: what to do to the target while zxproc waits
	local fifo=$work/fifo status=0 zpid
	rm -f "$fifo"
	mkfifo "$fifo"
	"$zxproc" read "$tpid" "$t_big" $((8 << 20)) >"$fifo" 2>"$work/err" &
	zpid=$!
	exec 7<"$fifo"
	# One line read: zxproc has its handle and has read the first chunk.
	head -n 1 <&7 >/dev/null
	"$@"
	cat <&7 >/dev/null
	exec 7<&-
	wait "$zpid" || status=$?
	err=$(cat "$work/err")
	return "$status"
}
# shellcheck disable=SC2317 # called through blocked_read
exec_target() {
	kill -USR1 "$tpid"
	for _ in $(seq 50); do
		[ "$(cat "/proc/$tpid/comm")" = sleep ] && return
		sleep 0.1
	done
}
status=0
blocked_read exec_target || status=$?
same "exec during read: partial (exit 8)" "$status" 8
case $err in
*"exec'd a new program since it was opened"*"read 1048576 of 8388608 bytes"*) ok "exec during read: message" ;;
*) not_ok "exec during read: message" "$err" ;;
esac
stop_target

start_target 8
status=0
blocked_read stop_target || status=$?
same "exit during read: partial (exit 8)" "$status" 8
case $err in
*"process $tpid exited"*"read 1048576 of 8388608 bytes"*) ok "exit during read: message" ;;
*) not_ok "exit during read: message" "$err" ;;
esac

done_testing
