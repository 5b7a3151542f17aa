#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# zxproc status and unload against a loaded module, in the guest: unload
# refused while /dev/zxproc or a process handle is open (naming the
# holder), and /dev/zxproc inaccessible or missing (exit 4), with
# status --json checked by python3's JSON parser.  It leaves the module
# loaded and /dev/zxproc in place, as it found them.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=tests/cli/common.sh
. "$top/tests/cli/common.sh"

# shellcheck disable=SC2317 # called from the EXIT trap
restore() {
	exec 9>&- 2>/dev/null || true
	[ -d /sys/module/zxproc ] || insmod "$ko"
	restore_node
}
trap 'on_exit restore' EXIT

[ -d /sys/module/zxproc ] || insmod "$ko"
start_target 8

# --- in use ---------------------------------------------------------------------------
exec 9<>/dev/zxproc
expect "unload with /dev/zxproc open" 13 "in use: 1 process handle or /dev/zxproc descriptor is still open" \
	"$zxproc" unload
case $err in *"held by $$ ("*) ok "unload: names the holder" ;;
*) not_ok "unload: names the holder" "$err" ;; esac
exec 9>&-
mkfifo "$work/fifo"
"$zxproc" read "$tpid" "$t_big" $((8 << 20)) >"$work/fifo" 2>/dev/null &
zpid=$!
exec 7<"$work/fifo"
head -c 1 <&7 >/dev/null
expect "unload with a process handle open" 13 "held by $zpid \(zxproc\)" "$zxproc" unload
cat <&7 >/dev/null
exec 7<&-
wait "$zpid" || true
same "in use: still loaded" "$([ -d /sys/module/zxproc ] && echo loaded || echo absent)" loaded

# --- the device node ---------------------------------------------------------------------
expect "status as an unprivileged user" 4 "" "$top/tests/vm/unpriv" -- "$zxproc" status
case $out in *"loaded, but /dev/zxproc is not accessible"*"(permission denied)"*) ok "unprivileged status: says why" ;;
*) not_ok "unprivileged status: says why" "$out" ;; esac
rm /dev/zxproc
expect "status with /dev/zxproc missing" 4 "" "$zxproc" status
case $out in *"loaded, but /dev/zxproc is missing"*) ok "status: says the node is missing" ;;
*) not_ok "status: says the node is missing" "$out" ;; esac
expect "status --json with /dev/zxproc missing" 4 "" "$zxproc" status --json
same "status --json: device missing" \
	"$(json_field "$out" 'd["module"]["loaded"], d["device"]["present"], d["device"]["usable"], d["device"]["error"]')" \
	"True False False missing"
expect "write with /dev/zxproc missing" 4 "loaded but /dev/zxproc is missing" \
	"$zxproc" write "$tpid" "$t_value" --hex 2b000000
same "missing node: memory unchanged" "$(mem "$tpid" "$t_value" 4)" 07000000
restore_node
expect "status with the node back" 0 "" "$zxproc" status

# --- the kernel ---------------------------------------------------------------------------
# Every kernel the guests boot is in the tested range (README, dkms.conf);
# the UNAME26 personality makes the same kernel report a 2.6 release,
# which is not.  Neither changes the exit status.
range="Linux 6.1 to 7.2"
same "status: the guest's kernel is tested" "$(grep '^kernel:' <<<"$out")" \
	"kernel:      $(uname -r) (within what zxproc is tested on, $range)"
expect "status --json on the guest's kernel" 0 "" "$zxproc" status --json
same "status --json: kernel_tested on the guest's kernel" \
	"$(json_field "$out" 'd["kernel"], d["kernel_tested"]')" "$(uname -r) True"
old=$(setarch "$(uname -m)" --uname-2.6 uname -r)
expect "status on a 2.6 release (setarch --uname-2.6)" 0 "" \
	setarch "$(uname -m)" --uname-2.6 "$zxproc" status
same "status: a 2.6 release is untested" "$(grep '^kernel:' <<<"$out")" \
	"kernel:      $old (untested: zxproc is tested on $range)"
expect "status --json on a 2.6 release" 0 "" \
	setarch "$(uname -m)" --uname-2.6 "$zxproc" status --json
same "status --json: kernel_tested on a 2.6 release" \
	"$(json_field "$out" 'd["kernel"], d["kernel_tested"]')" "$old False"

done_testing
