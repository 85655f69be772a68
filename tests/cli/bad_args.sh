#!/bin/sh
# bad_args.sh - command-line mistakes: missing kernel file, unknown option, missing option
# argument, unknown machine, bad memory size; each is one "cairn:" line and a non-zero exit.
. "$(dirname "$0")/common.inc"
expect_error -kernel "$TMP/does-not-exist.elf"
expect_error --no-such-option -kernel "$GOOD"
expect_error -kernel
expect_error -M no-such-board -kernel "$GOOD"
expect_error -m lots -kernel "$GOOD"
expect_error -kernel "$TMP"
