#!/bin/sh
# npm-deps.sh - installs the npm toolchains cairn's tests use (scripts/npm/:
# the AssemblyScript compiler and its WASI shim, versions pinned by
# package-lock.json) with `npm ci` into ${XDG_CACHE_HOME:-~/.cache}/cairn/npm,
# never into the repository.  Does nothing when that lock is installed
# already; prints the directory.  Fails (never skips) without npm or registry.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${CAIRN_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/npm}
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9 # one install at a time per cache
if [ -f "$dir/.installed" ] && cmp -s "$here/npm/package-lock.json" "$dir/.installed"; then
	echo "$dir"
	exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "npm-deps: npm is missing (the machine's Node.js 20 brings it)" >&2; exit 1; }
rm -f "$dir/.installed"
cp "$here/npm/package.json" "$here/npm/package-lock.json" "$dir/"
echo "npm-deps: installing into $dir" >&2
(cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2) ||
	{ echo "npm-deps: npm ci failed (is the npm registry reachable?)" >&2; exit 1; }
cp "$here/npm/package-lock.json" "$dir/.installed"
echo "$dir"
