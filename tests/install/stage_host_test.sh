#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make mok-keygen`, `make sign`, `make install DESTDIR=...` and
# `make uninstall`, on a copy of the build directory (build/ is never
# changed), then in a guest on the newest kernel: the program built with
# pkg-config against the staged tree, and a real install (no DESTDIR) with
# udev, the zxproc group and the permission model (tests/install/guest-install).
# Host suite: needs `make` to have built the module and library.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/install/lib.sh
. "$top/tests/install/lib.sh"
host_suite install/stage

scratch_dir "${TMPDIR:-/tmp}/zxproc-stage.XXXXXX"
# The guest's unprivileged user runs nothing from here, but root-only
# directories would still hide the stage from tools that drop privileges.
chmod 0755 "$tmp"

version=$(make_var VERSION)
major=${version%%.*}
kernels=$(make_var KERNELS)
src=$tmp/src
build=$tmp/src/build
stage=$tmp/stage
mk() { make -s --no-print-directory -C "$src" BUILD="$build" "$@"; }

# Everything runs from a snapshot: the source tree (without build/ and
# .git) and the current products, timestamps kept, so make sees them as
# built.  Signing changes only the copy, and the guest's make, much later,
# sees the same sources the host's did even while the tree is edited.
# (Products older than their sources are rebuilt here, on the host.)
mkdir -p "$src"
tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
mkdir -p "$build"
cp -a "$build_dir/kernel" "$build_dir/userlib" "$build/"

# --- MOK key pair and signing ----------------------------------------------
check "make mok-keygen MOK_DIR=... creates a key pair" mk mok-keygen MOK_DIR="$tmp/mok"
key=$tmp/mok/mok.key cert=$tmp/mok/mok.der
if [ "$(stat -c %a "$key" 2>&1)" = 600 ] &&
	openssl x509 -inform DER -in "$cert" -noout -text 2>/dev/null | grep -q 'Code Signing'; then
	ok "the private key is 0600, the DER certificate is for code signing"
else
	not_ok "the private key is 0600, the DER certificate is for code signing" "$(ls -l "$tmp/mok")"
fi
sum=$(sha256sum "$key")
if mk mok-keygen MOK_DIR="$tmp/mok" >/dev/null 2>&1; then
	not_ok "make mok-keygen refuses to replace an existing key pair" "it succeeded"
elif [ "$(sha256sum "$key")" = "$sum" ]; then
	ok "make mok-keygen refuses to replace an existing key pair"
else
	not_ok "make mok-keygen refuses to replace an existing key pair" "the key changed"
fi

serial=$(openssl x509 -inform DER -in "$cert" -noout -serial | sed 's/^serial=//; s/../&:/g; s/:$//')
openssl x509 -inform DER -in "$cert" -out "$tmp/mok.pem"
# make sign builds stale modules first: build them now, to keep the
# unsigned originals to compare with.
check "the snapshot's modules are built" mk modules
for rel in $kernels; do cp "$build/kernel/$rel/zxproc.ko" "$tmp/unsigned-$rel.ko"; done
check "make sign MOK_DIR=... signs every module" mk sign MOK_DIR="$tmp/mok"

# The signature: modinfo's view, and the CMS signature itself verified
# by openssl against the certificate over exactly the unsigned module.
verify_signed() { # KO UNSIGNED-ORIGINAL
	local size siglen
	[ "$(modinfo -F signer "$1")" = "zxproc module signing key" ] || { echo "signer: $(modinfo -F signer "$1")"; return 1; }
	[ "$(modinfo -F sig_key "$1")" = "$serial" ] || { echo "sig_key $(modinfo -F sig_key "$1") is not $serial"; return 1; }
	[ "$(modinfo -F sig_hashalgo "$1")" = sha256 ] || { echo "hash: $(modinfo -F sig_hashalgo "$1")"; return 1; }
	size=$(stat -c %s "$1")
	siglen=$(tail -c 32 "$1" | head -c 4 | od -An -tu4 --endian=big | tr -d ' ')
	head -c $((size - 40 - siglen)) "$1" >"$tmp/content"
	cmp "$tmp/content" "$2" || { echo "the signed module is not the unsigned one plus a signature"; return 1; }
	tail -c $((siglen + 40)) "$1" | head -c "$siglen" >"$tmp/sig"
	openssl cms -verify -binary -inform DER -in "$tmp/sig" -content "$tmp/content" \
		-certfile "$tmp/mok.pem" -noverify -out /dev/null
}
for rel in $kernels; do
	check "$rel: zxproc.ko carries one valid sha256 signature by the MOK key" \
		verify_signed "$build/kernel/$rel/zxproc.ko" "$tmp/unsigned-$rel.ko"
done
# A tampered module must not verify: the check above can fail.
rel=${kernels%% *}
cp "$build/kernel/$rel/zxproc.ko" "$tmp/tampered.ko"
printf 'X' | dd of="$tmp/tampered.ko" bs=1 seek=4096 conv=notrunc status=none
if verify_signed "$tmp/tampered.ko" "$tmp/unsigned-$rel.ko" >/dev/null 2>&1; then
	not_ok "a module changed after signing fails the signature check"
else
	ok "a module changed after signing fails the signature check"
fi
size=$(stat -c %s "$build/kernel/$rel/zxproc.ko")
check "make sign again (idempotent)" mk sign MOK_DIR="$tmp/mok"
if [ "$(stat -c %s "$build/kernel/$rel/zxproc.ko")" = "$size" ] &&
	verify_signed "$build/kernel/$rel/zxproc.ko" "$tmp/unsigned-$rel.ko" >/dev/null 2>&1; then
	ok "signing twice leaves one signature"
else
	not_ok "signing twice leaves one signature" "size $size -> $(stat -c %s "$build/kernel/$rel/zxproc.ko")"
fi
if out=$(mk sign MOK_KEY="$tmp/none.key" MOK_CERT="$cert" 2>&1); then
	not_ok "make sign without a key fails" "it succeeded"
else
	case $out in
	*"no private key '$tmp/none.key'"*) ok "make sign without a key fails, saying so" ;;
	*) not_ok "make sign without a key fails, saying so" "$out" ;;
	esac
fi

# --- make install DESTDIR / uninstall ---------------------------------------
# PREFIX=/usr first: it rewrites libzxproc.pc, which the default run below
# then writes back.
check "make install DESTDIR=... PREFIX=/usr" mk install DESTDIR="$tmp/usr-stage" PREFIX=/usr
pcfile=$tmp/usr-stage/usr/lib/pkgconfig/libzxproc.pc
if grep -qx 'prefix=/usr' "$pcfile" && grep -qx 'libdir=/usr/lib' "$pcfile" &&
	grep -qx 'includedir=/usr/include' "$pcfile" &&
	[ -f "$tmp/usr-stage/usr/lib/libzxproc.so.$version" ] &&
	[ -f "$tmp/usr-stage/usr/include/libzxproc/zircon/syscalls.h" ] && [ ! -e "$tmp/usr-stage/usr/local" ]; then
	ok "PREFIX=/usr places the files and libzxproc.pc's paths under /usr"
else
	not_ok "PREFIX=/usr places the files and libzxproc.pc's paths under /usr" "$(cat "$pcfile")"
fi

check "make install DESTDIR=... MODULES_LOAD=yes" mk install DESTDIR="$stage" MODULES_LOAD=yes
# shellcheck disable=SC2086 # one release per word
if diff=$(diff <(expected_tree "$version" $kernels) <(list_tree "$stage")); then
	ok "the staged tree is exactly tests/install/expected-tree"
else
	not_ok "the staged tree is exactly tests/install/expected-tree" "$diff"
fi
check "make install again over it (idempotent)" mk install DESTDIR="$stage" MODULES_LOAD=yes
# shellcheck disable=SC2086
if diff=$(diff <(expected_tree "$version" $kernels) <(list_tree "$stage")); then
	ok "  ... same tree"
else
	not_ok "  ... same tree" "$diff"
fi
for rel in $kernels; do
	if cmp -s "$stage/lib/modules/$rel/updates/zxproc.ko" "$build/kernel/$rel/zxproc.ko"; then
		ok "$rel: the installed module is the signed build"
	else
		not_ok "$rel: the installed module is the signed build"
	fi
done

export PKG_CONFIG_SYSROOT_DIR=$stage PKG_CONFIG_PATH=$stage/usr/local/lib/pkgconfig
flags=$(pkg-config --cflags --libs libzxproc 2>&1 | sed 's/ *$//' || true)
if [ "$(pkg-config --modversion libzxproc 2>&1)" = "$version" ] &&
	[ "$flags" = "-I$stage/usr/local/include/libzxproc -L$stage/usr/local/lib -lzxproc" ]; then
	ok "pkg-config --cflags --libs libzxproc against the stage: $version, $flags"
else
	not_ok "pkg-config --cflags --libs libzxproc against the stage" "$flags"
fi
# shellcheck disable=SC2046 # pkg-config's output is meant to be split
check "a program builds and links with \$(pkg-config --cflags --libs libzxproc)" \
	cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libzxproc) \
	-o "$tmp/selfwrite" "$src/tests/install/selfwrite.c" $(pkg-config --libs libzxproc)
flags=$(pkg-config --cflags --libs libzxproc-win32 2>&1 | sed 's/ *$//' || true)
if [ "$(pkg-config --modversion libzxproc-win32 2>&1)" = "$version" ] &&
	[ "$flags" = "-I$stage/usr/local/include/libzxproc -L$stage/usr/local/lib -lzxproc-win32" ]; then
	ok "pkg-config --cflags --libs libzxproc-win32 against the stage: $version, $flags"
else
	not_ok "pkg-config --cflags --libs libzxproc-win32 against the stage" "$flags"
fi
# shellcheck disable=SC2046
check "a program of <zxproc/win32.h> alone builds with \$(pkg-config --libs libzxproc-win32)" \
	cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libzxproc-win32) \
	-o "$tmp/win32prog" "$src/tests/install/win32prog.c" $(pkg-config --libs libzxproc-win32)
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH
if readelf -d "$tmp/selfwrite" | grep -q "NEEDED.*\[libzxproc.so.$major\]"; then
	ok "  ... and needs libzxproc.so.$major"
else
	not_ok "  ... and needs libzxproc.so.$major" "$(readelf -d "$tmp/selfwrite" | grep NEEDED)"
fi
needed=$(readelf -d "$tmp/win32prog" | grep NEEDED || true)
if grep -q "\[libzxproc-win32.so.$major\]" <<<"$needed" && ! grep -q "\[libzxproc.so" <<<"$needed"; then
	ok "  ... the Win32 program needs libzxproc-win32.so.$major and not libzxproc"
else
	not_ok "  ... the Win32 program needs libzxproc-win32.so.$major and not libzxproc" "$needed"
fi
check "  ... and runs (no module here: ERROR_NOT_SUPPORTED)" \
	env LD_LIBRARY_PATH="$stage/usr/local/lib" "$tmp/win32prog"
exports() {
	nm -D --defined-only "$1" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }'
}
stray=$(exports "$stage/usr/local/lib/libzxproc.so.$version" | grep -v -e '^zx_' -e '^zxproc_' || true)
if [ -z "$stray" ] && [ -n "$(exports "$stage/usr/local/lib/libzxproc.so.$version")" ]; then
	ok "libzxproc exports only zx_* and zxproc_* names"
else
	not_ok "libzxproc exports only zx_* and zxproc_* names" "$stray"
fi
w32=$(exports "$stage/usr/local/lib/libzxproc-win32.so.$version" | tr '\n' ' ')
if [ "$w32" = "CloseHandle GetCurrentProcess GetLastError OpenProcess ReadProcessMemory SetLastError WriteProcessMemory " ]; then
	ok "libzxproc-win32 exports Windows' names only"
else
	not_ok "libzxproc-win32 exports Windows' names only" "$w32"
fi

check "make uninstall DESTDIR=..." mk uninstall DESTDIR="$tmp/usr-stage" PREFIX=/usr
if left=$(list_tree "$tmp/usr-stage") && [ -z "$left" ]; then
	ok "make uninstall removes every file install staged"
else
	not_ok "make uninstall removes every file install staged" "$left"
fi
if [ ! -e "$tmp/usr-stage/usr/include/libzxproc" ]; then
	ok "  ... and the project's own include directory, include/libzxproc"
else
	not_ok "  ... and the project's own include directory, include/libzxproc"
fi

# --- in the guest ---------------------------------------------------------
# On the last kernel only (the newest of Debian's by default): a real
# install under TCG takes a minute or more (make, ldconfig, udev), and the
# module itself is loaded on every kernel by tests/install/dkms_host_test.sh.
for kernel in $(guest_kernels | tail -n 1); do
	start=$(date +%s)
	status=0
	out=$("$top/tests/vm/run" --kernel "$kernel" --no-module --timeout 600 -- \
		"$src/tests/install/guest-install" "$build" "zxproc module signing key" \
		"$tmp/selfwrite" "$stage/usr/local/lib" 2>&1) || status=$?
	report_guest_checks "$kernel guest" <<<"$out"
	if [ "$status" -eq 0 ] && [ "$checks" -gt 0 ]; then
		ok "$kernel guest: tests/install/guest-install ($checks checks, $(($(date +%s) - start)) s)"
	else
		not_ok "$kernel guest: tests/install/guest-install" "exit status $status after $checks checks"
	fi
done

done_testing
