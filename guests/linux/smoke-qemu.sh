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

for f in "$KERNEL" "$INITRD"; do
    [ -f "$f" ] || { echo "smoke: $f missing: run guests/linux/build.sh first" >&2; exit 2; }
done
command -v expect >/dev/null || { echo "smoke: needs expect (apt-get install expect)" >&2; exit 2; }

# $VM is split on spaces on purpose ("build/cairn vm").
# shellcheck disable=SC2206
export SMOKE_CMD="$VM -M virt -m $MEM -smp $SMP -nographic -bios default -kernel $KERNEL -initrd $INITRD"
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
