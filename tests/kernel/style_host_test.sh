#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel code's static checks, on the host, against every stock
# Debian kernel: it builds without a single warning under W=1, sparse
# (make C=2) finds nothing, checkpatch.pl --strict (from Debian's
# linux-source-6.1) finds nothing, and the uapi header's kernel-doc
# parses without warnings.  Each check is a test, so a regression fails
# `make check` with its own line.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
cd "$top"

kernels=$(tests/vm/kernels | awk '$1 != "debug" { print $2 }')
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for k in $kernels; do
	# -B: rebuild every object, so no warning hides in an up-to-date file.
	if make --no-print-directory -B "build/kernel/$k/zxproc.ko" KBUILD_FLAGS="W=1 C=2" >"$out" 2>&1; then
		if grep -E 'warning:|error:' "$out" >/dev/null; then
			not_ok "$k: W=1 and sparse are clean" "$(grep -E 'warning:|error:' "$out" | head -20)"
		else
			ok "$k: W=1 and sparse are clean"
		fi
	else
		not_ok "$k: module builds" "$(tail -20 "$out")"
	fi
done

if make --no-print-directory style >"$out" 2>&1; then
	ok "checkpatch.pl --strict is clean"
else
	not_ok "checkpatch.pl --strict is clean" "$(cat "$out")"
fi

kdoc="$(tests/linux-source dir)/scripts/kernel-doc"
if [ -x "$kdoc" ] || [ -f "$kdoc" ]; then
	# -v also checks Return: sections; its "info" lines are not findings.
	if perl "$kdoc" -v -none uapi/linux/zxproc.h module/*.c 2>&1 |
		grep -E ': (warning|error):' >"$out"; [ ! -s "$out" ]; then
		ok "kernel-doc of the uapi header and module is clean"
	else
		not_ok "kernel-doc of the uapi header and module is clean" "$(cat "$out")"
	fi
else
	not_ok "kernel-doc is available" "no scripts/kernel-doc in $(tests/linux-source dir)"
fi

done_testing
