#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Python package's pytest suite (userlib/python/tests), in the guest
# with the module loaded: zxproc.Process against a live target, each
# call checked by its result and by the target's memory read back
# through /proc/PID/mem.  The package is imported from the source tree
# (the host suite install_host_test.sh checks that it installs) with
# Debian's python3 and python3-pytest, and loads this build's
# libzxproc.so.0.  Each pytest test is one TAP test; a pytest skip is a
# TAP skip (and so fails the run unless tests/expected-skips lists it).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=tests/lib/workdir.sh
. "$top/tests/lib/workdir.sh"
build=${BUILD:-$top/build}
workdir python

status=0
# -p no:cacheprovider, PYTHONDONTWRITEBYTECODE: the source tree is
# read-only in the guest.  Debian's python3 by path: a pyenv one first
# on PATH would lack python3-pytest.
(cd "$work" && PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$top/userlib/python" \
	ZXPROC_LIBRARY="$build/userlib/libzxproc.so.0" \
	/usr/bin/python3 -m pytest -v -p no:cacheprovider -rN --color=no \
	"$top/userlib/python/tests") >"$work/log" 2>&1 || status=$?

# "path::test_name PASSED [ 5%]" -> one TAP line each.
n=0
while read -r id result _; do
	case $result in
	PASSED) ok "${id##*::}" ;;
	FAILED|ERROR) not_ok "${id##*::}" ;;
	SKIPPED) skip "${id##*::}" "skipped by pytest" ;;
	*) continue ;;
	esac
	n=$((n + 1))
done < <(grep -E '::[A-Za-z0-9_]+(\[.*\])? (PASSED|FAILED|ERROR|SKIPPED)' "$work/log")
if [ "$status" -ne 0 ] || [ "$n" -eq 0 ]; then
	not_ok "pytest exits 0 having run tests" "status $status, $n tests"
	diag "$(tail -n 60 "$work/log")"
fi
done_testing
