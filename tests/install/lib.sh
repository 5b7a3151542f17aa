# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers of the install suites (tests/install/*_host_test.sh) and of
# their guest half (tests/install/guest-install), sourced with $top set to
# the source tree.
: "${top:?set top to the source tree before sourcing tests/install/lib.sh}"

# make's own value of a variable (VERSION, VERSION_MAJOR, ...), so the
# suites use the Makefile's one derivation from uapi/linux/zxproc.h.
make_var() { # NAME [MAKE-ARGS...]
	local name=$1
	shift
	make -s --no-print-directory -C "$top" "$@" \
		--eval "zxproc-print-var: ; @echo \$($name)" zxproc-print-var
}

# tests/install/expected-tree, rendered for VERSION and kernel RELEASEs.
expected_tree() { # VERSION RELEASE...
	local version=$1 major=${1%%.*} line rel
	shift
	grep -v '^#' "$top/tests/install/expected-tree" | while IFS= read -r line; do
		case $line in
		*@REL@*) for rel do echo "${line//@REL@/$rel}"; done ;;
		*) echo "$line" ;;
		esac
	done | sed -e "s/@VERSION@/$version/g" -e "s/@MAJOR@/$major/g" | LC_ALL=C sort
}

# What DIR holds, in expected-tree's format (directories are not listed;
# anything but a file or a link is, as "other").
list_tree() { # DIR
	find "$1" -mindepth 1 \( -type f -printf '%#m %P\n' \) -o \
		\( -type l -printf 'link %P -> %l\n' \) -o \
		\( ! -type d -printf 'other %P\n' \) | LC_ALL=C sort
}

# The group line for `setpriv --groups`: zxproc's gid.
zxproc_gid() {
	getent group zxproc | cut -d: -f3
}

# The kernels the suites boot, by name: $ZXPROC_KERNELS (tests/run-suites
# sets it from KERNELS=), else Debian's stock ones; never "debug", whose
# headers are not installed (DKMS and `make install` need them).
guest_kernels() {
	local k
	for k in ${ZXPROC_KERNELS:-$("$top/tests/vm/kernels" | awk '{ print $1 }')}; do
		[ "$k" = debug ] || echo "$k"
	done
}

# The 7.2 debug kernel's release (tests/vm/debug-kernel), when this run
# tests it: under tests/run-suites when its kernels include it
# (ZXPROC_WITH_DEBUG=1), alone when it is built; else nothing.  It has no
# headers package: DKMS builds against its cached tree.
debug_release() {
	if [ -n "${ZXPROC_KERNELS+set}" ] && [ "${ZXPROC_WITH_DEBUG:-0}" != 1 ]; then
		return 0
	fi
	"$top/tests/vm/kernels" debug 2>/dev/null || true
}

# The start of every host suite (*_host_test.sh), right after it sources
# this file: tests/lib/tap.sh's output and $build_dir; in a guest, one
# skip and no run (tests/run-suites runs host suites on the host, and
# they boot their own guests).
host_suite() { # NAME, as the skip names it
	# shellcheck disable=SC2034 # the suites' own variable
	build_dir=${BUILD:-$top/build}
	# shellcheck source=tests/lib/tap.sh
	. "$top/tests/lib/tap.sh"
	if [ -n "${ZXPROC_VM:-}" ]; then
		skip "$1" "a host suite (tests/run-suites must run *_host_test.sh on the host)"
		done_testing
	fi
}

# The output of a suite's guest half (tests/install/guest-*), read from
# stdin: each "PASS: WHAT" or "FAIL: WHAT" line a test of this suite,
# named "PREFIX: WHAT", anything else a diagnostic.  $checks says how
# many tests there were, so the suite can tell a guest that ran none.
report_guest_checks() { # PREFIX
	local line
	checks=0
	while IFS= read -r line; do
		case $line in
		"PASS: "*) ok "$1: ${line#PASS: }"; checks=$((checks + 1)) ;;
		"FAIL: "*) not_ok "$1: ${line#FAIL: }"; checks=$((checks + 1)) ;;
		*) diag "$line" ;;
		esac
	done
}

# $tmp, a scratch directory removed however the suite exits: first the
# suite's own suite_cleanup, if it defines one, then the directory, then
# tests/lib/tap.sh's EXIT handler, kept, which reports a suite that died
# early.  _scratch_dir_exit returns the suite's exit status, which
# _tap_exit reads from $?; under set -e a failing command would end the
# handler there, so the status is passed on inside an || list.
# shellcheck disable=SC2120 # the template is optional
scratch_dir() { # [MKTEMP-TEMPLATE]
	tmp=$(mktemp -d ${1:+"$1"})
	trap '_scratch_dir_exit || _tap_exit; _tap_exit' EXIT
}

# shellcheck disable=SC2317 # called from the trap
_scratch_dir_exit() {
	local status=$?
	if declare -F suite_cleanup >/dev/null; then
		suite_cleanup || true
	fi
	rm -rf "$tmp"
	return "$status"
}
