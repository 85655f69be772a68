#!/bin/sh
# bad_args.sh - command-line mistakes: missing kernel file, unknown option, missing option
# argument, unknown machine, bad memory/-smp/-initrd/-dtb/-drive/-netdev/-device/-serial values;
# each is one "cairn:" line and a non-zero exit.
. "$(dirname "$0")/common.inc"
expect_error -kernel "$TMP/does-not-exist.elf"
expect_error --no-such-option -kernel "$GOOD"
expect_error -kernel
expect_error -M no-such-board -kernel "$GOOD"
expect_error -m lots -kernel "$GOOD"
expect_error -kernel "$TMP"
expect_error -m 0 -kernel "$GOOD"
expect_error -m 99999G -kernel "$GOOD"
expect_error -smp 9 -kernel "$GOOD"
expect_error -smp 0 -kernel "$GOOD"
expect_error -kernel "$GOOD" -append
expect_error -kernel "$GOOD" -initrd "$TMP/no-initrd"
expect_error -initrd "$GOOD"
expect_error -kernel "$GOOD" -dtb "$GOOD"
expect_error -kernel "$GOOD" -drive file="$TMP/no-disk.img",format=raw,if=virtio
expect_error -kernel "$GOOD" -drive file="$GOOD",format=qcow2,if=virtio
expect_error -kernel "$GOOD" -drive format=raw,if=virtio
expect_error -kernel "$GOOD" -drive if=none,id=d0,file="$GOOD",format=raw -device virtio-blk-device,drive=d1
expect_error -kernel "$GOOD" -netdev tap,id=n0
expect_error -kernel "$GOOD" -device virtio-net-device,netdev=none
expect_error -kernel "$GOOD" -device e1000
expect_error -kernel "$GOOD" -serial tcp:localhost:4444
expect_error -kernel "$GOOD" -bios "$TMP/no-firmware.bin"
