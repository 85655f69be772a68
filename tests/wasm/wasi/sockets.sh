#!/bin/sh
# sockets.sh - a listening TCP socket preopened by --tcplisten (sock.c:
# sock_accept, sock_recv, sock_send, sock_shutdown), with nc as the client
# on the loopback address only.
. tests/wasm/wasi/lib.sh
need sock
command -v nc >/dev/null 2>&1 || fail "nc missing (netcat-openbsd, scripts/deps.sh)"
for try in 1 2 3 4 5; do
	port=$((20000 + ($$ * 7 + try * 7919) % 40000))
	"$CAIRN" run --tcplisten "127.0.0.1:$port" "$WASI_OUT/sock.wasm" >"$OUT" 2>"$ERR" </dev/null &
	pid=$!
	i=0
	while [ $i -lt 100 ] && ! grep -q ready "$OUT" && kill -0 $pid 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
	grep -q ready "$OUT" && break
	wait $pid
	grep -q "cannot listen" "$ERR" || fail "cairn run --tcplisten did not start"
done
reply=$(printf 'ping\n' | timeout 10 nc -N 127.0.0.1 "$port")
wait $pid || fail "sock.wasm exited $?"
[ "$reply" = "echo: ping" ] || fail "reply was '$reply'"
has "served 5 bytes"
echo "sockets: ok"
