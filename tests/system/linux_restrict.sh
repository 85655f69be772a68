#!/bin/sh
# linux_restrict.sh - -netdev user,restrict=on with the Linux guest: a
# listener on the host's 127.0.0.1 that linux_virtio.sh shows an ordinary
# guest reaching (via 10.0.2.2) gets nothing from a restricted one, while the
# restricted guest still reaches its guestfwd (a command on the host) and
# hostfwd still brings a host connection in.
. "$(dirname "$0")/lib.sh"
CAIRN=${CAIRN:-build/cairn}
G=${LINUX_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/guests/linux}
bash guests/linux/build.sh >"$T/build.log" 2>&1 || { tail -20 "$T/build.log"; fail "guests/linux/build.sh failed"; }
PORT=$((20000 + $$ % 20000))
FWD=$((PORT + 1))
nc -l 127.0.0.1 $PORT >"$T/leak.txt" &
NC=$!
KILL=$NC
start "$CAIRN" vm -M virt -m 256M -nographic -bios default \
	-kernel "$G/Image" -initrd "$G/initramfs.cpio.gz" -append "console=ttyS0" \
	-netdev user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$FWD-:2323,guestfwd=tcp:10.0.2.100:1234-cmd:"echo guestfwd-answer" \
	-device virtio-net-device,netdev=n0
wait_for "cairn:~# " 300
send "ip link set eth0 up; udhcpc -i eth0 -n -q -t 5 >/dev/null 2>&1; echo addr: \$(ip -4 -o addr show eth0 | awk '{ print \$4 }')"
wait_for "addr: 10.0.2.15/24" 60
send "echo leaked | nc -w 3 10.0.2.2 $PORT; echo nc-exit-\$?"
wait_for "nc-exit-" 30
send "echo got: \$(nc -w 3 10.0.2.100 1234 </dev/null)"
wait_for "got: guestfwd-answer" 30
send "nc -l -p 2323 >/tmp/fwd.txt & echo listening"
wait_for "listening" 10
sleep 1
echo "host-through-hostfwd" | nc -N 127.0.0.1 $FWD 2>/dev/null || echo "host-through-hostfwd" | nc -q 1 127.0.0.1 $FWD
send "sleep 1; echo fwd: \$(cat /tmp/fwd.txt)"
wait_for "fwd: host-through-hostfwd" 20
send "poweroff -f"
finish 60
kill $NC 2>/dev/null
[ -s "$T/leak.txt" ] && fail "the host's loopback listener got '$(cat "$T/leak.txt")' from a restricted guest"
echo "ok: restrict=on: host loopback unreachable, guestfwd and hostfwd work"
