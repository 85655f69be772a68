/* control.c - the hypervisor control socket's own commands, one table
 * beside QEMU's (qmp.c): list VMs, create one from `cairn vm` options,
 * destroy, start, set its scheduling, read its statistics.  QEMU's per-VM
 * commands work there too, routed by a "vm" member (docs/QMP.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/qmpcmd.h"

/* TODO(words): base/words.h is on its way to main (the hvconfig branch);
 * until it lands, vm-create takes its options as an array of words only. */
#if defined(__has_include)
#if __has_include("base/words.h")
#include "base/words.h"
#define HAVE_WORDS 1
#endif
#endif

static json_t *vm_entry(struct vm *vm)
{
	struct vm_stats st;
	struct vm_sched sc;
	vm_stats(vm, &st);
	vm_sched_params(vm, &sc);
	json_t *rsv = sc.budget_ns ? json_pack("{s:I, s:I}", "period-ns", (json_int_t)sc.period_ns,
					       "budget-ns", (json_int_t)sc.budget_ns) : json_null();
	return json_pack("{s:s, s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:o}",
			 "name", vm_name(vm), "kind", vm_kind(vm), "state", vm_state_name(vm_state(vm)), "harts", vm_nharts(vm),
			 "ram", (json_int_t)st.ram_bytes, "cpu-ns", (json_int_t)st.cpu_ns,
			 "slices", (json_int_t)st.slices, "wakeups", (json_int_t)st.wakeups,
			 "instret", (json_int_t)st.instret, "weight", (int)sc.weight, "cap", (int)sc.cap,
			 "reservation", rsv);
}

/* query-vms: every VM, in creation order. */
static json_t *cmd_query_vms(struct qmp_call *x, json_t *args)
{
	json_t *list = json_array();
	for (struct vm *vm = vm_next(x->hv, NULL); vm; vm = vm_next(x->hv, vm))
		json_array_append_new(list, vm_entry(vm));
	return list;
}

static json_t *cmd_query_vm_stats(struct qmp_call *x, json_t *args)
{
	struct vm_stats st;
	vm_stats(x->vm, &st);
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "name", vm_name(x->vm),
			 "state", vm_state_name(vm_state(x->vm)), "cpu-ns", (json_int_t)st.cpu_ns,
			 "slices", (json_int_t)st.slices, "wakeups", (json_int_t)st.wakeups,
			 "instret", (json_int_t)st.instret, "ram", (json_int_t)st.ram_bytes);
}

/* The config's words in a NULL-terminated array with room for
 * "-name NAME" at the end; free with free_argv. */
struct argv { int argc; char **argv; char **split; };

static void free_argv(struct argv *a)
{
	free(a->argv);
#ifdef HAVE_WORDS
	if (a->split)
		words_free(a->split);
#endif
}

static bool config_words(struct qmp_call *x, json_t *config, struct argv *a)
{
	char **words = NULL;
	int n = 0;
	if (json_is_string(config)) {
#ifdef HAVE_WORDS
		cairn_errbuf e = { 0 };
		if (words_split(json_string_value(config), &n, &a->split, &e))
			return qmp_error(x, "GenericError", "Parameter 'config': %s", e.msg), false;
		words = a->split;
#else
		return qmp_error(x, "GenericError", "Parameter 'config' must be an array of words in this build"), false;
#endif
	} else {
		n = (int)json_array_size(config);
	}
	if (!(a->argv = calloc((size_t)n + 3, sizeof *a->argv)))
		return qmp_error(x, "GenericError", "out of memory"), false;
	for (int k = 0; k < n; k++)
		a->argv[k] = words ? words[k] : (char *)json_string_value(json_array_get(config, (size_t)k));
	a->argc = n;
	return true;
}

static const char *find_opt(const struct argv *a, const char *opt)
{
	for (int k = 0; k < a->argc; k++)
		if (!strcmp(a->argv[k], opt) || (a->argv[k][0] == '-' && !strcmp(a->argv[k] + 1, opt)))
			return k + 1 < a->argc ? a->argv[k + 1] : "";
	return NULL;
}

/* vm-create {name, config, kind?, start?}: a VM from `cairn vm` options,
 * or (kind "wasm") a WebAssembly program from `cairn run` options; it runs
 * unless start is false or the VM options hold -S. */
static json_t *cmd_vm_create(struct qmp_call *x, json_t *args)
{
	const char *name = json_string_value(json_object_get(args, "name"));
	const char *kind = json_string_value(json_object_get(args, "kind"));
	json_t *start = json_object_get(args, "start");
	bool wasm = kind && !strcmp(kind, "wasm");
	if (kind && !wasm && strcmp(kind, "riscv"))
		return qmp_error(x, "GenericError", "Parameter 'kind' does not accept value '%s'", kind);
	struct argv a = { 0 };
	if (!config_words(x, json_object_get(args, "config"), &a))
		return NULL;
	const char *given = find_opt(&a, "-name"); /* -name, or --name for a program */
	json_t *ret = NULL;
	struct vm *vm = NULL;
	cairn_errbuf e = { 0 };
	if (given && strcmp(given, name)) {
		qmp_error(x, "GenericError", "VM '%s': the config names it '%s'", name, given);
		goto out;
	}
	if (!wasm && (find_opt(&a, "-qmp") || find_opt(&a, "-monitor"))) {
		qmp_error(x, "GenericError", "VM '%s': -qmp and -monitor are not served for VMs made by vm-create "
			  "(send its commands here with \"vm\": \"%s\")", name, name);
		goto out;
	}
	if (vm_find(x->hv, name)) {
		qmp_error(x, "GenericError", "VM '%s' exists already", name);
		goto out;
	}
	if (!given && wasm) { /* before the program: what follows it are its arguments */
		memmove(a.argv + 2, a.argv, (size_t)a.argc * sizeof *a.argv);
		a.argv[0] = "--name";
		a.argv[1] = (char *)name;
		a.argc += 2;
	} else if (!given) {
		a.argv[a.argc++] = "-name";
		a.argv[a.argc++] = (char *)name;
	}
	int r = wasm ? vm_create_wasm(x->hv, a.argc, a.argv, &vm, &e) : vm_create(x->hv, a.argc, a.argv, &vm, &e);
	if (r) {
		qmp_error(x, "GenericError", "VM '%s': %s", name, r > 0 ? "the options describe nothing to run" : e.msg);
		goto out;
	}
	bool run = start ? json_is_true(start) : wasm || !vm_start_paused(vm);
	if (run)
		qmp_expect(x, vm, "RESUME");
	if (run && vm_start(vm)) {
		vm_destroy(vm);
		qmp_error(x, "GenericError", "VM '%s': cannot start", name);
		goto out;
	}
	ret = json_pack("{s:s, s:s}", "name", vm_name(vm), "state", vm_state_name(vm_state(vm)));
out:
	free_argv(&a);
	return ret;
}

static json_t *cmd_vm_destroy(struct qmp_call *x, json_t *args)
{
	vm_destroy(x->vm); /* freed on the hv thread once this command returns */
	return json_object();
}

static json_t *cmd_vm_start(struct qmp_call *x, json_t *args)
{
	if (vm_state(x->vm) != VM_RUNNING)
		qmp_expect(x, x->vm, "RESUME");
	int err = vm_start(x->vm);
	if (err == -ERR_STATE)
		return qmp_vm_error(x, "Resetting the Virtual Machine is required");
	if (err)
		return qmp_vm_error(x, "cannot start: %s", cairn_strerror(-err));
	return json_object();
}

/* Every value checked before any is applied (the cap, which depends on
 * the worker count, goes first), so a refused request changes nothing. */
static json_t *cmd_vm_set_sched(struct qmp_call *x, json_t *args)
{
	json_t *w = json_object_get(args, "weight"), *cap = json_object_get(args, "cap");
	json_t *per = json_object_get(args, "period-ns"), *bud = json_object_get(args, "budget-ns");
	uint64_t period = per ? (uint64_t)json_integer_value(per) : 0, budget = bud ? (uint64_t)json_integer_value(bud) : 0;
	if (w && (json_integer_value(w) < 1 || json_integer_value(w) > 10000))
		return qmp_vm_error(x, "Parameter 'weight' must be 1 to 10000");
	if (!per != !bud)
		return qmp_vm_error(x, "Parameters 'period-ns' and 'budget-ns' go together");
	if (budget && (period < 100000 || budget > period || period > 10000000000ull))
		return qmp_vm_error(x, "Parameter 'budget-ns' must be at most 'period-ns', which must be 100 us to 10 s");
	if (cap && vm_set_cap(x->vm, (unsigned)json_integer_value(cap)))
		return qmp_vm_error(x, "Parameter 'cap' must be at most 100 per worker thread");
	if (per && vm_set_reservation(x->vm, period, budget))
		return qmp_vm_error(x, "the reservation was refused");
	if (w && vm_set_weight(x->vm, (unsigned)json_integer_value(w)))
		return qmp_vm_error(x, "the weight was refused");
	return json_object();
}

const struct qmp_cmd control_commands[] = {
	{ "query-vms", NULL, cmd_query_vms, QMP_CONTROL },
	{ "query-vm-stats", NULL, cmd_query_vm_stats, QMP_CONTROL | QMP_VM },
	{ "vm-create", QMP_ARGS({ "name", QT_STR, false }, { "config", QT_ARGV, false }, { "kind", QT_STR, true },
				{ "start", QT_BOOL, true }),
	  cmd_vm_create, QMP_CONTROL },
	{ "vm-destroy", NULL, cmd_vm_destroy, QMP_CONTROL | QMP_VM },
	{ "vm-start", NULL, cmd_vm_start, QMP_CONTROL | QMP_VM },
	{ "vm-set-sched", QMP_ARGS({ "weight", QT_U32, true }, { "cap", QT_U32, true },
				   { "period-ns", QT_U64, true }, { "budget-ns", QT_U64, true }),
	  cmd_vm_set_sched, QMP_CONTROL | QMP_VM },
};
const size_t control_ncommands = ARRAY_SIZE(control_commands);
