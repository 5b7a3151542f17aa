#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel code's static checks, on the host, against every kernel of
# tests/vm/kernels (Debian's 6.1, 6.12 and 6.12-rt, and the 7.2 debug
# kernel, which make check builds before it runs this suite; a tree
# without it built checks Debian's): it builds without a single warning
# under W=1, sparse (for 7.2, Debian unstable's: tests/sparse)
# (make C=2) finds nothing, checkpatch.pl --strict (from Debian's
# linux-source-6.1) finds nothing, and the uapi header's kernel-doc
# parses without warnings.  Each check is a test, so a regression fails
# `make check` with its own line.  The kernel code is the module and the
# test-only modules (tests/kmod), which the same Kbuild builds; W=1 and
# sparse also for Debian's arm64 kernels, cross (tests/arm64/arm64.mk).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
cd "$top"
# The Makefile's rule is for $(BUILD)/kernel/REL/zxproc.ko, absolute: a
# target spelled any other way matches no rule and builds nothing.  A
# build directory of its own: the guests that run beside this suite
# (make check, JOBS=2) load the modules in $BUILD, which a rebuild there
# would rewrite under them.
build=$(mktemp -d "${TMPDIR:-/tmp}/zxproc-style.XXXXXX")

kernels=$(tests/vm/kernels | awk '{ print $2 }')
debug=$(tests/vm/kernels debug 2>/dev/null || true)
out=$(mktemp)
trap 'rm -rf "$out" "$build"; _tap_exit' EXIT

build_one() { # RELEASE: the module and tests/kmod, W=1 and sparse
	# -B: rebuild every object, so no warning hides in an up-to-date file.
	if [ "$1" = "$debug" ]; then
		# Its tree is the debug kernel's cached build, not /lib/modules;
		# its kbuild refuses Debian 12's sparse (see tests/sparse).
		make --no-print-directory -B BUILD="$build" module \
			KDIR="$(tests/vm/debug-kernel --print-dir)/build" \
			KBUILD_FLAGS="W=1 C=2 CHECK=$(tests/sparse)"
	else
		make --no-print-directory -B BUILD="$build" "$build/kernel/$1/zxproc.ko" KBUILD_FLAGS="W=1 C=2"
	fi
}

for k in $kernels; do
	if build_one "$k" >"$out" 2>&1; then
		if grep -E 'warning:|error:' "$out" >/dev/null; then
			not_ok "$k: W=1 and sparse are clean" "$(grep -E 'warning:|error:' "$out" | head -20)"
		else
			ok "$k: W=1 and sparse are clean"
		fi
		# Each source was compiled and seen by sparse: a check that ran
		# on nothing must not pass.
		for c in module/main kmod/zxproc_delay; do
			# 7.2's kbuild prints paths relative to M=.
			if grep -E "^ *CC \[M\] +(.*/)?$c\.o\$" "$out" >/dev/null &&
				grep -E "^ *CHECK +(.*/)?$c\.c\$" "$out" >/dev/null; then
				ok "$k: $c.c was compiled and checked"
			else
				not_ok "$k: $c.c was compiled and checked" "$(tail -20 "$out")"
			fi
		done
	else
		not_ok "$k: module builds" "$(tail -20 "$out")"
	fi
done

# The arm64 build (make arm64): each of Debian's arm64 kernels, cross.
for name in arm64-6.1 arm64-6.12; do
	if ! rel=$(tests/vm/arm64 release "$name") || ! dir=$(tests/vm/arm64 dir "$rel"); then
		not_ok "$name: W=1 and sparse are clean" "cannot fetch the arm64 kernel (tests/vm/arm64)"
		continue
	fi
	if make --no-print-directory -B BUILD="$build/arm64" arm64-module-one ARM64_REL="$rel" \
		ARM64_KDIR="$dir/build" ARM64_KBUILD_FLAGS="C=2" >"$out" 2>&1; then
		if grep -E 'warning:|error:' "$out" >/dev/null; then
			not_ok "$name: W=1 and sparse are clean" "$(grep -E 'warning:|error:' "$out" | head -20)"
		elif grep -E "^ *CHECK .*/module/icache\.c\$" "$out" >/dev/null; then
			ok "$name: W=1 and sparse are clean"
		else
			not_ok "$name: W=1 and sparse are clean" "module/icache.c was not checked: $(tail -5 "$out")"
		fi
	else
		not_ok "$name: W=1 and sparse are clean" "$(tail -20 "$out")"
	fi
done

if make --no-print-directory style >"$out" 2>&1; then
	ok "checkpatch.pl --strict is clean"
else
	not_ok "checkpatch.pl --strict is clean" "$(cat "$out")"
fi

# tests/kmod is kernel code too, held to the module's rules.
if tests/linux-source checkpatch --strict --no-tree --terse --show-types -f tests/kmod/*.c >"$out" 2>&1; then
	ok "checkpatch.pl --strict is clean on tests/kmod"
else
	not_ok "checkpatch.pl --strict is clean on tests/kmod" "$(cat "$out")"
fi

kdoc="$(tests/linux-source dir)/scripts/kernel-doc"
if [ -x "$kdoc" ] || [ -f "$kdoc" ]; then
	# -v also checks Return: sections; its "info" lines are not findings.
	if perl "$kdoc" -v -none uapi/linux/zxproc.h module/*.c tests/kmod/*.c 2>&1 |
		grep -E ': (warning|error):' >"$out"; [ ! -s "$out" ]; then
		ok "kernel-doc of the uapi header, module and tests/kmod is clean"
	else
		not_ok "kernel-doc of the uapi header, module and tests/kmod is clean" "$(cat "$out")"
	fi
else
	not_ok "kernel-doc is available" "no scripts/kernel-doc in $(tests/linux-source dir)"
fi

done_testing
