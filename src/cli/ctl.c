/* ctl.c - `cairn ctl`: the command-line client of a hypervisor's control
 * socket (`cairn hv --control unix:PATH`).  Each invocation connects,
 * negotiates QMP, sends one command and prints its reply as a table or
 * lines of text; an error reply is one `cairn: ctl: ...` line and exit 1. */
#include "cli/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/base.h"

#define REPLY_TIMEOUT_MS 60000
#define LINE_MAX_BYTES (64u << 20)

static void ctl_usage(FILE *f)
{
	fprintf(f,
		"usage: cairn ctl [--socket PATH] COMMAND [VM] [ARGS]\n"
		"  the socket: --socket PATH (or unix:PATH, tcp:HOST:PORT), else $CAIRN_CONTROL\n"
		"  list                      every VM: state, harts, memory, CPU time, scheduling\n"
		"  info VM                   one VM: state, harts and their threads, scheduling\n"
		"  stats VM                  CPU time, slices, wakeups, instructions\n"
		"  start|stop|cont|reset|powerdown|destroy VM\n"
		"  create NAME \"OPTIONS\"     a VM from `cairn vm` options (it starts unless -S)\n"
		"  create --wasm NAME \"OPTIONS PROGRAM.wasm [ARGS]\"  a WebAssembly program from `cairn run` options\n"
		"  set VM [weight=N] [cap=PERCENT] [period=T budget=T]  scheduling (T: 10ms, 500us, 1s, ns)\n"
		"  hmp VM 'COMMAND'          a human monitor command (info registers, xp /4x 0x80000000)\n"
		"  qmp '{JSON}'              one raw QMP request; its reply as JSON\n"
		"  quit [VM]                 power off the VM, or every VM and the hypervisor\n");
}

/* ---- the connection ---- */

struct conn {
	int fd;
	char *buf;
	size_t len, cap;
};

static int dial_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof a.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(a.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a)) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static int dial_tcp(const char *hostport)
{
	const char *colon = strrchr(hostport, ':');
	if (!colon) {
		errno = EINVAL;
		return -1;
	}
	char host[256];
	snprintf(host, sizeof host, "%.*s", (int)(colon - hostport), hostport);
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	if (getaddrinfo(*host ? host : "localhost", colon + 1, &hints, &res)) {
		errno = EHOSTUNREACH;
		return -1;
	}
	int fd = -1;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

/* PATH, unix:PATH[,...] or tcp:HOST:PORT[,...]. */
static int dial(const char *spec)
{
	char s[4096];
	snprintf(s, sizeof s, "%s", spec);
	if (!strncmp(s, "tcp:", 4)) {
		s[strcspn(s, ",")] = 0;
		return dial_tcp(s + 4);
	}
	if (!strncmp(s, "unix:", 5)) {
		s[strcspn(s, ",")] = 0;
		return dial_unix(s + 5);
	}
	return dial_unix(s);
}

/* The next line (without "\r\n") as parsed JSON, or NULL with a message. */
static json_t *read_json(struct conn *c, const char **why)
{
	for (;;) {
		char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
		if (nl) {
			size_t l = (size_t)(nl - c->buf) + 1;
			json_t *j = json_loadb(c->buf, l, JSON_DECODE_ANY, NULL);
			memmove(c->buf, c->buf + l, c->len - l);
			c->len -= l;
			if (!j)
				*why = "malformed reply";
			return j;
		}
		if (c->len + 65536 > c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 65536 * 2;
			char *p = cap <= LINE_MAX_BYTES ? realloc(c->buf, cap) : NULL;
			if (!p) {
				*why = "reply too long";
				return NULL;
			}
			c->buf = p;
			c->cap = cap;
		}
		struct pollfd p = { c->fd, POLLIN, 0 };
		int r = poll(&p, 1, REPLY_TIMEOUT_MS);
		if (r == 0) {
			*why = "no reply";
			return NULL;
		}
		ssize_t n = r > 0 ? read(c->fd, c->buf + c->len, c->cap - c->len) : -1;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*why = "the hypervisor closed the connection";
			return NULL;
		}
		c->len += (size_t)n;
	}
}

/* The request and its newline in one write: a hypervisor that ends at
 * once (quit) has read it all, and its reply is still there to read. */
static bool send_json(struct conn *c, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	size_t n = s ? strlen(s) : 0;
	char *line = s ? realloc(s, n + 2) : NULL;
	if (!line) {
		free(s);
		return false;
	}
	line[n++] = '\n';
	bool ok = true;
	for (size_t off = 0; ok && off < n; ) {
		ssize_t w = send(c->fd, line + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		off += w > 0 ? (size_t)w : 0;
	}
	free(line);
	return ok;
}

/* The reply to req (events before it are skipped); NULL: printed why. */
static json_t *call(struct conn *c, json_t *req)
{
	static int next_id;
	json_t *id = json_integer(++next_id);
	json_object_set(req, "id", id);
	const char *why = "the hypervisor closed the connection";
	json_t *reply = NULL;
	(void)send_json(c, req); /* a failed write may still have a reply to read */
	while ((reply = read_json(c, &why)) && !json_equal(json_object_get(reply, "id"), id))
		json_decref(reply); /* an event, or a reply to nobody */
	json_decref(id);
	json_decref(req);
	if (!reply)
		cairn_error("ctl: %s", why);
	return reply;
}

static int ctl_connect(struct conn *c, const char *spec)
{
	*c = (struct conn){ .fd = dial(spec) };
	if (c->fd < 0) {
		cairn_error("ctl: cannot connect to %s: %s", spec, strerror(errno));
		return -1;
	}
	const char *why = "";
	json_t *greeting = read_json(c, &why);
	if (!json_object_get(greeting, "QMP")) {
		cairn_error("ctl: %s does not speak QMP%s%s", spec, *why ? ": " : "", why);
		json_decref(greeting);
		return -1;
	}
	json_decref(greeting);
	json_t *r = call(c, json_pack("{s:s}", "execute", "qmp_capabilities"));
	bool ok = r && json_object_get(r, "return");
	if (r && !ok)
		cairn_error("ctl: capabilities negotiation failed");
	json_decref(r);
	return ok ? 0 : -1;
}

/* The "return" of a command, or NULL after printing its error. */
static json_t *run(struct conn *c, const char *cmd, json_t *args)
{
	json_t *req = json_pack("{s:s}", "execute", cmd);
	if (args)
		json_object_set_new(req, "arguments", args);
	json_t *r = call(c, req);
	if (!r)
		return NULL;
	json_t *ret = json_incref(json_object_get(r, "return"));
	if (!ret) {
		json_t *err = json_object_get(r, "error");
		const char *desc = json_string_value(json_object_get(err, "desc"));
		cairn_error("ctl: %s", desc ? desc : "malformed reply");
	}
	json_decref(r);
	return ret;
}

/* ---- printing ---- */

static void human_bytes(char *out, size_t n, uint64_t b)
{
	static const char units[] = "BKMGTPE";
	int u = 0;
	while (b >= 1024 && !(b % 1024) && u < 6)
		b /= 1024, u++;
	snprintf(out, n, "%" PRIu64 "%c", b, units[u]);
}

static void human_ns(char *out, size_t n, uint64_t ns)
{
	if (ns >= 1000000000ull)
		snprintf(out, n, "%.3fs", (double)ns / 1e9);
	else if (ns >= 1000000)
		snprintf(out, n, "%.3fms", (double)ns / 1e6);
	else if (ns >= 1000)
		snprintf(out, n, "%.3fus", (double)ns / 1e3);
	else
		snprintf(out, n, "%" PRIu64 "ns", ns);
}

static uint64_t num(json_t *o, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(o, key));
}

static void reservation_text(char *out, size_t n, json_t *vm)
{
	json_t *r = json_object_get(vm, "reservation");
	if (!json_is_object(r)) {
		snprintf(out, n, "-");
		return;
	}
	char b[32], p[32];
	human_ns(b, sizeof b, num(r, "budget-ns"));
	human_ns(p, sizeof p, num(r, "period-ns"));
	snprintf(out, n, "%s/%s", b, p);
}

static void print_list(json_t *vms)
{
	printf("%-16s %-15s %5s %7s %12s %10s %10s %6s %4s %s\n", "NAME", "STATE", "HARTS", "RAM", "CPU",
	       "SLICES", "WAKEUPS", "WEIGHT", "CAP", "RESERVATION");
	size_t i;
	json_t *vm;
	json_array_foreach(vms, i, vm) {
		char ram[32], cpu[32], rsv[64], cap[16];
		human_bytes(ram, sizeof ram, num(vm, "ram"));
		human_ns(cpu, sizeof cpu, num(vm, "cpu-ns"));
		reservation_text(rsv, sizeof rsv, vm);
		snprintf(cap, sizeof cap, num(vm, "cap") ? "%" PRIu64 "%%" : "-", num(vm, "cap"));
		printf("%-16s %-15s %5" PRIu64 " %7s %12s %10" PRIu64 " %10" PRIu64 " %6" PRIu64 " %4s %s\n",
		       json_string_value(json_object_get(vm, "name")), json_string_value(json_object_get(vm, "state")),
		       num(vm, "harts"), ram, cpu, num(vm, "slices"), num(vm, "wakeups"), num(vm, "weight"), cap, rsv);
	}
}

static json_t *find_vm(json_t *vms, const char *name)
{
	size_t i;
	json_t *vm;
	json_array_foreach(vms, i, vm)
		if (!strcmp(json_string_value(json_object_get(vm, "name")), name))
			return vm;
	return NULL;
}

static int do_list(struct conn *c, int argc, char **argv)
{
	json_t *vms = run(c, "query-vms", NULL);
	if (!vms)
		return 1;
	print_list(vms);
	json_decref(vms);
	return 0;
}

static json_t *vm_arg(const char *vm)
{
	return json_pack("{s:s}", "vm", vm);
}

static int do_info(struct conn *c, int argc, char **argv)
{
	json_t *vms = run(c, "query-vms", NULL), *cpus = vms ? run(c, "query-cpus-fast", vm_arg(argv[0])) : NULL;
	json_t *vm = vms ? find_vm(vms, argv[0]) : NULL;
	int rc = 1;
	if (cpus && vm) {
		char ram[32], cpu[32], rsv[64];
		human_bytes(ram, sizeof ram, num(vm, "ram"));
		human_ns(cpu, sizeof cpu, num(vm, "cpu-ns"));
		reservation_text(rsv, sizeof rsv, vm);
		printf("name:        %s\nkind:        %s\nstate:       %s\nharts:       %" PRIu64 "\nram:         %s\ncpu time:    %s\n"
		       "weight:      %" PRIu64 "\ncap:         %" PRIu64 "%%%s\nreservation: %s\n",
		       argv[0], json_string_value(json_object_get(vm, "kind")), json_string_value(json_object_get(vm, "state")),
		       num(vm, "harts"), ram, cpu,
		       num(vm, "weight"), num(vm, "cap"), num(vm, "cap") ? "" : " (none)", rsv);
		size_t i;
		json_t *h;
		json_array_foreach(cpus, i, h)
			printf("hart %-6" PRIu64 " thread %" PRIu64 "  %s\n", num(h, "cpu-index"), num(h, "thread-id"),
			       json_string_value(json_object_get(h, "qom-path")));
		rc = 0;
	} else if (vms && cpus) {
		cairn_error("ctl: VM '%s' not found", argv[0]);
	}
	json_decref(vms);
	json_decref(cpus);
	return rc;
}

static int do_stats(struct conn *c, int argc, char **argv)
{
	json_t *st = run(c, "query-vm-stats", vm_arg(argv[0]));
	if (!st)
		return 1;
	char cpu[32], ram[32];
	human_ns(cpu, sizeof cpu, num(st, "cpu-ns"));
	human_bytes(ram, sizeof ram, num(st, "ram"));
	printf("name:     %s\nstate:    %s\ncpu time: %s (%" PRIu64 " ns)\nslices:   %" PRIu64 "\nwakeups:  %" PRIu64
	       "\ninstret:  %" PRIu64 "\nram:      %s\n", argv[0], json_string_value(json_object_get(st, "state")),
	       cpu, num(st, "cpu-ns"), num(st, "slices"), num(st, "wakeups"), num(st, "instret"), ram);
	json_decref(st);
	return 0;
}

/* stop, cont, ... VM: one command, nothing to print. */
static int simple(struct conn *c, const char *cmd, const char *vm)
{
	json_t *r = run(c, cmd, vm ? vm_arg(vm) : NULL);
	json_decref(r);
	return r ? 0 : 1;
}

static int do_start(struct conn *c, int argc, char **argv) { return simple(c, "vm-start", argv[0]); }
static int do_stop(struct conn *c, int argc, char **argv) { return simple(c, "stop", argv[0]); }
static int do_cont(struct conn *c, int argc, char **argv) { return simple(c, "cont", argv[0]); }
static int do_reset(struct conn *c, int argc, char **argv) { return simple(c, "system_reset", argv[0]); }
static int do_powerdown(struct conn *c, int argc, char **argv) { return simple(c, "system_powerdown", argv[0]); }
static int do_destroy(struct conn *c, int argc, char **argv) { return simple(c, "vm-destroy", argv[0]); }
static int do_quit(struct conn *c, int argc, char **argv) { return simple(c, "quit", argc ? argv[0] : NULL); }

/* create NAME "OPTIONS" (one string, split by the hypervisor as a shell
 * would) or create NAME OPT OPT... (already words). */
static int do_create(struct conn *c, int argc, char **argv)
{
	bool wasm = !strcmp(argv[0], "--wasm");
	if (wasm && argc < 3) {
		cairn_error("ctl: usage: cairn ctl create [--wasm] NAME \"OPTIONS\"");
		return 2;
	}
	argv += wasm;
	argc -= wasm;
	json_t *config;
	if (argc == 2) {
		config = json_string(argv[1]);
	} else {
		config = json_array();
		for (int k = 1; k < argc; k++)
			json_array_append_new(config, json_string(argv[k]));
	}
	json_t *args = json_pack("{s:s, s:o}", "name", argv[0], "config", config);
	if (wasm)
		json_object_set_new(args, "kind", json_string("wasm"));
	json_t *r = run(c, "vm-create", args);
	if (!r)
		return 1;
	printf("%s: %s\n", json_string_value(json_object_get(r, "name")), json_string_value(json_object_get(r, "state")));
	json_decref(r);
	return 0;
}

/* 10ms, 500us, 2s, 1000000 (ns). */
static int parse_duration(const char *s, uint64_t *ns)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	static const struct { const char *unit; double mul; } units[] = {
		{ "", 1 }, { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};
	for (size_t k = 0; end != s && !errno && v >= 0 && k < ARRAY_SIZE(units); k++)
		if (!strcmp(end, units[k].unit) && v * units[k].mul < 1.8e19) {
			*ns = (uint64_t)(v * units[k].mul + 0.5);
			return 0;
		}
	return -1;
}

static int set_arg(json_t *args, const char *a)
{
	const char *eq = strchr(a, '=');
	size_t kl = eq ? (size_t)(eq - a) : 0;
	uint64_t v;
	char *end;
	if (eq && ((kl == 6 && !strncmp(a, "weight", 6)) || (kl == 3 && !strncmp(a, "cap", 3)))) {
		errno = 0;
		v = strtoull(eq + 1, &end, 10);
		if (!eq[1] || *end || errno || eq[1] == '-')
			return -1;
		json_object_set_new(args, kl == 3 ? "cap" : "weight", json_integer((json_int_t)v));
		return 0;
	}
	if (eq && ((kl == 6 && !strncmp(a, "period", 6)) || (kl == 6 && !strncmp(a, "budget", 6)))) {
		if (parse_duration(eq + 1, &v) || v > INT64_MAX)
			return -1;
		json_object_set_new(args, a[0] == 'p' ? "period-ns" : "budget-ns", json_integer((json_int_t)v));
		return 0;
	}
	return -1;
}

static int do_set(struct conn *c, int argc, char **argv)
{
	json_t *args = vm_arg(argv[0]);
	for (int k = 1; k < argc; k++)
		if (set_arg(args, argv[k])) {
			cairn_error("ctl: set: '%s' is not weight=N, cap=PERCENT, period=T or budget=T", argv[k]);
			json_decref(args);
			return 2;
		}
	json_t *r = run(c, "vm-set-sched", args);
	json_decref(r);
	return r ? 0 : 1;
}

static int do_hmp(struct conn *c, int argc, char **argv)
{
	json_t *r = run(c, "human-monitor-command", json_pack("{s:s, s:s}", "vm", argv[0], "command-line", argv[1]));
	if (!r)
		return 1;
	for (const char *p = json_string_value(r); p && *p; p++)
		if (*p != '\r')
			putchar(*p);
	json_decref(r);
	return 0;
}

/* The reply line itself: JSON, as the hypervisor sent it (less its id). */
static int do_qmp(struct conn *c, int argc, char **argv)
{
	json_error_t je;
	json_t *req = json_loads(argv[0], JSON_DECODE_ANY, &je);
	if (!json_is_object(req)) {
		cairn_error("ctl: qmp: not a JSON object: %s", req ? "" : je.text);
		json_decref(req);
		return 2;
	}
	json_t *r = call(c, req);
	if (!r)
		return 1;
	json_object_del(r, "id");
	char *s = json_dumps(r, JSON_ENSURE_ASCII);
	printf("%s\n", s ? s : "");
	free(s);
	int rc = json_object_get(r, "error") ? 1 : 0;
	json_decref(r);
	return rc;
}

static const struct {
	const char *name;
	int min, max;           /* arguments after the command */
	const char *args;
	int (*fn)(struct conn *c, int argc, char **argv);
} ctl_cmds[] = {
	{ "list", 0, 0, "", do_list },
	{ "info", 1, 1, "VM", do_info },
	{ "stats", 1, 1, "VM", do_stats },
	{ "start", 1, 1, "VM", do_start },
	{ "stop", 1, 1, "VM", do_stop },
	{ "cont", 1, 1, "VM", do_cont },
	{ "reset", 1, 1, "VM", do_reset },
	{ "powerdown", 1, 1, "VM", do_powerdown },
	{ "destroy", 1, 1, "VM", do_destroy },
	{ "create", 2, 1000, "[--wasm] NAME \"OPTIONS\"", do_create },
	{ "set", 2, 5, "VM weight=N cap=N period=T budget=T", do_set },
	{ "hmp", 2, 2, "VM 'COMMAND'", do_hmp },
	{ "qmp", 1, 1, "'{JSON}'", do_qmp },
	{ "quit", 0, 1, "[VM]", do_quit },
};

int cli_ctl(int argc, char **argv)
{
	const char *sock = getenv("CAIRN_CONTROL");
	int k = 1;
	for (; k < argc && argv[k][0] == '-'; k++) {
		if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help")) {
			ctl_usage(stdout);
			return 0;
		}
		if ((!strcmp(argv[k], "--socket") || !strcmp(argv[k], "-s")) && k + 1 < argc) {
			sock = argv[++k];
			continue;
		}
		cairn_error("ctl: unknown option '%s' (try 'cairn ctl -h')", argv[k]);
		return 2;
	}
	if (k >= argc) {
		ctl_usage(stderr);
		return 2;
	}
	size_t i = 0;
	while (i < ARRAY_SIZE(ctl_cmds) && strcmp(ctl_cmds[i].name, argv[k]))
		i++;
	if (i == ARRAY_SIZE(ctl_cmds)) {
		cairn_error("ctl: unknown command '%s' (try 'cairn ctl -h')", argv[k]);
		return 2;
	}
	int n = argc - k - 1;
	if (n < ctl_cmds[i].min || n > ctl_cmds[i].max) {
		cairn_error("ctl: usage: cairn ctl %s %s", ctl_cmds[i].name, ctl_cmds[i].args);
		return 2;
	}
	if (!sock) {
		cairn_error("ctl: no control socket (--socket PATH, or set CAIRN_CONTROL)");
		return 2;
	}
	struct conn c;
	if (ctl_connect(&c, sock)) {
		if (c.fd >= 0)
			close(c.fd);
		free(c.buf);
		return 1;
	}
	int rc = ctl_cmds[i].fn(&c, n, argv + k + 1);
	close(c.fd);
	free(c.buf);
	return rc;
}
