#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/run from the outside, booting real guests: the module is
# loaded, first in /proc/modules, and a dynamically linked program
# compiled here into a fresh directory under /tmp runs unchanged, with its
# arguments (spaces, quotes, empty ones), working directory, environment,
# stdout, stderr and exit status intact; a timeout is exit 124; a kernel
# WARNING and a taint flag other than O and E are exit 125, both named in
# one run (with --no-module, which loads nothing); a module that does not
# load is exit 125; --stage-module leaves the module to modprobe; a boot
# that hangs before /init is a known flake, booted once more, recorded in
# $ZXPROC_VM_FLAKE_LOG, and fails when it comes again; bad usage is exit 2.
# (tests/harness/guest_test.sh checks the guest from the inside.)
#
# Kernels: $ZXPROC_KERNELS (set by tests/run-suites from KERNELS), else
# every kernel of tests/vm/kernels except debug.  The per-kernel check runs
# on each (one guest per kernel); the others on the first.
# shellcheck disable=SC2016 # $ in single quotes: for the guest's shell
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

if [ -n "${ZXPROC_VM:-}" ]; then
	skip "tests/vm/run from the host" "a host suite, not for a guest"
	done_testing
fi

run=$top/tests/vm/run
build=${BUILD:-$top/build}
logdir=${ZXPROC_VM_LOG_DIR:-$build/vm}
kernels=${ZXPROC_KERNELS:-$("$top/tests/vm/kernels" | awk '$1 != "debug" { print $1 }')}
first=${kernels%%[[:space:]]*}
tmp=$(mktemp -d /tmp/zxproc-harness.XXXXXX)
trap 'rm -rf "$tmp"; _tap_exit' EXIT
# The guest's root reads this directory as the host's root does.
chmod 0755 "$tmp"

module_of() { # KERNEL: the default module's path
	echo "$build/kernel/$("$top/tests/vm/kernels" "$1" 2>/dev/null || echo "$1")/zxproc.ko"
}

# Runs tests/vm/run; sets $status, $out (stdout) and $err (stderr).
vm() {
	status=0
	"$run" "$@" >"$tmp/out" 2>"$tmp/err" || status=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# The program: dynamically linked, built in a directory the project never
# saw, printing its arguments and working directory.
prog=$tmp/prog
mkdir -p "$prog"
cat >"$prog/args.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *env(const char *name)
{
	const char *value = getenv(name);

	return value ? value : "(unset)";
}

int main(int argc, char **argv)
{
	char cwd[4096], first[64] = "";
	FILE *modules = fopen("/proc/modules", "r");

	for (int i = 1; i < argc; i++)
		printf("[%s]\n", argv[i]);
	printf("cwd=%s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	printf("probe=%s home=%s lang=%s\n", env("ZXPROC_HARNESS_PROBE"),
	       env("HOME"), env("LANG"));
	printf("zxproc loaded: %s\n", access("/sys/module/zxproc", F_OK) ? "no" : "yes");
	if (!modules || fscanf(modules, "%63s", first) != 1)
		strcpy(first, "?");
	printf("first module: %s\n", first);
	fprintf(stderr, "to stderr\n");
	return 3;
}
EOF
cc -std=c11 -Wall -Wextra -Werror -o "$prog/args" "$prog/args.c"
if readelf -d "$prog/args" | grep -q 'NEEDED.*libc\.so'; then
	ok "the program is dynamically linked"
else
	not_ok "the program is dynamically linked" "$(readelf -d "$prog/args")"
fi
export ZXPROC_HARNESS_PROBE="a 'b' \"c\""
want_out=$(printf '%s\n' '[a b]' "[it's]" '[x"y]' '[]' '[$HOME]' "cwd=$prog" \
	"probe=$ZXPROC_HARNESS_PROBE home=/root lang=C.UTF-8" "zxproc loaded: yes" \
	"first module: zxproc")

for kernel in $kernels; do
	# --- the module is loaded (the issue's "done when"), and the
	# program from /tmp runs ---
	# From its own directory, by a relative path: tests/vm/run must
	# carry the directory and every argument across as they are.
	[ -r "$(module_of "$kernel")" ] || not_ok "$kernel: the module is built" "$(module_of "$kernel") is missing"
	cd "$prog"
	vm --kernel "$kernel" -- ./args "a b" "it's" 'x"y' '' '$HOME'
	cd "$top"
	if [ "$status" = 3 ] && [ "$out" = "$want_out" ] && [ "$err" = "to stderr" ]; then
		ok "$kernel: zxproc is loaded, first in /proc/modules; a program built in /tmp runs unchanged (args, cwd, env, stdout, stderr, status 3)"
	else
		not_ok "$kernel: zxproc is loaded, first in /proc/modules; a program built in /tmp runs unchanged (args, cwd, env, stdout, stderr, status 3)" \
			"status $status; stdout: $out; stderr: $err"
	fi
done

unset ZXPROC_HARNESS_PROBE

# --- timeout ---
vm --kernel "$first" --no-module --timeout 5 -- sleep 100
case $status/$err in
124/*"timeout:"*"did not finish within 5 s"*) ok "$first: a command running past --timeout is exit 124, said so" ;;
*) not_ok "$first: a command running past --timeout is exit 124, said so" "status $status; $err" ;;
esac

# --- a kernel warning and a taint, in one guest without the module ---
vm --kernel "$first" --no-module -- sh -c \
	'grep -c "^zxproc " /proc/modules; echo "WARNING: CPU: 0 PID: 1 at planted by harness_vm_test" >/dev/kmsg; echo 1 >/proc/sys/kernel/tainted'
log=$logdir/last-$first.log
case $status/$err in
125/*'kernel log shows "WARNING:"'*"planted by harness_vm_test"*"full log: $log"*)
	ok "$first: a WARNING in the guest's kernel log is exit 125, named and printed" ;;
*) not_ok "$first: a WARNING in the guest's kernel log is exit 125, named and printed" "status $status; $err" ;;
esac
check "  ... and the saved log holds it" grep -q "planted by harness_vm_test" "$log"
case $err in
*"vm/run: the $first guest kernel is tainted 1, by the end, with flags not allowed (--allow-taint OE): P (proprietary module); full log: $log"*)
	ok "  ... a taint flag other than O and E (P) is named in the same run" ;;
*) not_ok "  ... a taint flag other than O and E (P) is named in the same run" "$err" ;;
esac
check "  ... --no-module loaded nothing" test "$out" = 0

# --- modules that do not load ---
echo "not an ELF file" >"$tmp/garbage.ko"
vm --kernel "$first" --module "$tmp/garbage.ko" -- true
case $status/$err in
125/*"cannot load $tmp/garbage.ko"*) ok "$first: a module that does not load is exit 125, said so" ;;
*) not_ok "$first: a module that does not load is exit 125, said so" "status $status; $err" ;;
esac
vm --kernel "$first" --module "$tmp/none.ko" -- true
case $status/$err in
125/*"module $tmp/none.ko not found"*) ok "a missing module is exit 125 before booting" ;;
*) not_ok "a missing module is exit 125 before booting" "status $status; $err" ;;
esac

# --- --stage-module ---
if [ -r "$(module_of "$first")" ]; then
	# As `make demo` calls it; modinfo -n: the staged file, not one a DKMS
	# install may have left in the host's /lib/modules.
	vm --kernel "$first" --stage-module --no-module -- sh -c \
		'grep -c "^zxproc " /proc/modules; modprobe zxproc && grep -c "^zxproc " /proc/modules; modinfo -n zxproc; exit 7'
	rel=$("$top/tests/vm/kernels" "$first" 2>/dev/null || echo "$first")
	if [ "$status" = 7 ] && [ "$out" = "$(printf '0\n1\n/lib/modules/%s/extra/zxproc.ko' "$rel")" ]; then
		ok "$first: --stage-module: not loaded, then modprobe zxproc loads the staged file; sh -c 'exit 7' is 7"
	else
		not_ok "$first: --stage-module: not loaded, then modprobe zxproc loads the staged file; sh -c 'exit 7' is 7" \
			"status $status; $out; $err"
	fi
else
	skip "$first: --stage-module" "$(module_of "$first") not built"
fi

# --- a boot that hangs before /init ---
# A boot timeout of 1 s ends every boot before the kernel reaches /init:
# the boot-hang flake, retried once, then failed.
flakes=$tmp/flakes
rm -f "$logdir/flake-$first-"*.console
ZXPROC_VM_FLAKE_LOG=$flakes ZXPROC_VM_BOOT_TIMEOUT=1 vm --kernel "$first" -- echo ran
if [ "$status" = 125 ] && [ -z "$out" ] &&
	[ "$(grep -c "boot flake 'boot-hang' before stage 2 (no module loaded, no command run); console: $logdir/flake-$first-1.console; booting once more" <<<"$err")" = 1 ] &&
	grep -qF "vm/run: $first: boot flake 'boot-hang' again before stage 2 (attempt 2); no retries left" <<<"$err"; then
	ok "$first: a boot that hangs before /init is booted once more, then fails (exit 125), said so"
else
	not_ok "$first: a boot that hangs before /init is booted once more, then fails (exit 125), said so" "status $status; $out; $err"
fi
if [ "$(cat "$flakes" 2>/dev/null)" = "$first: boot-hang before stage 2, attempt 1, booted again; console $logdir/flake-$first-1.console
$first: boot-hang before stage 2, attempt 2, no retries left (failed); console $logdir/flake-$first-2.console" ]; then
	ok "  ... both recorded in \$ZXPROC_VM_FLAKE_LOG"
else
	not_ok "  ... both recorded in \$ZXPROC_VM_FLAKE_LOG" "$(cat "$flakes" 2>&1)"
fi
check "  ... with the consoles kept" test -e "$logdir/flake-$first-1.console" -a -e "$logdir/flake-$first-2.console"

# --- usage errors, no guest ---
vm --frobnicate -- true
check "an unknown option is exit 2" test "$status" = 2
vm --allow-taint OEZ -- true
check "an unknown taint letter is exit 2" test "$status" = 2
vm --no-module
check "no command is exit 2" test "$status" = 2
vm --kernel 0.0-nonesuch -- true
case $status/$err in
125/*"unknown kernel '0.0-nonesuch'"*) ok "an unknown kernel is exit 125, said so" ;;
*) not_ok "an unknown kernel is exit 125, said so" "status $status; $err" ;;
esac
check "--help documents the exit statuses" sh -c '"$1" --help | grep -q "^  124 "' sh "$run"

done_testing
