#!/bin/sh
# files.sh - file I/O in a preopened directory (files.c), with openat2 and
# with the component walk, under a guest name and under the host path;
# the host then sees exactly what the guest left.
. tests/wasm/wasi/lib.sh
need files
for mode in openat2 walk; do
	for guest in /sandbox host; do
		rm -rf "$T/box"
		mkdir "$T/box"
		if [ $guest = host ]; then map=$T/box; dir=$T/box; else map=$T/box::$guest; dir=$guest; fi
		if [ $mode = walk ]; then
			CAIRN_WASI_NO_OPENAT2=1 run 0 --dir "$map" "$WASI_OUT/files.wasm" "$dir" </dev/null
		else
			run 0 --dir "$map" "$WASI_OUT/files.wasm" "$dir" </dev/null
		fi
		has "files: all ok"
		[ "$(ls "$T/box")" = keep.txt ] || fail "($mode, $guest) left: $(ls "$T/box")"
		[ "$(cat "$T/box/keep.txt")" = "hello+tail" ] || fail "($mode, $guest) keep.txt: $(cat "$T/box/keep.txt")"
	done
done
# once more with a plain heap memory (explicit bounds checks)
rm -rf "$T/box"
mkdir "$T/box"
CAIRN_WASM_NO_GUARD=1 run 0 --dir "$T/box::/s" "$WASI_OUT/files.wasm" /s </dev/null
has "files: all ok"
echo "files: ok"
