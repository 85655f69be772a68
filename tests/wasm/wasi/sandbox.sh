#!/bin/sh
# sandbox.sh - no path leaves a preopen: `..`, absolute paths, symlinks to
# the outside (absolute and relative targets, as last or inner component),
# no preopen at all, and a directory swapped for a link while the guest
# opens through it.  Both lookups: openat2 and the component walk.
. tests/wasm/wasi/lib.sh
need sandbox

setup() {
	rm -rf "$T/s"
	mkdir -p "$T/s/box/sub"
	echo secret >"$T/s/secret.txt"
	echo inside >"$T/s/box/inner.txt"
	ln -s ../inner.txt "$T/s/box/sub/up"
	ln -s "$T/s/secret.txt" "$T/s/box/abs_link"
	ln -s ../secret.txt "$T/s/box/rel_link"
	ln -s .. "$T/s/box/dir_link"
	ln -s loop2 "$T/s/box/loop1"
	ln -s loop1 "$T/s/box/loop2"
}

for env in "" CAIRN_WASI_NO_OPENAT2=1; do
	setup
	env $env "$CAIRN" run --dir "$T/s/box::/box" "$WASI_OUT/sandbox.wasm" box >"$OUT" 2>"$ERR" </dev/null ||
		fail "sandbox box ($env) exited $?"
	has "ok sandbox holds"
	[ "$(cat "$T/s/secret.txt")" = secret ] || fail "secret.txt was changed"
	[ ! -e "$T/s/stolen.txt" ] && [ ! -e "$T/s/evil" ] && [ ! -e "$T/stolen.txt" ] || fail "something was made outside"
	[ ! -L "$T/s/box/rel_link" ] && [ -L "$T/s/box/mylink" ] && [ -f "$T/s/box/inner.txt" ] || fail "box contents wrong"
done

# no preopen: nothing is reachable, from any working directory
(cd "$T/s" && "$CAIRN" run "$WASI_OUT/sandbox.wasm" none) >"$OUT" 2>"$ERR" </dev/null || fail "none exited $?"
has "ok nothing reachable without a preopen"

# a race: swap (a real directory) becomes a link out and back, again and
# again, while the guest opens swap/file.txt 5000 times
rm -rf "$T/r"
mkdir -p "$T/r/box/swap" "$T/r/out"
echo inside >"$T/r/box/swap/file.txt"
echo outside >"$T/r/out/file.txt"
touch "$T/r/running"
(
	i=0
	while [ -f "$T/r/running" ] && [ $i -lt 20000 ]; do
		mv -T "$T/r/box/swap" "$T/r/box/real"
		ln -s "$T/r/out" "$T/r/box/swap"
		rm "$T/r/box/swap"
		ln -s ../out "$T/r/box/swap"
		rm "$T/r/box/swap"
		mv -T "$T/r/box/real" "$T/r/box/swap"
		i=$((i + 1))
	done
) &
swapper=$!
for env in "" CAIRN_WASI_NO_OPENAT2=1; do
	env $env "$CAIRN" run --dir "$T/r/box::/box" "$WASI_OUT/sandbox.wasm" race 5000 >"$OUT" 2>"$ERR" </dev/null ||
		{ rm -f "$T/r/running"; wait $swapper; fail "race ($env) exited $?"; }
	has "none outside"
done
rm -f "$T/r/running"
wait $swapper
echo "sandbox: ok"
