#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/zxproc.txt, syzkaller's description of zxproc, agrees with
# uapi/linux/zxproc.h: every ZXPROC_ constant it names exists in the
# header, tests/fuzz/zxproc_amd64.const holds exactly the values the C
# compiler computes from the header, every struct it describes has the C
# struct's layout, and every command, struct and flag of the header is
# described (tests/fuzz/syzlang-const --check).  Then the check itself is
# shown to fail, naming the culprit, on copies of the header changed the
# ways a header changes: a new value, a new field, a new command, a
# removed constant; and on copies of the description with a field out of
# place or a stale const file.  Host suite; needs python3 and cc.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

tool=$top/tests/fuzz/syzlang-const
tmp=$(mktemp -d)
# tests/lib/tap.sh's EXIT trap reports a suite that dies early; keep it.
# shellcheck disable=SC2317 # called from the trap
cleanup() { local status=$?; rm -rf "$tmp"; return "$status"; }
trap 'cleanup; _tap_exit' EXIT

check "the description and the const file agree with the header" "$tool" --check

# The const file is exactly what the generator writes today.
"$tool" --print >"$tmp/fresh.const"
check "zxproc_amd64.const is the generator's output, byte for byte" \
	cmp "$tmp/fresh.const" "$top/tests/fuzz/zxproc_amd64.const"

# Every ZXPROC_ name of the description is a #define of the header.
missing=
while read -r name; do
	grep -qE "^#define[[:space:]]+${name}[[:space:]]" "$top/uapi/linux/zxproc.h" ||
		missing="$missing $name"
done < <(grep -v '^#' "$top/tests/fuzz/zxproc.txt" | grep -oE '\bZXPROC_[A-Z0-9_]+' | sort -u)
if [ -z "$missing" ]; then
	ok "every ZXPROC_ name in zxproc.txt is defined in uapi/linux/zxproc.h"
else
	not_ok "every ZXPROC_ name in zxproc.txt is defined in uapi/linux/zxproc.h" "missing:$missing"
fi

# The txt.const form (syzkaller since 2024) carries the same values.
"$tool" --print --format txt.const >"$tmp/txt.const"
if grep -qx 'arches = amd64' "$tmp/txt.const" &&
   diff <(grep -v '^arches' "$tmp/txt.const") "$tmp/fresh.const" >/dev/null; then
	ok "the txt.const form has the same values"
else
	not_ok "the txt.const form has the same values" "$(cat "$tmp/txt.const")"
fi

# expect_fail DESC PATTERN ARGS...: the check fails and says PATTERN.
expect_fail() {
	local desc=$1 pattern=$2 out
	shift 2
	if out=$("$tool" --check "$@" 2>&1); then
		not_ok "$desc" "the check passed: $out"
	elif echo "$out" | grep -qE -- "$pattern"; then
		ok "$desc"
	else
		not_ok "$desc" "the check failed, but without '$pattern': $out"
	fi
}

fresh_copies() {
	rm -rf "$tmp/uapi" "$tmp/zxproc.txt" "$tmp/zxproc_amd64.const"
	mkdir -p "$tmp/uapi/linux"
	cp "$top/uapi/linux/zxproc.h" "$tmp/uapi/linux/zxproc.h"
	cp "$top/tests/fuzz/zxproc.txt" "$tmp/zxproc.txt"
	cp "$top/tests/fuzz/zxproc_amd64.const" "$tmp/zxproc_amd64.const"
}
copies=(--header "$tmp/uapi/linux/zxproc.h" --txt "$tmp/zxproc.txt" --const "$tmp/zxproc_amd64.const")

fresh_copies
check "the check passes on unchanged copies" "$tool" --check "${copies[@]}"

fresh_copies
sed -i 's/^#define ZXPROC_RIGHT_INSPECT\t0x00008000U/#define ZXPROC_RIGHT_INSPECT\t0x00004000U/' \
	"$tmp/uapi/linux/zxproc.h"
expect_fail "a right's new value fails the check" \
	'ZXPROC_RIGHT_INSPECT = 32768, but the compiler says 16384' "${copies[@]}"

fresh_copies
sed -i 's/^\t__u64 actual;$/\t__u64 actual;\n\t__u64 cookie;/' "$tmp/uapi/linux/zxproc.h"
expect_fail "a new field in struct zxproc_mem fails the check (size and command)" \
	'zxproc_mem is 40 bytes, struct zxproc_mem in C is 48' "${copies[@]}"
expect_fail "... and names the command whose _IOC size moved" \
	'ZXPROC_IOC_WRITE = 3223906336, but the compiler says' "${copies[@]}"

fresh_copies
# struct zxproc_seg grows through seg_size, not through a command's size:
# only the layout check can see it.
awk '/^struct zxproc_seg \{/ { s = 1 }
     s && /^\t__u32 reserved;$/ { print; print "\t__u64 cookie;"; s = 0; next }
     { print }' "$top/uapi/linux/zxproc.h" >"$tmp/uapi/linux/zxproc.h"
expect_fail "a new field in struct zxproc_seg fails the check" \
	'zxproc_seg is 40 bytes, struct zxproc_seg in C is 48' "${copies[@]}"

fresh_copies
sed -i 's|^#define ZXPROC_IOC_READV.*|&\n#define ZXPROC_IOC_PEEK\t\t_IOWR(ZXPROC_IOC_MAGIC, 0x24, struct zxproc_mem)|' \
	"$tmp/uapi/linux/zxproc.h"
expect_fail "a new command without a description fails the check" \
	'command ZXPROC_IOC_PEEK of the header has no ioctl' "${copies[@]}"

fresh_copies
sed -i 's|^#define ZXPROC_DUP_REPLACE.*|&\n#define ZXPROC_DUP_NOINHERIT\t0x00000002U|' "$tmp/uapi/linux/zxproc.h"
expect_fail "a new flag without a description fails the check" \
	'ZXPROC_DUP_NOINHERIT of the header is not used' "${copies[@]}"

fresh_copies
sed -i '/^#define ZXPROC_INFO_STALE/d' "$tmp/uapi/linux/zxproc.h"
expect_fail "a constant removed from the header fails the check" \
	'ZXPROC_INFO_STALE is not defined in' "${copies[@]}"

fresh_copies
# Swap the fields flags and reserved of zxproc_mem in the description.
awk '/^type zxproc_mem\[DIR\]/ { m = 1 }
     m && /^\tflags/ { f = $0; next }
     m && /^\treserved/ { print; print f; m = 0; next }
     { print }' "$top/tests/fuzz/zxproc.txt" >"$tmp/zxproc.txt"
expect_fail "a field out of place in the description fails the check" \
	'zxproc_mem.flags is at offset 28, in C at 24' "${copies[@]}"

fresh_copies
sed -i 's/^ZXPROC_MAX_SEGMENTS = .*/ZXPROC_MAX_SEGMENTS = 4096/' "$tmp/zxproc_amd64.const"
expect_fail "a stale value in the const file fails the check" \
	'ZXPROC_MAX_SEGMENTS = 4096, but the compiler says 1024' "${copies[@]}"

done_testing
