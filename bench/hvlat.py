#!/usr/bin/env python3
"""hvlat.py - echo latency of a Linux guest's shell on a console socket (bench/hv.sh).

    hvlat.py SOCKET COUNT [TIMEOUT]

Waits (up to TIMEOUT s, default 300) for the shell prompt "cairn:~# ", defines a
shell function p (p K prints r<7K>), lets the guest settle for a second, then COUNT
times: sends `p K` (a short line: the UART takes input at its line rate, about 1 ms a
byte) and takes the time from the send until the output line "r<7K>" arrives (the
typed text never holds it), waits for the next prompt, pauses 50-150 ms; then COUNT
times types one key ("x") and takes the time until the terminal echoes it, then erases
it. Prints:
    lat n=COUNT min=.. p50=.. p90=.. max=.. ms key min=.. p50=.. p90=.. max=.. ms
or "lat fail REASON" (exit 1).
"""
import random
import socket
import sys
import time

PROMPT = b"cairn:~# "


def connect(path, secs):
    end = time.monotonic() + secs
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > end:
                return None
            time.sleep(0.05)


def wait_for(sock, buf, start, text, end):
    """Read until text appears in buf[start:]; returns (buf, index after it) or (buf, -1)."""
    while True:
        i = buf.find(text, start)
        if i >= 0:
            return buf, i + len(text)
        left = end - time.monotonic()
        if left <= 0:
            return buf, -1
        sock.settimeout(left)
        try:
            b = sock.recv(65536)
        except socket.timeout:
            continue
        if not b:
            return buf, -1
        buf += b


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    path, count = argv[0], int(argv[1])
    timeout = float(argv[2]) if len(argv) > 2 else 300.0
    sock = connect(path, 60)
    if not sock:
        print(f"lat fail cannot connect to {path}")
        return 1
    buf, pos = wait_for(sock, b"", 0, PROMPT, time.monotonic() + timeout)
    if pos < 0:
        print("lat fail no shell prompt")
        return 1
    sock.sendall(b"p() { echo r$(($1*7)); }\r")
    buf, pos = wait_for(sock, buf, pos, PROMPT, time.monotonic() + 30)
    if pos < 0:
        print("lat fail no prompt after defining p")
        return 1
    time.sleep(1.0)
    buf = drain(sock, buf)  # what arrived meanwhile is not an answer
    pos = len(buf)
    lats = []
    for k in range(count):
        n = 7 * (k + 100)
        t0 = time.monotonic()
        sock.sendall(f"p {k + 100}\r".encode())
        buf, p = wait_for(sock, buf, pos, f"r{n}\r\n".encode(), t0 + 30)
        t1 = time.monotonic()
        if p < 0:
            print(f"lat fail no answer to probe {k}")
            return 1
        lats.append((t1 - t0) * 1000)
        buf, pos = wait_for(sock, buf, p, PROMPT, t1 + 30)
        if pos < 0:
            print(f"lat fail no prompt after probe {k}")
            return 1
        time.sleep(random.uniform(0.05, 0.15))
    keys = []
    for k in range(count):
        t0 = time.monotonic()
        sock.sendall(b"x")
        buf, p = wait_for(sock, buf, pos, b"x", t0 + 30)
        t1 = time.monotonic()
        if p < 0:
            print(f"lat fail no echo of key {k}")
            return 1
        keys.append((t1 - t0) * 1000)
        sock.sendall(b"\x7f")
        time.sleep(random.uniform(0.05, 0.15))
        buf = drain(sock, buf)
        pos = len(buf)
    print(f"lat {summary(lats)} key {summary(keys)}")
    return 0


def summary(v):
    v = sorted(v)
    pick = lambda q: v[min(len(v) - 1, int(len(v) * q))]
    return f"n={len(v)} min={v[0]:.2f} p50={pick(0.5):.2f} p90={pick(0.9):.2f} max={v[-1]:.2f} ms"


def drain(sock, buf):
    """What has arrived so far, without waiting."""
    sock.settimeout(0)
    try:
        while True:
            b = sock.recv(65536)
            if not b:
                break
            buf += b
    except (BlockingIOError, socket.timeout):
        pass
    return buf


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
