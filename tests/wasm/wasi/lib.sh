# lib.sh - sourced by the WASI test scripts: the cairn binary, the programs
# make built into $WASI_OUT, a temporary directory and output checks.
CAIRN=${CAIRN:-build/cairn}
WASI_OUT=${WASI_OUT:-build/wasm32}
case $CAIRN in /*) ;; *) CAIRN=$PWD/$CAIRN ;; esac
case $WASI_OUT in /*) ;; *) WASI_OUT=$PWD/$WASI_OUT ;; esac
W=tests/wasm/wasi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
OUT=$T/stdout
ERR=$T/stderr

fail() {
	echo "FAIL: $*"
	[ -f "$OUT" ] && tail -n 20 "$OUT" | sed 's/^/  stdout| /'
	[ -f "$ERR" ] && tail -n 20 "$ERR" | sed 's/^/  stderr| /'
	exit 1
}

# need NAME...: the test programs built by make (no clang-19: skip, exit 77).
need() {
	for n in "$@"; do
		[ -f "$WASI_OUT/$n.wasm" ] && continue
		if ! command -v clang-19 >/dev/null 2>&1; then
			echo "clang-19 is missing (scripts/deps.sh installs it)"
			exit 77
		fi
		fail "$WASI_OUT/$n.wasm is not built ('make test' or 'make wasi-progs' builds it)"
	done
}

# run STATUS ARGS...: cairn run ARGS (stdin as the caller gives it), output
# in $OUT and $ERR; the exit status must be STATUS.
run() {
	want=$1
	shift
	"$CAIRN" run "$@" >"$OUT" 2>"$ERR"
	rc=$?
	! grep -q "Sanitizer\|runtime error:" "$ERR" || fail "cairn run $*: sanitizer report"
	[ "$rc" = "$want" ] || fail "cairn run $* exited $rc, expected $want"
}

has() { grep -qF -- "$1" "$OUT" || fail "stdout lacks '$1'"; }
has_err() { grep -qF -- "$1" "$ERR" || fail "stderr lacks '$1'"; }
lacks() { ! grep -qF -- "$1" "$OUT" || fail "stdout has '$1'"; }
