/* qmp.c - the QMP server: input framed into JSON values by a small lexer
 * (QEMU's json-streamer: braces counted outside strings, single-quoted
 * strings accepted as QEMU accepts them), each value parsed by jansson and
 * checked as QEMU's qmp_dispatch checks it, then run from one table of
 * commands.  On a socket, values are parsed on the I/O loop and run in
 * order on the server's command thread (hv/chan.h), so a command that waits
 * (stop waits for every hart) holds up only commands queued behind it. */
#include "hv/qmp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cairn.h"
#include "hv/chan.h"
#include "hv/monitor.h"
#include "hv/qmpcmd.h"

/* The QEMU release whose protocol this is (the greeting, query-version). */
#define QEMU_MAJOR 7
#define QEMU_MINOR 2
#define QEMU_MICRO 0
#define PACKAGE "cairn " CAIRN_VERSION

/* The lexer's state between reads. */
enum fstate { FR_IDLE, FR_NEST, FR_STR, FR_WORD, FR_RECOVER };
struct frame {
	char *buf;              /* the value so far, single quotes made double */
	size_t len, cap;
	int depth;
	enum fstate state;
	bool esc, top;          /* after a backslash; a string that is the whole value */
	char quote;
};

struct qmp_server {
	struct hv *hv;
	struct vm *vm;
	struct chan_server *chan;
	bool listening;         /* hv_add_listener succeeded */
	bool vm_gone;           /* vm was freed: under chan_quiesce */
	/* The event the running command waits for (qmp_expect). */
	pthread_mutex_t ev_mu;
	pthread_cond_t ev_cv;
	struct vm *want_vm;
	const char *want;
	bool seen;
};

struct qmp_conn {
	struct hv *hv;
	struct vm *vm;          /* NULL: the control socket */
	struct qmp_server *srv; /* NULL without a socket */
	qmp_write_fn *write;    /* without a socket */
	void *ctx;
	struct chan_client *client;
	struct frame f;
	bool negotiated;        /* atomic: read by the event thread */
	bool oob;
};

/* ---- output ---- */

static void conn_write(struct qmp_conn *c, const char *s, size_t n)
{
	if (c->client)
		chan_write(c->client, s, n);
	else
		c->write(c->ctx, s, n);
}

/* QEMU's line: compact-ish JSON (", " and ": "), non-ASCII escaped, "\r\n". */
static char *json_line(json_t *j, size_t *n)
{
	char *s = json_dumps(j, JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
	if (!s)
		return NULL;
	size_t l = strlen(s);
	char *line = realloc(s, l + 3);
	if (!line) {
		free(s);
		return NULL;
	}
	memcpy(line + l, "\r\n", 3);
	*n = l + 2;
	return line;
}

static void send_json(struct qmp_conn *c, json_t *j)
{
	size_t n;
	char *line = j ? json_line(j, &n) : NULL;
	if (line)
		conn_write(c, line, n);
	free(line);
	json_decref(j);
}

/* {"id": ID, "error": {"class": CLS, "desc": DESC}} (no id: none given). */
static json_t *error_reply(json_t *id, const char *cls, const char *desc)
{
	json_t *r = json_object();
	if (id)
		json_object_set(r, "id", id);
	json_object_set_new(r, "error", json_pack("{s:s, s:s}", "class", cls, "desc", desc));
	return r;
}

json_t *qmp_error(struct qmp_call *x, const char *cls, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->desc, sizeof x->desc, fmt, ap);
	va_end(ap);
	x->cls = cls;
	return NULL;
}

json_t *qmp_vm_error(struct qmp_call *x, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (x->control && x->vm)
		return qmp_error(x, "GenericError", "VM '%s': %s", vm_name(x->vm), msg);
	return qmp_error(x, "GenericError", "%s", msg);
}

/* ---- events a command waits for ---- */

#define EXPECT_WAIT_NS 1000000000ull

void qmp_expect(struct qmp_call *x, struct vm *vm, const char *event)
{
	struct qmp_server *s = x->conn->srv;
	if (!s)
		return; /* no socket, no listener: nothing to wait for */
	pthread_mutex_lock(&s->ev_mu);
	s->want_vm = vm;
	s->want = event;
	s->seen = false;
	pthread_mutex_unlock(&s->ev_mu);
}

/* After the handler: until the expected event was sent, or a second. */
static void await_expected(struct qmp_conn *c, bool ok)
{
	struct qmp_server *s = c->srv;
	if (!s)
		return;
	uint64_t deadline = base_now_ns() + EXPECT_WAIT_NS;
	/* The handler is done with its VM: a VM's free may go ahead meanwhile
	 * (the hv thread delivers it, maybe before the event awaited here). */
	chan_gate_open(c->client);
	pthread_mutex_lock(&s->ev_mu);
	while (ok && s->want && !s->seen)
		if (base_cond_wait_until(&s->ev_cv, &s->ev_mu, deadline))
			break;
	s->want = NULL;
	s->want_vm = NULL;
	pthread_mutex_unlock(&s->ev_mu);
	chan_gate_close(c->client);
}

/* On the hv thread, after the event went to the clients. */
static void saw_event(struct qmp_server *s, struct vm *vm, const char *event)
{
	pthread_mutex_lock(&s->ev_mu);
	if (s->want && s->want_vm == vm && !strcmp(s->want, event)) {
		s->seen = true;
		pthread_cond_broadcast(&s->ev_cv);
	}
	pthread_mutex_unlock(&s->ev_mu);
}

void qmp_gate_open(struct qmp_call *x)
{
	if (x->conn->client)
		chan_gate_open(x->conn->client);
}

void qmp_gate_close(struct qmp_call *x)
{
	if (x->conn->client)
		chan_gate_close(x->conn->client);
}

/* ---- QEMU's per-VM commands ---- */

static json_t *cmd_capabilities(struct qmp_call *x, json_t *args)
{
	struct qmp_conn *c = x->conn;
	if (__atomic_load_n(&c->negotiated, __ATOMIC_ACQUIRE))
		return qmp_error(x, "CommandNotFound", "Capabilities negotiation is already complete, command ignored");
	c->oob = json_array_size(json_object_get(args, "enable")) > 0; /* checked: only "oob" */
	__atomic_store_n(&c->negotiated, true, __ATOMIC_RELEASE);
	return json_object();
}

static json_t *cmd_query_status(struct qmp_call *x, json_t *args)
{
	enum vm_state s = vm_state(x->vm);
	return json_pack("{s:s, s:b, s:b}", "status", vm_state_name(s), "singlestep", 0, "running", s == VM_RUNNING);
}

static json_t *cmd_stop(struct qmp_call *x, json_t *args)
{
	if (vm_state(x->vm) != VM_RUNNING)
		return json_object();
	qmp_expect(x, x->vm, "STOP");
	if (vm_pause(x->vm))
		return qmp_vm_error(x, "the VM could not be stopped");
	return json_object();
}

/* QEMU's qmp_cont: a VM that shut down or failed needs a reset first. */
static json_t *cmd_cont(struct qmp_call *x, json_t *args)
{
	enum vm_state s = vm_state(x->vm);
	if (s == VM_SHUTDOWN || s == VM_ERROR)
		return qmp_vm_error(x, "Resetting the Virtual Machine is required");
	if (s == VM_PAUSED || s == VM_PRELAUNCH)
		qmp_expect(x, x->vm, "RESUME");
	int err = s == VM_PAUSED ? vm_resume(x->vm) : s == VM_PRELAUNCH ? vm_start(x->vm) : 0;
	if (err)
		return qmp_vm_error(x, "the VM could not be started: %s", cairn_strerror(-err));
	return json_object();
}

static json_t *cmd_system_reset(struct qmp_call *x, json_t *args)
{
	qmp_expect(x, x->vm, "RESET");
	if (vm_reset(x->vm))
		return qmp_vm_error(x, "the VM could not be reset");
	return json_object();
}

static json_t *cmd_system_powerdown(struct qmp_call *x, json_t *args)
{
	qmp_expect(x, x->vm, "POWERDOWN");
	if (vm_powerdown(x->vm))
		return qmp_vm_error(x, "the VM could not be asked to power down");
	return json_object();
}

/* monitor_quit: the VM (or, on the control socket without "vm", every
 * VM) powers off, then the process ends as QEMU's does. */
static json_t *cmd_quit(struct qmp_call *x, json_t *args)
{
	enum vm_state s = x->vm ? vm_state(x->vm) : VM_SHUTDOWN;
	if (s != VM_SHUTDOWN && s != VM_ERROR) /* it powers off: a SHUTDOWN comes */
		qmp_expect(x, x->vm, "SHUTDOWN");
	monitor_quit(x->hv, x->vm);
	return json_object();
}

/* QEMU 7.2's riscv virt board: harts are /machine/soc0/harts[N]. */
static json_t *cmd_query_cpus_fast(struct qmp_call *x, json_t *args)
{
	json_t *list = json_array();
	for (int k = 0; k < vm_nharts(x->vm); k++) {
		struct vm_hart_info hi;
		vm_hart_info(x->vm, k, &hi);
		char path[64];
		snprintf(path, sizeof path, "/machine/soc0/harts[%d]", k);
		json_array_append_new(list, json_pack("{s:I, s:{s:i}, s:s, s:i, s:s}",
			"thread-id", (json_int_t)(hi.thread_id >= 0 ? hi.thread_id : getpid()),
			"props", "core-id", k, "qom-path", path, "cpu-index", k, "target", "riscv64"));
	}
	return list;
}

static json_t *version_object(void)
{
	return json_pack("{s:{s:i, s:i, s:i}, s:s}", "qemu", "micro", QEMU_MICRO, "minor", QEMU_MINOR,
			 "major", QEMU_MAJOR, "package", PACKAGE);
}

static json_t *cmd_query_version(struct qmp_call *x, json_t *args)
{
	return version_object();
}

static json_t *cmd_query_name(struct qmp_call *x, json_t *args)
{
	return json_pack("{s:s}", "name", vm_name(x->vm));
}

/* A string jansson takes: invalid UTF-8 bytes become '?'. */
static json_t *safe_string(char *s)
{
	json_t *j = json_string(s);
	if (!j) {
		for (unsigned char *p = (unsigned char *)s; *p; p++)
			if (*p >= 0x80)
				*p = '?';
		j = json_string(s);
	}
	return j;
}

static json_t *cmd_hmp(struct qmp_call *x, json_t *args)
{
	json_t *ci = json_object_get(args, "cpu-index");
	int cpu = 0;
	if (ci) {
		json_int_t v = json_integer_value(ci);
		if (v < 0 || v > 0x7fffffff || !monitor_cpu_valid(x->vm, (int)v))
			return qmp_error(x, "GenericError", "Parameter 'cpu-index' expects a CPU number");
		cpu = (int)v;
	}
	bool quit;
	char *out = monitor_run(x->hv, x->vm, cpu, json_string_value(json_object_get(args, "command-line")), &quit);
	if (!out)
		return qmp_error(x, "GenericError", "out of memory");
	json_t *r = safe_string(out);
	free(out);
	return r;
}

static json_t *cmd_query_commands(struct qmp_call *x, json_t *args);

static const struct qmp_cmd commands[] = {
	{ "qmp_capabilities", QMP_ARGS({ "enable", QT_CAPS, true }), cmd_capabilities, 0 },
	{ "query-status", NULL, cmd_query_status, QMP_VM },
	{ "stop", NULL, cmd_stop, QMP_VM },
	{ "cont", NULL, cmd_cont, QMP_VM },
	{ "system_reset", NULL, cmd_system_reset, QMP_VM },
	{ "system_powerdown", NULL, cmd_system_powerdown, QMP_VM },
	{ "quit", NULL, cmd_quit, QMP_VM | QMP_VM_OPTIONAL },
	{ "query-cpus-fast", NULL, cmd_query_cpus_fast, QMP_VM },
	{ "query-version", NULL, cmd_query_version, 0 },
	{ "query-commands", NULL, cmd_query_commands, 0 },
	{ "query-name", NULL, cmd_query_name, QMP_VM },
	{ "human-monitor-command", QMP_ARGS({ "command-line", QT_STR, false }, { "cpu-index", QT_INT, true }),
	  cmd_hmp, QMP_VM },
};

/* The command named name on c's socket: QEMU's, then the control socket's. */
static const struct qmp_cmd *lookup(const struct qmp_conn *c, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	for (size_t i = 0; !c->vm && i < control_ncommands; i++)
		if (!strcmp(control_commands[i].name, name))
			return &control_commands[i];
	return NULL;
}

static json_t *cmd_query_commands(struct qmp_call *x, json_t *args)
{
	json_t *list = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		json_array_append_new(list, json_pack("{s:s}", "name", commands[i].name));
	for (size_t i = 0; x->control && i < control_ncommands; i++)
		json_array_append_new(list, json_pack("{s:s}", "name", control_commands[i].name));
	return list;
}

/* ---- checking a request (QEMU's qmp_dispatch_check_obj and visitors) ---- */

static bool bad_type(struct qmp_call *x, const char *name, const char *expected)
{
	qmp_error(x, "GenericError", "Invalid parameter type for '%s', expected: %s", name, expected);
	return false;
}

static bool check_caps(struct qmp_call *x, const char *name, json_t *v)
{
	if (!json_is_array(v))
		return bad_type(x, name, "array");
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		char el[64];
		snprintf(el, sizeof el, "%s[%zu]", name, i);
		if (!json_is_string(e))
			return bad_type(x, el, "string");
		if (strcmp(json_string_value(e), "oob")) {
			qmp_error(x, "GenericError", "Parameter 'null' does not accept value '%s'", json_string_value(e));
			return false;
		}
	}
	return true;
}

static bool check_argv(struct qmp_call *x, const char *name, json_t *v)
{
	if (json_is_string(v))
		return true;
	size_t i;
	json_t *e;
	if (!json_is_array(v))
		return bad_type(x, name, "string or array of strings");
	json_array_foreach(v, i, e)
		if (!json_is_string(e)) {
			char el[64];
			snprintf(el, sizeof el, "%s[%zu]", name, i);
			return bad_type(x, el, "string");
		}
	return true;
}

/* One argument against its type, with QEMU's input visitor's messages. */
static bool check_value(struct qmp_call *x, const struct qmp_arg *a, json_t *v)
{
	switch (a->type) {
	case QT_STR: return json_is_string(v) || bad_type(x, a->name, "string");
	case QT_BOOL: return json_is_boolean(v) || bad_type(x, a->name, "boolean");
	case QT_INT:
		if (json_is_integer(v))
			return true;
		if (json_is_real(v))
			return qmp_error(x, "GenericError", "Parameter '%s' expects int64", a->name), false;
		return bad_type(x, a->name, "integer");
	case QT_U32: case QT_U64: {
		bool ok = json_is_integer(v) && json_integer_value(v) >= 0;
		if (ok && (a->type == QT_U64 || json_integer_value(v) <= 0xffffffff))
			return true;
		qmp_error(x, "GenericError", "Parameter '%s' expects %s", a->name,
			  ok || json_is_integer(v) ? (a->type == QT_U32 ? "uint32_t" : "uint64") : "uint64");
		return false;
	}
	case QT_CAPS: return check_caps(x, a->name, v);
	case QT_ARGV: return check_argv(x, a->name, v);
	}
	return false;
}

/* Schema order first (missing, wrong types), then anything unexpected. */
static bool check_args(struct qmp_call *x, const struct qmp_arg *schema, json_t *args)
{
	for (const struct qmp_arg *a = schema; a && a->name; a++) {
		json_t *v = json_object_get(args, a->name);
		if (!v && !a->optional)
			return qmp_error(x, "GenericError", "Parameter '%s' is missing", a->name), false;
		if (v && !check_value(x, a, v))
			return false;
	}
	const char *key;
	json_t *v;
	json_object_foreach(args, key, v) {
		const struct qmp_arg *a = schema;
		while (a && a->name && strcmp(a->name, key))
			a++;
		if (!a || !a->name)
			return qmp_error(x, "GenericError", "Parameter '%s' is unexpected", key), false;
	}
	return true;
}

struct request {
	const char *name;
	json_t *args;           /* borrowed from the request; NULL: none */
	const char *vm;         /* the control socket's top-level "vm" */
	bool oob;
};

/* The request's members: execute (or exec-oob once enabled), arguments,
 * id, and on the control socket vm. */
static bool check_members(struct qmp_call *x, struct qmp_conn *c, json_t *req, struct request *r)
{
	const char *key;
	json_t *v;
	json_object_foreach(req, key, v) {
		bool exec = !strcmp(key, "execute"), oob = c->oob && !strcmp(key, "exec-oob");
		if (exec || oob) {
			if (!json_is_string(v))
				return qmp_error(x, "GenericError", "QMP input member '%s' must be a string", key), false;
			if (r->name)
				return qmp_error(x, "GenericError", "QMP input member '%s' clashes with '%s'", key,
						 exec ? "exec-oob" : "execute"), false;
			r->name = json_string_value(v);
			r->oob = oob;
		} else if (!strcmp(key, "arguments")) {
			if (!json_is_object(v))
				return qmp_error(x, "GenericError", "QMP input member 'arguments' must be an object"), false;
			r->args = v;
		} else if (!c->vm && !strcmp(key, "vm")) {
			if (!json_is_string(v))
				return qmp_error(x, "GenericError", "QMP input member 'vm' must be a string"), false;
			r->vm = json_string_value(v);
		} else if (strcmp(key, "id")) {
			return qmp_error(x, "GenericError", "QMP input member '%s' is unexpected", key), false;
		}
	}
	if (!r->name)
		return qmp_error(x, "GenericError", "QMP input lacks member 'execute'"), false;
	return true;
}

/* The control socket: which VM a per-VM command acts on ("vm" at the top
 * or among the arguments; the only VM when there is one and the command
 * is QEMU's).  The "vm" argument is taken out before the schema check. */
static bool route(struct qmp_call *x, const struct qmp_cmd *cmd, struct request *r)
{
	json_t *av = r->args ? json_object_get(r->args, "vm") : NULL;
	if (av && !(cmd->flags & QMP_VM))
		return true; /* the schema check reports it */
	if (av && !json_is_string(av))
		return bad_type(x, "vm", "string");
	const char *name = av ? json_string_value(av) : r->vm;
	if (av && r->vm && strcmp(r->vm, name))
		return qmp_error(x, "GenericError", "QMP input member 'vm' ('%s') clashes with argument 'vm' ('%s')",
				 r->vm, name), false;
	if (r->vm && !(cmd->flags & QMP_VM))
		return qmp_error(x, "GenericError", "Parameter 'vm' is unexpected"), false;
	if (!(cmd->flags & QMP_VM))
		return true;
	if (name) {
		if (!(x->vm = vm_find(x->hv, name)))
			return qmp_error(x, "DeviceNotFound", "VM '%s' not found", name), false;
	} else if (cmd->flags & QMP_VM_OPTIONAL) {
		return true;
	} else if (!(cmd->flags & QMP_CONTROL) && (x->vm = vm_next(x->hv, NULL)) && !vm_next(x->hv, x->vm)) {
		return true; /* the one VM there is */
	} else {
		x->vm = NULL;
		return qmp_error(x, "GenericError", "Parameter 'vm' is missing"), false;
	}
	if (av)
		json_object_del(r->args, "vm");
	return true;
}

/* One request to its reply, as QEMU's qmp_dispatch. */
static json_t *execute(struct qmp_conn *c, json_t *req)
{
	struct qmp_call x = { .hv = c->hv, .vm = c->vm, .control = !c->vm, .conn = c };
	if (!json_is_object(req))
		return error_reply(NULL, "GenericError", "QMP input must be a JSON object");
	json_t *id = json_object_get(req, "id"), *ret = NULL;
	struct request r = { 0 };
	if (!check_members(&x, c, req, &r))
		goto fail;
	const struct qmp_cmd *cmd = lookup(c, r.name);
	bool negotiated = __atomic_load_n(&c->negotiated, __ATOMIC_ACQUIRE);
	if (!negotiated && (!cmd || cmd->fn != cmd_capabilities)) {
		qmp_error(&x, "CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'");
		goto fail;
	}
	if (!cmd) {
		qmp_error(&x, "CommandNotFound", "The command %s has not been found", r.name);
		goto fail;
	}
	if ((cmd->flags & QMP_VM) && c->srv && c->srv->vm_gone) {
		qmp_error(&x, "GenericError", "The VM has been destroyed");
		goto fail;
	}
	if (r.oob) {
		qmp_error(&x, "GenericError", "The command %s does not support OOB", r.name);
		goto fail;
	}
	json_t *empty = json_object();
	json_t *args = r.args ? r.args : empty;
	r.args = args;
	if ((!x.control || route(&x, cmd, &r)) && check_args(&x, cmd->args, args))
		ret = cmd->fn(&x, args);
	await_expected(c, ret != NULL);
	json_decref(empty);
	if (!ret)
		goto fail;
	json_t *reply = json_pack("{s:o}", "return", ret);
	if (id)
		json_object_set(reply, "id", id);
	return reply;
fail:
	return error_reply(id, x.cls ? x.cls : "GenericError", x.desc);
}

/* ---- input: the lexer that frames values ---- */

/* Why jansson refused the text, in QEMU's parser's words where they
 * correspond ("JSON parse error, ..."). */
static void parse_error_desc(const json_error_t *je, char *out, size_t n)
{
	const char *t = je->text, *near = strstr(t, "near '");
	char tok[64] = "";
	if (near) {
		near += 6;
		size_t l = strlen(near);
		l = l && near[l - 1] == '\'' ? l - 1 : l;
		snprintf(tok, sizeof tok, "%.*s", (int)(l < sizeof tok - 1 ? l : sizeof tok - 1), near);
	}
	const char *msg = t;
	if (json_error_code(je) == json_error_duplicate_key)
		msg = "duplicate key";
	else if (!strncmp(t, "invalid token", 13) && tok[0] >= 'a' && tok[0] <= 'z') {
		snprintf(out, n, "JSON parse error, invalid keyword '%s'", tok);
		return;
	} else if (!strncmp(t, "':' expected", 12))
		msg = "missing : in object pair";
	else if (!strncmp(t, "string or '}' expected", 22))
		msg = !strcmp(tok, "}") ? "expecting value" : "key is not a string in object";
	else if (!strncmp(t, "'}' expected", 12))
		msg = "expected separator in dict";
	else if (!strncmp(t, "']' expected", 12))
		msg = "expected separator in list";
	else if (!strncmp(t, "unexpected token", 16) || !strncmp(t, "invalid token", 13))
		msg = "expecting value";
	else if (strstr(t, "escape"))
		msg = "invalid escape sequence in string";
	snprintf(out, n, "JSON parse error, %s", msg);
}

/* A framed value or a lexer error, waiting for its turn. */
struct job {
	struct qmp_conn *c;
	json_t *req;            /* NULL: desc is the error to send */
	char desc[200];
};

static void run_job(struct job *j)
{
	struct qmp_conn *c = j->c;
	send_json(c, j->req ? execute(c, j->req) : error_reply(NULL, "GenericError", j->desc));
	json_decref(j->req);
	free(j);
}

static void qmp_chan_job(struct chan_client *cl, void *arg, bool gone)
{
	struct job *j = arg;
	if (gone) { /* the client left before its turn: nothing runs for it */
		json_decref(j->req);
		free(j);
		return;
	}
	run_job(j);
}

/* Queue (socket) or run (direct) the value or error. */
static void submit(struct qmp_conn *c, json_t *req, const char *desc)
{
	struct job *j = malloc(sizeof *j);
	if (!j) {
		json_decref(req);
		return;
	}
	j->c = c;
	j->req = req;
	snprintf(j->desc, sizeof j->desc, "%s", desc ? desc : "");
	if (!c->client)
		run_job(j);
	else if (chan_submit(c->client, qmp_chan_job, j)) {
		json_decref(req);
		free(j);
	}
}

static void emit(struct qmp_conn *c)
{
	struct frame *f = &c->f;
	json_error_t je;
	json_t *v = json_loadb(f->buf, f->len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	f->len = 0;
	f->depth = 0;
	f->state = FR_IDLE;
	if (v) {
		submit(c, v, NULL);
		return;
	}
	char desc[200];
	parse_error_desc(&je, desc, sizeof desc);
	submit(c, NULL, desc);
}

static void stray(struct qmp_conn *c, unsigned char b)
{
	char desc[64];
	if (b > 0x20 && b < 0x7f)
		snprintf(desc, sizeof desc, "JSON parse error, stray '%c'", b);
	else /* as QEMU shows what it cannot print: U+FFFD */
		snprintf(desc, sizeof desc, "JSON parse error, stray '\xef\xbf\xbd'");
	c->f.len = 0;
	c->f.depth = 0;
	c->f.state = FR_RECOVER;
	submit(c, NULL, desc);
}

/* After a stray byte, QEMU's lexer skips to a point where a value may
 * start: a bracket or brace, a control character (a newline), or 0xFE or
 * 0xFF (which a client may send to reset the parser). */
static bool resyncs(unsigned char b)
{
	return b == '[' || b == ']' || b == '{' || b == '}' || (b < 0x20 && b != '\t') || b >= 0xfe;
}

/* Append to the value; false (and the client is cut off) past the limit. */
static bool push(struct qmp_conn *c, char b)
{
	struct frame *f = &c->f;
	if (f->len >= QMP_MAX_REQUEST) {
		submit(c, NULL, "JSON token size limit exceeded");
		return false;
	}
	if (f->len == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		char *p = realloc(f->buf, cap);
		if (!p) {
			submit(c, NULL, "JSON token size limit exceeded");
			return false;
		}
		f->buf = p;
		f->cap = cap;
	}
	f->buf[f->len++] = b;
	return true;
}

static bool is_word(unsigned char b)
{
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
	       b == '-' || b == '+' || b == '.';
}

static bool is_ws(unsigned char b)
{
	return b == ' ' || b == '\t' || b == '\n' || b == '\r';
}

static bool start_string(struct qmp_conn *c, unsigned char q, bool top)
{
	c->f.state = FR_STR;
	c->f.quote = (char)q;
	c->f.top = top;
	c->f.esc = false;
	return push(c, '"');
}

static bool feed(struct qmp_conn *c, unsigned char b);

/* Inside a string: single-quoted ones become double-quoted (their '"'
 * escaped, their \' plain), as QEMU's lexer reads both. */
static bool in_string(struct qmp_conn *c, unsigned char b)
{
	struct frame *f = &c->f;
	if (b < 0x20 || b >= 0xfe) { /* not in a JSON string: the string up to it is stray */
		stray(c, b);
		return true;
	}
	if (f->esc) {
		f->esc = false;
		if (b == '\'') {
			f->buf[f->len - 1] = '\''; /* \' is not JSON: the plain quote */
			return true;
		}
		return push(c, (char)b);
	}
	if (b == '\\') {
		f->esc = true;
		return push(c, '\\');
	}
	if (b == (unsigned char)f->quote) {
		if (!push(c, '"'))
			return false;
		if (f->top)
			emit(c);
		else
			f->state = FR_NEST;
		return true;
	}
	if (b == '"' && !push(c, '\\'))
		return false;
	return push(c, (char)b);
}

/* One byte; false when the client must be cut off. */
static bool feed(struct qmp_conn *c, unsigned char b)
{
	struct frame *f = &c->f;
	switch (f->state) {
	case FR_STR:
		return in_string(c, b);
	case FR_RECOVER:
		if (!resyncs(b))
			return true;
		f->state = FR_IDLE;
		break;
	case FR_WORD:
		if (is_word(b))
			return push(c, (char)b);
		emit(c); /* a number or keyword ends where a delimiter starts */
		return feed(c, b);
	case FR_NEST:
		if (b == '{' || b == '[') {
			if (++f->depth > QMP_MAX_DEPTH) {
				submit(c, NULL, "JSON nesting depth limit exceeded");
				return false;
			}
		} else if (b == '}' || b == ']') {
			if (!push(c, (char)b))
				return false;
			if (--f->depth == 0)
				emit(c);
			return true;
		} else if (b == '"' || b == '\'') {
			return start_string(c, b, false);
		} else if (!is_ws(b) && !is_word(b) && b != ':' && b != ',') {
			stray(c, b);
			return true;
		}
		return push(c, (char)b);
	case FR_IDLE:
		break;
	}
	if (is_ws(b))
		return true;
	if (b == '{' || b == '[') {
		f->depth = 1;
		f->state = FR_NEST;
		return push(c, (char)b);
	}
	if (b == '"' || b == '\'')
		return start_string(c, b, true);
	if (b == '}' || b == ']' || b == ':' || b == ',') {
		bool ok = push(c, (char)b);
		emit(c); /* a value on its own: "expecting value" */
		return ok;
	}
	if (is_word(b)) {
		f->state = FR_WORD;
		return push(c, (char)b);
	}
	stray(c, b);
	return true;
}

int qmp_conn_input(struct qmp_conn *c, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	for (size_t i = 0; i < n; i++)
		if (!feed(c, p[i])) {
			c->f.len = 0;
			c->f.state = FR_IDLE;
			return -1;
		}
	/* Keep a finished value's buffer small: a 1 MiB request does not
	 * leave 1 MiB behind for every idle client. */
	if (c->f.state == FR_IDLE && c->f.cap > 4096) {
		free(c->f.buf);
		c->f.buf = NULL;
		c->f.cap = 0;
	}
	return 0;
}

/* ---- connections, events ---- */

static void greet(struct qmp_conn *c)
{
	send_json(c, json_pack("{s:{s:o, s:[s]}}", "QMP", "version", version_object(), "capabilities", "oob"));
}

static struct qmp_conn *conn_alloc(struct hv *hv, struct vm *vm)
{
	struct qmp_conn *c = calloc(1, sizeof *c);
	if (c) {
		c->hv = hv;
		c->vm = vm;
	}
	return c;
}

struct qmp_conn *qmp_conn_new(struct hv *hv, struct vm *vm, qmp_write_fn *write, void *ctx)
{
	struct qmp_conn *c = conn_alloc(hv, vm);
	if (!c)
		return NULL;
	c->write = write;
	c->ctx = ctx;
	greet(c);
	return c;
}

void qmp_conn_free(struct qmp_conn *c)
{
	if (!c)
		return;
	free(c->f.buf);
	free(c);
}

/* {"timestamp": {...}, "event": NAME, "data": {...}} (no data when "{}");
 * on the control socket the VM's name is a top-level "vm" member. */
static char *event_line(struct vm *vm, bool control, const char *event, const char *data, size_t *n)
{
	uint64_t now = base_wall_ns();
	json_t *e = json_pack("{s:{s:I, s:I}, s:s}", "timestamp", "seconds", (json_int_t)(now / 1000000000u),
			      "microseconds", (json_int_t)(now / 1000u % 1000000u), "event", event);
	json_t *d = data ? json_loads(data, 0, NULL) : NULL;
	if (d && json_is_object(d) && json_object_size(d))
		json_object_set(e, "data", d);
	json_decref(d);
	if (control && vm)
		json_object_set_new(e, "vm", json_string(vm_name(vm)));
	char *line = e ? json_line(e, n) : NULL;
	json_decref(e);
	return line;
}

void qmp_conn_event(struct qmp_conn *c, struct vm *vm, const char *event, const char *data)
{
	if (!__atomic_load_n(&c->negotiated, __ATOMIC_ACQUIRE) || (c->vm && c->vm != vm))
		return;
	size_t n;
	char *line = event_line(vm, !c->vm, event, data, &n);
	if (line)
		conn_write(c, line, n);
	free(line);
}

/* ---- the server ---- */

static void *srv_open(void *ctx, struct chan_client *cl)
{
	struct qmp_server *s = ctx;
	struct qmp_conn *c = conn_alloc(s->hv, s->vm);
	if (!c)
		return NULL;
	c->client = cl;
	c->srv = s;
	greet(c);
	return c;
}

static int srv_input(void *state, const char *buf, size_t n)
{
	return qmp_conn_input(state, buf, n);
}

static void srv_free(void *state)
{
	qmp_conn_free(state);
}

static const struct chan_ops qmp_ops = { srv_open, srv_input, srv_free };

static bool wants_event(void *state, void *arg)
{
	struct qmp_conn *c = state;
	return __atomic_load_n(&c->negotiated, __ATOMIC_ACQUIRE) && (!c->vm || c->vm == arg);
}

static void drop_vm(void *arg)
{
	struct qmp_server *s = arg;
	if (s->vm)
		s->vm_gone = true;
}

/* On hv_run's thread: one line for every negotiated client.  Before a VM
 * is freed, the command using it (if any) finishes; the control socket
 * finds VMs by name for every command, a VM's own socket stops using it. */
static void on_event(void *ctx, struct vm *vm, const char *event, const char *data)
{
	struct qmp_server *s = ctx;
	if (!strcmp(event, HV_EVENT_FREE)) {
		if (!s->vm || (s->vm == vm && !s->vm_gone))
			chan_quiesce(s->chan, drop_vm, s);
		return;
	}
	if (s->vm && (s->vm != vm || s->vm_gone))
		return; /* (a new VM may reuse a freed one's address) */
	size_t n;
	char *line = event_line(vm, !s->vm, event, data, &n);
	if (line)
		chan_broadcast(s->chan, wants_event, vm, line, n);
	free(line);
	saw_event(s, vm, event);
}

int qmp_open(struct hv *hv, struct vm *vm, const char *spec, struct qmp_server **out, cairn_errbuf *e)
{
	*out = NULL;
	struct qmp_server *s = calloc(1, sizeof *s);
	if (!s) {
		cairn_errorf(e, "out of memory");
		return -ERR_NOMEM;
	}
	s->hv = hv;
	s->vm = vm;
	pthread_mutex_init(&s->ev_mu, NULL);
	base_cond_init(&s->ev_cv);
	int err = chan_open(spec, &qmp_ops, s, &s->chan, e);
	if (!err && s->chan && (err = hv_add_listener(hv, on_event, s)))
		cairn_errorf(e, "cannot listen to the hypervisor's events: %s", cairn_strerror(-err));
	s->listening = !err;
	if (err || !s->chan) {
		qmp_close(s);
		return err;
	}
	*out = s;
	return 0;
}

void qmp_close(struct qmp_server *s)
{
	if (!s)
		return;
	if (s->listening && s->chan)
		hv_remove_listener(s->hv, on_event, s);
	chan_close(s->chan);
	pthread_mutex_destroy(&s->ev_mu);
	pthread_cond_destroy(&s->ev_cv);
	free(s);
}
