# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables set here are the suites' to use
#
# Shared by the zxproc command's guest suites (tests/cli/*_test.sh):
# where the command, its target and the module are, starting a target,
# checking a command's exit status and message, reading the target's
# memory back through /proc/PID/mem, a path that does not go through
# zxproc, and putting /dev/zxproc back.
# Source after tests/lib/tap.sh; needs $top (the source tree).

build=${BUILD:-$top/build}
zxproc=$build/userlib/zxproc
target_bin=$build/tests/cli/cli_target
procmem=$build/tests/cli/procmem
release=$(</proc/sys/kernel/osrelease)
# The module tests/vm/run loaded, or this build's.
ko=${ZXPROC_VM_MODULE:-$build/kernel/$release/zxproc.ko}
work=$(mktemp -d "${ZXPROC_VM_TMPDIR:-${TMPDIR:-/tmp}}/zxproc-cli.XXXXXX")
targets=

# The EXIT trap of every suite: clean up, then tap.sh's own exit handler,
# which needs the suite's exit status in $?.  $1: more cleanup (optional).
# shellcheck disable=SC2317 # called from the EXIT trap
on_exit() {
	local st=$?
	[ $# -eq 0 ] || "$@" || true
	cleanup_common
	(exit "$st")
	_tap_exit
}

cleanup_common() {
	local p
	for p in $targets; do
		kill -9 "$p" 2>/dev/null || true
		# Reaped here, so bash reports no "Killed" job at exit.
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}

# Wait (up to 10 s) for a target's "ready" line in LOG; fails without one.
wait_ready() { # LOG
	for _ in $(seq 100); do
		grep -q '^ready$' "$1" && return 0
		sleep 0.1
	done
	grep -q '^ready$' "$1"
}

# Start a target (cli_target) and wait for its "ready" line.  Sets
# $tpid and $tlog, and one variable per address it prints: $t_value,
# $t_buf, $t_edge, $t_guard, $t_roshared, $t_spare, $t_big.
start_target() { # [BIG-MIB]
	local dir key addr
	dir=$(mktemp -d "$work/t.XXXXXX")
	tlog=$dir/log
	tdir=$dir
	"$target_bin" "$dir" "$@" >"$tlog" 2>&1 &
	tpid=$!
	targets="$targets $tpid"
	wait_ready "$tlog" || { diag "target did not start: $(cat "$tlog")"; return 1; }
	t_big=
	while read -r key addr; do
		case $key in
		value) t_value=$addr ;;
		buf) t_buf=$addr ;;
		edge) t_edge=$addr ;;
		guard) t_guard=$addr ;;
		roshared) t_roshared=$addr ;;
		spare) t_spare=$addr ;;
		big) t_big=$addr ;;
		sparse) t_sparse=$addr ;;
		ready) break ;;
		esac
	done <"$tlog"
}

stop_target() {
	kill -9 "$tpid" 2>/dev/null || true
	wait "$tpid" 2>/dev/null || true
}

# LEN bytes of PID's memory at ADDR, as lowercase hex without spaces
# (tests/cli/procmem.c: one program, as each costs much under TCG).
mem() { # PID ADDR LEN
	"$procmem" "$1" "$(($2))" "$(($3))"
}

# Hex of N bytes with the same value: fill 5a 3 -> 5a5a5a (no program).
fill() { # BYTE N
	local s
	printf -v s '%*s' "$2" ''
	printf '%s' "${s// /$1}"
}

# The lowest address PATH-or-NAME is mapped at in PID (awk over maps).
map_base() { # PID NAME-SUFFIX
	awk -v n="$2" '{ name = $6; sub(/.*\//, "", name) }
		$6 == n || name == n { split($1, r, "-"); print "0x" r[1]; exit }' "/proc/$1/maps"
}

hex() { printf '0x%x' "$(($1))"; }

# TEXT with the characters special to extended regexes escaped, for
# patterns holding paths or kernel releases ("6.12.117+deb12-amd64").
re() { printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'; }

# Run CMD; the test passes when it exits with STATUS and its stderr
# matches the extended regex PATTERN ("" for any).  Leaves $out, $err.
expect() { # DESC STATUS PATTERN CMD...
	local desc=$1 want=$2 pattern=$3 status=0
	shift 3
	"$@" >"$work/out" 2>"$work/err" || status=$?
	# $(<FILE) and [[ =~ ]]: no extra processes (slow under emulation).
	out=$(<"$work/out")
	err=$(<"$work/err")
	if [ "$status" -ne "$want" ]; then
		not_ok "$desc" "exit status $status, expected $want: $* -> ${err:-(no stderr)}"
	elif [ -n "$pattern" ] && ! [[ $err =~ $pattern ]]; then
		not_ok "$desc" "stderr does not match /$pattern/: ${err:-(empty)}"
	else
		ok "$desc"
	fi
}

# Passes when A equals B.
same() { # DESC GOT WANT
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "got '$2', expected '$3'"
	fi
}

# A field of `zxproc status --json`, through python3's JSON parser.
json_field() { # JSON-TEXT PYTHON-EXPRESSION-OF-d
	printf '%s' "$1" | python3 -c "import json, sys; d = json.load(sys.stdin); print($2)"
}

# Put /dev/zxproc back when the module is loaded but the node is gone.
# shellcheck disable=SC2317 # also called from the suites' EXIT traps
restore_node() {
	[ -e /dev/zxproc ] || [ ! -r /sys/class/misc/zxproc/dev ] && return 0
	# Reload rather than mknod: a node made by mknod is not devtmpfs's,
	# so it would outlive the next rmmod and leave a stale /dev/zxproc
	# to the suites that run after this one in the same guest.
	if rmmod zxproc 2>/dev/null; then
		insmod "$ko"
	fi
	[ -e /dev/zxproc ] || [ ! -r /sys/class/misc/zxproc/dev ] ||
		mknod -m 0600 /dev/zxproc c "$(cut -d: -f1 /sys/class/misc/zxproc/dev)" \
			"$(cut -d: -f2 /sys/class/misc/zxproc/dev)"
}
