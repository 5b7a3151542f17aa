#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest that tests/vm/run provides, checked from inside it: the module
# is loaded, the writable places are writable and the host is not, the
# environment is the documented one, and tests/vm/unpriv and tests/vm/nocap
# really take uid and capabilities away.  (tests/host/harness_vm_test.sh
# checks tests/vm/run from the outside.)
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

status_field() { # FIELD [COMMAND-PREFIX...]: FIELD of /proc/self/status as seen by cat
	local field=$1
	shift
	"$@" cat /proc/self/status | sed -n "s/^$field:[[:space:]]*//p"
}

# --- the module ---
case ${ZXPROC_VM_MODULE_MODE:-} in
load)
	name=$(modinfo -F name "$ZXPROC_VM_MODULE")
	if grep -q "^$name " /proc/modules; then
		ok "module $name from $ZXPROC_VM_MODULE is in /proc/modules"
	else
		not_ok "module $name from $ZXPROC_VM_MODULE is in /proc/modules" "$(cat /proc/modules)"
	fi
	;;
*) skip "module is in /proc/modules" "no module loaded (mode ${ZXPROC_VM_MODULE_MODE:-unset})" ;;
esac

# --- the kernel and its command line ---
if [ "$(uname -r)" = "$ZXPROC_VM_RELEASE" ]; then
	ok "running kernel $ZXPROC_VM_RELEASE"
else
	not_ok "running kernel $ZXPROC_VM_RELEASE" "uname -r: $(uname -r)"
fi
cmdline=$(cat /proc/cmdline)
for arg in console=ttyS0 panic=-1 slub_debug=FZPU page_poison=1; do
	case " $cmdline " in
	*" $arg "*) ok "kernel command line has $arg" ;;
	*) not_ok "kernel command line has $arg" "$cmdline" ;;
	esac
done

# --- environment ---
check "HOME is /root" test "$HOME" = /root
check "LANG is C.UTF-8" test "$LANG" = C.UTF-8
check "PATH is the system one" test "$PATH" = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
check "ZXPROC_TOP is this tree" test "$ZXPROC_TOP" -ef "$top"
check "stdin is /dev/null" test "$(readlink /proc/self/fd/0)" = /dev/null
check "running as root" test "$(id -u)" = 0

# --- filesystem ---
check "host root is read-only" sh -c '! touch /usr/.zxproc-probe 2>/dev/null'
for dir in /tmp /var/tmp /run /root /dev/shm "/lib/modules/$(uname -r)"; do
	check "$dir is writable" sh -c 'mkdir -p "$1" && f=$(mktemp -p "$1") && echo x >"$f" && rm "$f"' sh "$dir"
done
check "/tmp is an overlay on the host's /tmp" \
	grep -Eq '^overlay /tmp overlay .*lowerdir=/host/tmp[,:]' /proc/mounts
# /lib is a symbolic link to usr/lib on merged-/usr systems like Debian 12.
check "/lib/modules is an overlay on the host's" \
	grep -Eq "^overlay $(readlink -f /lib/modules) overlay .*lowerdir=/host/lib/modules[,:]" /proc/mounts
check "proc, sysfs, devtmpfs and devpts are mounted" sh -c \
	'grep -q "^proc /proc " /proc/mounts && grep -q "^sysfs /sys " /proc/mounts &&
	 grep -q "^devtmpfs /dev " /proc/mounts && grep -q "^devpts /dev/pts " /proc/mounts'
check "/dev/fd works (process substitution)" bash -c 'test "$(cat <(echo x))" = x'

# --- tests/vm/unpriv ---
unpriv=$top/tests/vm/unpriv
nocap=$top/tests/vm/nocap
zero=0000000000000000
check "unpriv: uid 65534" test "$(status_field Uid "$unpriv" --)" = "$(printf '65534\t65534\t65534\t65534')"
check "unpriv: gid 65534" test "$(status_field Gid "$unpriv" --)" = "$(printf '65534\t65534\t65534\t65534')"
check "unpriv: no supplementary groups" test -z "$(status_field Groups "$unpriv" --)"
for set in CapInh CapPrm CapEff CapBnd CapAmb; do
	check "unpriv: $set empty" test "$(status_field "$set" "$unpriv" --)" = "$zero"
done
check "unpriv: no_new_privs" test "$(status_field NoNewPrivs "$unpriv" --)" = 1
check "unpriv --uid 1234: uid and gid 1234" test \
	"$(status_field Uid "$unpriv" --uid 1234 --)/$(status_field Gid "$unpriv" --uid 1234 --)" = \
	"$(printf '1234\t1234\t1234\t1234/1234\t1234\t1234\t1234')"
check "unpriv: cannot read init's environment" sh -c '! "$1" -- cat /proc/1/environ >/dev/null 2>&1' sh "$unpriv"
check "unpriv: cannot load modules" sh -c '! "$1" -- insmod "$2" 2>/dev/null' sh "$unpriv" "${ZXPROC_VM_MODULE:-/nonexistent.ko}"
check "unpriv: bad usage is exit 2" sh -c '"$1" --uid x -- true 2>/dev/null; test $? = 2' sh "$unpriv"

# --- tests/vm/nocap ---
has_cap() { # HEX-SET BIT
	[ $(((0x$1 >> $2) & 1)) = 1 ]
}
for set in CapPrm CapEff CapBnd; do
	mask=$(status_field "$set" "$nocap" CAP_SYS_PTRACE,dac_override --)
	if ! has_cap "$mask" 19 && ! has_cap "$mask" 1 && has_cap "$mask" 21; then
		ok "nocap: $set lacks SYS_PTRACE and DAC_OVERRIDE, keeps SYS_ADMIN"
	else
		not_ok "nocap: $set lacks SYS_PTRACE and DAC_OVERRIDE, keeps SYS_ADMIN" "$set: $mask"
	fi
done
check "nocap: still uid 0" test "$(status_field Uid "$nocap" sys_ptrace --)" = "$(printf '0\t0\t0\t0')"
# A grandchild: sh forks, then cat execs.
mask=$(status_field CapEff "$nocap" sys_ptrace -- sh -c '"$@"; true' sh)
if ! has_cap "$mask" 19; then
	ok "nocap: a grandchild's exec gets no dropped cap back"
else
	not_ok "nocap: a grandchild's exec gets no dropped cap back" "CapEff: $mask"
fi
secret=$(mktemp)
chmod 000 "$secret"
check "root reads a mode-000 file" cat "$secret"
check "nocap DAC_OVERRIDE,DAC_READ_SEARCH: cannot" sh -c \
	'! "$1" CAP_DAC_OVERRIDE,CAP_DAC_READ_SEARCH -- cat "$2" 2>/dev/null' sh "$nocap" "$secret"
rm -f "$secret"
check "nocap: unknown capability is exit 2" sh -c '"$1" cap_nonsense -- true 2>/dev/null; test $? = 2' sh "$nocap"

done_testing
