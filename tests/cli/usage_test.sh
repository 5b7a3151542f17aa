#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The zxproc command's help, version and usage errors: --help on the
# command and on every subcommand, `zxproc help CMD`, --version, and
# exit status 2 with a message for bad command lines (checked before
# anything else, so no module or target is needed).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=tests/cli/common.sh
. "$top/tests/cli/common.sh"
trap on_exit EXIT

expect "zxproc --help" 0 "" "$zxproc" --help
for cmd in status load unload write read patch maps find; do
	case $out in *"  $cmd "*) ok "--help lists $cmd" ;; *) not_ok "--help lists $cmd" ;; esac
done
for code in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	if printf '%s\n' "$out" | grep -qE "^ +$code  [a-z]"; then ok "--help documents exit status $code"
	else not_ok "--help documents exit status $code"; fi
done
for cmd in status load unload write read patch maps find; do
	expect "zxproc $cmd --help" 0 "" "$zxproc" "$cmd" --help
	case $out in "Usage: zxproc $cmd"*) ok "$cmd --help: usage line" ;;
	*) not_ok "$cmd --help: usage line" "$out" ;; esac
	help=$out
	expect "zxproc help $cmd" 0 "" "$zxproc" help "$cmd"
	same "help $cmd is $cmd --help" "$out" "$help"
done
version=$(sed -n 's/^#define ZXPROC_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' "$top/uapi/linux/zxproc.h" | paste -sd.)
expect "zxproc --version" 0 "" "$zxproc" --version
same "--version: the uapi header's version" "$out" "zxproc $version"

expect "no command" 2 "no command given" "$zxproc"
expect "unknown command" 2 'no command named "frob"' "$zxproc" frob
expect "unknown global option" 2 "Try 'zxproc --help'" "$zxproc" --frob status
expect "status: extra argument" 2 "takes no arguments" "$zxproc" status extra
expect "load: extra argument" 2 "takes no arguments" "$zxproc" load extra
expect "write: missing ADDR" 2 "expected PID and ADDR" "$zxproc" write 1 --hex 00
expect "write: bad PID" 2 'bad PID "12x"' "$zxproc" write 12x 0x1000 --hex 00
expect "write: PID 0" 2 'bad PID "0"' "$zxproc" write 0 0x1000 --hex 00
expect "write: no data" 2 "exactly one of --hex, --string, --file and a value option" "$zxproc" write 1 0x1000
expect "write: two data options" 2 "exactly one of" "$zxproc" write 1 0x1000 --hex 00 --string a
expect "write: --offset without --file" 2 "go with --file" "$zxproc" write 1 0x1000 --hex 00 --offset 1
expect "write: bad --offset" 2 'bad --offset "-1"' "$zxproc" write 1 0x1000 --file /dev/null --offset -1
expect "write: --length 0" 2 'bad --length "0"' "$zxproc" write 1 0x1000 --file /dev/null --length 0
expect "write: --hex with 0x" 2 "without 0x" "$zxproc" write 1 0x1000 --hex 0xdeadbeef
expect "write: --hex odd digits" 2 "odd number of hex digits" "$zxproc" write 1 0x1000 --hex "de a"
expect "write: --hex not hex" 2 "'z' at column 3 is not a hex digit" "$zxproc" write 1 0x1000 --hex "dez0"
expect "write: --hex empty" 2 "no bytes given" "$zxproc" write 1 0x1000 --hex " "
expect "write: --string empty" 2 "empty" "$zxproc" write 1 0x1000 --string ""
expect "write: --file unreadable" 1 "cannot open $work/none" "$zxproc" write 1 0x1000 --file "$work/none"
expect "write: empty --file" 2 "nothing to write" "$zxproc" write 1 0x1000 --file /dev/null
expect "read: missing LEN" 2 "expected PID, ADDR and LEN" "$zxproc" read 1 0x1000
expect "read: LEN 0" 2 'bad LEN "0"' "$zxproc" read 1 0x1000 0
expect "read: octal-looking LEN is decimal, hex needs 0x" 2 'bad LEN "1f"' "$zxproc" read 1 0x1000 1f
expect "patch: missing FILE" 2 "expected PID and FILE" "$zxproc" patch 1
expect "write: unknown option" 2 "Try 'zxproc write --help'" "$zxproc" write --frob 1 0x1000 --hex 00

# One message per bad option, in the command's words (not getopt's).
expect "unknown option: named once" 2 "^zxproc write: unknown option '--frob'
Try 'zxproc write --help'.$" "$zxproc" write --frob=1 1 0x1000 --hex 00
expect "unknown short option" 2 "^zxproc read: unknown option '-q'
Try 'zxproc read --help'.$" "$zxproc" read -q 1 0x1000 4
expect "option without its value" 2 "^zxproc write: option '--hex' needs a value
Try 'zxproc write --help'.$" "$zxproc" write 1 0x1000 --hex
expect "a negative LEN is not an option" 2 "^zxproc read: \"-1\" is not an option, and no argument here can be negative" \
	"$zxproc" read 1 0x10 -1
expect "unknown global option: named" 2 "^zxproc: unknown option '--frob'" "$zxproc" --frob status
# -v: libkmod's log, without its bookkeeping (pointers).
expect "-v status" 0 "" "$zxproc" -v status
if [[ $err =~ 0x[0-9a-f]{6,} ]]; then not_ok "-v: no pointers from libkmod" "$err"
else ok "-v: no pointers from libkmod"; fi

# Checked before anything is opened: an unprivileged caller, who cannot
# open /dev/zxproc (exit 4), gets the command line's error.
unpriv=$top/tests/vm/unpriv
expect "ADDR: hex without 0x, before the device" 2 'bad ADDR: "7fff0000" is not a number \(a hex address needs the 0x prefix\)' \
	"$unpriv" -- "$zxproc" read 1 7fff0000 4
expect "ADDR: a typo in a number, before the device" 2 'bad ADDR: "0x12g4" is not a number' \
	"$unpriv" -- "$zxproc" write 1 0x12g4 --hex 00
expect "ADDR: a bad offset, before the device" 2 "the offset after '\+' is not a number" \
	"$unpriv" -- "$zxproc" write 1 0x1000+zz --hex 00
expect "patch ADDR: before the device" 2 "bad ADDR" "$unpriv" -- "$zxproc" patch 1 12x 00
expect "patch file ADDR: before the device" 2 '\(stdin\):1: bad address: "12x" is not a number' \
	"$unpriv" -- sh -c "printf '12x 00\\n' | $zxproc patch 1 -"
expect "--name nobody: before the device" 5 'no process named "no-such-zx"' \
	"$unpriv" -- "$zxproc" read --name no-such-zx 0x1000 4
expect "the device is checked after the arguments" 4 "permission denied opening /dev/zxproc" \
	"$unpriv" -- "$zxproc" read 1 0x1000 4

# The new subcommands' and options' usage errors.
expect "read: a type and LEN" 2 "expected PID and ADDR \(a type gives the length\)" "$zxproc" read 1 0x1000 4 --u32
expect "read: two types" 2 "give one type, not --u32 and --f64" "$zxproc" read 1 0x1000 --u32 --f64
expect "read: --count without a type" 2 "--count goes with a type" "$zxproc" read 1 0x1000 4 --count 2
expect "read: --count 0" 2 'bad --count "0"' "$zxproc" read 1 0x1000 --u8 --count 0
expect "read: --xxd and --raw" 2 "at most one of --raw, --xxd" "$zxproc" read 1 0x1000 4 --xxd --raw
expect "write: a value and --hex" 2 "exactly one of --hex, --string, --file and a value option" \
	"$zxproc" write 1 0x1000 --hex 00 --u8 1
expect "write: --count without a value" 2 "--count goes with a value option" "$zxproc" write 1 0x1000 --hex 00 --count 2
expect "write: --f64 not a number" 2 'bad --f64: "1.5x" is not a number' "$zxproc" write 1 0x1000 --f64 1.5x
expect "write: --name and a PID" 2 "expected ADDR after --name NAME" "$zxproc" write --name x 1 0x1000 --hex 00
expect "maps: no PID" 2 "expected PID" "$zxproc" maps
expect "maps: bad PID" 2 'bad PID "x1"' "$zxproc" maps x1
expect "find: no pattern" 2 "exactly one of --hex, --string and a value option" "$zxproc" find 1
expect "find: two patterns" 2 "exactly one of" "$zxproc" find 1 --hex 00 --string a
expect "find: empty --string" 2 "bad --string: it is empty" "$zxproc" find 1 --string ""
expect "find: --align 0" 2 'bad --align "0"' "$zxproc" find 1 --hex 00 --align 0
expect "find: --limit x" 2 'bad --limit "x"' "$zxproc" find 1 --hex 00 --limit x
expect "patch: three arguments and --name" 2 "expected FILE, or ADDR HEX" "$zxproc" patch --name x 1 0x10 00
expect "patch: --expect with a FILE" 2 "--expect goes with one write" "$zxproc" patch 1 f --expect 00
expect "patch: --dry-run and --save-undo" 2 "--dry-run writes nothing" "$zxproc" patch 1 f --dry-run --save-undo u
touch "$work/exists"
expect "patch: an existing undo file" 2 "the undo file $work/exists exists" "$zxproc" patch 1 f --save-undo "$work/exists"

done_testing
