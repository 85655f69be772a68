#!/bin/sh
# install.sh BUILD PREFIX [DESTDIR] - installs cairn for embedders and users:
# bin/cairn, include/cairn/{wasm,cairn}.h, lib/libcairn.{a,so.0,so}, lib/pkgconfig/cairn.pc
# (generated from scripts/cairn.pc.in with PREFIX).  Behind `make install`.  The headers go
# in their own directory: other engines (wabt, wasmtime) install a wasm.h too.
set -eu
BUILD=$1
PREFIX=$2
DESTDIR=${3:-}
case $PREFIX in /*) ;; *) echo "install.sh: PREFIX must be absolute: $PREFIX" >&2; exit 1 ;; esac
D=$DESTDIR$PREFIX
VERSION=$(sed -n 's/^#define CAIRN_VERSION "\(.*\)"/\1/p' include/cairn.h)
install -d "$D/bin" "$D/include/cairn" "$D/lib/pkgconfig"
install -m 755 "$BUILD/cairn" "$D/bin/cairn"
install -m 644 include/wasm.h include/cairn.h "$D/include/cairn/"
install -m 644 "$BUILD/libcairn.a" "$D/lib/libcairn.a"
install -m 755 "$BUILD/libcairn.so.0" "$D/lib/libcairn.so.0"
ln -sf libcairn.so.0 "$D/lib/libcairn.so"
sed -e "s|@PREFIX@|$PREFIX|" -e "s|@VERSION@|$VERSION|" scripts/cairn.pc.in >"$D/lib/pkgconfig/cairn.pc"
echo "installed cairn $VERSION into $D"
