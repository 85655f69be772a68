#!/bin/bash
# guests/linux/smoke-qemu.sh - boots the Linux guest (Image + initramfs from build.sh) on the virt
# board, waits for the shell prompt, types a command, checks its output and that the VM powers off.
# (The console's lines end in \r\r\n: the guest's tty and the host pty each add a \r.)
# VM selects the emulator (default qemu-system-riscv64, the reference; later: VM="build/cairn vm").
set -euo pipefail

CACHE=${CAIRN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn}/guests/linux
VM=${VM:-qemu-system-riscv64}
SMP=${SMP:-4}
MEM=${MEM:-256M}
KERNEL=${KERNEL:-$CACHE/Image}
INITRD=${INITRD:-$CACHE/initramfs.cpio.gz}
APPEND=${APPEND:-console=ttyS0}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}     # seconds from start to the shell prompt
CMD_TIMEOUT=${CMD_TIMEOUT:-30}        # seconds for the command and the power-off
LOG=${LOG:-$CACHE/smoke-$(basename "${VM%% *}").log}
DEVICES=${DEVICES:-0}                 # 1: also attach virtio blk/net/rng and exercise them

for f in "$KERNEL" "$INITRD"; do
    [ -f "$f" ] || { echo "smoke: $f missing: run guests/linux/build.sh first" >&2; exit 2; }
done
# Debian packages: expect drives the console; QEMU (with its OpenSBI for -bios default) only
# when it is the emulator under test.
need="expect"
case $VM in qemu-system-riscv64*) need="$need qemu-system-misc qemu-system-data" ;; esac
missing=""
for p in $need; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    echo "smoke: installing$missing"
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        -o DPkg::Lock::Timeout=600 $missing >/dev/null
fi

# $VM is split on spaces on purpose ("build/cairn vm").
# shellcheck disable=SC2206
export SMOKE_CMD="$VM -M virt -m $MEM -smp $SMP -nographic -bios default -kernel $KERNEL -initrd $INITRD"
if [ "$DEVICES" = 1 ]; then
    # A blank 32 MiB disk, user-mode networking (its built-in DHCP server answers on the
    # emulator's side; nothing leaves the host) and an RNG, all on virtio-mmio.
    DISK=$(mktemp /tmp/cairn-smoke-disk.XXXXXX)
    trap 'rm -f "$DISK"' EXIT
    truncate -s 32M "$DISK"
    SMOKE_CMD="$SMOKE_CMD -drive file=$DISK,if=none,format=raw,id=d0 -device virtio-blk-device,drive=d0"
    SMOKE_CMD="$SMOKE_CMD -netdev user,id=n0 -device virtio-net-device,netdev=n0 -device virtio-rng-device"
fi
export SMOKE_DEVICES=$DEVICES
export SMOKE_APPEND=$APPEND SMOKE_SMP=$SMP SMOKE_BOOT_TIMEOUT=$BOOT_TIMEOUT \
       SMOKE_CMD_TIMEOUT=$CMD_TIMEOUT SMOKE_LOG=$LOG
echo "smoke: $SMOKE_CMD -append \"$APPEND\" (console log: $LOG)"

expect -f - <<'EXP'
log_user 0
log_file -a -noappend $env(SMOKE_LOG)
set smp $env(SMOKE_SMP)
proc fail {msg} { puts "smoke: FAIL: $msg"; catch {exec kill -9 [exp_pid]}; exit 1 }
set t0 [clock milliseconds]
eval spawn -noecho [split $env(SMOKE_CMD)] -append [list $env(SMOKE_APPEND)]

set timeout $env(SMOKE_BOOT_TIMEOUT)
expect {
    -re {Linux version ([^ ]+)} { set t_kernel [clock milliseconds]; exp_continue }
    -re {(cairn-linux: [^\r\n]*)\r*\n} { set banner $expect_out(1,string); exp_continue }
    -re {Kernel panic[^\r\n]*} { fail "$expect_out(0,string)" }
    "cairn:~# " { }
    timeout { fail "no shell prompt within $env(SMOKE_BOOT_TIMEOUT)s" }
    eof { fail "VM exited before the shell prompt" }
}
set t_prompt [clock milliseconds]
if {![info exists banner]} { fail "no cairn-linux banner before the prompt" }
puts "smoke: $banner"
if {[info exists t_kernel]} {
    puts [format "smoke: first kernel output after %.2fs" [expr {($t_kernel - $t0) / 1000.0}]]
}
puts [format "smoke: shell prompt after %.2fs" [expr {($t_prompt - $t0) / 1000.0}]]

set timeout $env(SMOKE_CMD_TIMEOUT)
if {$env(SMOKE_DEVICES) == 1} {
    # virtio IDs: 1 net, 2 block, 4 entropy
    send "cat /sys/bus/virtio/devices/*/device | sort | tr '\\n' ' '; echo; udhcpc -i eth0 -n -q -t 5; mke2fs -q /dev/vda && mount -t ext4 /dev/vda /mnt && echo disk-\$((3*5)) > /mnt/f && umount /mnt && mount /dev/vda /mnt && cat /mnt/f; umount /mnt\r"
    expect {
        -re {\n0x0001 0x0002 0x0004 \r*\n} { }
        timeout { fail "virtio devices net, block and rng not all found under /sys/bus/virtio" }
        eof { fail "VM exited during the device test" }
    }
    expect {
        -re {udhcpc: eth0 ([0-9.]+/[0-9]+)} { puts "smoke: DHCP gave eth0 $expect_out(1,string)" }
        timeout { fail "udhcpc did not configure eth0" }
        eof { fail "VM exited during the device test" }
    }
    expect {
        -re {\ndisk-15\r*\n} { puts "smoke: mke2fs + mount of /dev/vda: file written and read back" }
        timeout { fail "the ext2 file system on /dev/vda did not work" }
        eof { fail "VM exited during the device test" }
    }
    expect {
        "cairn:~# " { }
        timeout { fail "no prompt after the device test" }
        eof { fail "VM exited during the device test" }
    }
}
send "echo hello-\$((6*7)); nproc; poweroff -f\r"
expect {
    -re {\nhello-42\r*\n} { }
    timeout { fail "no hello-42 from the shell" }
    eof { fail "VM exited before hello-42" }
}
expect {
    -re "^$smp\r*\n" { }
    -re {^([0-9]+)\r*\n} { fail "nproc says $expect_out(1,string), expected $smp" }
    timeout { fail "no nproc output" }
    eof { fail "VM exited before nproc output" }
}
expect {
    eof { }
    timeout { fail "VM did not exit after poweroff -f" }
}
set status [wait]
set t_end [clock milliseconds]
if {[lindex $status 2] != 0 || [lindex $status 3] != 0} { fail "VM exit status [lrange $status 2 3]" }
puts [format "smoke: hello-42 and nproc=%s seen; VM powered off with status 0 after %.2fs" $smp [expr {($t_end - $t0) / 1000.0}]]
puts "1 passed, 0 failed"
EXP
