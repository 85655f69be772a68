/* qmpcmd.h - what a QMP command is, for the two tables that define them:
 * QEMU's per-VM commands (qmp.c) and the hypervisor control socket's
 * (control.c).  A row is name, argument schema, handler, flags, as QEMU's
 * qapi schema declares them; the dispatcher checks the arguments against
 * the schema (QEMU's messages) before the handler runs. */
#ifndef CAIRN_HV_QMPCMD_H
#define CAIRN_HV_QMPCMD_H

#include <jansson.h>
#include <stdbool.h>

#include "hv/hv.h"

/* Argument types (the words in QEMU's "Invalid parameter type" errors). */
enum qmp_type {
	QT_STR,         /* string */
	QT_BOOL,        /* boolean */
	QT_INT,         /* int64 */
	QT_U32,         /* uint32 */
	QT_U64,         /* uint64 */
	QT_CAPS,        /* array of QMPCapability ("oob") */
	QT_ARGV,        /* a string (split as a shell splits words) or an array of strings */
};

struct qmp_arg {
	const char *name;
	enum qmp_type type;
	bool optional;
};

enum {
	QMP_VM = 1,          /* acts on one VM; on the control socket the "vm" member names it */
	QMP_CONTROL = 2,     /* the control socket's only */
	QMP_VM_OPTIONAL = 4, /* quit: on the control socket without "vm" it acts on the hypervisor */
};

/* One call: what the handler acts on, and its error. */
struct qmp_call {
	struct hv *hv;
	struct vm *vm;          /* QMP_VM commands: the VM; else NULL */
	bool control;           /* on the control socket: errors name the VM */
	struct qmp_conn *conn;
	const char *cls;        /* an error: QEMU's class ... */
	char desc[512];         /* ... and message */
};

/* The return value (a new reference), or NULL with the error in x. */
typedef json_t *qmp_fn(struct qmp_call *x, json_t *args);

struct qmp_cmd {
	const char *name;
	const struct qmp_arg *args;     /* ended by a NULL name; NULL: none */
	qmp_fn *fn;
	unsigned flags;
};
#define QMP_ARGS(...) ((const struct qmp_arg[]){ __VA_ARGS__, { NULL, 0, false } })

/* The handler is about to do what raises event on vm: its reply will
 * wait (briefly) until the event went out, so clients see QEMU's order
 * (STOP before the reply to stop).  Call before the action. */
void qmp_expect(struct qmp_call *x, struct vm *vm, const char *event);
/* Around work that touches no existing VM but may take long (vm_create
 * loading images, or waiting for its console's client): a VM may be freed
 * meanwhile (hv/chan.h chan_gate_open).  No-ops without a socket. */
void qmp_gate_open(struct qmp_call *x);
void qmp_gate_close(struct qmp_call *x);
/* Set x's error; returns NULL (for `return qmp_error(...)`). */
json_t *qmp_error(struct qmp_call *x, const char *cls, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A GenericError about x->vm, "VM 'NAME': " first on the control socket. */
json_t *qmp_vm_error(struct qmp_call *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The control socket's commands (control.c). */
extern const struct qmp_cmd control_commands[];
extern const size_t control_ncommands;

#endif
