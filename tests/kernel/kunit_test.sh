#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The module's KUnit suite (module/kunit.c), run in the guest: loads
# zxproc_kunit.ko (built next to zxproc.ko against kernels that have
# CONFIG_KUNIT, i.e. the debug-kernel tier), reads the suite's KTAP
# results from debugfs, and reports each KUnit case as one test here, so
# the cases are counted in the run's total.  tests/schedule runs it on the
# debug kernel only; run by hand on a kernel without KUnit (Debian's own)
# the whole suite is one skip.  Loading it taints the kernel with N
# (TAINT_TEST), which tests/run-suites allows in the guests that run it.
#
# A case that KUnit reports as failed, a plan that does not match the
# cases seen, a module that will not load or a missing results file all
# fail.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

kunit_enabled() {
	if [ -r /proc/config.gz ]; then
		zcat /proc/config.gz | grep -qx 'CONFIG_KUNIT=y'
	else
		grep -qx 'CONFIG_KUNIT=y' "/boot/config-$(uname -r)" 2>/dev/null
	fi
}

if ! kunit_enabled; then
	skip "kunit zxproc" "kernel $(uname -r) is built without CONFIG_KUNIT (run on the debug kernel: make check-debug)"
	done_testing
fi

ko=$(dirname "${ZXPROC_VM_MODULE:-}")/zxproc_kunit.ko
if [ -z "${ZXPROC_VM_MODULE:-}" ] || [ ! -r "$ko" ]; then
	not_ok "kunit zxproc" "no $ko: build it with 'make debug-module' (Kbuild builds it for CONFIG_KUNIT kernels)"
	done_testing
fi

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
results=/sys/kernel/debug/kunit/zxproc/results

# The suite runs inside insmod; a failing case does not fail the load.
if ! out=$(insmod "$ko" 2>&1); then
	not_ok "kunit zxproc" "insmod $ko failed: $out"
	done_testing
fi
if [ ! -r "$results" ]; then
	rmmod zxproc_kunit 2>/dev/null
	not_ok "kunit zxproc" "$results missing after loading $ko"
	done_testing
fi
ktap=$(cat "$results")
rmmod zxproc_kunit || not_ok "kunit zxproc: unload" "rmmod zxproc_kunit failed"
diag "KTAP from $results:"
diag "$ktap"

# The cases are the result lines one level in (four spaces): "    ok N -
# NAME" in 6.1, "    ok N NAME" in later kernels.  The suite's own line is
# not indented; parameterised cases' lines are indented further.
plan=$(echo "$ktap" | sed -nE 's/^    1\.\.([0-9]+)$/\1/p' | head -n 1)
seen=0
while IFS= read -r line; do
	[ -n "$line" ] || continue
	name=$(echo "$line" | sed -E 's/^    (not )?ok [0-9]+ (- )?([^ #]+).*/\3/')
	seen=$((seen + 1))
	case $line in
	*"# SKIP"*) skip "kunit zxproc.$name" "${line#*# SKIP}" ;;
	"    not ok "*) not_ok "kunit zxproc.$name" "KUnit: $line" ;;
	*) ok "kunit zxproc.$name" ;;
	esac
done <<EOF
$(echo "$ktap" | grep -E '^    (not )?ok [0-9]+ ')
EOF

if [ -z "$plan" ] || [ "$seen" -ne "$plan" ] || [ "$seen" -eq 0 ]; then
	not_ok "kunit zxproc: every planned case reported" "plan ${plan:-missing}, $seen cases reported"
fi
done_testing
