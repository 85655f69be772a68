#!/usr/bin/env python3
"""hvcon.py - drive guest consoles on unix sockets (cairn's -serial unix:PATH,server).

Used by the system tests of `cairn hv`: each step is a command line argument,
run in order against one console socket:
    connect PATH             wait (up to 30 s) for the socket, then attach
    expect TEXT [SECONDS]    wait until TEXT has appeared (since attaching)
    send TEXT                type TEXT and a carriage return
    quiet TEXT SECONDS       TEXT must not appear (as output) for SECONDS
    after MARK               later expects look only at what follows MARK's last
                             appearance (output replayed on attach comes before it)
    detach                   close the connection (the VM keeps running)
    sleep SECONDS
Exit 0 when every step succeeded; else one line saying which step failed,
with the last output seen.
"""
import os
import socket
import sys
import time


def fail(msg, seen=b""):
    tail = seen[-600:].decode("utf-8", "replace").replace("\r", "")
    print(f"hvcon: {msg}\n--- console (last bytes) ---\n{tail}")
    sys.exit(1)


def main(argv):
    sock, seen, k = None, b"", 0
    mark = None

    def base(buf):
        return buf.rfind(mark) + len(mark) if mark and mark in buf else (len(buf) + 1 if mark else 0)

    while k < len(argv):
        step = argv[k]
        if step == "connect":
            path = argv[k + 1]
            k += 2
            end = time.time() + 30
            while True:
                try:
                    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    sock.connect(path)
                    break
                except OSError:
                    sock.close()
                    if time.time() > end:
                        fail(f"cannot connect to {path}")
                    time.sleep(0.05)
            seen = b""
        elif step == "expect":
            text = argv[k + 1].encode()
            secs = 60.0
            if k + 2 < len(argv) and argv[k + 2].replace(".", "").isdigit():
                secs = float(argv[k + 2])
                k += 1
            k += 2
            end = time.time() + secs
            while text not in seen[base(seen):]:
                left = end - time.time()
                if left <= 0:
                    fail(f"timed out after {secs:g} s waiting for {text.decode()!r}", seen)
                sock.settimeout(left)
                try:
                    b = sock.recv(65536)
                except socket.timeout:
                    continue
                if not b:
                    fail(f"console closed while waiting for {text.decode()!r}", seen)
                seen += b
        elif step == "quiet":
            text, secs = argv[k + 1].encode(), float(argv[k + 2])
            k += 3
            end = time.time() + secs
            while time.time() < end:
                sock.settimeout(max(0.01, end - time.time()))
                try:
                    b = sock.recv(65536)
                except socket.timeout:
                    continue
                if not b:
                    break
                seen += b
            if text in seen:
                fail(f"{text.decode()!r} appeared within {secs:g} s", seen)
        elif step == "send":
            sock.sendall(argv[k + 1].encode() + b"\r")
            k += 2
        elif step == "after":
            mark = argv[k + 1].encode()
            k += 2
        elif step == "detach":
            sock.close()
            sock = None
            k += 1
        elif step == "sleep":
            time.sleep(float(argv[k + 1]))
            k += 2
        else:
            fail(f"unknown step {step!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
