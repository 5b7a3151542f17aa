#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS with Debian's own dkms: `make dkms-install` copies exactly the
# module's sources to /usr/src/zxproc-VERSION and runs dkms add, build and
# install for every Debian kernel, and for the 7.2 debug kernel when the
# run includes it (built from source, so the suite links
# /lib/modules/REL/build to its cached tree, as `make modules_install`
# of a self-built kernel does); the module DKMS installed is then the one each
# kernel's guest loads, and it passes tests/install/guest-dkms there;
# `make dkms-remove` leaves nothing behind.
#
# Host suite; it changes this machine as `make dkms-install` does
# (/usr/src, /var/lib/dkms, /lib/modules/REL/updates/dkms) and undoes it.
# It refuses to touch a zxproc that DKMS already manages here.  Needs
# `make` and `make tests` to have run (library, device suite).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/install/lib.sh
. "$top/tests/install/lib.sh"
host_suite install/dkms

version=$(make_var VERSION)
# Releases of the kernels to boot (a name, or a release in /boot).
kernels=$(for k in $(guest_kernels); do "$top/tests/vm/kernels" "$k" 2>/dev/null || echo "$k"; done |
	paste -sd ' ')
debug_rel=$(debug_release)
src=/usr/src/zxproc-$version
# Two copies of this suite (two trees on one machine) would share DKMS's
# state: the second waits for the first.
exec 9>/run/lock/zxproc-dkms-suite.lock
flock -w 900 9 || { not_ok "waiting for another DKMS suite to finish" "gave up after 900 s"; done_testing; }
present=$(dkms status -m zxproc 2>/dev/null || true)
if [ -n "$present" ] || [ -e "$src" ]; then
	skip "dkms add/build/install/remove" \
		"zxproc is already installed with DKMS here (${present:-$src}); 'make dkms-remove' first"
	done_testing
fi

added=
# Run by scratch_dir's EXIT handler, before $tmp goes.
# shellcheck disable=SC2317 # called from the trap
suite_cleanup() {
	[ -z "$added" ] || make -s -C "$top" dkms-remove >/dev/null 2>&1 || true
	drop_debug_dir
}
# /lib/modules/REL for the debug kernel (the build link, then DKMS's
# module and depmod's index): removed again if this suite made it.
debug_dir_made=
drop_debug_dir() {
	[ -n "$debug_dir_made" ] || return 0
	find "/lib/modules/$debug_rel" -name '*.ko*' | grep -q . ||
		rm -rf "/lib/modules/${debug_rel:?}"
	debug_dir_made=
}
scratch_dir

mk() { make -s --no-print-directory -C "$top" BUILD="$build_dir" "$@"; }
elapsed() { echo "$(($(date +%s) - $1)) s"; }

if [ -n "$debug_rel" ]; then
	tree=$("$top/tests/vm/debug-kernel" --print-dir)/build
	if [ ! -e "/lib/modules/$debug_rel" ]; then
		debug_dir_made=1
		mkdir -p "/lib/modules/$debug_rel"
		ln -s "$tree" "/lib/modules/$debug_rel/build"
	fi
	kernels="$kernels $debug_rel"
fi
start=$(date +%s)
added=1
if out=$(mk dkms-install KERNELS="$kernels" 2>&1); then
	ok "make dkms-install: dkms add, build, install for $(echo "$kernels" | wc -w) kernels ($(elapsed "$start"))"
else
	not_ok "make dkms-install" "$out"
fi

want=$(cd "$top" && printf '%s\n' Kbuild dkms.conf module/*.c module/*.h uapi/linux/zxproc.h | LC_ALL=C sort)
have=$(cd "$src" 2>/dev/null && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
if [ "$have" = "$want" ]; then
	ok "$src holds exactly Kbuild, dkms.conf, module/ and the uapi header"
else
	not_ok "$src holds exactly Kbuild, dkms.conf, module/ and the uapi header" \
		"$(diff <(echo "$want") <(echo "$have"))"
fi

declare -A ko
for rel in $kernels; do
	if dkms status -m zxproc -v "$version" -k "$rel" 2>/dev/null | grep -q ': installed$'; then
		ok "$rel: dkms status says installed"
	else
		not_ok "$rel: dkms status says installed" "$(dkms status -m zxproc 2>/dev/null)"
	fi
	# Debian's 6.12 compresses its modules, and DKMS follows the kernel.
	ko[$rel]=$(ls /lib/modules/"$rel"/updates/dkms/zxproc.ko* 2>/dev/null || true)
	if [ "$(echo "${ko[$rel]}" | wc -w)" = 1 ] &&
		[ "$(modinfo -F version "${ko[$rel]}")" = "$version" ] &&
		modinfo -F vermagic "${ko[$rel]}" | grep -q "^$rel "; then
		ok "$rel: ${ko[$rel]} is zxproc $version for $rel"
	else
		not_ok "$rel: /lib/modules/$rel/updates/dkms/zxproc.ko* is zxproc $version for $rel" "'${ko[$rel]}'"
	fi
	# Debian's dkms signs what it builds with its own MOK pair, made on
	# first use; `make sign` defaults to the same pair.  The debug
	# kernel has no module signing (no CONFIG_MODULE_SIG, so no
	# scripts/sign-file): DKMS must leave its module unsigned.
	serial=$(openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -serial 2>&1 |
		sed 's/^serial=//; s/../&:/g; s/:$//')
	if [ "$rel" = "$debug_rel" ]; then
		if [ -z "$(modinfo -F sig_key "${ko[$rel]}" 2>&1)" ] &&
			! grep -q '^CONFIG_MODULE_SIG=y' "$tree/.config"; then
			ok "$rel: unsigned, as its kernel has no module signing"
		else
			not_ok "$rel: unsigned, as its kernel has no module signing" \
				"sig_key '$(modinfo -F sig_key "${ko[$rel]}" 2>&1)', $(grep '^CONFIG_MODULE_SIG=' "$tree/.config")"
		fi
	elif [ "$(modinfo -F sig_key "${ko[$rel]}" 2>&1)" = "$serial" ]; then
		ok "$rel: DKMS signed it with /var/lib/dkms/mok.key ($(modinfo -F signer "${ko[$rel]}"))"
	else
		not_ok "$rel: DKMS signed it with /var/lib/dkms/mok.key" \
			"sig_key '$(modinfo -F sig_key "${ko[$rel]}" 2>&1)', mok.pub serial '$serial'"
	fi
	if [ "$(modinfo -k "$rel" -n zxproc 2>&1)" = "${ko[$rel]}" ]; then
		ok "$rel: depmod ran: modprobe zxproc finds the DKMS module"
	else
		not_ok "$rel: depmod ran: modprobe zxproc finds the DKMS module" "$(modinfo -k "$rel" -n zxproc 2>&1)"
	fi
	# The build saw nothing of this tree: only DKMS's copy of $src.
	log=/var/lib/dkms/zxproc/$version/$rel/x86_64/log/make.log
	if [ -r "$log" ] && ! grep -qF "$top" "$log"; then
		ok "$rel: the DKMS build log never mentions $top"
	else
		not_ok "$rel: the DKMS build log never mentions $top" "$(grep -F "$top" "$log" 2>&1 | head -n 5)"
	fi
done

# Idempotent: a second run rebuilds and reinstalls (one kernel, for time).
rel=${kernels%% *}
start=$(date +%s)
if out=$(mk dkms-install KERNELS="$rel" 2>&1) &&
	dkms status -m zxproc -v "$version" -k "$rel" 2>/dev/null | grep -q ': installed$'; then
	ok "make dkms-install again ($rel): rebuilt and installed ($(elapsed "$start"))"
else
	not_ok "make dkms-install again ($rel)" "$out"
fi

# In the guests: the DKMS-built module is the one loaded.
check "selfwrite.c builds against the tree's libzxproc" \
	cc -std=c11 -Wall -Wextra -Werror -I"$top/userlib/include" -o "$tmp/selfwrite" \
	"$top/tests/install/selfwrite.c" "$build_dir/userlib/libzxproc.a" -lpthread
for kernel in $(guest_kernels) ${debug_rel:+debug}; do
	rel=$("$top/tests/vm/kernels" "$kernel" 2>/dev/null || echo "$kernel")
	start=$(date +%s)
	status=0
	out=$("$top/tests/vm/run" --kernel "$kernel" --module "${ko[$rel]:-none}" --timeout 300 -- \
		"$top/tests/install/guest-dkms" "${ko[$rel]:-none}" "$tmp/selfwrite" "$build_dir" 2>&1) ||
		status=$?
	report_guest_checks "$kernel guest" <<<"$out"
	if [ "$status" -eq 0 ] && [ "$checks" -gt 0 ]; then
		ok "$kernel guest: loads ${ko[$rel]} ($(elapsed "$start"))"
	else
		not_ok "$kernel guest: loads ${ko[$rel]:-the DKMS module}" "exit status $status after $checks checks"
	fi
done

start=$(date +%s)
check "make dkms-remove" mk dkms-remove
added=
drop_debug_dir
left=$(dkms status -m zxproc 2>/dev/null; ls -d "$src" /lib/modules/*/updates/dkms/zxproc.ko* 2>/dev/null || true)
if [ -z "$left" ]; then
	ok "nothing of zxproc is left in DKMS, /usr/src or /lib/modules ($(elapsed "$start"))"
else
	not_ok "nothing of zxproc is left in DKMS, /usr/src or /lib/modules" "$left"
fi
for rel in $kernels; do
	if modinfo -k "$rel" -n zxproc >/dev/null 2>&1; then
		not_ok "$rel: modprobe no longer finds zxproc"
	else
		ok "$rel: modprobe no longer finds zxproc"
	fi
done

done_testing
