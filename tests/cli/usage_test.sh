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
for cmd in status load unload write read patch; do
	case $out in *"  $cmd "*) ok "--help lists $cmd" ;; *) not_ok "--help lists $cmd" ;; esac
done
for code in 0 1 2 3 4 5 6 7 8 9 10 11 12 13; do
	if printf '%s\n' "$out" | grep -qE "^ +$code  [a-z]"; then ok "--help documents exit status $code"
	else not_ok "--help documents exit status $code"; fi
done
for cmd in status load unload write read patch; do
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
expect "write: no data" 2 "exactly one of --hex, --string and --file" "$zxproc" write 1 0x1000
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

done_testing
