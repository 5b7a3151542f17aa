#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest that tests/vm/run provides, checked from inside it: the module
# is loaded, the writable places are writable and the host is not, the
# environment is the documented one, and tests/vm/unpriv and tests/vm/nocap
# really take uid and capabilities away.  (tests/host/harness_vm_test.sh
# checks tests/vm/run from the outside.)
#
# Every program started in the guest is an exec over 9p under TCG, so this
# suite uses bash builtins wherever it can, and reads each process's
# /proc/self/status once.
# shellcheck disable=SC2016 # sh -c '...$1...' expands in the inner shell
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

if [ "${ZXPROC_VM:-}" != 1 ]; then
	plan 1
	skip "guest checks" "not in a tests/vm/run guest"
	done_testing
fi

# field TEXT NAME: the value of "NAME:<tab>value" in /proc/PID/status TEXT.
field() {
	local line
	while IFS= read -r line; do
		case $line in
		"$2:"*)
			line=${line#*:}
			echo "${line#"${line%%[![:space:]]*}"}"
			return 0
			;;
		esac
	done <<<"$1"
}
expect() { # DESC GOT WANT
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "got '$2', want '$3'"
	fi
}

mounts=$(</proc/mounts)
mounted() { # REGEX: does a line of /proc/mounts match?
	local line
	while IFS= read -r line; do
		[[ $line =~ $1 ]] && return 0
	done <<<"$mounts"
	return 1
}

# --- the module ---
case ${ZXPROC_VM_MODULE_MODE:-} in
load)
	name=$(modinfo -F name "$ZXPROC_VM_MODULE")
	modules=$(</proc/modules)
	if [[ $'\n'$modules == *$'\n'"$name "* ]]; then
		ok "module $name from $ZXPROC_VM_MODULE is in /proc/modules"
	else
		not_ok "module $name from $ZXPROC_VM_MODULE is in /proc/modules" "$modules"
	fi
	;;
*) skip "module is in /proc/modules" "no module loaded (mode ${ZXPROC_VM_MODULE_MODE:-unset})" ;;
esac

# --- the kernel and its command line ---
read -r release </proc/sys/kernel/osrelease
expect "running kernel $ZXPROC_VM_RELEASE" "$release" "$ZXPROC_VM_RELEASE"
read -r cmdline </proc/cmdline
for arg in console=ttyS0 panic=-1 slub_debug=FZPU page_poison=1 secretmem.enable=1; do
	case " $cmdline " in
	*" $arg "*) ok "kernel command line has $arg" ;;
	*) not_ok "kernel command line has $arg" "$cmdline" ;;
	esac
done

# --- environment ---
expect "HOME is /root" "$HOME" /root
expect "LANG is C.UTF-8" "$LANG" C.UTF-8
expect "PATH is the system one" "$PATH" /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
check "ZXPROC_TOP is this tree" test "$ZXPROC_TOP" -ef "$top"
check "stdin is /dev/null" test /proc/self/fd/0 -ef /dev/null
expect "running as root" "$EUID" 0

# --- filesystem ---
if (: >/usr/.zxproc-probe) 2>/dev/null; then
	not_ok "host root is read-only" "wrote /usr/.zxproc-probe"
else
	ok "host root is read-only"
fi
probes=()
for dir in /tmp /var/tmp /run /root /dev/shm "/lib/modules/$release"; do
	if (echo x >"$dir/.zxproc-probe.$$") 2>/dev/null; then
		ok "$dir is writable"
		probes+=("$dir/.zxproc-probe.$$")
	else
		not_ok "$dir is writable"
	fi
done
rm -f "${probes[@]}"
if mounted '^overlay /tmp overlay .*lowerdir=/host/tmp[,:]'; then
	ok "/tmp is an overlay on the host's /tmp"
else
	not_ok "/tmp is an overlay on the host's /tmp" "$mounts"
fi
# /lib is a symbolic link to usr/lib on merged-/usr systems like Debian 12.
modules_dir=$(cd /lib/modules && pwd -P)
if mounted "^overlay $modules_dir overlay .*lowerdir=/host/lib/modules[,:]"; then
	ok "/lib/modules is an overlay on the host's"
else
	not_ok "/lib/modules is an overlay on the host's" "$mounts"
fi
if mounted '^proc /proc ' && mounted '^sysfs /sys ' && mounted '^devtmpfs /dev ' &&
	mounted '^devpts /dev/pts '; then
	ok "proc, sysfs, devtmpfs and devpts are mounted"
else
	not_ok "proc, sysfs, devtmpfs and devpts are mounted" "$mounts"
fi
expect "/dev/fd works (process substitution)" "$(read -r x < <(echo x) && echo "$x")" x

# --- tests/vm/unpriv ---
unpriv=$top/tests/vm/unpriv
nocap=$top/tests/vm/nocap
zero=0000000000000000
st=$("$unpriv" -- cat /proc/self/status)
expect "unpriv: uid 65534" "$(field "$st" Uid)" "$(printf '65534\t65534\t65534\t65534')"
expect "unpriv: gid 65534" "$(field "$st" Gid)" "$(printf '65534\t65534\t65534\t65534')"
expect "unpriv: no supplementary groups" "$(field "$st" Groups)" ""
for set in CapInh CapPrm CapEff CapBnd CapAmb; do
	expect "unpriv: $set empty" "$(field "$st" "$set")" "$zero"
done
expect "unpriv: no_new_privs" "$(field "$st" NoNewPrivs)" 1
st=$("$unpriv" --uid 1234 -- cat /proc/self/status)
expect "unpriv --uid 1234: uid and gid 1234" "$(field "$st" Uid)/$(field "$st" Gid)" \
	"$(printf '1234\t1234\t1234\t1234/1234\t1234\t1234\t1234')"
check "unpriv: cannot read init's environment" sh -c '! "$1" -- cat /proc/1/environ >/dev/null 2>&1' sh "$unpriv"
check "unpriv: cannot load modules" sh -c '! "$1" -- insmod "$2" 2>/dev/null' sh "$unpriv" "${ZXPROC_VM_MODULE:-/nonexistent.ko}"
check "unpriv: bad usage is exit 2" sh -c '"$1" --uid x -- true 2>/dev/null; test $? = 2' sh "$unpriv"

# --- tests/vm/nocap ---
has_cap() { # HEX-SET BIT
	[ $(((0x$1 >> $2) & 1)) = 1 ]
}
st=$("$nocap" CAP_SYS_PTRACE,dac_override -- cat /proc/self/status)
for set in CapPrm CapEff CapBnd; do
	mask=$(field "$st" "$set")
	if ! has_cap "$mask" 19 && ! has_cap "$mask" 1 && has_cap "$mask" 21; then
		ok "nocap: $set lacks SYS_PTRACE and DAC_OVERRIDE, keeps SYS_ADMIN"
	else
		not_ok "nocap: $set lacks SYS_PTRACE and DAC_OVERRIDE, keeps SYS_ADMIN" "$set: $mask"
	fi
done
expect "nocap: still uid 0" "$(field "$st" Uid)" "$(printf '0\t0\t0\t0')"
# A grandchild: sh forks, then cat execs.
st=$("$nocap" sys_ptrace -- sh -c 'cat /proc/self/status; true')
mask=$(field "$st" CapEff)
if ! has_cap "$mask" 19; then
	ok "nocap: a grandchild's exec gets no dropped cap back"
else
	not_ok "nocap: a grandchild's exec gets no dropped cap back" "CapEff: $mask"
fi
secret=/tmp/.zxproc-secret.$$
echo secret >"$secret"
chmod 000 "$secret"
check "root reads a mode-000 file" test "$(<"$secret")" = secret
check "nocap DAC_OVERRIDE,DAC_READ_SEARCH: cannot" sh -c \
	'! "$1" CAP_DAC_OVERRIDE,CAP_DAC_READ_SEARCH -- cat "$2" 2>/dev/null' sh "$nocap" "$secret"
rm -f "$secret"
check "nocap: unknown capability is exit 2" sh -c '"$1" cap_nonsense -- true 2>/dev/null; test $? = 2' sh "$nocap"

done_testing
