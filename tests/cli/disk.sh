#!/bin/sh
# disk.sh - what -drive refuses up front (directories, FIFOs, qcow2 and other
# formats), QEMU's probing warning for raw, and image locks that QEMU 7.2
# honours too: cairn against cairn and against qemu-system-riscv64 in both
# directions, readers sharing, locking=off overriding.
. "$(dirname "$0")/common.inc"
BLKW=${BUILD:-build}/tests/guests/blkw.elf
IDLE=${BUILD:-build}/tests/guests/idle.elf
[ -f "$BLKW" ] && [ -f "$IDLE" ] || { echo "no helper guests (make test-riscv)"; exit 1; }
grep_err() { # PATTERN ARGS...: one cairn: line containing PATTERN
	pat=$1; shift
	expect_error "$@" >/dev/null || exit 1
	grep -qF -- "$pat" "$TMP/err" || { echo "want '$pat', got: $(cat "$TMP/err")"; exit 1; }
	echo "ok: $(cat "$TMP/err")"
}

mkdir "$TMP/dir"
mkfifo "$TMP/fifo"
grep_err "is a directory" -kernel "$GOOD" -drive file="$TMP/dir",format=raw,if=virtio
grep_err "is a directory" -kernel "$GOOD" -drive file="$TMP/dir",format=raw,if=virtio,readonly=on
grep_err "is a directory" -kernel "$GOOD" -drive file="$TMP/dir",format=raw,if=virtio,snapshot=on
grep_err "is a FIFO" -kernel "$GOOD" -drive file="$TMP/fifo",format=raw,if=virtio
grep_err "is a FIFO" -kernel "$GOOD" -drive file="$TMP/fifo",format=raw,if=virtio,readonly=on
grep_err "is a character device" -kernel "$GOOD" -drive file=/dev/null,format=raw,if=virtio

# qcow2: made by qemu-img when it is there, else its header by hand (the magic and version 3).
if command -v qemu-img >/dev/null; then
	qemu-img create -q -f qcow2 "$TMP/q.qcow2" 1M
else
	printf 'QFI\373\000\000\000\003' >"$TMP/q.qcow2"; truncate -s 1M "$TMP/q.qcow2"
fi
grep_err "the image is in qcow2 format, which cairn cannot serve yet" -kernel "$GOOD" -drive file="$TMP/q.qcow2",if=virtio
grep_err "cairn cannot serve qcow2 images yet" -kernel "$GOOD" -drive file="$TMP/q.qcow2",format=qcow2,if=virtio

# Probed raw: QEMU's warning, and the guest runs.
truncate -s 64K "$TMP/p.img"
timeout 20 "$CAIRN" vm -M virt -bios none -nographic -kernel "$BLKW" -drive file="$TMP/p.img",if=virtio \
	</dev/null >"$TMP/out" 2>"$TMP/err" || { echo "probed raw: exit $?"; cat "$TMP/err"; exit 1; }
grep -q "Image format was not specified for '$TMP/p.img' and probing guessed raw" "$TMP/err" &&
	grep -q "write status 0" "$TMP/out" || { echo "probed raw:"; cat "$TMP/out" "$TMP/err"; exit 1; }
echo "ok: probed raw with QEMU's warning"

# A size that is not whole sectors: said up front.
truncate -s 1000 "$TMP/odd.img"
timeout 20 "$CAIRN" vm -M virt -bios none -nographic -kernel "$BLKW" -drive file="$TMP/odd.img",format=raw,if=virtio \
	</dev/null >"$TMP/out" 2>"$TMP/err" && grep -q "size 1000 is not a multiple of 512" "$TMP/err" ||
	{ echo "odd size:"; cat "$TMP/out" "$TMP/err"; exit 1; }
echo "ok: $(cat "$TMP/err")"

# ---- Locks ----
HOLDER=""
trap '[ -n "$HOLDER" ] && kill $HOLDER 2>/dev/null; rm -rf "$TMP"' EXIT
IMG=$TMP/lock.img
truncate -s 64K "$IMG"
# hold RANGES CMD...: start a process that keeps IMG open and wait until /proc/locks shows
# each of its lock RANGES on IMG ("100 101" and "201 201" for a writer): QEMU takes its
# locks in steps while it opens the image, so any lock at all is too early.
hold() {
	ranges=$1; shift
	"$@" </dev/null >"$TMP/holder.out" 2>&1 &
	HOLDER=$!
	ino=$(stat -c %i "$IMG")
	n=0
	for r in $ranges; do
		until grep -q ":$ino $(echo "$r" | tr _ ' ')\$" /proc/locks; do
			n=$((n + 1))
			[ $n -lt 200 ] && kill -0 $HOLDER 2>/dev/null ||
				{ echo "holder never took lock $r: $(cat "$TMP/holder.out")"; grep ":$ino " /proc/locks; exit 1; }
			sleep 0.1
		done
	done
}
WRITER="100_101 201_201"
READER="100_100 201_201"
release() { kill $HOLDER; wait $HOLDER 2>/dev/null; HOLDER=""; }
cairn_holds() { hold "$([ -n "$1" ] && echo "$READER" || echo "$WRITER")" "$CAIRN" vm -M virt -bios none -nographic -kernel "$IDLE" -drive file="$IMG",format=raw,if=virtio"$1"; }
guest() { # OPTS: blkw on IMG with -drive options OPTS; its exit status
	timeout 20 "$CAIRN" vm -M virt -bios none -nographic -kernel "$BLKW" -drive file="$IMG",format=raw,if=virtio"$1" \
		</dev/null >"$TMP/out" 2>"$TMP/err"
}
refused() { # WHAT PATTERN OPTS
	if guest "$3"; then echo "$1: not refused"; cat "$TMP/out"; exit 1; fi
	grep -qF "$2" "$TMP/err" && grep -qF "Is another process using the image [$IMG]?" "$TMP/err" ||
		{ echo "$1: $(cat "$TMP/err")"; exit 1; }
	echo "ok: $1 refused: $(cat "$TMP/err")"
}
allowed() { # WHAT OPTS
	guest "$2" || { echo "$1: refused: $(cat "$TMP/err")"; exit 1; }
	echo "ok: $1 allowed"
}

cairn_holds ""
refused "cairn writer beside a cairn writer" 'Failed to get "write" lock' ""
refused "cairn reader beside a cairn writer" 'Failed to get shared "write" lock' ",readonly=on"
allowed "locking=off beside a cairn writer" ",file.locking=off"
allowed "snapshot=on,locking=off beside a cairn writer" ",snapshot=on,locking=off"
release
cairn_holds ",readonly=on"
allowed "cairn reader beside a cairn reader" ",readonly=on"
refused "cairn writer beside a cairn reader" 'Failed to get "write" lock' ""
release

if command -v qemu-system-riscv64 >/dev/null; then
	QEMU="qemu-system-riscv64 -M virt -bios none -nographic -monitor none -serial none -display none -kernel"
	# shellcheck disable=SC2086
	hold "$WRITER" $QEMU "$IDLE" -drive file="$IMG",format=raw,if=virtio
	refused "cairn writer beside a QEMU writer" 'Failed to get "write" lock' ""
	refused "cairn reader beside a QEMU writer" 'Failed to get shared "write" lock' ",readonly=on"
	allowed "cairn locking=off beside a QEMU writer" ",locking=off"
	release
	# shellcheck disable=SC2086
	hold "$READER" $QEMU "$IDLE" -drive file="$IMG",format=raw,if=virtio,readonly=on
	allowed "cairn reader beside a QEMU reader" ",readonly=on"
	refused "cairn writer beside a QEMU reader" 'Failed to get "write" lock' ""
	release
	for mode in "" ",readonly=on"; do
		cairn_holds "$mode"
		for q in "" ",readonly=on"; do
			# shellcheck disable=SC2086
			timeout 3 $QEMU "$IDLE" -drive file="$IMG",format=raw,if=virtio$q >"$TMP/q.out" 2>&1
			rc=$?
			if [ -n "$mode$q" ] && [ "$mode" = "$q" ]; then
				[ $rc = 124 ] || { echo "QEMU reader beside a cairn reader: exit $rc: $(cat "$TMP/q.out")"; exit 1; }
				echo "ok: QEMU reader beside a cairn reader allowed"
			else
				grep -q 'Failed to get .*"write" lock' "$TMP/q.out" ||
					{ echo "QEMU '$q' beside cairn '$mode': exit $rc: $(cat "$TMP/q.out")"; exit 1; }
				echo "ok: QEMU '$q' beside cairn '$mode' refused: $(head -n 1 "$TMP/q.out")"
			fi
		done
		release
	done
else
	echo "no qemu-system-riscv64: cairn against QEMU not checked"
fi
