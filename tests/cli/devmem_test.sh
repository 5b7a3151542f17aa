#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# zxproc read and write against device memory, in the guest: a live
# process maps /dev/mem's BIOS area (VM_IO | VM_PFNMAP), which zxproc
# refuses with ZX_ERR_BAD_STATE, the status an exited or exec'd process
# also gives.  The command must say "device memory" (exit 7), not that
# the process is gone: the handle tells it its process has not ended
# (ZX_INFO_PROCESS).  The BIOS bytes are read back through /dev/mem
# unchanged.  (memory_test.sh has the exit and exec wordings.)
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=tests/cli/common.sh
. "$top/tests/cli/common.sh"
trap on_exit EXIT

bios() { # the first 16 bytes of the mapped BIOS area, as hex
	dd if=/dev/mem bs=16 count=1 iflag=skip_bytes skip=$((0xf0000)) 2>/dev/null |
		od -An -tx1 -v | tr -d ' \n'
}

if [ ! -r /dev/mem ] || [ -z "$(bios)" ]; then
	skip "device memory" "/dev/mem cannot be read here"
	done_testing
fi

# A process with the BIOS area mapped.
python3 -c '
import mmap, os, time
fd = os.open("/dev/mem", os.O_RDONLY)
dev = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ, offset=0xf0000)
print("ready", flush=True)
time.sleep(1000)
' >"$work/py.log" 2>&1 &
tpid=$!
targets="$targets $tpid"
if ! wait_ready "$work/py.log"; then
	skip "device memory" "cannot map /dev/mem: $(cat "$work/py.log")"
	done_testing
fi
dev=$(map_base "$tpid" /dev/mem)
before=$(bios)

expect "read of device memory" 7 "memory at $dev in process $tpid is device memory" \
	"$zxproc" read "$tpid" "$dev" 8
expect "write to device memory" 7 "is device memory \(VM_IO/VM_PFNMAP\)" \
	"$zxproc" write "$tpid" "$dev" --hex 00112233
expect "--all-or-nothing write to device memory" 7 "is device memory.*--all-or-nothing: nothing was written" \
	"$zxproc" write "$tpid" "$dev" --hex 00112233 --all-or-nothing
expect "device memory by mapping name" 7 "is device memory" \
	"$zxproc" read "$tpid" "mem+0x8" 4
same "device memory: the BIOS bytes are unchanged" "$(bios)" "$before"
case $err in
*exited* | *"exec'd"*) not_ok "device memory: not worded as a gone process" "$err" ;;
*) ok "device memory: not worded as a gone process" ;;
esac

done_testing
