#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make dist` (contrib/dist.mk): two runs, with different umasks, time
# zones and build directories, a second apart, give the same bytes; the
# tarball holds exactly the files of HEAD, under zxproc-VERSION/, owned by
# 0/0, dated at the commit (SOURCE_DATE_EPOCH).  That it builds without
# network is tests/install/packages_host_test.sh's (make deb builds from
# it with the network unshared).  Host suite; needs git and xz.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/install/lib.sh
. "$top/tests/install/lib.sh"
host_suite install/dist

scratch_dir

version=$(make_var VERSION)
name=zxproc-$version
epoch=$(git -C "$top" log -1 --format=%ct HEAD)

check "make dist (umask 022, TZ=UTC)" \
	env TZ=UTC sh -c "umask 022 && make -s --no-print-directory -C '$top' BUILD='$tmp/a' dist"
sleep 1
check "make dist again (umask 077, TZ=Asia/Kolkata, another BUILD)" \
	env TZ=Asia/Kolkata sh -c "umask 077 && make -s --no-print-directory -C '$top' BUILD='$tmp/b' dist"
a=$tmp/a/dist/$name.tar.xz b=$tmp/b/dist/$name.tar.xz
if [ -s "$a" ] && cmp "$a" "$b" >/dev/null 2>&1; then
	ok "the two tarballs are byte-identical ($(sha256sum <"$a" | cut -c1-16)...)"
else
	not_ok "the two tarballs are byte-identical" "$(ls -l "$a" "$b" 2>&1)"
fi
check "xz -t: the tarball is a valid .tar.xz" xz -t "$a"

# Contents: HEAD's files, nothing more or less, all under $name/.
want=$(git -C "$top" ls-tree -r --name-only HEAD | sed "s|^|$name/|" | LC_ALL=C sort)
have=$(tar -tJf "$a" | grep -v '/$' | LC_ALL=C sort)
if [ -n "$have" ] && [ "$want" = "$have" ]; then
	ok "it holds exactly HEAD's $(echo "$have" | wc -l) files, under $name/"
else
	not_ok "it holds exactly HEAD's files, under $name/" "$(diff <(echo "$want") <(echo "$have") | head -20)"
fi
for f in Makefile Kbuild dkms.conf uapi/linux/zxproc.h contrib/debian/rules contrib/dist.mk; do
	grep -qx "$name/$f" <<<"$have" || not_ok "it holds $f"
done
# Owners, modes and times, from tar's numeric listing.
bad=$(TZ=UTC tar --numeric-owner --full-time -tvJf "$a" | awk -v t="$(TZ=UTC date -d "@$epoch" '+%Y-%m-%d %H:%M:%S')" '
	$2 != "0/0" { print "owner " $2 ": " $NF; next }
	$1 !~ /^(-rw-r--r--|-rwxr-xr-x|drwxr-xr-x|lrwxrwxrwx)$/ { print "mode " $1 ": " $NF; next }
	($4 " " $5) != t { print "time " $4 " " $5 ": " $NF }' | head -5)
if [ -z "$bad" ]; then
	ok "every entry is owned by 0/0, mode 0644/0755, dated at the commit ($epoch)"
else
	not_ok "every entry is owned by 0/0, mode 0644/0755, dated at the commit ($epoch)" "$bad"
fi
# Executables stay executable (the scripts the build and tests run).
mkdir "$tmp/x"
tar -C "$tmp/x" -xJf "$a"
check "contrib/debian/rules and tests/vm/kernels are executable in it" \
	test -x "$tmp/x/$name/contrib/debian/rules" -a -x "$tmp/x/$name/tests/vm/kernels"
check "make version-check passes in the unpacked tree (no git there)" \
	make -s --no-print-directory -C "$tmp/x/$name" BUILD="$tmp/x/build" version-check

done_testing
