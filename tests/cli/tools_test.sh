#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The zxproc command's tools beyond write/read/patch, against a live
# target (cli_target), in the guest with the module loaded: maps (text
# and --json, against /proc/PID/maps), typed read and write (every type,
# --count, range errors), read --xxd (xxd -r takes it back, patch takes
# it), find (every pattern kind, --region, --align, --limit, a match
# across two batched reads, no match), --name (unique, none, ambiguous),
# and patch --expect, "expect" lines, --dry-run and --save-undo with
# the undo file applied (overlapping lines: each line's old bytes are
# what the lines before it leave).  Each checked by exit status, output and the
# target's memory read back through /proc/PID/mem.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=tests/cli/common.sh
. "$top/tests/cli/common.sh"
trap on_exit EXIT

if ! "$zxproc" status >/dev/null 2>&1; then
	diag "zxproc status says the module is not usable: $("$zxproc" status 2>&1 || true)"
	exit 1
fi

# 3 MiB of big: find reads 1 MiB per segment, so big+1MiB-3 straddles two.
start_target 3

# --- maps ---------------------------------------------------------------
expect "maps" 0 "" "$zxproc" maps "$tpid"
# START-END PERMS OFFSET NAME, addresses without leading zeros.
norm() { sed -E 's/^0+([0-9a-f])/\1/; s/-0+([0-9a-f])/-\1/; s/ $//'; }
want=$(awk '{ print $1, $2, $3, $6 }' "/proc/$tpid/maps" | norm)
got=$(printf '%s\n' "$out" | awk '{ print $1, $2, $3, $5 }' | norm)
same "maps: every line of /proc/PID/maps, in order" "$got" "$want"
line=$(printf '%s\n' "$out" | grep -i "^$(printf '%016x' "$t_edge")-")
same "maps: the edge page's size and perms" "$(echo "$line" | awk '{ print $2, $4 }')" "rw-p 4K"
expect "maps --json" 0 "" "$zxproc" maps "$tpid" --json
same "maps --json: as many mappings as /proc/PID/maps" \
	"$(json_field "$out" 'len(d)')" "$(wc -l <"/proc/$tpid/maps")"
same "maps --json: the edge page" \
	"$(json_field "$out" "[(m['perms'], m['size'], m['name']) for m in d if m['start'] == '$t_edge'][0]")" \
	"('rw-p', 4096, '')"
same "maps --json: a file mapping's name, offset and inode" \
	"$(json_field "$out" "[(m['offset'], m['inode'] > 0) for m in d if m['name'] == '$tdir/b/zxdata'][0]")" \
	"(0, True)"
# The list is the handle's (ZX_INFO_PROCESS_MAPS): with an empty file
# bound over /proc/PID/maps in a mount namespace of our own it is all
# still there, files by their last component, private/shared unknown.
# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
expect "maps, /proc/PID/maps hidden" 0 "" unshare -m sh -c \
	'mount --bind /dev/null "/proc/$1/maps" && exec "$2" maps "$1"' sh "$tpid" "$zxproc"
same "maps, /proc hidden: every mapping but [vsyscall]" \
	"$(printf '%s\n' "$out" | awk '{ print $1 }' | norm)" \
	"$(grep -v '\[vsyscall\]$' "/proc/$tpid/maps" | awk '{ print $1 }' | norm)"
same "maps, /proc hidden: the edge page, sharing unknown" \
	"$(printf '%s\n' "$out" | grep -i "^$(printf '%016x' "$t_edge")-" | awk '{ print $2, $4 }')" "rw-? 4K"
same "maps, /proc hidden: a file by its last component" \
	"$(printf '%s\n' "$out" | grep -i "^$(printf '%016x' "$t_sparse")-" | awk '{ print $5 }')" "sparse.bin"

# --- typed read and write ---------------------------------------------------
expect "read --i32" 0 "" "$zxproc" read "$tpid" "$t_value" --i32
same "read --i32: the value" "$out" 7
expect "write --u32" 0 "" "$zxproc" write "$tpid" "$t_value" --u32 0xdeadbeef
same "write --u32: little-endian in memory" "$(mem "$tpid" "$t_value" 4)" efbeadde
expect "read --u32" 0 "" "$zxproc" read "$tpid" "$t_value" --u32
same "read --u32" "$out" 3735928559
expect "read --i32 of the same bytes" 0 "" "$zxproc" read "$tpid" "$t_value" --i32
same "read --i32: negative" "$out" -559038737
expect "write --i16 list" 0 "" "$zxproc" write "$tpid" "$t_value" --i16 -2,300
same "write --i16 -2,300: memory" "$(mem "$tpid" "$t_value" 4)" feff2c01
expect "read --u8 --count 4" 0 "" "$zxproc" read "$tpid" "$t_value" --u8 --count 4
same "read --u8 --count 4: one per line" "${out//$'\n'/ }" "254 255 44 1"
expect "write --f32" 0 "" "$zxproc" write "$tpid" "$t_value" --f32 -1.5
same "write --f32: memory" "$(mem "$tpid" "$t_value" 4)" 0000c0bf
expect "read --f32" 0 "" "$zxproc" read "$tpid" "$t_value" --f32
same "read --f32: the shortest text" "$out" -1.5
expect "write --f64 --count 2" 0 "" "$zxproc" write "$tpid" "$(hex "$t_buf + 48")" --f64 0.1 --count 2
same "write --f64: memory" "$(mem "$tpid" "$((t_buf + 48))" 16)" 9a9999999999b93f9a9999999999b93f
expect "read --f64 --count 2" 0 "" "$zxproc" read "$tpid" "$(hex "$t_buf + 48")" --f64 --count 2
same "read --f64: reads back" "${out//$'\n'/ }" "0.1 0.1"
expect "write --u64 and --i8, --u16, --i64" 0 "" "$zxproc" write "$tpid" "$(hex "$t_buf + 48")" --u64 0x0102030405060708
same "write --u64: memory" "$(mem "$tpid" "$((t_buf + 48))" 8)" 0807060504030201
expect "read --i64" 0 "" "$zxproc" read "$tpid" "$(hex "$t_buf + 48")" --i64
same "read --i64" "$out" 72623859790382856
expect "read --u16 --count 2" 0 "" "$zxproc" read "$tpid" "$(hex "$t_buf + 48")" --u16 --count 2
same "read --u16" "${out//$'\n'/ }" "1800 1286"
expect "write --i8 -128" 0 "" "$zxproc" write "$tpid" "$(hex "$t_buf + 48")" --i8 -128
expect "read --i8" 0 "" "$zxproc" read "$tpid" "$(hex "$t_buf + 48")" --i8
same "read --i8" "$out" -128
expect "write --u8 out of range" 2 'bad --u8: 256 does not fit in u8' \
	"$zxproc" write "$tpid" "$t_value" --u8 256
expect "write --i32 out of range" 2 'does not fit in i32' \
	"$zxproc" write "$tpid" "$t_value" --i32 -2147483649
expect "write --u32 negative" 2 'not a decimal or 0x-hex number' \
	"$zxproc" write "$tpid" "$t_value" --u32 -1
expect "write --f32 too large" 2 'too large for f32' "$zxproc" write "$tpid" "$t_value" --f32 1e39
expect "write: an empty value in a list" 2 'an empty value' "$zxproc" write "$tpid" "$t_value" --u8 1,,2
same "bad values wrote nothing" "$(mem "$tpid" "$t_value" 4)" 0000c0bf
expect "read --u32 past mapped memory is partial" 8 "read 4 of 8 bytes" \
	"$zxproc" read "$tpid" "$(hex "$t_edge + 4092")" --u32 --count 2
same "partial typed read: the whole values before" "$out" 1515870810

# --- read --xxd ---------------------------------------------------------------
expect "read --xxd" 0 "" "$zxproc" read "$tpid" "$t_buf" 20 --xxd
want=$(head -c 20 <(mem "$tpid" "$t_buf" 20 | xxd -r -p) | xxd | sed "s/^00000000/$(printf '%016x' "$t_buf")/; s/^00000010/$(printf '%016x' "$((t_buf + 16))")/")
same "read --xxd: xxd's layout with the target's addresses" "$out" "$want"
printf '%s\n' "$out" >"$work/dump.xxd"
same "xxd -r -s -ADDR takes it back" \
	"$(xxd -r -s "-$t_buf" "$work/dump.xxd" | od -An -tx1 -v | tr -d ' \n')" "$(mem "$tpid" "$t_buf" 20)"
sed 's/: [0-9a-f]\{4\}/: 5151/' "$work/dump.xxd" >"$work/edited.xxd"
expect "patch takes read --xxd output" 0 "" "$zxproc" patch "$tpid" "$work/edited.xxd"
same "patch of xxd lines: the summary" "$out" "applied 2 writes, 20 bytes, to process $tpid"
same "patch of xxd lines: memory" "$(mem "$tpid" "$t_buf" 2):$(mem "$tpid" "$((t_buf + 16))" 2)" 5151:5151

# --- --name -------------------------------------------------------------------
expect "--name: the one cli_target" 0 "" "$zxproc" read --name cli_target "$t_buf" 2 --raw
same "--name: read the target" "$out" QQ
expect "--name with write" 0 "" "$zxproc" write --name cli_target "$t_value" --i32 42
same "--name with write: memory" "$(mem "$tpid" "$t_value" 4)" 2a000000
expect "--name: nobody" 5 'no process named "no-such-zx"' "$zxproc" maps --name no-such-zx

# --- find -----------------------------------------------------------------------
# The pattern lives only in the target: written here, byte by byte.
pat=5a17c3e80b9d6f42a1
expect "find: nothing yet" 15 "0 matches" "$zxproc" find "$tpid" --hex "$pat"
straddle=$((t_big + (1 << 20) - 3))
"$zxproc" write "$tpid" "$(hex "$straddle")" --hex "$pat" >/dev/null
"$zxproc" write "$tpid" "$(hex "$t_big + 0x10")" --hex "$pat" >/dev/null
expect "find --hex" 0 "2 matches in" "$zxproc" find "$tpid" --hex "$pat"
same "find --hex: both, one across two batched reads" "$out" "$(hex "$t_big + 0x10")
$(hex "$straddle")"
expect "find --limit 1" 0 "--limit reached" "$zxproc" find "$tpid" --hex "$pat" --limit 1
same "find --limit 1: the first" "$out" "$(hex "$t_big + 0x10")"
expect "find --align 16" 0 "" "$zxproc" find "$tpid" --hex "$pat" --align 16
same "find --align 16: only the aligned one" "$out" "$(hex "$t_big + 0x10")"
expect "find --region [heap]: not there" 15 "" "$zxproc" find "$tpid" --hex "$pat" --region '[heap]'
expect "find --region unknown" 7 'no mapping named "nosuch.so"' "$zxproc" find "$tpid" --hex "$pat" --region nosuch.so
"$zxproc" write "$tpid" "$(hex "$t_buf + 8")" --string "zx-needle" >/dev/null
expect "find --string --region [heap]" 0 "1 match in" "$zxproc" find "$tpid" --string "zx-needle" --region '[heap]'
same "find --string: the address" "$out" "$(hex "$t_buf + 8")"
"$zxproc" write "$tpid" "$(hex "$t_big + 0x40")" --u64 0x1122334455667788 >/dev/null
expect "find --u64 in [stack]: not there" 15 "" "$zxproc" find "$tpid" --u64 0x1122334455667788 --region '[stack]'
same "find: no match prints nothing" "$out" ""
expect "find --u64" 0 "" "$zxproc" find --name cli_target --u64 0x1122334455667788
same "find --u64 --name: the address" "$out" "$(hex "$t_big + 0x40")"
expect "find --f32" 15 "" "$zxproc" find "$tpid" --f32 1234.5 --region '[heap]'
"$zxproc" write "$tpid" "$(hex "$t_buf + 20")" --f32 1234.5 >/dev/null
expect "find --f32 after writing it" 0 "" "$zxproc" find "$tpid" --f32 1234.5 --region '[heap]'
same "find --f32: the address" "$out" "$(hex "$t_buf + 20")"
expect "find --progress=always: rate and ETA" 0 "searching \[#+\] 100% [0-9.]+/[0-9.]+ MiB [0-9.-]+ MiB/s ETA [0-9:-]+" \
	"$zxproc" find "$tpid" --hex "$pat" --progress=always

# --- find: no-fault reads, --fault ------------------------------------------------
# sparse.bin: "zxsparse" in its first page (mapped) and at 512 KiB (in the
# page cache, not mapped).  Without --fault the scan passes over the pages
# not mapped and leaves the target's resident set and faults as they
# were; --fault reads them, mapping them into the target.
# VmRSS: the file's pages count as RssShmem where $work is on tmpfs.
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$tpid/status"; }
minflt() { sed 's/.*) //' "/proc/$tpid/stat" | awk '{ print $8 }'; }
rss0=$(rss) flt0=$(minflt)
expect "find, no-fault: a match in a resident page" 0 \
	"^1 match in 1 region, [0-9]+ KiB read, [0-9.]+ [KM]iB not resident, not read$" \
	"$zxproc" find "$tpid" --string zxsparse --region sparse.bin
same "find, no-fault: only the resident page's match" "$out" "$(hex "$t_sparse + 0x100")"
same "find, no-fault: the target's VmRSS and minflt unchanged" \
	"$(rss) $(minflt)" "$rss0 $flt0"
expect "find --fault: both matches" 0 "^2 matches in 1 region, 1.0 MiB read$" \
	"$zxproc" find "$tpid" --string zxsparse --region sparse.bin --fault
same "find --fault: the addresses" "$out" "$(hex "$t_sparse + 0x100")
$(hex "$t_sparse + 0x80100")"
rss1=$(rss)
if [ "$rss1" -gt "$rss0" ]; then ok "find --fault: the pages read are now resident ($rss0 -> $rss1 KiB)"
else not_ok "find --fault: the pages read are now resident" "VmRSS $rss0 -> $rss1 KiB"; fi

# --- patch --expect, expect lines, --dry-run, --save-undo --------------------------
"$zxproc" write "$tpid" "$t_value" --hex 07000000 >/dev/null
expect "patch --expect: other bytes" 14 "holds other bytes than expected" \
	"$zxproc" patch "$tpid" "$t_value" 2a000000 --expect 08000000
case $err in *"expected 08000000"*"found    07000000"*) ok "patch --expect: says what was found" ;;
*) not_ok "patch --expect: says what was found" "$err" ;; esac
same "patch --expect refused: unchanged" "$(mem "$tpid" "$t_value" 4)" 07000000
expect "patch --expect: the bytes expected" 0 "" \
	"$zxproc" patch "$tpid" "$t_value" 2a000000 --expect 07000000
same "patch --expect: written" "$(mem "$tpid" "$t_value" 4)" 2a000000
expect "patch --expect: lengths differ" 2 "4 bytes to write, but 2 expected" \
	"$zxproc" patch "$tpid" "$t_value" 2a000000 --expect 0700
expect "patch FILE --expect: refused" 2 "--expect goes with one write" \
	"$zxproc" patch "$tpid" "$work/edited.xxd" --expect 00

# Which way an expected write went, from the module's zxproc_mem
# tracepoint in a tracefs instance of our own: "op=cas" is the kernel's
# compare-and-swap, "op=read" then "op=write" the read-compare-write.
tracefs=/sys/kernel/tracing
[ -d "$tracefs/instances" ] || mount -t tracefs nodev "$tracefs"
inst=$tracefs/instances/zxproc-cli-$$
mkdir "$inst"
traced() { # CMD...: runs it with the tracepoint on; leaves $ops
	echo 1 >"$inst/events/zxproc/zxproc_mem/enable"
	"$@"
	echo 0 >"$inst/events/zxproc/zxproc_mem/enable"
	ops=$(grep -o "target=$tpid op=[a-z]* addr=0x[0-9a-f]* len=[0-9]*" "$inst/trace" |
		sed 's/^target=[0-9]* //')
	echo >"$inst/trace"
}
t_cas=$(hex "$t_big + 0x100")
"$zxproc" write "$tpid" "$t_cas" --hex 0102030405060708 >/dev/null
traced expect "patch --expect, 8 aligned bytes" 0 "" \
	"$zxproc" patch "$tpid" "$t_cas" 1112131415161718 --expect 0102030405060708
same "patch --expect, 8 aligned bytes: one kernel compare-and-swap" \
	"$(printf '%s\n' "$ops" | grep -v '^op=read')" "op=cas addr=$t_cas len=8"
same "patch --expect, 8 aligned bytes: written" "$(mem "$tpid" "$t_cas" 8)" 1112131415161718
traced expect "patch --expect, 2 aligned bytes" 0 "" \
	"$zxproc" patch "$tpid" "$(hex "$t_cas + 6")" aabb --expect 1718
same "patch --expect, 2 aligned bytes: compare-and-swap" \
	"$(printf '%s\n' "$ops" | grep -v '^op=read')" "op=cas addr=$(hex "$t_cas + 6") len=2"
traced expect "patch --expect, 4 unaligned bytes" 0 "" \
	"$zxproc" patch "$tpid" "$(hex "$t_cas + 1")" 21222324 --expect 12131415
same "patch --expect, 4 unaligned bytes: read, compare, write" \
	"$(printf '%s\n' "$ops" | grep -v '^op=read')" "op=write addr=$(hex "$t_cas + 1") len=4"
traced expect "patch --expect, 3 aligned bytes" 0 "" \
	"$zxproc" patch "$tpid" "$t_cas" 313233 --expect 112122
same "patch --expect, 3 bytes: read, compare, write" \
	"$(printf '%s\n' "$ops" | grep -v '^op=read')" "op=write addr=$t_cas len=3"
same "patch --expect, unaligned and odd: written" "$(mem "$tpid" "$t_cas" 8)" 313233232416aabb
rmdir "$inst"

cat >"$work/p.patch" <<PATCH
$t_value 01000000 expect 2a000000
$(hex "$t_buf + 2") aabb
$(hex "$t_buf + 3") cc    # overlaps the line before
PATCH
before_buf=$(mem "$tpid" "$t_buf" 4)
expect "patch --dry-run" 0 "" "$zxproc" patch "$tpid" "$work/p.patch" --dry-run
same "patch --dry-run: each write with its old bytes" "$out" "$(hex "$t_value"): 2a000000 -> 01000000
$(hex "$t_buf + 2"): ${before_buf:4:4} -> aabb
$(hex "$t_buf + 3"): bb -> cc
would apply 3 writes, 7 bytes, to process $tpid (dry run: nothing written)"
same "patch --dry-run: nothing written" "$(mem "$tpid" "$t_value" 4):$(mem "$tpid" "$t_buf" 4)" "2a000000:$before_buf"
expect "patch --save-undo" 0 "" "$zxproc" patch "$tpid" "$work/p.patch" --save-undo "$work/undo"
same "patch: written" "$(mem "$tpid" "$t_value" 4):$(mem "$tpid" "$t_buf" 4)" "01000000:${before_buf:0:4}aacc"
same "undo file: the old bytes, last write first, expecting the new" \
	"$(grep -v '^#' "$work/undo")" "$(hex "$t_buf + 3") bb expect cc
$(hex "$t_buf + 2") ${before_buf:4:4} expect aabb
$(hex "$t_value") 2a000000 expect 01000000"
expect "patch --save-undo: an existing undo file" 2 "exists" \
	"$zxproc" patch "$tpid" "$work/p.patch" --save-undo "$work/undo"
"$zxproc" write "$tpid" "$t_value" --hex 05000000 >/dev/null
expect "the undo file refuses memory changed since" 14 "holds other bytes than expected" \
	"$zxproc" patch "$tpid" "$work/undo"
same "refused undo: nothing written" "$(mem "$tpid" "$t_buf" 4)" "${before_buf:0:4}aacc"
"$zxproc" write "$tpid" "$t_value" --hex 01000000 >/dev/null
expect "the undo file takes the patch back" 0 "" "$zxproc" patch "$tpid" "$work/undo"
same "undone: memory as before" "$(mem "$tpid" "$t_value" 4):$(mem "$tpid" "$t_buf" 4)" "2a000000:$before_buf"
expect "patch --dry-run --save-undo" 2 "--dry-run writes nothing" \
	"$zxproc" patch "$tpid" "$work/p.patch" --dry-run --save-undo "$work/undo2"
if [ -e "$work/undo2" ]; then not_ok "no undo file from a refused command line"
else ok "no undo file from a refused command line"; fi

# A second cli_target (last: start_target sets the t_* variables anew).
second=$tpid second_value=$t_value
start_target
expect "--name: two cli_targets" 2 "2 processes are named \"cli_target\"" \
	"$zxproc" write --name cli_target "$t_value" --i32 1
if [[ $err == *"  $second $target_bin "* && $err == *"  $tpid $target_bin $tdir"* ]]; then
	ok "--name: both candidates listed with their command lines"
else
	not_ok "--name: both candidates listed with their command lines" "$err"
fi
same "--name ambiguous: nothing written" "$(mem "$second" "$second_value" 4)" 2a000000
same "--name ambiguous: nothing written (second)" "$(mem "$tpid" "$t_value" 4)" 07000000
stop_target

done_testing
