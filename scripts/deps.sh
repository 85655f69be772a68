#!/bin/sh
# Installs the Debian packages cairn's build, tests and benchmarks need.
# Idempotent: does nothing when every package is already installed.
set -eu
PKGS="make gcc clang lld llvm libclang-rt-14-dev
gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf binutils-riscv64-unknown-elf
qemu-system-misc qemu-utils device-tree-compiler libfdt-dev libslirp-dev opensbi u-boot-qemu
e2fsprogs netcat-openbsd git ca-certificates pkgconf
clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 libc++-19-dev-wasm32 libc++abi-19-dev-wasm32
nodejs python3 libjansson-dev libfyaml-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
