#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/run-suites from the outside, on fixture suites
# (tests/harness/fixtures, installed as fixture/X_test in a build
# directory of their own) in two real guests at once (--jobs 2), with a
# schedule and an expected-skips list of their own:
# - a listed skip counts as a skip; an unlisted one, 6.1's nameless
#   "ok N # SKIP" included, is a failure, named in its result line and
#   the summary; a SKIP after a failed EXPECT fails; a SKIP in
#   FIXTURE_SETUP skips the body (tests/harness/include);
# - a suite that leaves force_override=never, removes /dev/zxproc or
#   unloads the module fails, named, and the next suite finds the guest
#   restored;
# - a suite that crashes the guest fails, the suite after it fails as not
#   run, the guest fails, and nothing is retried;
# - a guest left tainted P fails (tests/vm/run's taint check);
# - "only" keeps a suite off a kernel, or in one variant's guest; a boot
#   variant runs its suites in one more guest, booted with its arguments
#   and named KERNEL+VARIANT; each guest's output comes whole, in order;
# - a guest has one CPU; a suite a "cpus" line gives two runs in a guest
#   of two of its own, named KERNEL+2cpus, counted for its kernel;
#   under --soak every guest has two;
# - the summary lists the slowest suites, each guest's wall time, each
#   kernel's counts, the unexpected skips and the suites that changed
#   the guest, and the totals are the last line.
# Also: a malformed schedule or expected-skips line is exit 2.
# The first kernel of $ZXPROC_KERNELS (set by tests/run-suites), else
# Debian's first.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

if [ -n "${ZXPROC_VM:-}" ]; then
	skip "tests/run-suites on fixtures" "a host suite, not for a guest"
	done_testing
fi

build=${BUILD:-$top/build}
kernels=${ZXPROC_KERNELS:-$("$top/tests/vm/kernels" | awk '$1 != "debug" { print $1 }')}
kernel=${kernels%%[[:space:]]*}
tmp=$(mktemp -d /tmp/zxproc-harness-suites.XXXXXX)
trap 'rm -rf "$tmp"; _tap_exit' EXIT
# The guest's root reads this directory as the host's root does.
chmod 0755 "$tmp"

fixtures=$top/tests/harness/fixtures
fb=$tmp/build
mkdir -p "$fb/tests/fixture"
# The project's module, for tests/vm/run to load.
ln -s "$build/kernel" "$fb/kernel"
ksft=$("$top/tests/linux-source" dir)/tools/testing/selftests
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$top/tests/harness/include" \
	-isystem "$ksft" -o "$fb/tests/fixture/a_skips_test" "$fixtures/skips.c"
install_fixture() { # FILE NAME
	install -m 0755 "$fixtures/$1" "$fb/tests/fixture/$2"
}
install_fixture never.sh b_never_test
install_fixture rmnode.sh c_rmnode_test
install_fixture rmmod.sh d_rmmod_test
install_fixture restored.sh e_restored_test
install_fixture taint.sh f_taint_test
install_fixture variant.sh v_variant_test
install_fixture crash.sh x_crash_test
install_fixture pass.sh y_pass_test
install_fixture pass.sh z_only_test
# Area cpus/, out of the fixture/* runs: a guest of one CPU and one of two.
mkdir -p "$fb/tests/cpus"
install -m 0755 "$fixtures/cpus.sh" "$fb/tests/cpus/one_test"
install -m 0755 "$fixtures/cpus.sh" "$fb/tests/cpus/two_test"

cat >"$tmp/schedule" <<EOF
only fixture/z_only_test   debug
only fixture/f_*           $kernel+v1
variant v1                 zxproc_fixture_variant=1
boot fixture/[fv]_*        v1
EOF
cat >"$tmp/skips" <<EOF
# A comment, then the fixture's one listed skip.
$kernel | fixture/a_skips_test | global.listed | fixture: l*ed | the fixture's listed skip
EOF

runs() { # OUTPUT-FILE ARGS...: run-suites on the fixtures; sets $status
	local out=$1
	shift
	status=0
	ZXPROC_SCHEDULE=$tmp/schedule ZXPROC_EXPECTED_SKIPS=$tmp/skips BUILD=$fb \
		"$top/tests/run-suites" --guest --kernels "$kernel" --timeout 120 "$@" \
		>"$out" 2>&1 || status=$?
}
has() { # DESC FILE LINE: FILE has LINE (a fixed string, the whole line)
	if grep -qxF -- "$3" "$2"; then
		ok "$1"
	else
		not_ok "$1" "no line '$3' in $(grep -E '^# (suite|guest|unexpected|isolation|expected)' "$2")"
	fi
}
lacks() { # DESC FILE TEXT: no line of FILE contains TEXT
	if grep -qF -- "$3" "$2"; then
		not_ok "$1" "$(grep -F -- "$3" "$2")"
	else
		ok "$1"
	fi
}
result() { # FILE SUITE TAG: its result line, without the seconds
	grep -F "# suite $2 [$3]: " "$1" | head -n 1 | sed -E 's/^# suite [^]]*\]: //; s/\) [0-9]+ s/)/'
}
expect_result() { # DESC FILE SUITE TAG WANT
	local got
	got=$(result "$2" "$3" "$4")
	if [ "$got" = "$5" ]; then
		ok "$1"
	else
		not_ok "$1" "got '$got', want '$5'"
	fi
}

# --- the default guest: misbehaving suites; the variant's: a taint ---
a=$tmp/a.out
runs "$a" --jobs 2 --suites 'fixture/*'
check "a run with failures exits 1" test "$status" = 1
expect_result "skips: listed one is a skip, unlisted ones and a skip after a failure are failures" \
	"$a" fixture/a_skips_test "$kernel" "FAIL (pass:1 fail:3 skip:1), 2 unexpected skip(s), exit status 1"
has "  ... the listed skip is named, with why" "$a" \
	"# expected skip: fixture/a_skips_test [$kernel] global.listed: the fixture's listed skip"
has "  ... an unlisted skip is named, with its message" "$a" \
	"# unexpected skip: fixture/a_skips_test [$kernel] global.not_listed: fixture: not listed"
has "  ... a setup's skip is named by the RUN line" "$a" \
	"# unexpected skip: fixture/a_skips_test [$kernel] setup_skips.body: fixture: skipped in setup"
has "  ... a SKIP after a failed EXPECT is a failure" "$a" "not ok 3 global.skip_after_failure"
lacks "  ... a body whose setup skipped does not run" "$a" "# body ran"
has "  ... and its teardown does" "$a" "# teardown ran"

expect_result "force_override left at never fails the suite" "$a" fixture/b_never_test "$kernel" \
	"FAIL (pass:2 fail:1 skip:0), left the guest changed (force_override=never)"
expect_result "the next suite finds it restored; removing /dev/zxproc fails" "$a" fixture/c_rmnode_test "$kernel" \
	"FAIL (pass:2 fail:1 skip:0), left the guest changed (/dev/zxproc=missing)"
# devtmpfs removes the node in its own thread: it may still be there.
case $(result "$a" fixture/d_rmmod_test "$kernel") in
"FAIL (pass:2 fail:1 skip:0), left the guest changed (/dev/zxproc="*"; module=not loaded; force_override gone; host_force_override gone)")
	ok "the next finds the node restored; unloading the module fails" ;;
*) not_ok "the next finds the node restored; unloading the module fails" "$(result "$a" fixture/d_rmmod_test "$kernel")" ;;
esac
expect_result "the next finds the module loaded again" "$a" fixture/e_restored_test "$kernel" \
	"ok (pass:2 fail:0 skip:0)"

expect_result "the suite that crashes the guest fails" "$a" fixture/x_crash_test "$kernel" \
	"FAIL (pass:0 fail:1 skip:0), the guest failed while it ran (tests/vm/run status 125)"
expect_result "  ... the suite after it fails as not run" "$a" fixture/y_pass_test "$kernel" \
	"FAIL (pass:0 fail:1 skip:0), did not run: the guest failed before it (tests/vm/run status 125)"
if grep -qE "^vm/run: the $kernel guest died before the command finished" "$a" &&
	grep -qE "^# guest $kernel: FAIL \\(pass:0 fail:1 skip:0\\) [0-9]+ s, the guest failed \\(tests/vm/run status 125" "$a"; then
	ok "  ... and the guest fails, said so"
else
	not_ok "  ... and the guest fails, said so" "$(grep -E '^(vm/run|# guest)' "$a")"
fi
has "  ... not retried" "$a" "# boot flakes retried: none"

expect_result "a suite that taints the kernel passes itself" "$a" fixture/f_taint_test "$kernel+v1" \
	"ok (pass:1 fail:0 skip:0)"
if grep -qE "^vm/run: the $kernel\\+v1 guest kernel is tainted [0-9]+, by the end, with flags not allowed \\(--allow-taint OE\\): P \\(proprietary module\\)" "$a" &&
	grep -qE "^# guest $kernel\\+v1: FAIL \\(pass:0 fail:1 skip:0\\) [0-9]+ s, the guest failed \\(tests/vm/run status 125" "$a"; then
	ok "  ... but its guest fails, tainted P, said so"
else
	not_ok "  ... but its guest fails, tainted P, said so" "$(grep -E '^(vm/run|# guest)' "$a")"
fi
lacks "  ... a suite 'only' in the variant's guest is not in the default one" "$a" "# suite fixture/f_taint_test [$kernel]:"
lacks "a suite 'only' on debug is not run on $kernel" "$a" "z_only_test"

expect_result "the default guest runs the variant's suite" "$a" fixture/v_variant_test "$kernel" "ok (pass:1 fail:0 skip:0)"
expect_result "  ... and so does the variant's guest" "$a" fixture/v_variant_test "$kernel+v1" "ok (pass:1 fail:0 skip:0)"
if [ "$(grep -E '^ok 1 booted with' "$a")" = "ok 1 booted without zxproc_fixture_variant=1
ok 1 booted with zxproc_fixture_variant=1" ]; then
	ok "  ... booted with the variant's arguments, printed after the default guest"
else
	not_ok "  ... booted with the variant's arguments, printed after the default guest" "$(grep -E '^ok 1 booted|^# =====' "$a")"
fi
# Each guest's output is whole: nothing of the variant's guest comes
# between the default guest's first and last lines.
first=$(grep -n "^# ===== .* guest $kernel\$" "$a" | cut -d: -f1)
last=$(grep -n "^# guest $kernel: " "$a" | cut -d: -f1)
if [ -n "$first" ] && [ -n "$last" ] &&
	! sed -n "${first},${last}p" "$a" | grep -qF "[$kernel+v1]"; then
	ok "  ... each guest's output whole and in order"
else
	not_ok "  ... each guest's output whole and in order" "lines $first to $last"
fi

has "the summary lists the slowest suites" "$a" "# slowest suites:"
if grep -qE "^# +[0-9]+ s  $kernel \\(8 suites, status 125\\)\$" "$a" &&
	grep -qE "^# +[0-9]+ s  $kernel\\+v1 \\(2 suites, status 125\\)\$" "$a" &&
	grep -qF "# wall time of each part (--jobs 2):" "$a"; then
	ok "  ... and each guest's wall time"
else
	not_ok "  ... and each guest's wall time" "$(sed -n '/^# ===== summary/,$p' "$a")"
fi
has "  ... and the suites that left the guest changed" "$a" \
	"#   fixture/b_never_test [$kernel]: force_override=never"
has "  ... and the unexpected skips" "$a" \
	"#   fixture/a_skips_test [$kernel] global.not_listed: fixture: not listed"
# Passed: a 1, b c d e 2 each, v 1 in each guest, f 1.  Failed: a 3,
# b c d 1 each, x y 1 each, each guest 1.
check "the totals are the last line" test "$(tail -n 1 "$a")" = "12 passed, 10 failed, 1 skipped"
# One kernel here, so its line (default guest and variant's) holds them all.
if grep -qE "^#   $kernel +12 passed, 10 failed, 1 skipped, [0-9]+ s\$" "$a"; then
	ok "  ... and the per-kernel summary has them, for $kernel"
else
	not_ok "  ... and the per-kernel summary has them, for $kernel" "$(sed -n '/^# per kernel/,/^# boot/p' "$a")"
fi

# --- a suite that needs two CPUs: a guest of its own ---
c=$tmp/c.out
cpus_run() { # SCHEDULE RUN-SUITES-ARGS...: the cpus/ fixtures; sets $status
	printf '%b' "$1" >"$tmp/schedule-cpus"
	shift
	status=0
	ZXPROC_SCHEDULE=$tmp/schedule-cpus ZXPROC_EXPECTED_SKIPS=$tmp/skips BUILD=$fb \
		"$top/tests/run-suites" --guest --kernels "$kernel" --timeout 120 \
		--suites 'cpus/*' "$@" >"$c" 2>&1 || status=$?
}
cpus_seen() { # DESC COUNTS: the CPU counts the fixtures printed, in order
	local got
	got=$(sed -nE 's/^ok 1 ([0-9]+) CPUs online$/\1/p' "$c" | paste -sd ' ')
	if [ "$got" = "$2" ]; then ok "$1"; else not_ok "$1" "CPUs: '$got', want '$2'"; fi
}
cpus_run 'cpus cpus/two_test 2\n' --jobs 2
check "cpus lines: the run passes" test "$status" = 0
expect_result "  ... a suite with no cpus line runs in the default guest" "$c" cpus/one_test "$kernel" "ok (pass:1 fail:0 skip:0)"
expect_result "  ... one that needs two, in $kernel+2cpus" "$c" cpus/two_test "$kernel+2cpus" "ok (pass:1 fail:0 skip:0)"
cpus_seen "  ... booted with one CPU and with two" "1 2"
lacks "  ... and neither suite in the other's guest" "$c" "# suite cpus/two_test [$kernel]:"
if grep -qE "^#   $kernel +2 passed, 0 failed, 0 skipped, [0-9]+ s\$" "$c"; then
	ok "  ... both counted for $kernel"
else
	not_ok "  ... both counted for $kernel" "$(sed -n '/^# per kernel/,/^# boot/p' "$c")"
fi
# --soak: every guest has two CPUs at least, so one guest for both.
cpus_run 'cpus cpus/two_test 2\nsoak cpus/*\n' --soak
check "--soak: the run passes" test "$status" = 0
expect_result "  ... both suites in the one guest" "$c" cpus/one_test "$kernel" "ok (pass:1 fail:0 skip:0)"
expect_result "  ... (the second)" "$c" cpus/two_test "$kernel" "ok (pass:1 fail:0 skip:0)"
cpus_seen "  ... booted with two CPUs" "2 2"

# --- bad tables ---
bad_table() { # DESC VARIABLE LINE MESSAGE: run-suites with a table of LINE
	local file=$tmp/bad-table out status=0
	echo "$3" >"$file"
	out=$(env "$2=$file" "$top/tests/run-suites" --guest --suites 'none/*' 2>&1) || status=$?
	case $status/$out in
	2/*"bad-table:1: $4"*) ok "$1" ;;
	*) not_ok "$1" "status $status: $out" ;;
	esac
}
bad_table "a bad schedule line is exit 2, with its line" ZXPROC_SCHEDULE \
	"sometimes fixture/* 6.1" "unknown line 'sometimes'"
bad_table "a cpus line without a number is exit 2" ZXPROC_SCHEDULE \
	"cpus fixture/* two" "'cpus' needs a suite glob and a number of CPUs"
bad_table "an expected skip without a reason is exit 2" ZXPROC_EXPECTED_SKIPS \
	"6.1 | fixture/x_test | global.x | no reason given" "want 'KERNEL | SUITE | TEST | MESSAGE | WHY'"

done_testing
