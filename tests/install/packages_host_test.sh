#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages (contrib/debian), as a fleet gets them:
#   - `make deb` builds them from the `make dist` tarball with the network
#     unshared, and lintian reports no error and no warning;
#   - each package holds what it must (DKMS sources and no module, the
#     udev rule, headers under include/libzxproc, symbols files, locked
#     versions), and a program builds against the unpacked -dev package
#     with pkg-config;
#   - a fleet install in a guest of Debian's newest kernel with a writable
#     root (tests/vm/run --writable-root): the packages served from a local
#     apt repository (apt-ftparchive, [trusted=yes]) together with the
#     other Debian kernel's headers package, then
#     tests/install/guest-fleet: apt-get install, DKMS signing with the
#     fleet's key (make mok-keygen), udev, the group, the permission
#     model, DKMS for a kernel installed later, purge.
# Host suite: needs tests/deps (debhelper, dh-dkms, lintian, apt-utils).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/install/lib.sh
. "$top/tests/install/lib.sh"
host_suite install/packages

scratch_dir "${TMPDIR:-/tmp}/zxproc-packages.XXXXXX"
chmod 0755 "$tmp"

version=$(make_var VERSION)
deb_version=$(dpkg-parsechangelog -l "$top/contrib/debian/changelog" -SVersion)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
debs=$tmp/build/deb

# --- make deb, offline ------------------------------------------------------
start=$(date +%s)
status=0
if unshare --net true 2>/dev/null; then
	offline="unshare --net"
else
	offline=
	diag "unshare --net is not available here: make deb runs with the network"
fi
out=$($offline make -s --no-print-directory -C "$top" BUILD="$tmp/build" deb 2>&1) || status=$?
if [ "$status" -eq 0 ]; then
	ok "make deb${offline:+ without network} ($(($(date +%s) - start)) s)"
else
	not_ok "make deb${offline:+ without network}" "status $status: $(tail -n 30 <<<"$out")"
	done_testing
fi
lint=$(cat "$debs/lintian.log")
if ! grep -qE '^[EW]: ' <<<"$lint"; then
	ok "lintian: no error, no warning ($(grep -cE '^[IP]: ' <<<"$lint" || true) info tags)"
else
	not_ok "lintian: no error, no warning" "$(grep -E '^[EW]: ' <<<"$lint")"
fi

pkgs="zxproc-dkms libzxproc0 libzxproc-dev libzxproc-win32-0 libzxproc-win32-dev zxproc-utils"
deb() { # PACKAGE: its .deb
	local a=$arch
	[ "$1" != zxproc-dkms ] || a=all
	echo "$debs/${1}_${deb_version}_$a.deb"
}
have=$(cd "$debs" && printf '%s\n' *.deb | grep -v -- '-dbgsym_' | LC_ALL=C sort | tr '\n' ' ')
want=$(for p in $pkgs; do basename "$(deb "$p")"; done | LC_ALL=C sort | tr '\n' ' ')
if [ "$have" = "$want" ]; then
	ok "the six packages, version $deb_version: $pkgs"
else
	not_ok "the six packages, version $deb_version" "have: $have; want: $want"
fi

files() { dpkg-deb --fsys-tarfile "$(deb "$1")" | tar -t | sed 's|^\./|/|' | grep -v '/$'; }
field() { dpkg-deb -f "$(deb "$1")" "$2"; }
has() { # WHAT PACKAGE PATH-REGEX...
	local what=$1 pkg=$2 list re missing=
	shift 2
	list=$(files "$pkg")
	for re do grep -qE "^$re\$" <<<"$list" || missing="$missing $re"; done
	if [ -z "$missing" ]; then ok "$pkg: $what"; else not_ok "$pkg: $what" "missing:$missing"; fi
}
lacks() { # WHAT PACKAGE PATH-REGEX
	local found
	found=$(files "$2" | grep -E "$3" || true)
	if [ -z "$found" ]; then ok "$2: $1"; else not_ok "$2: $1" "$found"; fi
}

src=/usr/src/zxproc-$version
has "the DKMS tree: dkms.conf, Kbuild, module/, uapi/ in $src" zxproc-dkms \
	"$src/dkms.conf" "$src/Kbuild" "$src/module/main.c" "$src/module/zxproc.h" "$src/uapi/linux/zxproc.h"
dkms_files=$(files zxproc-dkms | grep "^$src/" | sed "s|^$src/||" | LC_ALL=C sort)
tree_files=$(cd "$top" && printf '%s\n' Kbuild dkms.conf module/*.c module/*.h uapi/linux/zxproc.h | LC_ALL=C sort)
if [ "$dkms_files" = "$tree_files" ]; then
	ok "zxproc-dkms: exactly the module's sources and dkms.conf, nothing built"
else
	not_ok "zxproc-dkms: exactly the module's sources and dkms.conf" "$(diff <(echo "$tree_files") <(echo "$dkms_files"))"
fi
has "the udev rule, the sysusers.d entry, the modules-load.d example" zxproc-dkms \
	/lib/udev/rules.d/60-zxproc.rules /usr/lib/sysusers.d/zxproc.conf \
	/usr/share/doc/zxproc-dkms/examples/modules-load.conf
dpkg-deb -e "$(deb zxproc-dkms)" "$tmp/dkms-control"
if grep -q 'addgroup --system --quiet zxproc' "$tmp/dkms-control/postinst" &&
	grep -q 'common.postinst' "$tmp/dkms-control/postinst" &&
	grep -q 'dkms remove -m [$]DKMS_NAME' "$tmp/dkms-control/prerm" &&
	grep -qE '(^|, )adduser(,|$)' <<<"$(field zxproc-dkms Depends)" &&
	grep -qE '(^|, )dkms( |,|$)' <<<"$(field zxproc-dkms Depends)"; then
	ok "zxproc-dkms: postinst adds group zxproc and runs DKMS; prerm removes it; depends on adduser, dkms"
else
	not_ok "zxproc-dkms: maintainer scripts and dependencies" \
		"Depends: $(field zxproc-dkms Depends); $(cat "$tmp/dkms-control/postinst")"
fi

for p in $pkgs; do
	[ "$p" != zxproc-dkms ] || continue
	lacks "no DKMS sources, no udev rule (those are zxproc-dkms's)" "$p" '^/usr/src/|^/lib/udev/'
done
has "the shared library and its soname link" libzxproc0 \
	"/usr/lib/$multiarch/libzxproc.so.$version" "/usr/lib/$multiarch/libzxproc.so.${version%%.*}"
has "the shared library and its soname link" libzxproc-win32-0 \
	"/usr/lib/$multiarch/libzxproc-win32.so.$version" "/usr/lib/$multiarch/libzxproc-win32.so.${version%%.*}"
for p in libzxproc0 libzxproc-win32-0; do
	if dpkg-deb -I "$(deb "$p")" symbols >"$tmp/$p.symbols" 2>/dev/null &&
		[ "$(grep -c '@' "$tmp/$p.symbols")" -gt 5 ]; then
		ok "$p: a symbols file ($(grep -c '@' "$tmp/$p.symbols") symbols)"
	else
		not_ok "$p: a symbols file"
	fi
done
has "headers under /usr/include/libzxproc, .so, .a, .pc, man3" libzxproc-dev \
	/usr/include/libzxproc/zircon/syscalls.h /usr/include/libzxproc/zircon/syscalls/object.h \
	/usr/include/libzxproc/zxproc/zxproc.h /usr/include/libzxproc/linux/zxproc.h \
	"/usr/lib/$multiarch/libzxproc.so" "/usr/lib/$multiarch/libzxproc.a" \
	"/usr/lib/$multiarch/pkgconfig/libzxproc.pc" /usr/share/man/man3/zx_process_write_memory.3.gz
lacks "no header straight in /usr/include" libzxproc-dev '^/usr/include/[^/]*$|^/usr/include/(zircon|zxproc|linux)/'
has "<zxproc/win32.h>, .so, .a, .pc, man3" libzxproc-win32-dev \
	/usr/include/libzxproc/zxproc/win32.h "/usr/lib/$multiarch/libzxproc-win32.so" \
	"/usr/lib/$multiarch/libzxproc-win32.a" "/usr/lib/$multiarch/pkgconfig/libzxproc-win32.pc" \
	/usr/share/man/man3/WriteProcessMemory.3.gz
has "the command and its man page" zxproc-utils /usr/bin/zxproc /usr/share/man/man1/zxproc.1.gz
# Every man page of the tree is in exactly one package.
man_have=$(for p in libzxproc-dev libzxproc-win32-dev zxproc-utils; do files "$p"; done |
	sed -n 's|^/usr/share/man/man[0-9]/\(.*\)\.gz$|\1|p' | LC_ALL=C sort)
man_want=$(cd "$top/userlib/man" && printf '%s\n' man1/*.1 man3/*.3 | sed 's|^man[0-9]/||' | LC_ALL=C sort)
if [ "$man_have" = "$man_want" ]; then
	ok "every man page of userlib/man is packaged once"
else
	not_ok "every man page of userlib/man is packaged once" "$(diff <(echo "$man_want") <(echo "$man_have"))"
fi

# Versions locked where they must be.
lock() { # PACKAGE FIELD DEPENDENCY
	if grep -qF "$3 (= $deb_version)" <<<"$(field "$1" "$2")"; then
		ok "$1 $2 $3 (= $deb_version)"
	else
		not_ok "$1 $2 $3 (= $deb_version)" "$2: $(field "$1" "$2")"
	fi
}
lock libzxproc-dev Depends libzxproc0
lock libzxproc-win32-dev Depends libzxproc-win32-0
lock libzxproc-win32-dev Depends libzxproc-dev
lock zxproc-utils Recommends zxproc-dkms
lock zxproc-dkms Recommends zxproc-utils

# A tool author's build against the unpacked -dev packages.
for p in libzxproc0 libzxproc-dev; do dpkg-deb -x "$(deb "$p")" "$tmp/root"; done
export PKG_CONFIG_SYSROOT_DIR=$tmp/root PKG_CONFIG_PATH=$tmp/root/usr/lib/$multiarch/pkgconfig
flags=$(pkg-config --cflags --libs libzxproc 2>&1 | sed 's/ *$//' || true)
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH
if [ "$flags" = "-I$tmp/root/usr/include/libzxproc -L$tmp/root/usr/lib/$multiarch -lzxproc" ]; then
	ok "libzxproc-dev: pkg-config --cflags --libs libzxproc gives $flags"
else
	not_ok "libzxproc-dev: pkg-config --cflags --libs libzxproc" "$flags"
fi
# shellcheck disable=SC2086 # pkg-config's output is meant to be split
check "  ... and selfwrite.c builds and links with it" \
	cc -std=c11 -Wall -Wextra -Werror -o "$tmp/selfwrite" "$top/tests/install/selfwrite.c" $flags

# --- the fleet install ------------------------------------------------------
# The other Debian kernel's headers, as the archive ships them
# (the version installed here): from apt's cache, from ours, or fetched
# once into ours.
fetch_deb() { # PACKAGE -> path of its .deb, installed version
	local pkg=$1 ver file cache=${ZXPROC_CACHE:-/var/cache/zxproc}/debs
	ver=$(dpkg-query -W -f='${Version}' "$pkg") || return 1
	file=${pkg}_${ver//:/%3a}_$arch.deb
	for d in /var/cache/apt/archives "$cache"; do
		[ ! -s "$d/$file" ] || { echo "$d/$file"; return 0; }
	done
	mkdir -p "$cache"
	(cd "$cache" && apt-get download -q "$pkg=$ver" >&2) || return 1
	echo "$cache/$file"
}
# The guest runs the newest non-RT kernel the run asked for (guest-fleet
# models 6.12 and 6.1 in its small /lib/modules); the other one is
# another of Debian's (tests/vm/kernels), whichever the run asked for.
running=$(guest_kernels | grep -v -- '-rt$' | tail -n 1)
other=$("$top/tests/vm/kernels" | awk -v r="$running" '$1 != "debug" && $1 != r { print $1 }' | head -n 1)
if [ -z "$other" ]; then
	not_ok "the fleet test needs a second Debian kernel besides $running" "$("$top/tests/vm/kernels")"
	done_testing
fi
other_rel=$("$top/tests/vm/kernels" "$other")
repo=$tmp/repo
mkdir -p "$repo"
for p in $pkgs; do cp "$(deb "$p")" "$repo/"; done
if f=$(fetch_deb "linux-headers-$other_rel"); then
	cp "$f" "$repo/"
else
	not_ok "the .deb of linux-headers-$other_rel, the installed version"
fi
if (cd "$repo" && apt-ftparchive packages . >Packages && apt-ftparchive release . >Release) 2>"$tmp/ftparchive.err"; then
	ok "a local apt repository (apt-ftparchive): $(grep -c '^Package:' "$repo/Packages") packages"
else
	not_ok "a local apt repository (apt-ftparchive)" "$(cat "$tmp/ftparchive.err")"
fi

# The fleet's own module signing pair, made once per run on the host
# (openssl's key generation is slow under TCG), as a fleet makes it.
if out=$(make -s --no-print-directory -C "$top" MOK_DIR="$tmp/mok" mok-keygen 2>&1); then
	ok "make mok-keygen: the fleet's module signing pair"
else
	not_ok "make mok-keygen" "$out"
fi

start=$(date +%s)
status=0
out=$("$top/tests/vm/run" --kernel "$running" --no-module --writable-root --mem 3072 --timeout 900 -- \
	"$top/tests/install/guest-fleet" "$repo" "$other_rel" "$tmp/selfwrite" "$tmp/mok" 2>&1) || status=$?
report_guest_checks "$running guest"  <<<"$out"
if [ "$status" -eq 0 ] && [ "$checks" -gt 0 ]; then
	ok "$running guest: tests/install/guest-fleet ($checks checks, $(($(date +%s) - start)) s)"
else
	not_ok "$running guest: tests/install/guest-fleet" "exit status $status after $checks checks"
fi

done_testing
