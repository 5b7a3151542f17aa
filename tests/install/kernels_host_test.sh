#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Which kernels plain `make` builds for: Debian 12's, from the
# meta-packages (tests/vm/kernels), when they are installed; otherwise
# the running kernel's (uname -r) when its build tree is there; otherwise
# nothing, and `make` fails saying which package to install.  The
# machine's own meta-packages are hidden with KERNEL_LIST=false and the
# running kernel named with KERNEL_RELEASE (the Makefile's override
# variables).  Host suite: needs Debian's kernel headers (tests/deps).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/install/lib.sh
. "$top/tests/install/lib.sh"
host_suite install/kernels

scratch_dir

debian=$("$top/tests/vm/kernels" | awk '$1 != "debug" { print $2 }' | tr '\n' ' ' | sed 's/ $//')
one=${debian%% *}

got=$(make_var KERNELS BUILD="$tmp/b")
if [ -n "$debian" ] && [ "$got" = "$debian" ]; then
	ok "with Debian's meta-packages: KERNELS is their kernels ($got)"
else
	not_ok "with Debian's meta-packages: KERNELS is their kernels" "KERNELS '$got', tests/vm/kernels '$debian'"
fi

got=$(make_var KERNELS BUILD="$tmp/b" KERNEL_LIST=false KERNEL_RELEASE="$one")
if [ "$got" = "$one" ]; then
	ok "without them, the running kernel $one (its build tree exists): KERNELS=$got"
else
	not_ok "without them, the running kernel $one (its build tree exists)" "KERNELS '$got'"
fi
# What `make modules` runs then: kbuild in that kernel's tree, into BUILD.
plan=$(make -n --no-print-directory -C "$top" BUILD="$tmp/b" KERNEL_LIST=false \
	KERNEL_RELEASE="$one" modules 2>&1 || true)
if grep -q -- "-C /lib/modules/$one/build M=$tmp/b/kernel/$one .*modules" <<<"$plan"; then
	ok "  ... and make modules runs kbuild in /lib/modules/$one/build"
else
	not_ok "  ... and make modules runs kbuild in /lib/modules/$one/build" "$plan"
fi

missing=9.99.0-zxproc-none
status=0
out=$(make -s --no-print-directory -C "$top" BUILD="$tmp/b" KERNEL_LIST=false \
	KERNEL_RELEASE="$missing" all 2>&1) || status=$?
if [ "$status" -ne 0 ] && grep -q "/lib/modules/$missing/build is missing" <<<"$out" &&
	grep -q "apt-get install linux-headers-$missing" <<<"$out" &&
	grep -q "dnf install kernel-devel-$missing" <<<"$out"; then
	ok "no build tree either: make fails (status $status), naming the Debian/Ubuntu and Fedora packages"
else
	not_ok "no build tree either: make fails, naming the Debian/Ubuntu and Fedora packages" "status $status: $out"
fi
if [ ! -e "$tmp/b/kernel" ]; then
	ok "  ... having built no module"
else
	not_ok "  ... having built no module" "$(ls "$tmp/b/kernel")"
fi
check "the library alone still builds there (make .../libzxproc.a)" \
	make -s --no-print-directory -C "$top" BUILD="$tmp/b" KERNEL_LIST=false \
	KERNEL_RELEASE="$missing" "$tmp/b/userlib/libzxproc.a"

done_testing
