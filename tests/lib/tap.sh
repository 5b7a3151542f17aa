# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# TAP output for shell test suites (tests/*/*_test.sh), in the format of
# the kernel's kselftest harness, so tests/run-suites totals them the same
# way.  Source it, then:
#
#   plan N               announce N tests (optional; then the plan is
#                        printed at the end)
#   ok DESC              test passed
#   not_ok DESC [WHY]    test failed; WHY is printed as a diagnostic
#   skip DESC WHY        test skipped
#   check DESC CMD...    run CMD (output shown as diagnostics): ok or not_ok
#   diag TEXT...         a "# TEXT" line
#   done_testing         print "# Totals: pass:N fail:N xfail:0 xpass:0
#                        skip:N error:N" and exit (1 if anything failed)
#
# A suite that exits without done_testing (an error under set -e, say)
# still prints its Totals, with error:1: the runner counts it as failed.
# Planned tests that never ran are counted as errors, too.

_tap_n=0
_tap_pass=0
_tap_fail=0
_tap_skip=0
_tap_plan=
_tap_done=

echo "TAP version 13"

plan() {
	_tap_plan=$1
	echo "1..$1"
}

ok() {
	_tap_n=$((_tap_n + 1))
	_tap_pass=$((_tap_pass + 1))
	echo "ok $_tap_n $1"
}

not_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_fail=$((_tap_fail + 1))
	echo "not ok $_tap_n $1"
	[ $# -lt 2 ] || diag "$2"
}

skip() {
	_tap_n=$((_tap_n + 1))
	_tap_skip=$((_tap_skip + 1))
	echo "ok $_tap_n $1 # SKIP ${2:-}"
}

diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

check() {
	_tap_desc=$1
	shift
	if _tap_out=$("$@" 2>&1); then
		ok "$_tap_desc"
	else
		not_ok "$_tap_desc" "'$*' failed (status $?)${_tap_out:+: $_tap_out}"
	fi
}

_tap_totals() { # error count
	echo "# Totals: pass:$_tap_pass fail:$_tap_fail xfail:0 xpass:0 skip:$_tap_skip error:$1"
}

done_testing() {
	_tap_done=1
	_tap_err=0
	if [ -z "$_tap_plan" ]; then
		echo "1..$_tap_n"
	elif [ "$_tap_n" -ne "$_tap_plan" ]; then
		diag "planned $_tap_plan tests but ran $_tap_n"
		[ "$_tap_n" -ge "$_tap_plan" ] || _tap_err=$((_tap_plan - _tap_n))
		[ "$_tap_n" -le "$_tap_plan" ] || _tap_err=1
	fi
	_tap_totals "$_tap_err"
	[ "$_tap_fail" -eq 0 ] && [ "$_tap_err" -eq 0 ]
	exit
}

_tap_exit() {
	_tap_status=$?
	[ -z "$_tap_done" ] || return 0
	diag "suite exited early (status $_tap_status) after $_tap_n tests"
	[ -n "$_tap_plan" ] || echo "1..$_tap_n"
	_tap_totals 1
	exit 1
}
trap _tap_exit EXIT
