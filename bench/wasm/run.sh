#!/bin/sh
# run.sh - WebAssembly benchmarks: each bench/wasm program natively (gcc -O2), under node
# (V8), wasm3 and cairn in the same run; best-of-RUNS wall times, each runner as a fraction
# of native speed and cairn's speed over wasm3's; then the startup time of hello.wasm.
# Env: BUILD (build), RUNS (3), STARTUP_RUNS (100), CAIRN ("$BUILD/cairn run"), NODE (node),
# WASM3 (else wasm3 on PATH, else ~/.cache/cairn/peers/wasm3/build/wasm3; see bench/README.md).
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
STARTUP_RUNS=${STARTUP_RUNS:-100}
CAIRN=${CAIRN:-"$BUILD/cairn run"}
NODE=${NODE:-node}
D=$BUILD/bench/wasm
HERE=$(dirname "$0")
TIMEIT=$D/timeit
PEERS=${XDG_CACHE_HOME:-$HOME/.cache}/cairn/peers

[ -x "$TIMEIT" ] || { echo "run.sh: $TIMEIT missing: use 'make bench-wasm'"; exit 1; }
if [ -z "$WASM3" ]; then
	WASM3=$(command -v wasm3 || true)
	[ -n "$WASM3" ] || [ ! -x "$PEERS/wasm3/build/wasm3" ] || WASM3=$PEERS/wasm3/build/wasm3
fi
if [ -z "$WASM3" ] || [ ! -x "$WASM3" ]; then
	echo "wasm3: not found (see bench/README.md)"
	WASM3=""
fi
if ! command -v "$NODE" >/dev/null 2>&1; then
	echo "node: not found"
	NODE=""
fi

out=$(mktemp)
rows=$(mktemp)
failed=$(mktemp)
trap 'rm -f "$out" "$rows" "$failed"' EXIT

# time RUNS WANT CMD... -> best seconds, or "fail" (non-zero exit or a checksum other than WANT)
time_run() {
	n=$1 want=$2
	shift 2
	t=$("$TIMEIT" "$n" "$out" "$@")
	if [ "$t" != fail ] && [ -n "$want" ] && [ "$(grep 'checksum:' "$out")" != "$want" ]; then
		t=fail
	fi
	if [ "$t" = fail ]; then
		echo "    $*: $(tail -n 2 "$out" | tr '\n' ' ' | cut -c 1-160)" >&2
		echo "$*" >>"$failed"
	fi
	echo "$t"
}
sec() { awk -v t="$1" 'BEGIN { if (t == "fail" || t == "-") print t; else printf "%.3f", t }'; }
frac() { awk -v n="$1" -v t="$2" 'BEGIN { if (n == "-" || t == "-" || t == "fail" || n == "fail" || t <= 0) print "-"; else printf "%.3f", n / t }'; }

printf '%-9s %8s %8s %6s %8s %6s %8s %6s %8s\n' program native_s node_s node wasm3_s wasm3 cairn_s cairn cairn/w3
for nat in "$D"/*.native; do # the programs built twice (not other wasm files there)
	name=${nat##*/}; name=${name%.native}
	w=$D/$name.wasm
	[ "$name" = hello ] && continue
	nt=$(time_run "$RUNS" "" "$D/$name.native")
	want=$(grep 'checksum:' "$out")
	[ "$nt" = fail ] && want=""
	vt=-; [ -n "$NODE" ] && vt=$(time_run "$RUNS" "$want" "$NODE" --no-warnings "$HERE/node-wasi.mjs" "$w")
	wt=-; [ -n "$WASM3" ] && wt=$(time_run "$RUNS" "$want" "$WASM3" "$w")
	# shellcheck disable=SC2086
	ct=$(time_run "$RUNS" "$want" $CAIRN "$w")
	printf '%-9s %8s %8s %6s %8s %6s %8s %6s %8s\n' "$name" "$(sec "$nt")" "$(sec "$vt")" "$(frac "$nt" "$vt")" \
		"$(sec "$wt")" "$(frac "$nt" "$wt")" "$(sec "$ct")" "$(frac "$nt" "$ct")" "$(frac "$wt" "$ct")"
	echo "$(frac "$nt" "$vt") $(frac "$nt" "$wt") $(frac "$nt" "$ct") $(frac "$wt" "$ct")" >>"$rows"
done
awk '{ for (i = 1; i <= 4; i++) if ($i != "-") { s[i] += log($i); c[i]++ } }
END { g = "%-9s %8s %8s %6s %8s %6s %8s %6s %8s\n"
	for (i = 1; i <= 4; i++) r[i] = c[i] == NR && NR ? sprintf("%.3f", exp(s[i] / c[i])) : "-"
	printf g, "geomean", "", "", r[1], "", r[2], "", r[3], r[4] }' "$rows"
echo "(best of $RUNS wall times, startup included; node/wasm3/cairn columns = fraction of native speed;"
echo " cairn/w3 = wasm3 time / cairn time, above 1 = cairn faster)"

# Startup: a program that prints one line, best of STARTUP_RUNS.
echo
printf '%-14s %9s\n' "startup" "best_ms"
ms() { awk -v t="$1" 'BEGIN { if (t == "fail") print "fail"; else printf "%.2f", t * 1000 }'; }
hello=$D/hello.wasm
printf '%-14s %9s\n' native "$(ms "$(time_run "$STARTUP_RUNS" "" "$D/hello.native")")"
[ -n "$NODE" ] && printf '%-14s %9s\n' node "$(ms "$(time_run "$STARTUP_RUNS" "" "$NODE" --no-warnings "$HERE/node-wasi.mjs" "$hello")")"
[ -n "$WASM3" ] && printf '%-14s %9s\n' wasm3 "$(ms "$(time_run "$STARTUP_RUNS" "" "$WASM3" "$hello")")"
# shellcheck disable=SC2086
printf '%-14s %9s\n' cairn "$(ms "$(time_run "$STARTUP_RUNS" "" $CAIRN "$hello")")"
[ -s "$failed" ] && { echo "$(wc -l <"$failed") runners failed"; exit 1; }
exit 0
