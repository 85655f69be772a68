#!/bin/sh
# linux_virtio.sh - the Linux guest with every virtio device: reads a file
# from an ext4 disk made here and writes one back (checked on the host with
# debugfs), has its DHCP address from slirp at boot, pings 10.0.2.2 with
# fragmented datagrams, opens a TCP connection to a port on the host and
# accepts one through hostfwd, reads the RNG; `poweroff` ends cairn with 0.
. "$(dirname "$0")/lib.sh"
CAIRN=${CAIRN:-build/cairn}
G=${LINUX_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/guests/linux}
bash guests/linux/build.sh >"$T/build.log" 2>&1 || { tail -20 "$T/build.log"; fail "guests/linux/build.sh failed"; }
mkdir "$T/root"
echo "hello-from-host" >"$T/root/in.txt"
truncate -s 32M "$T/disk.img"
mkfs.ext4 -q -F -d "$T/root" "$T/disk.img" || fail "mkfs.ext4"
PORT=$((20000 + $$ % 20000))
FWD=$((PORT + 1))
nc -l 127.0.0.1 $PORT >"$T/tcp.txt" &
NC=$!
KILL=$NC
start "$CAIRN" vm -M virt -m 256M -smp 2 -nographic -bios default \
	-kernel "$G/Image" -initrd "$G/initramfs.cpio.gz" -append "console=ttyS0" \
	-drive file="$T/disk.img",format=raw,if=virtio \
	-netdev user,id=n0,hostfwd=tcp:127.0.0.1:$FWD-:2323 -device virtio-net-device,netdev=n0 \
	-device virtio-rng-device
wait_for "cairn:~# " 300
send "echo ids: \$(cat /sys/bus/virtio/devices/*/device)"
wait_for "ids: 0x0002 0x0001 0x0004" 10
send "mount /dev/vda /mnt && cat /mnt/in.txt && echo guest-wrote >/mnt/out.txt && umount /mnt && echo blk-done"
wait_for "hello-from-host" 30
wait_for "blk-done" 30
# /init brought eth0 up with DHCP before the prompt (its banner says so), default route too.
grep -aqF "cairn-linux: eth0 10.0.2.15/24" "$OUT" || fail "no 'cairn-linux: eth0 10.0.2.15/24' at boot"
send "echo addr: \$(ip -4 -o addr show eth0 | awk '{ print \$4 }') via \$(ip route show default | awk '{ print \$3 }')"
wait_for "addr: 10.0.2.15/24 via 10.0.2.2" 10
# A 3000-byte ping leaves in IPv4 fragments: cairn reassembles them for slirp (net_filter.c).
send "ping -c 1 -s 3000 10.0.2.2 >/dev/null && echo big-ping-ok"
wait_for "big-ping-ok" 30
send "echo tcp-through-slirp | nc 10.0.2.2 $PORT; echo nc-done"
wait_for "nc-done" 30
# hostfwd: a host connection to 127.0.0.1:FWD reaches the guest's port 2323.
# "listening" only once the socket listens (/proc/net/tcp: port 0x0913 in state 0A), so a
# slow guest (sanitizers, a loaded host) cannot miss the connection.
send "nc -l -p 2323 >/tmp/fwd.txt & until grep -q ':0913 00000000:0000 0A' /proc/net/tcp; do sleep 0.1; done; echo listen''ing"
wait_for "listening" 10
sleep 1
echo "host-through-hostfwd" | nc -N 127.0.0.1 $FWD 2>/dev/null || echo "host-through-hostfwd" | nc -q 1 127.0.0.1 $FWD
send "sleep 1; echo fwd: \$(cat /tmp/fwd.txt)"
wait_for "fwd: host-through-hostfwd" 20
send "echo rng: \$(cat /sys/class/misc/hw_random/rng_current) \$(od -An -N16 -tx1 /dev/hwrng | tr -d ' ' | wc -c)"
wait_for "rng: virtio_rng" 30
send "poweroff"
finish 60
kill $NC 2>/dev/null
grep -q "tcp-through-slirp" "$T/tcp.txt" || fail "the host's listener got '$(cat "$T/tcp.txt")'"
[ "$(debugfs -R 'cat /out.txt' "$T/disk.img" 2>/dev/null)" = "guest-wrote" ] || fail "out.txt not on the disk image"
echo "ok: virtio-blk (ext4 read+write), virtio-net (DHCP at boot, fragmented ping, TCP to the host, hostfwd into the guest), virtio-rng, poweroff"
