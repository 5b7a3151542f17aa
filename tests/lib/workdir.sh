# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# A scratch directory for a suite, removed when the suite exits.  Source
# after tests/lib/tap.sh, then
#
#   workdir NAME     set $work to a fresh directory zxproc-NAME.XXXXXX
#                    under $ZXPROC_VM_TMPDIR (set in the guest by
#                    tests/vm/guest-job), else $TMPDIR, else /tmp
#
# It takes over the EXIT trap: the directory goes, then tap.sh's own exit
# handler runs with the suite's exit status in $?.

workdir() {
	work=$(mktemp -d "${ZXPROC_VM_TMPDIR:-${TMPDIR:-/tmp}}/zxproc-$1.XXXXXX")
	trap _workdir_exit EXIT
}

# shellcheck disable=SC2317 # called from the EXIT trap
_workdir_exit() {
	local st=$?
	rm -rf "$work"
	(exit "$st")
	_tap_exit
}
