#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One version, in uapi/linux/zxproc.h: tests/version-check passes on the
# tree as built, and fails, naming the culprit, whenever a copy disagrees
# (dkms.conf in a copy of the tree; each kind of built product against
# another version).  Also dkms.conf's kernel bound, read by bash as dkms
# reads it.  Host suite: needs `make` to have built the module and library.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/install/lib.sh
. "$top/tests/install/lib.sh"
host_suite install/version

scratch_dir

version=$(make_var VERSION)
major=${version%%.*} rest=${version#*.}
other="$major.${rest%%.*}.$((${version##*.} + 1))"	# same major, next patch
kernels=$(make_var KERNELS)
kos=$(for rel in $kernels; do echo "$build_dir/kernel/$rel/zxproc.ko"; done)
so=$build_dir/userlib/libzxproc.so.$version
pc=$build_dir/userlib/libzxproc.pc

check "make version-check-built passes on the tree as built ($version)" \
	make -s --no-print-directory -C "$top" BUILD="$build_dir" version-check-built

# A copy of the source tree (no build products, no git).
tar -C "$top" --exclude=./build --exclude=./.git -cf - . | (mkdir "$tmp/tree" && tar -C "$tmp/tree" -xf -)
check "make version-check passes in an unchanged copy" make -s -C "$tmp/tree" version-check

sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$other\"/" "$tmp/tree/dkms.conf"
if out=$(make -s -C "$tmp/tree" version-check 2>&1); then
	not_ok "make version-check fails when dkms.conf says $other" "it passed: $out"
elif echo "$out" | grep -q "dkms.conf says '$other', uapi/linux/zxproc.h says '$version'"; then
	ok "make version-check fails when dkms.conf says $other"
else
	not_ok "make version-check fails when dkms.conf says $other" "wrong message: $out"
fi

# The header is the source: bumping it alone makes dkms.conf the culprit.
cp "$top/dkms.conf" "$tmp/tree/dkms.conf"
sed -i "s/^#define ZXPROC_VERSION_PATCH .*/#define ZXPROC_VERSION_PATCH ${other##*.}/" \
	"$tmp/tree/uapi/linux/zxproc.h"
if out=$(make -s -C "$tmp/tree" version-check 2>&1); then
	not_ok "make version-check fails when only the header moves to $other" "it passed: $out"
elif echo "$out" | grep -q "dkms.conf says '$version', uapi/linux/zxproc.h says '$other'"; then
	ok "make version-check fails when only the header moves to $other"
else
	not_ok "make version-check fails when only the header moves to $other" "wrong message: $out"
fi

# Each kind of built product, checked against a version it does not carry.
# shellcheck disable=SC2086 # $kos: one path per word
if out=$("$top/tests/version-check" "$other" $kos "$so" "$pc" 2>&1); then
	not_ok "version-check fails for products built as $version, told $other" "it passed"
else
	ok "version-check fails for products built as $version, told $other"
fi
for f in $kos; do
	case $out in
	*"$f (MODULE_VERSION) says '$version'"*) ok "  ... naming MODULE_VERSION of $f" ;;
	*) not_ok "  ... naming MODULE_VERSION of $f" "$out" ;;
	esac
done
case $out in
*"$so (file name) says '$version'"*) ok "  ... naming the library's file name" ;;
*) not_ok "  ... naming the library's file name" "$out" ;;
esac
case $out in
*"$pc (Version:) says '$version'"*) ok "  ... naming libzxproc.pc" ;;
*) not_ok "  ... naming libzxproc.pc" "$out" ;;
esac
out=$("$top/tests/version-check" "$((major + 1)).0.0" "$so" 2>&1) || true
case $out in
*"(DT_SONAME) says 'libzxproc.so.$major'"*"(so 'libzxproc.so.$((major + 1))')"*)
	ok "version-check reads the soname with readelf -d" ;;
*) not_ok "version-check reads the soname with readelf -d" "$out" ;;
esac

status=0
"$top/tests/version-check" >/dev/null 2>&1 || status=$?
if [ "$status" = 2 ]; then
	ok "version-check without a version: usage, status 2"
else
	not_ok "version-check without a version: usage, status 2" "status $status"
fi
status=0
"$top/tests/version-check" "$version" "$tmp/nothing.ko" >/dev/null 2>&1 || status=$?
if [ "$status" = 1 ]; then
	ok "version-check of a missing product fails"
else
	not_ok "version-check of a missing product fails" "status $status"
fi

# dkms.conf's BUILD_EXCLUSIVE_KERNEL, matched as dkms 3.0.10 does
# ([[ $kernelver =~ $BUILD_EXCLUSIVE_KERNEL ]]) after sourcing the file.
builds_for() { # RELEASE
	# shellcheck source=/dev/null
	(. "$top/dkms.conf" && [[ $1 =~ $BUILD_EXCLUSIVE_KERNEL ]])
}
# The tested range, Linux 6.1 to 7.2: every kernel tested (Debian's and
# the 7.2 kernel's release), the series between, and nothing outside.
for rel in $kernels 7.2.13-zxproc-debug 6.1.0-1-amd64 6.19.3 7.0.0-rc1 7.2.99; do
	if builds_for "$rel"; then ok "dkms.conf accepts kernel $rel"; else not_ok "dkms.conf accepts kernel $rel"; fi
done
for rel in 6.0.19-1-amd64 5.19.17 5.10.0-30-amd64 4.19.0-27-amd64 3.16.0 \
	7.3.0 8.0.0 10.2.0 70.2.0 6.100.1; do
	if builds_for "$rel"; then not_ok "dkms.conf refuses kernel $rel"; else ok "dkms.conf refuses kernel $rel"; fi
done

done_testing
