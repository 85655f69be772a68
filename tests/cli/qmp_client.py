#!/usr/bin/env python3
"""qmp_client.py - a QMP test client (Python 3, json + socket only) for tests/cli/qmp.sh.

    qmp_client.py vm SOCKET        QEMU's per-VM protocol on `cairn vm -qmp`, hostile clients too
    qmp_client.py monitor SOCKET   the human monitor on `cairn vm -monitor unix:...`
    qmp_client.py control SOCKET KERNEL   the hypervisor control socket of `cairn hv --control`
    qmp_client.py quit SOCKET [VM] quit (on the control socket: VM or everything); checks SHUTDOWN
    qmp_client.py greet SOCKET     connect, check the greeting, quit (for -qmp ...,server and tcp:)

Prints "ok: ..." per check; exits 1 at the first failure.
"""
import json
import socket
import sys
import time


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def ok(msg):
    print("ok: " + msg)


def expect(cond, msg):
    if not cond:
        fail(msg)


class Client:
    """One QMP connection: lines in, JSON out; events kept apart."""

    def __init__(self, path, negotiate=True, timeout=20.0):
        if path.startswith("tcp:"):
            host, port = path[4:].rsplit(":", 1)
            self.s = socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout)
        else:
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.settimeout(timeout)
            for attempt in range(100):  # a full backlog: the server accepts soon
                try:
                    self.s.connect(path)
                    break
                except BlockingIOError:
                    time.sleep(0.02)
        self.buf = b""
        self.events = []
        self.greeting = self.line_json()
        if negotiate:
            expect(self.cmd("qmp_capabilities") == {"return": {}}, "qmp_capabilities")

    def raw_line(self):
        while b"\n" not in self.buf:
            try:
                d = self.s.recv(1 << 16)
            except ConnectionResetError:
                return None  # closed with our data unread: closed all the same
            if not d:
                return None
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return line + b"\n"

    def line_json(self):
        line = self.raw_line()
        expect(line is not None, "connection closed early")
        expect(line.endswith(b"\r\n"), "QMP lines end in \\r\\n, got %r" % line[-8:])
        return json.loads(line)

    def send(self, data):
        self.s.sendall(data if isinstance(data, bytes) else data.encode())

    def reply(self):
        """The next non-event message; events before it are kept in order."""
        while True:
            m = self.line_json()
            if "event" in m:
                self.events.append(m)
                continue
            return m

    def cmd(self, name, args=None, **top):
        req = {"execute": name}
        if args is not None:
            req["arguments"] = args
        req.update(top)
        self.send(json.dumps(req))
        return self.reply()

    def wait_event(self, name, seconds=5.0):
        end = time.time() + seconds
        while time.time() < end:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            self.s.settimeout(max(0.05, end - time.time()))
            try:
                m = self.line_json()
            except socket.timeout:
                break
            finally:
                self.s.settimeout(20.0)
            if "event" in m:
                self.events.append(m)
        return None

    def close(self):
        self.s.close()


def error_of(r):
    e = r.get("error") or {}
    return e.get("class"), e.get("desc")


def generic(desc):
    return ("GenericError", desc)


# ---- cairn vm -qmp ----

def check_greeting(c):
    g = c.greeting
    expect(list(g) == ["QMP"], "greeting: %r" % g)
    v = g["QMP"]["version"]
    expect(v["qemu"] == {"micro": 0, "minor": 2, "major": 7}, "greeting version %r" % v)
    expect(v["package"].startswith("cairn "), "package %r" % v)
    expect(g["QMP"]["capabilities"] == ["oob"], "capabilities")
    ok("greeting %s" % json.dumps(g))


def check_negotiation(path):
    c = Client(path, negotiate=False)
    check_greeting(c)
    r = c.cmd("query-status")
    expect(error_of(r) == ("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'"),
           "before negotiation: %r" % r)
    r = c.cmd("qmp_capabilities", id="n1")
    expect(r == {"return": {}, "id": "n1"}, "negotiation: %r" % r)
    r = c.cmd("qmp_capabilities", id=2)
    expect(r == {"id": 2, "error": {"class": "CommandNotFound",
                                     "desc": "Capabilities negotiation is already complete, command ignored"}},
           "second negotiation: %r" % r)
    c.close()
    ok("negotiation")


def check_commands(c):
    r = c.cmd("query-status", id={"any": ["json", 1]})
    expect(r == {"return": {"status": "running", "singlestep": False, "running": True}, "id": {"any": ["json", 1]}},
           "query-status: %r" % r)
    r = c.cmd("query-version")["return"]
    expect(r["qemu"] == {"micro": 0, "minor": 2, "major": 7}, "query-version %r" % r)
    names = [x["name"] for x in c.cmd("query-commands")["return"]]
    for n in ("qmp_capabilities", "query-status", "stop", "cont", "system_reset", "system_powerdown", "quit",
              "query-cpus-fast", "query-version", "query-commands", "query-name", "human-monitor-command"):
        expect(n in names, "query-commands lacks " + n)
    expect(c.cmd("query-name") == {"return": {"name": "qmpvm"}}, "query-name")
    cpus = c.cmd("query-cpus-fast")["return"]
    expect(len(cpus) == 2, "query-cpus-fast: two harts")
    for k, cpu in enumerate(cpus):
        expect(cpu["cpu-index"] == k and cpu["qom-path"] == "/machine/soc0/harts[%d]" % k and
               cpu["target"] == "riscv64" and cpu["props"] == {"core-id": k} and cpu["thread-id"] > 0,
               "query-cpus-fast entry %r" % cpu)
    r = c.cmd("human-monitor-command", {"command-line": "info status"})
    expect(r == {"return": "VM status: running\r\n"}, "hmp info status %r" % r)
    r = c.cmd("human-monitor-command", {"command-line": "xp /2x 0x80000000"})
    expect(r == {"return": "0000000080000000: 0x10500073 0x0000bff5\r\n"}, "hmp xp %r" % r)
    r = c.cmd("human-monitor-command", {"command-line": "info registers", "cpu-index": 1})
    expect("\r\nCPU#1\r\n pc       " in r["return"] and " mhartid  0000000000000001\r\n" in r["return"],
           "hmp info registers on cpu 1 %r" % r)
    expect(not c.events, "info registers of a running VM raises no event: %r" % c.events)
    r = c.cmd("human-monitor-command", {"command-line": "info cpus"})["return"]
    expect(r.startswith("* CPU #0: thread_id=") and "\r\n  CPU #1: thread_id=" in r, "hmp info cpus %r" % r)
    ok("every query command")


def check_events(c):
    """QEMU's order: the event, then the reply."""
    for cmd, event, data in (("stop", "STOP", None), ("cont", "RESUME", None),
                             ("system_reset", "RESET", {"guest": False, "reason": "host-qmp-system-reset"}),
                             ("system_powerdown", "POWERDOWN", None)):
        r = c.cmd(cmd)
        expect(r == {"return": {}}, "%s: %r" % (cmd, r))
        expect([e["event"] for e in c.events] == [event], "%s raised %r, want [%s] before the reply" %
               (cmd, [e["event"] for e in c.events], event))
        e = c.events.pop()
        expect(set(e) == ({"timestamp", "event", "data"} if data else {"timestamp", "event"}), "event keys %r" % e)
        expect(data is None or e["data"] == data, "%s data %r" % (event, e.get("data")))
        ts = e["timestamp"]
        expect(abs(ts["seconds"] - time.time()) < 60 and 0 <= ts["microseconds"] < 1000000, "timestamp %r" % ts)
        if cmd == "stop":
            st = c.cmd("query-status")["return"]
            expect(st == {"status": "paused", "singlestep": False, "running": False}, "paused %r" % st)
            expect(c.cmd("stop") == {"return": {}} and not c.events, "stop when paused: no event")
    ok("events STOP, RESUME, RESET, POWERDOWN, each before its reply")


MALFORMED = [
    (b"[1]", generic("QMP input must be a JSON object")),
    (b'"x"', generic("QMP input must be a JSON object")),
    (b"{\"execute\":\"foo\"}", ("CommandNotFound", "The command foo has not been found")),
    (b"{\"execute\":\"query-status\",\"arguments\":{\"x\":1}}", generic("Parameter 'x' is unexpected")),
    (b"{\"execute\":\"stop\",\"foo\":1}", generic("QMP input member 'foo' is unexpected")),
    (b"{\"execute\":1}", generic("QMP input member 'execute' must be a string")),
    (b"{\"execute\":\"stop\",\"arguments\":[]}", generic("QMP input member 'arguments' must be an object")),
    (b"{\"id\":1}", generic("QMP input lacks member 'execute'")),
    (b"{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":5}}",
     generic("Invalid parameter type for 'command-line', expected: string")),
    (b"{\"execute\":\"human-monitor-command\",\"arguments\":{}}", generic("Parameter 'command-line' is missing")),
    (b"{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"\",\"cpu-index\":\"1\"}}",
     generic("Invalid parameter type for 'cpu-index', expected: integer")),
    (b"@", generic("JSON parse error, stray '@'")),
    (b"{\"execute\" 1}", generic("JSON parse error, missing : in object pair")),
    (b"{\"execute\":}", generic("JSON parse error, expecting value")),
    (b"{\"a\":tru}", generic("JSON parse error, invalid keyword 'tru'")),
    (b"{\"a\":1 \"b\":2}", generic("JSON parse error, expected separator in dict")),
    (b"{\"execute\":\"stop\",\"execute\":\"cont\"}", generic("JSON parse error, duplicate key")),
]


def check_malformed(path):
    c = Client(path)
    for data, want in MALFORMED:
        c.send(data)
        r = c.reply()
        expect(error_of(r) == want, "%r: got %r, want %r" % (data, r, want))
    # QEMU accepts single-quoted strings
    c.send(b"{'execute': 'query-name', 'id': 'it\\'s'}")
    expect(c.reply() == {"return": {"name": "qmpvm"}, "id": "it's"}, "single quotes")
    # a value split across writes, and several in one
    for b in b'{"execute": "query-name", "id": "split"}':
        c.send(bytes([b]))
    expect(c.reply() == {"return": {"name": "qmpvm"}, "id": "split"}, "split value")
    c.send(b'{"execute":"query-name","id":1}{"execute":"query-name","id":2}\n{"execute":"query-name","id":3}')
    expect([c.reply()["id"] for _ in range(3)] == [1, 2, 3], "three values in one write, in order")
    c.close()
    ok("malformed input: QEMU's %d messages; single quotes, split and joined values" % len(MALFORMED))


def check_big_line(path):
    """64 MiB without a newline: an error at the 1 MiB limit, then the connection closes."""
    c = Client(path)
    c.send(b'{"execute": "')
    chunk = b"x" * (1 << 20)
    sent = 0
    try:
        for _ in range(64):
            c.s.sendall(chunk)
            sent += 1
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    expect(sent < 64, "the server read all 64 MiB instead of cutting it off")
    r = c.line_json()
    expect(error_of(r) == generic("JSON token size limit exceeded"), "size limit: %r" % r)
    expect(c.raw_line() is None, "closed after the size limit")
    ok("a 64 MiB line: cut off after %d MiB with QEMU's error" % sent)


def check_many(path, n=50):
    cs = [Client(path) for _ in range(n)]
    for k, c in enumerate(cs):
        c.send(json.dumps({"execute": "query-status", "id": k}))
    for k, c in enumerate(cs):
        r = c.reply()
        expect(r.get("id") == k and r["return"]["running"], "client %d: %r" % (k, r))
        c.close()
    ok("%d clients at once" % n)


def check_vanishing(path):
    for _ in range(20):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        s.sendall(b'{"execute":"qmp_capabilities"}{"execute":"stop"}{"execute":"cont"}'
                  b'{"execute":"human-monitor-command","arguments":{"command-line":"info registers -a"}}')
        s.close()
    c = Client(path)
    time.sleep(0.5)
    r = c.cmd("query-status")
    expect(r["return"]["status"] in ("running", "paused"), "after vanishing clients: %r" % r)
    if r["return"]["status"] == "paused":
        c.cmd("cont")
    c.close()
    ok("20 clients gone mid-command")


def check_never_reading(path):
    """A client that sends and never reads is dropped at the output cap; the others go on."""
    quiet = Client(path)
    flood = json.dumps({"execute": "human-monitor-command",
                        "arguments": {"command-line": "xp /65536xg 0x80000000"}}).encode()
    quiet.s.settimeout(2.0)
    try:
        for _ in range(200):
            quiet.s.sendall(flood)
    except (socket.timeout, BrokenPipeError, ConnectionResetError):
        pass
    other = Client(path)
    expect(other.cmd("query-name") == {"return": {"name": "qmpvm"}}, "another client while one floods")
    other.close()
    quiet.s.settimeout(30.0)
    got = 0
    try:
        while True:
            d = quiet.s.recv(1 << 16)
            if not d:
                break
            got += len(d)
    except ConnectionResetError:
        pass
    expect(got < 12 << 20, "the never-reading client got %d bytes: its queue was not capped" % got)
    ok("a client that never reads: dropped after %d KiB" % (got >> 10))


def test_vm(path):
    check_negotiation(path)
    c = Client(path)
    check_commands(c)
    check_events(c)
    check_malformed(path)
    check_many(path)
    check_vanishing(path)
    check_big_line(path)
    check_never_reading(path)
    r = c.cmd("query-status")
    expect(r["return"]["running"], "still running: %r" % r)
    c.close()


def test_quit(path, vm=None):
    c = Client(path)
    r = c.cmd("quit", **({"vm": vm} if vm else {}))
    expect(r == {"return": {}}, "quit: %r" % r)
    e = c.wait_event("SHUTDOWN", 5)
    expect(e is not None, "no SHUTDOWN after quit")
    expect(e["data"] == {"guest": False, "reason": "host-qmp-quit"}, "SHUTDOWN data %r" % e)
    expect(not vm or e.get("vm") == vm, "SHUTDOWN names the VM %r" % e)
    ok("quit: SHUTDOWN %s" % json.dumps(e["data"]))


def test_greet(path):
    c = Client(path)
    check_greeting(c)
    test_quit_on(c)


def test_quit_on(c):
    expect(c.cmd("quit") == {"return": {}}, "quit")
    expect(c.wait_event("SHUTDOWN", 5) is not None, "SHUTDOWN")
    c.s.settimeout(10)
    expect(c.raw_line() is None, "the connection closes when the process ends")
    ok("quit closes the connection")


# ---- -monitor unix: ----

def test_monitor(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    buf = b""

    def until_prompt():
        nonlocal buf
        while not buf.endswith(b"(qemu) "):
            d = s.recv(65536)
            expect(d, "monitor closed")
            buf += d
        out, buf = buf, b""
        return out.decode()

    banner = until_prompt()
    expect(banner.startswith("cairn ") and " monitor - type 'help' for more information\r\n(qemu) " in banner,
           "banner %r" % banner)

    def run(line):
        s.sendall(line.encode() + b"\r")
        out = until_prompt()
        expect(out.startswith(line + "\r\n"), "echo of %r: %r" % (line, out))
        return out[len(line) + 2:-len("(qemu) ")]

    expect(run("info status") == "VM status: running\r\n", "info status")
    expect(run("stop") == "", "stop")
    expect(run("info status") == "VM status: paused\r\n", "paused")
    expect(run("xp /2x 0x80000000") == "0000000080000000: 0x10500073 0x0000bff5\r\n", "xp")
    expect(run("xp 0x80000004") == "0000000080000004: 0x0000bff5\r\n", "xp keeps /x and the size")
    regs = run("info registers")
    expect(regs.startswith("\r\nCPU#0\r\n pc       00000000800000") and " satp     0000000000000000\r\n" in regs,
           "info registers %r" % regs[:80])
    expect(run("cpu 1") == "" and run("info cpus").startswith("  CPU #0: thread_id="), "cpu 1")
    expect(run("c") == "", "c")
    expect(run("info status") == "VM status: running\r\n", "running again")
    expect(run("nosuch") == "unknown command: 'nosuch'\r\n", "unknown command")
    expect("xp /fmt addr -- physical memory dump starting at 'addr'\r\n" in run("help"), "help")
    # editing: a backspace removes a character
    s.sendall(b"info statuz\x7fs\r")
    out = until_prompt()
    expect(out.endswith("VM status: running\r\n(qemu) "), "backspace %r" % out)
    s.close()
    ok("the human monitor on a unix socket")


# ---- cairn hv --control ----

def test_control(path, kernel):
    c = Client(path)
    vms = c.cmd("query-vms")["return"]
    names = [v["name"] for v in vms]
    expect(names == ["a", "b"], "query-vms names %r" % names)
    for v in vms:
        expect(set(v) == {"name", "kind", "state", "harts", "ram", "cpu-ns", "slices", "wakeups", "instret", "weight",
                          "cap", "reservation"}, "query-vms keys %r" % sorted(v))
    expect(vms[0]["state"] == "running" and vms[0]["weight"] == 300, "VM a: %r" % vms[0])
    r = c.cmd("query-status", vm="b")
    expect(r == {"return": {"status": "running", "singlestep": False, "running": True}}, "routed query-status %r" % r)
    r = c.cmd("stop", {"vm": "a"})
    expect(r == {"return": {}}, "stop a %r" % r)
    e = c.events.pop() if c.events else None
    expect(e and e["event"] == "STOP" and e.get("vm") == "a", "STOP of a names it: %r" % e)
    expect(c.cmd("query-status", vm="a")["return"]["status"] == "paused", "a paused")
    expect(c.cmd("query-status", vm="b")["return"]["status"] == "running", "b runs on")
    expect(error_of(c.cmd("query-status")) == generic("Parameter 'vm' is missing"), "vm missing")
    expect(error_of(c.cmd("stop", vm="zz")) == ("DeviceNotFound", "VM 'zz' not found"), "unknown VM")
    r = c.cmd("vm-set-sched", {"vm": "b", "weight": 0})
    expect(error_of(r) == generic("VM 'b': Parameter 'weight' must be 1 to 10000"), "weight 0: %r" % r)
    r = c.cmd("vm-set-sched", {"vm": "b", "weight": 50, "cap": 20, "period-ns": 1000000, "budget-ns": 100000})
    expect(r == {"return": {}}, "vm-set-sched %r" % r)
    b = [v for v in c.cmd("query-vms")["return"] if v["name"] == "b"][0]
    expect(b["weight"] == 50 and b["cap"] == 20 and b["reservation"] == {"period-ns": 1000000, "budget-ns": 100000},
           "scheduling applied %r" % b)
    st = c.cmd("query-vm-stats", vm="b")["return"]
    expect(st["slices"] > 0 and st["cpu-ns"] >= 0 and st["ram"] == 16 << 20, "stats %r" % st)
    r = c.cmd("vm-create", {"name": "c", "config": "-M virt -m 16M -bios none -kernel '%s' -serial null -S" % kernel})
    expect(r == {"return": {"name": "c", "state": "prelaunch"}}, "vm-create %r" % r)
    expect(c.cmd("vm-start", vm="c") == {"return": {}}, "vm-start")
    expect(c.cmd("human-monitor-command", {"command-line": "info status"}, vm="c") ==
           {"return": "VM status: running\r\n"}, "hmp routed")
    expect(c.cmd("vm-destroy", vm="c") == {"return": {}}, "vm-destroy")
    expect([v["name"] for v in c.cmd("query-vms")["return"]] == ["a", "b"], "c is gone")
    expect(c.cmd("cont", vm="a") == {"return": {}}, "cont a")
    c.close()
    ok("the control socket: list, routing, scheduling, stats, create, start, destroy")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    what, path = sys.argv[1], sys.argv[2]
    if what == "vm":
        test_vm(path)
    elif what == "monitor":
        test_monitor(path)
    elif what == "control":
        test_control(path, sys.argv[3])
    elif what == "quit":
        test_quit(path, sys.argv[3] if len(sys.argv) > 3 else None)
    elif what == "greet":
        test_greet(path)
    else:
        fail("unknown test " + what)


if __name__ == "__main__":
    main()
