#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# zxproc load, unload and status, in the guest: load -> unload -> load
# again, the modprobe blacklist, install commands never run, options
# applied, "not installed" for the running kernel, and the memory
# commands without the module.  status --json is checked with python3's
# JSON parser.  (status_test.sh: the device node and unload while in use.)
#
# It installs this tree's module (the one tests/vm/run loaded, or
# build/kernel/RELEASE/zxproc.ko) as the only zxproc libkmod can find:
# /lib/modules/RELEASE's index files (an overlay in the guest) are
# replaced by ones depmod makes for a scratch tree holding only that
# module, because `depmod -a` over the whole tree takes minutes under
# emulation.  The index files are put back, and the module left loaded
# as it was found, at the end.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=tests/cli/common.sh
. "$top/tests/cli/common.sh"

mods=/lib/modules/$release
conf=/run/modprobe.d/zxproc-cli-test.conf
# The module's version, from its single source.
version=$(sed -n 's/^#define ZXPROC_VERSION_[A-Z]* \([0-9]*\)$/\1/p' "$top/uapi/linux/zxproc.h" | paste -sd.)
saved=$work/index
loaded_at_start=0
[ -d /sys/module/zxproc ] && loaded_at_start=1

# The files depmod writes (by name: a glob could catch the temporary
# files of a depmod running on the host, whose /lib/modules we see).
index_files="modules.dep modules.dep.bin modules.alias modules.alias.bin
	modules.softdep modules.weakdep modules.symbols modules.symbols.bin
	modules.builtin.bin modules.builtin.alias.bin modules.devname"

# Make libkmod's index list zxproc (as extra/zxproc.ko) or not at all.
index_with() { # yes|no
	local root=$work/root tiny=$work/root/lib/modules/$release f
	if [ ! -d "$saved" ]; then
		mkdir -p "$saved"
		for f in $index_files modules.builtin modules.builtin.modinfo; do
			[ ! -e "$mods/$f" ] || cp -p "$mods/$f" "$saved/"
		done
	fi
	rm -rf "$root"
	mkdir -p "$tiny/extra"
	cp "$saved/modules.builtin" "$saved/modules.builtin.modinfo" "$tiny/" 2>/dev/null || true
	echo extra/zxproc.ko >"$tiny/modules.order"
	[ "$1" = no ] || cp "$ko" "$tiny/extra/zxproc.ko"
	depmod -b "$root" "$release"
	for f in $index_files; do
		[ ! -e "$tiny/$f" ] || cp "$tiny/$f" "$mods/"
	done
	if [ "$1" = yes ]; then
		mkdir -p "$mods/extra"
		cp "$ko" "$mods/extra/zxproc.ko"
	fi
}

# shellcheck disable=SC2317 # also called from the EXIT trap
restore() {
	exec 9>&- 2>/dev/null || true
	rm -f "$conf"
	restore_node
	if [ -d "$saved" ]; then
		for f in $index_files; do
			if [ -e "$saved/$f" ]; then cp -p "$saved/$f" "$mods/"; else rm -f "$mods/$f"; fi
		done
		rm -f "$mods/extra/zxproc.ko"
	fi
	if [ "$loaded_at_start" = 1 ] && [ ! -d /sys/module/zxproc ]; then
		insmod "$ko"
	fi
	[ ! -w /sys/module/zxproc/parameters/force_override ] ||
		echo always >/sys/module/zxproc/parameters/force_override
}
trap 'on_exit restore' EXIT

# shellcheck disable=SC2119 # no big mapping needed here
start_target

# --- unload, and everything without the module ----------------------------------
if [ "$loaded_at_start" = 1 ]; then
	expect "unload" 0 "" "$zxproc" unload
	same "unload: says so" "$out" "unloaded zxproc"
else
	skip "unload" "the module was not loaded at the start"
	skip "unload: says so" "the module was not loaded at the start"
fi
expect "status when not loaded: exit 3" 3 "" "$zxproc" status
case $out in *"zxproc:      not loaded"*) ok "status: says not loaded" ;;
*) not_ok "status: says not loaded" "$out" ;; esac
expect "status --json when not loaded" 3 "" "$zxproc" status --json
if printf '%s' "$out" | python3 -m json.tool >/dev/null; then ok "status --json parses (not loaded)"
else not_ok "status --json parses (not loaded)" "$out"; fi
same "status --json: loaded false, exit_status 3" \
	"$(json_field "$out" 'd["module"]["loaded"], d["exit_status"], d["device"]["present"]')" "False 3 False"
expect "unload when not loaded" 3 "zxproc is not loaded" "$zxproc" unload
expect "write without the module" 3 "module is not loaded \(try .zxproc load. as root\)" \
	"$zxproc" write "$tpid" "$t_value" --hex 2a000000
expect "read without the module" 3 "module is not loaded" "$zxproc" read "$tpid" "$t_value" 4
printf '%s 2a000000\n' "$t_value" >"$work/p"
expect "patch without the module" 3 "module is not loaded" "$zxproc" patch "$tpid" "$work/p"
same "without the module: memory unchanged" "$(mem "$tpid" "$t_value" 4)" 07000000

# --- not installed, then installed ---------------------------------------------
index_with no
expect "load when not installed for this kernel" 12 \
	"zxproc.ko is not installed for kernel $(re "$release") .*: run .make install. or .make dkms-install." \
	"$zxproc" load
expect "status: not installed" 3 "" "$zxproc" status
case $out in *"installed:   no"*) ok "status: says not installed" ;;
*) not_ok "status: says not installed" "$out" ;; esac
index_with yes
expect "load as an unprivileged user" 6 "needs root \(CAP_SYS_MODULE\)" "$top/tests/vm/unpriv" -- "$zxproc" load

# --- blacklist, install commands, options ----------------------------------------
mkdir -p /run/modprobe.d
echo "blacklist zxproc" >"$conf"
expect "load honours the blacklist" 11 "zxproc is blacklisted" "$zxproc" load
same "blacklisted: not loaded" "$([ -d /sys/module/zxproc ] && echo loaded || echo absent)" absent
printf 'install zxproc /bin/touch %s\noptions zxproc force_override=never\n' "$work/install-ran" >"$conf"
expect "load ignores install commands" 0 "ignoring the modprobe.d install command for zxproc" "$zxproc" load
same "the install command did not run" "$([ -e "$work/install-ran" ] && echo ran || echo not-run)" not-run
same "load: says what it loaded" "$out" "loaded zxproc $version from $mods/extra/zxproc.ko"
expect "status --json when loaded" 0 "" "$zxproc" status --json
if printf '%s' "$out" | python3 -m json.tool >/dev/null; then ok "status --json parses (loaded)"
else not_ok "status --json parses (loaded)" "$out"; fi
same "status --json: options applied, installed path, device usable" \
	"$(json_field "$out" 'd["module"]["loaded"], d["module"]["state"], d["module"]["parameters"]["force_override"], d["module"]["parameters"]["host_force_override"], d["installed"]["path"], d["device"]["usable"], d["device"]["mode"], d["module"]["refcount"]')" \
	"True live never always $mods/extra/zxproc.ko True crw------- 0"
rm -f "$conf"
expect "load when already loaded" 0 "already loaded" "$zxproc" load

# --- load -> unload -> load ------------------------------------------------------------
expect "unload (1)" 0 "" "$zxproc" unload
expect "load again (2)" 0 "" "$zxproc" load
expect "status after reload: usable" 0 "" "$zxproc" status
same "reload: options no longer applied" "$(cat /sys/module/zxproc/parameters/force_override)" always
expect "unload (3)" 0 "" "$zxproc" unload
expect "load -v shows libkmod's action" 0 "zxproc: insmod $(re "$mods/extra/zxproc.ko")" "$zxproc" -v load
expect "unload as an unprivileged user" 6 "needs root \(CAP_SYS_MODULE\)" "$top/tests/vm/unpriv" -- "$zxproc" unload
expect "write after reload" 0 "" "$zxproc" write "$tpid" "$t_value" --hex 2a000000
same "write after reload: memory" "$(mem "$tpid" "$t_value" 4)" 2a000000

done_testing
