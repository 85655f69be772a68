/* test_qmp.c - the control plane (src/hv/qmp.c, control.c, monitor.c,
 * chan.c) on a real hypervisor with small VMs (a 6-byte raw kernel: wfi;
 * j .-4):
 *  - the protocol through in-memory connections: greeting, negotiation,
 *    ids, QEMU 7.2's exact replies to malformed JSON, non-objects, unknown
 *    commands and members, wrong argument types, the size and nesting
 *    limits, values split across reads and many in one read, events;
 *  - HMP through human-monitor-command (info status, xp, x/i, registers);
 *  - the control socket's commands and routing by "vm";
 *  - real sockets: 50 clients at once, a client that never reads, a
 *    2 MiB value without a newline, clients that vanish mid-command, the
 *    order of STOP/RESUME/RESET/SHUTDOWN events;
 *  - `cairn ctl` against a control socket (when $CAIRN or build/cairn is
 *    there). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cairn.h"
#include "hv/hv.h"
#include "hv/monitor.h"
#include "hv/qmp.h"
#include "riscv/hart.h"

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)
#define CHECK_STR(got, want) do { const char *g_ = (got), *w_ = (want); \
	if (!g_ || strcmp(g_, w_)) { fprintf(stderr, "%s:%d: got  %s\n%*swant %s\n", __FILE__, __LINE__, \
		g_ ? g_ : "(null)", (int)strlen(__FILE__) + 8, "", w_); failures++; } } while (0)
#define CHECK_HAS(got, part) do { const char *g_ = (got), *p_ = (part); \
	if (!g_ || !strstr(g_, p_)) { fprintf(stderr, "%s:%d: no \"%s\" in: %s\n", __FILE__, __LINE__, p_, \
		g_ ? g_ : "(null)"); failures++; } } while (0)

static char tmpdir[] = "/tmp/test_qmp.XXXXXX";
static char kernel[256];
static struct hv *hv;
static pthread_t hv_thread;
static volatile int hv_stop;

/* ---- the hypervisor and its VMs ---- */

static void *run_hv(void *arg)
{
	while (!__atomic_load_n(&hv_stop, __ATOMIC_ACQUIRE))
		hv_run(hv); /* returns on hv_quit (QMP quit): serve on */
	return NULL;
}

static void write_kernel(void)
{
	static const unsigned char code[] = { 0x73, 0x00, 0x50, 0x10, 0xf5, 0xbf }; /* wfi; j .-4 */
	snprintf(kernel, sizeof kernel, "%s/idle.bin", tmpdir);
	FILE *f = fopen(kernel, "wb");
	if (!f || fwrite(code, 1, sizeof code, f) != sizeof code || fclose(f)) {
		perror(kernel);
		exit(1);
	}
}

static struct vm *make_vm(const char *name, const char *smp)
{
	char *argv[] = { "-M", "virt", "-m", "16M", "-bios", "none", "-kernel", kernel, "-serial", "null",
			 "-smp", (char *)smp, "-name", (char *)name, NULL };
	struct vm *vm;
	cairn_errbuf e = { 0 };
	if (vm_create(hv, ARRAY_SIZE(argv) - 1, argv, &vm, &e)) {
		fprintf(stderr, "vm_create %s: %s\n", name, e.msg);
		exit(1);
	}
	return vm;
}

/* ---- in-memory connections ---- */

struct cap { char *buf; size_t len; };

static void cap_write(void *ctx, const char *s, size_t n)
{
	struct cap *c = ctx;
	c->buf = realloc(c->buf, c->len + n + 1);
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->buf[c->len] = 0;
}

/* What the connection wrote since the last call (owned by the cap). */
static const char *took(struct cap *c)
{
	static char *last;
	free(last);
	last = c->buf ? c->buf : strdup("");
	c->buf = NULL;
	c->len = 0;
	return last;
}

static const char *req(struct qmp_conn *q, struct cap *c, const char *text)
{
	CHECK(qmp_conn_input(q, text, strlen(text)) == 0);
	return took(c);
}

#define ERR(cls, desc) "{\"error\": {\"class\": \"" cls "\", \"desc\": \"" desc "\"}}\r\n"
#define GENERIC(desc) ERR("GenericError", desc)

static struct qmp_conn *negotiated(struct vm *vm, struct cap *c)
{
	struct qmp_conn *q = qmp_conn_new(hv, vm, cap_write, c);
	took(c);
	req(q, c, "{\"execute\": \"qmp_capabilities\"}");
	return q;
}

static void test_greeting_and_negotiation(struct vm *vm)
{
	struct cap c = { 0 };
	struct qmp_conn *q = qmp_conn_new(hv, vm, cap_write, &c);
	CHECK_STR(took(&c), "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
		  "\"package\": \"cairn " CAIRN_VERSION "\"}, \"capabilities\": [\"oob\"]}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"query-status\"}"),
		  ERR("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'"));
	CHECK_STR(req(q, &c, "{\"execute\":\"nosuch\"}"),
		  ERR("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'"));
	qmp_conn_event(q, vm, "STOP", "{}");
	CHECK_STR(took(&c), ""); /* no events before negotiation */
	CHECK_STR(req(q, &c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"foo\"]}}"),
		  GENERIC("Parameter 'null' does not accept value 'foo'"));
	CHECK_STR(req(q, &c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":\"oob\"}}"),
		  GENERIC("Invalid parameter type for 'enable', expected: array"));
	CHECK_STR(req(q, &c, "{\"execute\":\"qmp_capabilities\",\"id\":1}"), "{\"return\": {}, \"id\": 1}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"qmp_capabilities\",\"id\":2}"),
		  "{\"id\": 2, \"error\": {\"class\": \"CommandNotFound\", \"desc\": "
		  "\"Capabilities negotiation is already complete, command ignored\"}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"query-status\",\"id\":{\"a\":[1,2]}}"),
		  "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}, "
		  "\"id\": {\"a\": [1, 2]}}\r\n");
	/* exec-oob once oob is on: no command of ours allows it */
	CHECK_STR(req(q, &c, "{\"exec-oob\":\"query-status\"}"), GENERIC("QMP input member 'exec-oob' is unexpected"));
	qmp_conn_free(q);
	q = qmp_conn_new(hv, vm, cap_write, &c);
	took(&c);
	req(q, &c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}");
	CHECK_STR(req(q, &c, "{\"exec-oob\":\"query-status\"}"), GENERIC("The command query-status does not support OOB"));
	CHECK_STR(req(q, &c, "{\"exec-oob\":\"query-status\",\"execute\":\"stop\"}"),
		  GENERIC("QMP input member 'execute' clashes with 'exec-oob'"));
	qmp_conn_free(q);
	free(c.buf);
}

static void test_malformed(struct vm *vm)
{
	struct cap c = { 0 };
	struct qmp_conn *q = negotiated(vm, &c);
	static const struct { const char *in, *out; } cases[] = {
		{ "[1]", GENERIC("QMP input must be a JSON object") },
		{ "1 ", GENERIC("QMP input must be a JSON object") },
		{ "\"x\"", GENERIC("QMP input must be a JSON object") },
		{ "{\"execute\":\"foo\"}", ERR("CommandNotFound", "The command foo has not been found") },
		{ "{\"execute\":\"query-status\",\"arguments\":{\"x\":1}}", GENERIC("Parameter 'x' is unexpected") },
		{ "{\"exec\":1}", GENERIC("QMP input member 'exec' is unexpected") },
		{ "{\"execute\":1}", GENERIC("QMP input member 'execute' must be a string") },
		{ "{\"execute\":\"stop\",\"arguments\":[]}", GENERIC("QMP input member 'arguments' must be an object") },
		{ "{\"execute\":\"stop\",\"vm\":\"a\"}", GENERIC("QMP input member 'vm' is unexpected") },
		{ "{\"id\":5}", "{\"id\": 5, \"error\": {\"class\": \"GenericError\", \"desc\": "
				"\"QMP input lacks member 'execute'\"}}\r\n" },
		{ "@", GENERIC("JSON parse error, stray '@'") },
		{ "{\"execute\" 1}", GENERIC("JSON parse error, missing : in object pair") },
		{ "{\"execute\":}", GENERIC("JSON parse error, expecting value") },
		{ "{\"a\":tru}", GENERIC("JSON parse error, invalid keyword 'tru'") },
		{ "}", GENERIC("JSON parse error, expecting value") },
		{ "{1:2}", GENERIC("JSON parse error, key is not a string in object") },
		{ "{\"a\":1,}", GENERIC("JSON parse error, expecting value") },
		{ "[1,]", GENERIC("JSON parse error, expecting value") },
		{ "{\"a\":1 \"b\":2}", GENERIC("JSON parse error, expected separator in dict") },
		{ "[1 2]", GENERIC("JSON parse error, expected separator in list") },
		{ "{\"execute\":\"stop\",\"execute\":\"cont\"}", GENERIC("JSON parse error, duplicate key") },
		{ "{\"a\":\"\\x\"}", GENERIC("JSON parse error, invalid escape sequence in string") },
		{ "{\"a:\"\xff\"}", GENERIC("JSON parse error, stray '\\uFFFD'") GENERIC("JSON parse error, expecting value") },
		{ "{\"a\":\"x\ny\"}", GENERIC("JSON parse error, stray '\\uFFFD'") GENERIC("JSON parse error, expecting value") },
		/* QEMU's lexer takes single-quoted strings */
		{ "{'execute':'query-name', 'id': 'it''s'}", GENERIC("JSON parse error, expected separator in dict") },
		{ "{'execute':'query-name', 'id': 'a\"b\\'c'}", "{\"return\": {\"name\": \"qa\"}, \"id\": \"a\\\"b'c\"}\r\n" },
		{ "  {\"execute\":\"query-name\"} x {\"execute\":\"query-name\"}",
		  "{\"return\": {\"name\": \"qa\"}}\r\n" GENERIC("JSON parse error, invalid keyword 'x'")
		  "{\"return\": {\"name\": \"qa\"}}\r\n" },
		{ "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":5}}",
		  GENERIC("Invalid parameter type for 'command-line', expected: string") },
		{ "{\"execute\":\"human-monitor-command\"}", GENERIC("Parameter 'command-line' is missing") },
		{ "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"\",\"cpu-index\":\"0\"}}",
		  GENERIC("Invalid parameter type for 'cpu-index', expected: integer") },
		{ "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"\",\"cpu-index\":1.5}}",
		  GENERIC("Parameter 'cpu-index' expects int64") },
		{ "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"\",\"cpu-index\":7}}",
		  GENERIC("Parameter 'cpu-index' expects a CPU number") },
		/* arguments are checked before the command runs, as QEMU's marshallers do */
		{ "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[1]}}",
		  GENERIC("Invalid parameter type for 'enable[0]', expected: string") },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CHECK_STR(req(q, &c, cases[i].in), cases[i].out);
	/* After all that the connection still works. */
	CHECK_STR(req(q, &c, "{\"execute\":\"query-name\"}"), "{\"return\": {\"name\": \"qa\"}}\r\n");
	qmp_conn_free(q);
	free(c.buf);
}

static void test_framing(struct vm *vm)
{
	struct cap c = { 0 };
	struct qmp_conn *q = negotiated(vm, &c);
	/* split across reads, one byte at a time */
	const char *one = "{\"execute\": \"query-name\", \"id\": \"split\"}";
	for (const char *p = one; *p; p++)
		CHECK(qmp_conn_input(q, p, 1) == 0);
	CHECK_STR(took(&c), "{\"return\": {\"name\": \"qa\"}, \"id\": \"split\"}\r\n");
	/* many in one read, no separators */
	CHECK_STR(req(q, &c, "{\"execute\":\"query-name\",\"id\":1}{\"execute\":\"query-name\",\"id\":2}[]"),
		  "{\"return\": {\"name\": \"qa\"}, \"id\": 1}\r\n{\"return\": {\"name\": \"qa\"}, \"id\": 2}\r\n"
		  GENERIC("QMP input must be a JSON object"));
	/* braces inside strings do not count */
	CHECK_STR(req(q, &c, "{\"execute\":\"query-name\",\"id\":\"}{][\\\"\"}"),
		  "{\"return\": {\"name\": \"qa\"}, \"id\": \"}{][\\\"\"}\r\n");
	/* a number at the top ends at a delimiter only */
	CHECK(qmp_conn_input(q, "12", 2) == 0);
	CHECK_STR(took(&c), "");
	CHECK_STR(req(q, &c, "3\n"), GENERIC("QMP input must be a JSON object"));
	/* non-ASCII is escaped in replies */
	CHECK_STR(req(q, &c, "{\"execute\":\"query-name\",\"id\":\"\xc3\xa9\"}"),
		  "{\"return\": {\"name\": \"qa\"}, \"id\": \"\\u00E9\"}\r\n");
	qmp_conn_free(q);

	/* nesting: 1024 is fine, 1025 is cut off */
	q = negotiated(vm, &c);
	char *deep = malloc(4096);
	memset(deep, '[', 1024);
	memset(deep + 1024, ']', 1024);
	CHECK(qmp_conn_input(q, deep, 2048) == 0);
	CHECK_STR(took(&c), GENERIC("QMP input must be a JSON object"));
	memset(deep, '[', 1025);
	CHECK(qmp_conn_input(q, deep, 1025) == -1);
	CHECK_STR(took(&c), GENERIC("JSON nesting depth limit exceeded"));
	free(deep);
	qmp_conn_free(q);

	/* size: a value over 1 MiB is cut off at the limit, not buffered on */
	q = negotiated(vm, &c);
	size_t n = QMP_MAX_REQUEST + 100;
	char *big = malloc(n);
	memcpy(big, "{\"execute\":\"", 12);
	memset(big + 12, 'x', n - 12);
	CHECK(qmp_conn_input(q, big, n) == -1);
	CHECK_STR(took(&c), GENERIC("JSON token size limit exceeded"));
	free(big);
	qmp_conn_free(q);
	free(c.buf);
}

static const char *hmp(struct qmp_conn *q, struct cap *c, const char *line)
{
	char buf[512];
	snprintf(buf, sizeof buf, "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"%s\"}}", line);
	return req(q, c, buf);
}

static void test_hmp(struct vm *vm)
{
	struct cap c = { 0 };
	struct qmp_conn *q = negotiated(vm, &c);
	CHECK_STR(hmp(q, &c, "info status"), "{\"return\": \"VM status: paused (prelaunch)\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "xp /2x 0x80000000"), "{\"return\": \"0000000080000000: 0x10500073 0x0000bff5\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "xp /6xb 0x80000000"),
		  "{\"return\": \"0000000080000000: 0x73 0x00 0x50 0x10 0xf5 0xbf\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "xp /3d 0x80000000"), "{\"return\": \"0000000080000000:  273678451      49141          0\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "xp /4c 0x80000000"), "{\"return\": \"0000000080000000: 's' '\\\\x00' 'P' '\\\\x10'\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "xp /1xg 0x80000000 + 8 - 8"), "{\"return\": \"0000000080000000: 0x0000bff510500073\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "x /2x 0x80000000"), "{\"return\": \"0000000080000000: 0x10500073 0x0000bff5\\r\\n\"}\r\n");
	CHECK_HAS(hmp(q, &c, "x /2i 0x80000000"), "0x0000000080000000:  10500073          wfi");
	CHECK_STR(hmp(q, &c, "xp /2x 0x0"), "{\"return\": \"0000000000000000: Cannot access memory\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "xp /2z 0x0"),
		  "{\"return\": \"invalid char in format: 'z'\\r\\nTry \\\"help xp\\\" for more information\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "xp"),
		  "{\"return\": \"unexpected end of expression\\r\\nTry \\\"help xp\\\" for more information\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "xp /2x 1/0"),
		  "{\"return\": \"division by zero\\r\\nTry \\\"help xp\\\" for more information\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "xp /2x $pc"),
		  "{\"return\": \"unknown register\\r\\nTry \\\"help xp\\\" for more information\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "stop extra"), "{\"return\": \"stop|s: extraneous characters at the end of line\\r\\n"
					     "Try \\\"help stop\\\" for more information\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "info registers 1 2"), "{\"return\": \"registers: extraneous characters at the end of line\\r\\n"
						    "Try \\\"help info registers\\\" for more information\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "info registers 5"), "{\"return\": \"CPU#5 not available\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "foo"), "{\"return\": \"unknown command: 'foo'\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "info foo"), "{\"return\": \"unknown command: 'info foo'\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "help stop"), "{\"return\": \"stop|s  -- stop emulation\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "p /x 6*7"), "{\"return\": \"0x2a\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, "info name"), "{\"return\": \"qa\\r\\n\"}\r\n");
	CHECK_STR(hmp(q, &c, ""), "{\"return\": \"\"}\r\n");
	CHECK_STR(hmp(q, &c, "cpu 5"), "{\"return\": \"invalid CPU index\\r\\n\"}\r\n");
	const char *regs = hmp(q, &c, "info registers");
	CHECK_HAS(regs, "\\r\\nCPU#0\\r\\n pc       0000000000001000\\r\\n mhartid  0000000000000000\\r\\n");
	CHECK_HAS(regs, " x0/zero  0000000000000000 x1/ra    0000000000000000 x2/sp    0000000000000000 x3/gp    0000000000000000\\r\\n");
	CHECK_HAS(regs, " f28/ft8  0000000000000000 f29/ft9  0000000000000000 f30/ft10 0000000000000000 f31/ft11 0000000000000000\\r\\n");
	CHECK_HAS(req(q, &c, "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info cpus\",\"cpu-index\":1}}"),
		  "\"  CPU #0: thread_id=");
	qmp_conn_free(q);
	free(c.buf);

	/* monitor_exec keeps x's format and size, as QEMU's monitor does */
	char *out;
	bool quit;
	struct monitor m;
	struct cap mc = { 0 };
	monitor_init(&m, hv, vm, cap_write, &mc);
	monitor_exec(&m, "xp /2xh 0x80000000");
	monitor_exec(&m, "xp 0x80000000");
	CHECK_STR(took(&mc), "0000000080000000: 0x0073 0x1050\r\n0000000080000000: 0x0073\r\n");
	free(mc.buf);
	out = monitor_run(hv, vm, 0, "info version", &quit);
	CHECK_STR(out, "7.2.0 (cairn " CAIRN_VERSION ")\r\n");
	CHECK(!quit);
	free(out);
}

static void test_lifecycle(struct vm *vm)
{
	struct cap c = { 0 };
	struct qmp_conn *q = negotiated(vm, &c);
	CHECK_STR(req(q, &c, "{\"execute\":\"cont\"}"), "{\"return\": {}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"query-status\"}"),
		  "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"cont\"}"), "{\"return\": {}}\r\n"); /* running: nothing to do */
	/* a running VM's registers, without stopping it */
	CHECK_HAS(hmp(q, &c, "info registers"), "\\r\\nCPU#0\\r\\n pc       00000000");
	CHECK_STR(hmp(q, &c, "info status"), "{\"return\": \"VM status: running\\r\\n\"}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"stop\"}"), "{\"return\": {}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"stop\"}"), "{\"return\": {}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"query-status\"}"),
		  "{\"return\": {\"status\": \"paused\", \"singlestep\": false, \"running\": false}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"system_reset\"}"), "{\"return\": {}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"query-status\"}"),
		  "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"system_powerdown\"}"), "{\"return\": {}}\r\n");
	const char *cpus = req(q, &c, "{\"execute\":\"query-cpus-fast\"}");
	CHECK_HAS(cpus, "\"props\": {\"core-id\": 1}, \"qom-path\": \"/machine/soc0/harts[1]\", \"cpu-index\": 1, \"target\": \"riscv64\"}]}");
	const char *cmds = req(q, &c, "{\"execute\":\"query-commands\"}");
	CHECK_HAS(cmds, "{\"name\": \"human-monitor-command\"}");
	CHECK(!strstr(cmds, "query-vms")); /* the control socket's only */
	CHECK_STR(req(q, &c, "{\"execute\":\"query-version\"}"),
		  "{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"cairn " CAIRN_VERSION "\"}}\r\n");

	/* events, as the server sends them */
	qmp_conn_event(q, vm, "STOP", "{}");
	const char *ev = took(&c);
	CHECK(!strncmp(ev, "{\"timestamp\": {\"seconds\": ", 26));
	CHECK_HAS(ev, "\"microseconds\": ");
	CHECK_HAS(ev, "}, \"event\": \"STOP\"}\r\n");
	qmp_conn_event(q, vm, "SHUTDOWN", "{\"guest\": false, \"reason\": \"host-qmp-quit\"}");
	CHECK_HAS(took(&c), "\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}}\r\n");
	qmp_conn_free(q);
	free(c.buf);
}

/* x through a hart's Sv39 tables: a 1 GiB page and a 4 KiB one, both
 * onto the kernel at 0x80000000; holes and non-canonical addresses are
 * "Cannot access memory". */
static void put_pte(struct vm *vm, uint64_t table, unsigned idx, uint64_t pte)
{
	uint8_t b[8];
	st_le64(b, pte);
	CHECK(vm_write_phys(vm, table + idx * 8, b, 8));
}

static void test_x_translation(struct vm *vm)
{
	rv_hart *h = vm_hart(vm, 0);
	CHECK(h != NULL);
	if (!h)
		return;
	const uint64_t root = 0x80100000, l1 = 0x80101000, l0 = 0x80102000, V = 1, RWX = 0xe;
	put_pte(vm, root, 1, (0x80000000 >> 12) << 10 | RWX | V);       /* 0x40000000: 1 GiB page */
	put_pte(vm, root, 0, (l1 >> 12) << 10 | V);
	put_pte(vm, l1, 0x91, (l0 >> 12) << 10 | V);
	put_pte(vm, l0, 0x145, (0x80000000 >> 12) << 10 | RWX | V);    /* 0x12345000: 4 KiB page */
	uint64_t satp = h->satp;
	int priv = h->priv;
	h->satp = 8ull << 60 | root >> 12;
	h->priv = RV_PRIV_S;
	bool quit;
	char *out = monitor_run(hv, vm, 0, "x /2x 0x40000000", &quit);
	CHECK_STR(out, "0000000040000000: 0x10500073 0x0000bff5\r\n");
	free(out);
	out = monitor_run(hv, vm, 0, "x /1xw 0x12345004", &quit);
	CHECK_STR(out, "0000000012345004: 0x0000bff5\r\n");
	free(out);
	out = monitor_run(hv, vm, 0, "x /1x 0x12346000", &quit);
	CHECK_STR(out, "0000000012346000: Cannot access memory\r\n");
	free(out);
	out = monitor_run(hv, vm, 0, "x /1x 0x8000000000", &quit);
	CHECK_STR(out, "0000008000000000: Cannot access memory\r\n");
	free(out);
	h->priv = RV_PRIV_M; /* M-mode: physical, as QEMU's debug access */
	out = monitor_run(hv, vm, 0, "x /1x 0x80000000", &quit);
	CHECK_STR(out, "0000000080000000: 0x10500073\r\n");
	free(out);
	h->satp = satp;
	h->priv = priv;
}

/* ---- the control socket's commands ---- */

/* A wasm VM whose _start returns at once. */
static struct vm *make_wasm_vm(const char *name)
{
	static const unsigned char mod[] = {
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,         /* \0asm 1 */
		0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                     /* type () -> () */
		0x03, 0x02, 0x01, 0x00,                                 /* one function */
		0x07, 0x0a, 0x01, 0x06, '_', 's', 't', 'a', 'r', 't', 0x00, 0x00,
		0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,                     /* its body: end */
	};
	static char path[300];
	snprintf(path, sizeof path, "%s/w.wasm", tmpdir);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(mod, 1, sizeof mod, f) != sizeof mod || fclose(f))
		exit(1);
	if (!name)
		return (struct vm *)path; /* only the file (vm-create) */
	char *argv[] = { "--name", (char *)name, path, NULL };
	struct vm *vm;
	cairn_errbuf e = { 0 };
	if (vm_create_wasm(hv, 3, argv, &vm, &e)) {
		fprintf(stderr, "vm_create_wasm: %s\n", e.msg);
		exit(1);
	}
	unlink(path);
	return vm;
}

static const char *hmp_vm(struct qmp_conn *q, struct cap *c, const char *vm, const char *line)
{
	char buf[512];
	snprintf(buf, sizeof buf, "{\"execute\":\"human-monitor-command\",\"vm\":\"%s\",\"arguments\":{\"command-line\":\"%s\"}}",
		 vm, line);
	return req(q, c, buf);
}

static void test_control(struct vm *a, struct vm *b)
{
	struct cap c = { 0 };
	struct qmp_conn *q = negotiated(NULL, &c);
	const char *vms = req(q, &c, "{\"execute\":\"query-vms\"}");
	CHECK_HAS(vms, "{\"name\": \"qa\", \"kind\": \"riscv\", \"state\": ");
	CHECK_HAS(vms, "{\"name\": \"qb\", \"kind\": \"riscv\", \"state\": \"prelaunch\", \"harts\": 1, \"ram\": 16777216, \"cpu-ns\": ");
	CHECK_HAS(vms, "\"weight\": 100, \"cap\": 0, \"reservation\": null}");
	CHECK_HAS(req(q, &c, "{\"execute\":\"query-commands\"}"), "{\"name\": \"vm-set-sched\"}");
	/* routing: a top-level "vm", or one among the arguments */
	CHECK_STR(req(q, &c, "{\"execute\":\"query-name\",\"vm\":\"qb\"}"), "{\"return\": {\"name\": \"qb\"}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"query-name\",\"arguments\":{\"vm\":\"qa\"}}"), "{\"return\": {\"name\": \"qa\"}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"query-name\"}"), GENERIC("Parameter 'vm' is missing"));
	CHECK_STR(req(q, &c, "{\"execute\":\"query-name\",\"vm\":\"nope\"}"), ERR("DeviceNotFound", "VM 'nope' not found"));
	CHECK_STR(req(q, &c, "{\"execute\":\"query-name\",\"vm\":1}"), GENERIC("QMP input member 'vm' must be a string"));
	CHECK_STR(req(q, &c, "{\"execute\":\"query-name\",\"vm\":\"qa\",\"arguments\":{\"vm\":\"qb\"}}"),
		  GENERIC("QMP input member 'vm' ('qa') clashes with argument 'vm' ('qb')"));
	CHECK_STR(req(q, &c, "{\"execute\":\"query-vms\",\"vm\":\"qa\"}"), GENERIC("Parameter 'vm' is unexpected"));
	CHECK_STR(req(q, &c, "{\"execute\":\"query-vms\",\"arguments\":{\"vm\":\"qa\"}}"), GENERIC("Parameter 'vm' is unexpected"));
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-destroy\"}"), GENERIC("Parameter 'vm' is missing"));
	CHECK_HAS(req(q, &c, "{\"execute\":\"human-monitor-command\",\"vm\":\"qb\",\"arguments\":{\"command-line\":\"info status\"}}"),
		  "VM status: paused (prelaunch)");

	/* scheduling: all checked before anything changes */
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-set-sched\",\"vm\":\"qb\",\"arguments\":{\"weight\":0,\"cap\":50}}"),
		  GENERIC("VM 'qb': Parameter 'weight' must be 1 to 10000"));
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-set-sched\",\"vm\":\"qb\",\"arguments\":{\"weight\":-1}}"),
		  GENERIC("Parameter 'weight' expects uint32_t"));
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-set-sched\",\"vm\":\"qb\",\"arguments\":{\"weight\":\"x\"}}"),
		  GENERIC("Parameter 'weight' expects uint64"));
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-set-sched\",\"vm\":\"qb\",\"arguments\":{\"period-ns\":1000000}}"),
		  GENERIC("VM 'qb': Parameters 'period-ns' and 'budget-ns' go together"));
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-set-sched\",\"vm\":\"qb\",\"arguments\":{\"weight\":5,\"cap\":100000}}"),
		  GENERIC("VM 'qb': Parameter 'cap' must be at most 100 per worker thread"));
	CHECK_HAS(req(q, &c, "{\"execute\":\"query-vms\"}"), "\"name\": \"qb\", \"kind\": \"riscv\", \"state\": \"prelaunch\", \"harts\": 1, ");
	CHECK(!strstr(took(&c), "\"weight\": 5"));
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-set-sched\",\"vm\":\"qb\",\"arguments\":{\"weight\":300,\"cap\":50,"
			     "\"period-ns\":10000000,\"budget-ns\":2000000}}"), "{\"return\": {}}\r\n");
	CHECK_HAS(req(q, &c, "{\"execute\":\"query-vms\"}"),
		  "\"weight\": 300, \"cap\": 50, \"reservation\": {\"period-ns\": 10000000, \"budget-ns\": 2000000}}");
	CHECK_HAS(req(q, &c, "{\"execute\":\"query-vm-stats\",\"vm\":\"qb\"}"), "{\"return\": {\"name\": \"qb\", \"state\": \"prelaunch\", \"cpu-ns\": ");

	/* create and destroy */
	char buf[1024];
	snprintf(buf, sizeof buf, "{\"execute\":\"vm-create\",\"arguments\":{\"name\":\"qc\",\"config\":"
		 "[\"-M\",\"virt\",\"-m\",\"16M\",\"-bios\",\"none\",\"-kernel\",\"%s\",\"-serial\",\"null\",\"-S\"]}}", kernel);
	CHECK_STR(req(q, &c, buf), "{\"return\": {\"name\": \"qc\", \"state\": \"prelaunch\"}}\r\n");
	CHECK_STR(req(q, &c, buf), GENERIC("VM 'qc' exists already"));
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-create\",\"arguments\":{\"name\":\"qd\",\"config\":[\"-m\",\"1T\",\"-bogus\"]}}"),
		  GENERIC("VM 'qd': vm: unknown option '-bogus' (try 'cairn vm -h')"));
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-create\",\"arguments\":{\"name\":\"qd\",\"config\":[1]}}"),
		  GENERIC("Invalid parameter type for 'config[0]', expected: string"));
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-create\",\"arguments\":{\"name\":\"qd\",\"config\":[\"-qmp\",\"stdio\"]}}"),
		  GENERIC("VM 'qd': -qmp and -monitor are not served for VMs made by vm-create "
			  "(send its commands here with \\\"vm\\\": \\\"qd\\\")"));
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-start\",\"vm\":\"qc\"}"), "{\"return\": {}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"query-status\",\"vm\":\"qc\"}"),
		  "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-destroy\",\"vm\":\"qc\"}"), "{\"return\": {}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"query-status\",\"vm\":\"qc\"}"), ERR("DeviceNotFound", "VM 'qc' not found"));
	/* a WebAssembly program among the VMs: no harts, no guest memory */
	struct vm *w = make_wasm_vm("qw");
	CHECK_HAS(req(q, &c, "{\"execute\":\"query-vms\"}"), "{\"name\": \"qw\", \"kind\": \"wasm\", \"state\": ");
	CHECK_STR(req(q, &c, "{\"execute\":\"query-cpus-fast\",\"vm\":\"qw\"}"), "{\"return\": []}\r\n");
	CHECK_STR(hmp_vm(q, &c, "qw", "info registers"), "{\"return\": \"No CPU available\\r\\n\"}\r\n");
	CHECK_STR(hmp_vm(q, &c, "qw", "x /2x 0"), "{\"return\": \"Can not dump without CPU\\r\\n\"}\r\n");
	CHECK_STR(hmp_vm(q, &c, "qw", "xp /2x 0x80000000"), "{\"return\": \"0000000080000000: Cannot access memory\\r\\n\"}\r\n");
	CHECK_STR(hmp_vm(q, &c, "qw", "info cpus"), "{\"return\": \"\"}\r\n");
	CHECK_HAS(req(q, &c, "{\"execute\":\"query-vm-stats\",\"vm\":\"qw\"}"), "{\"return\": {\"name\": \"qw\", ");
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-destroy\",\"vm\":\"qw\"}"), "{\"return\": {}}\r\n");
	(void)w;
	const char *wpath = (const char *)make_wasm_vm(NULL);
	snprintf(buf, sizeof buf, "{\"execute\":\"vm-create\",\"arguments\":{\"name\":\"qx\",\"kind\":\"wasm\",\"config\":\"%s\"}}", wpath);
	CHECK_HAS(req(q, &c, buf), "{\"return\": {\"name\": \"qx\", \"state\": \"");
	CHECK_HAS(req(q, &c, "{\"execute\":\"query-vms\"}"), "{\"name\": \"qx\", \"kind\": \"wasm\", ");
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-destroy\",\"vm\":\"qx\"}"), "{\"return\": {}}\r\n");
	CHECK_STR(req(q, &c, "{\"execute\":\"vm-create\",\"arguments\":{\"name\":\"qy\",\"kind\":\"x86\",\"config\":[]}}"),
		  GENERIC("Parameter 'kind' does not accept value 'x86'"));
	unlink(wpath);
	qmp_conn_event(q, a, "STOP", "{}");
	CHECK_HAS(took(&c), "\"event\": \"STOP\", \"vm\": \"qa\"}\r\n");
	qmp_conn_free(q);
	free(c.buf);
}

/* ---- real sockets ---- */

static int dial(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) {
		perror(path);
		exit(1);
	}
	return fd;
}

/* Lines from a socket, with a timeout. */
struct reader { int fd; char buf[1 << 16]; size_t len; };

static char *read_line(struct reader *r, int timeout_ms)
{
	static char line[1 << 16];
	uint64_t end = base_now_ns() + (uint64_t)timeout_ms * 1000000;
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		if (nl) {
			size_t l = (size_t)(nl - r->buf) + 1;
			memcpy(line, r->buf, l);
			line[l] = 0;
			memmove(r->buf, r->buf + l, r->len - l);
			r->len -= l;
			return line;
		}
		uint64_t now = base_now_ns();
		struct pollfd p = { r->fd, POLLIN, 0 };
		if (now >= end || poll(&p, 1, (int)((end - now) / 1000000) + 1) <= 0 || r->len == sizeof r->buf)
			return NULL;
		ssize_t n = read(r->fd, r->buf + r->len, sizeof r->buf - r->len);
		if (n <= 0)
			return NULL;
		r->len += (size_t)n;
	}
}

/* The reply (skipping events; they are counted into events). */
static char *reply(struct reader *r, char *events, size_t n)
{
	for (char *l; (l = read_line(r, 10000)); ) {
		if (!strstr(l, "\"event\": "))
			return l;
		if (events)
			strncat(events, strstr(l, "\"event\": ") + 9, n - strlen(events) - 1);
	}
	return NULL;
}

static void say(int fd, const char *s)
{
	CHECK(write(fd, s, strlen(s)) == (ssize_t)strlen(s));
}

static void open_client(struct reader *r, const char *path)
{
	r->fd = dial(path);
	r->len = 0;
	CHECK_HAS(read_line(r, 10000), "{\"QMP\": ");
	say(r->fd, "{\"execute\":\"qmp_capabilities\"}\n");
	CHECK_STR(reply(r, NULL, 0), "{\"return\": {}}\r\n");
}

static void test_many_clients(const char *path)
{
	enum { N = 50 };
	static struct reader r[N];
	for (int k = 0; k < N; k++)
		open_client(&r[k], path);
	for (int k = 0; k < N; k++)
		say(r[k].fd, "{\"execute\":\"query-name\",\"id\":7}");
	for (int k = 0; k < N; k++) {
		CHECK_STR(reply(&r[k], NULL, 0), "{\"return\": {\"name\": \"qa\"}, \"id\": 7}\r\n");
		close(r[k].fd);
	}
}

static void test_hostile_clients(const char *path)
{
	static struct reader r, quiet, big;
	/* a client that never reads, while its replies pile up: cut off at
	 * the output cap, the others unaffected */
	quiet.fd = dial(path);
	say(quiet.fd, "{\"execute\":\"qmp_capabilities\"}");
	const char *flood = "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"xp /65536xg 0x80000000\"}}";
	bool cut = false;
	for (int k = 0; k < 400 && !cut; k++) {
		struct pollfd p = { quiet.fd, POLLOUT, 0 };
		if (poll(&p, 1, 1000) <= 0)
			break; /* the server stopped reading it: its queue holds replies */
		if (send(quiet.fd, flood, strlen(flood), MSG_NOSIGNAL) < 0)
			cut = true;
	}
	open_client(&r, path);
	say(r.fd, "{\"execute\":\"query-name\"}");
	CHECK_STR(reply(&r, NULL, 0), "{\"return\": {\"name\": \"qa\"}}\r\n");
	/* the never-reading client is dropped once its output passes the cap */
	char sink[65536];
	size_t got = 0;
	for (ssize_t n; (n = recv(quiet.fd, sink, sizeof sink, 0)) > 0; )
		got += (size_t)n;
	CHECK(got <= (8u << 20) + (2u << 20)); /* never much more than the cap */
	close(quiet.fd);

	/* 2 MiB of one value without a newline: the error, then the close */
	big.fd = dial(path);
	big.len = 0;
	read_line(&big, 10000);
	say(big.fd, "{\"execute\":\"qmp_capabilities\"}");
	CHECK_STR(reply(&big, NULL, 0), "{\"return\": {}}\r\n");
	say(big.fd, "{\"execute\":\"");
	char *x = malloc(1 << 20);
	memset(x, 'x', 1 << 20);
	for (int k = 0; k < 2; k++)
		if (send(big.fd, x, 1 << 20, MSG_NOSIGNAL) < 0)
			break;
	free(x);
	CHECK_STR(read_line(&big, 10000), GENERIC("JSON token size limit exceeded"));
	CHECK(read_line(&big, 10000) == NULL); /* closed */
	close(big.fd);

	/* clients that go away mid-command and with commands queued */
	for (int k = 0; k < 20; k++) {
		int fd = dial(path);
		say(fd, "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"stop\"}{\"execute\":\"cont\"}"
			"{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info registers -a\"}}"
			"{\"execute\":\"query-status\"}");
		close(fd);
	}
	say(r.fd, "{\"execute\":\"query-name\"}");
	CHECK_STR(reply(&r, NULL, 0), "{\"return\": {\"name\": \"qa\"}}\r\n");
	close(r.fd);
}

static void test_events(const char *path, struct vm *vm)
{
	static struct reader r;
	char events[1024] = "";
	open_client(&r, path);
	if (vm_state(vm) != VM_RUNNING) {
		say(r.fd, "{\"execute\":\"cont\"}");
		CHECK_STR(reply(&r, events, sizeof events), "{\"return\": {}}\r\n");
	}
	const char *seq[] = { "stop", "cont", "system_reset", "system_powerdown" };
	for (size_t k = 0; k < ARRAY_SIZE(seq); k++) {
		char buf[128];
		snprintf(buf, sizeof buf, "{\"execute\":\"%s\"}\n", seq[k]);
		say(r.fd, buf);
		CHECK_STR(reply(&r, events, sizeof events), "{\"return\": {}}\r\n");
	}
	/* the last event may come after the last reply */
	for (int k = 0; k < 100 && !strstr(events, "\"POWERDOWN\""); k++) {
		char *l = read_line(&r, 100);
		if (l && strstr(l, "\"event\": "))
			strncat(events, strstr(l, "\"event\": ") + 9, sizeof events - strlen(events) - 1);
	}
	const char *s = events, *want[] = { "\"STOP\"", "\"RESUME\"", "\"RESET\"", "\"POWERDOWN\"" };
	if (strstr(events, "\"RESUME\"") == events)
		s = events + 8; /* the cont that started it */
	for (size_t k = 0; k < ARRAY_SIZE(want); k++) {
		const char *at = strstr(s, want[k]);
		if (!at)
			fprintf(stderr, "events: %s (no %s after position %zu)\n", events, want[k], (size_t)(s - events));
		CHECK(at != NULL);
		s = at ? at + 1 : s;
	}
	CHECK_HAS(events, "\"RESET\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-system-reset\"}}");
	close(r.fd);
}

/* ---- cairn ctl ---- */

static char *ctl(const char *cairn, const char *sock, const char *args, int *rc)
{
	char cmd[2048], path[512];
	snprintf(path, sizeof path, "%s/ctl.out", tmpdir);
	snprintf(cmd, sizeof cmd, "%s ctl --socket %s %s >%s 2>&1", cairn, sock, args, path);
	int st = system(cmd);
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	static char out[65536];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(out, 1, sizeof out - 1, f) : 0;
	out[n] = 0;
	if (f)
		fclose(f);
	return out;
}

static void test_ctl(const char *sock)
{
	const char *cairn = getenv("CAIRN");
	char def[512];
	snprintf(def, sizeof def, "%s/cairn", getenv("BUILD") ? getenv("BUILD") : "build");
	if (!cairn)
		cairn = def;
	if (access(cairn, X_OK)) {
		fprintf(stderr, "skip: cairn ctl (no %s)\n", cairn);
		return;
	}
	int rc;
	char *out = ctl(cairn, sock, "list", &rc);
	CHECK(rc == 0);
	CHECK_HAS(out, "NAME ");
	CHECK_HAS(out, "\nqa ");
	CHECK_HAS(out, "\nqb ");
	out = ctl(cairn, sock, "info qb", &rc);
	CHECK(rc == 0);
	CHECK_HAS(out, "name:        qb\n");
	CHECK_HAS(out, "hart 0 ");
	out = ctl(cairn, sock, "stats qa", &rc);
	CHECK(rc == 0);
	CHECK_HAS(out, "slices:   ");
	out = ctl(cairn, sock, "set qb weight=200 cap=25 period=10ms budget=1ms", &rc);
	CHECK(rc == 0);
	out = ctl(cairn, sock, "list", &rc);
	CHECK_HAS(out, "1.000ms/10.000ms");
	out = ctl(cairn, sock, "set qb weight=x", &rc);
	CHECK(rc == 2);
	CHECK_HAS(out, "cairn: ctl: set: 'weight=x' is not");
	out = ctl(cairn, sock, "hmp qb 'xp /2x 0x80000000'", &rc);
	CHECK(rc == 0);
	CHECK_STR(out, "0000000080000000: 0x10500073 0x0000bff5\n");
	out = ctl(cairn, sock, "qmp '{\"execute\":\"query-name\",\"vm\":\"qb\"}'", &rc);
	CHECK(rc == 0);
	CHECK_STR(out, "{\"return\": {\"name\": \"qb\"}}\n");
	out = ctl(cairn, sock, "stop nope", &rc);
	CHECK(rc == 1);
	CHECK_STR(out, "cairn: ctl: VM 'nope' not found\n");
	char args[1024];
	snprintf(args, sizeof args, "create qe -M virt -m 16M -bios none -kernel %s -serial null", kernel);
	out = ctl(cairn, sock, args, &rc);
	CHECK(rc == 0);
	CHECK_STR(out, "qe: running\n");
	out = ctl(cairn, sock, "stop qe", &rc);
	CHECK(rc == 0);
	out = ctl(cairn, sock, "info qe", &rc);
	CHECK_HAS(out, "state:       paused\n");
	out = ctl(cairn, sock, "destroy qe", &rc);
	CHECK(rc == 0);
	out = ctl(cairn, sock, "info qe", &rc);
	CHECK(rc == 1);
	CHECK_HAS(out, "cairn: ctl: VM 'qe' not found");
	out = ctl(cairn, sock, "bogus", &rc);
	CHECK(rc == 2);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	write_kernel();
	struct hv_options ho = { .threads = 2, .persist = true };
	if (hv_create(&hv, &ho)) {
		fprintf(stderr, "hv_create failed\n");
		return 1;
	}
	pthread_create(&hv_thread, NULL, run_hv, NULL);
	struct vm *a = make_vm("qa", "2"), *b = make_vm("qb", "1");

	test_greeting_and_negotiation(a);
	test_malformed(a);
	test_framing(a);
	test_hmp(a);
	test_x_translation(b);
	test_lifecycle(a);
	test_control(a, b);

	char vsock[256], csock[256];
	snprintf(vsock, sizeof vsock, "%s/vm.sock", tmpdir);
	snprintf(csock, sizeof csock, "%s/control.sock", tmpdir);
	struct qmp_server *vs, *cs;
	char spec[300];
	cairn_errbuf e = { 0 };
	snprintf(spec, sizeof spec, "unix:%s,server=on,wait=off", vsock);
	CHECK(qmp_open(hv, a, spec, &vs, &e) == 0);
	snprintf(spec, sizeof spec, "unix:%s,server,nowait", csock);
	CHECK(qmp_open(hv, NULL, spec, &cs, &e) == 0);
	CHECK(qmp_open(hv, a, "unix:/nonexistent/dir/q.sock,server,nowait", &(struct qmp_server *){ 0 }, &e) < 0);
	CHECK_STR(e.msg, "Failed to bind socket to /nonexistent/dir/q.sock: No such file or directory");
	CHECK(qmp_open(hv, a, "unix:/tmp/x.sock", &(struct qmp_server *){ 0 }, &e) < 0);
	CHECK_STR(e.msg, "only server mode is supported (add ,server=on)");
	CHECK(qmp_open(hv, a, "unix:/tmp/x.sock,server,bogus=1", &(struct qmp_server *){ 0 }, &e) < 0);
	CHECK_STR(e.msg, "Invalid parameter 'bogus'");
	struct qmp_server *none = (struct qmp_server *)1;
	CHECK(qmp_open(hv, a, "none", &none, &e) == 0 && none == NULL);

	test_many_clients(vsock);
	test_hostile_clients(vsock);
	test_events(vsock, a);
	test_ctl(csock);

	qmp_close(vs);
	qmp_close(cs);
	struct stat st;
	CHECK(stat(vsock, &st) != 0); /* the socket file goes with the server */
	__atomic_store_n(&hv_stop, 1, __ATOMIC_RELEASE);
	hv_quit(hv, 0);
	pthread_join(hv_thread, NULL);
	hv_destroy(hv);
	unlink(kernel);
	char path[300];
	snprintf(path, sizeof path, "%s/ctl.out", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("test_qmp: all checks passed\n");
	return 0;
}
