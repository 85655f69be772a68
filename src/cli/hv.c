/* hv.c - `cairn hv`: many VMs in one process on one worker pool.  Each
 * --vm "OPTIONS" is one VM given by exactly the options `cairn vm` takes
 * (split into words as a POSIX shell splits them, nothing expanded), so a
 * `cairn vm` or QEMU command line moves into a hypervisor unchanged.  Every
 * VM is created (files opened, images loaded) before any starts: a bad one
 * stops the whole set with its error, naming it.  Each --wasm "OPTIONS" is a
 * WebAssembly program given by the options `cairn run` takes, run beside the
 * VMs on the same workers. */
#include "cli/cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/words.h"
#include "hv/config.h"
#include "hv/hv.h"
#include "hv/qmp.h"

static void hv_usage(FILE *f)
{
	fprintf(f,
		"usage: cairn hv [--threads N] [--qmp SPEC] (--config FILE | --vm \"OPTIONS\"... | --wasm \"OPTIONS\"...)\n"
		"  --vm \"OPTIONS\"      one VM: the options `cairn vm` takes (repeatable), e.g.\n"
		"                      --vm \"-name a -M virt -m 256M -bios none -kernel a.elf -serial file:a.log\"\n"
		"  --wasm \"OPTIONS\"    one WebAssembly program: the options `cairn run` takes, then the\n"
		"                      program and its arguments (repeatable), e.g. --wasm \"--name job --dir . prog.wasm arg1\";\n"
		"                      also --stdin/--stdout/--stderr FILE and --no-shutdown\n"
		"  --threads N         host worker threads for every VM's harts (default: one per host core)\n"
		"  --weight NAME=W     fair share of VM (or wasm program) NAME (1..10000, default 100)\n"
		"  --cap NAME=PCT      VM NAME uses at most PCT%% of one host core\n"
		"  --reserve NAME=BUDGET/PERIOD  real-time reservation, e.g. a=200us/1ms\n"
		"  --qmp SPEC          the hypervisor's control socket (QMP framing), e.g. unix:hv.sock,server,nowait\n"
		"  --control PATH      the same (unix:PATH or PATH: a server that does not wait); cairn ctl's socket\n"
		"  --config FILE       VMs and their scheduling from a YAML file (docs/CONFIG.md)\n"
		"Each VM's console is its own -serial (stdio for at most one VM; file:, unix:, null).\n"
		"The process ends when every VM has powered off (a control socket keeps it running).\n");
}

struct vm_arg {
	const char *text;       /* as given */
	bool wasm;              /* --wasm, not --vm */
	const struct hv_config_unit *unit; /* from --config (argv is its) */
	char **argv;
	int argc;
	struct vm *vm;
	struct cli_control ctl; /* its own -qmp and -monitor */
};

/* --qmp takes QEMU's -qmp spelling; --control also a bare unix:PATH or
 * PATH, which means a server that does not wait for its first client. */
static int control_spec(const char *opt, const char *v, char *out, size_t n)
{
	bool bare = !strstr(v, "server");
	bool prefixed = !strncmp(v, "unix:", 5) || !strncmp(v, "tcp:", 4);
	if (!strcmp(opt, "--qmp") || !bare)
		snprintf(out, n, "%s", v);
	else
		snprintf(out, n, "%s%s,server=on,wait=off", prefixed ? "" : "unix:", v);
	if (strlen(out) + 1 >= n) {
		cairn_error("hv: %s %s: too long", opt, v);
		return -1;
	}
	return 0;
}

/* "NAME=VALUE" for --weight/--cap/--reserve: the VM and the value. */
static struct vm *named(struct hv *hv, const char *opt, const char *arg, const char **val)
{
	const char *eq = strchr(arg, '=');
	char name[64];
	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof name) {
		cairn_error("hv: %s %s: want NAME=VALUE", opt, arg);
		return NULL;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = 0;
	struct vm *vm = vm_find(hv, name);
	if (!vm)
		cairn_error("hv: %s %s: no VM named '%s'", opt, arg, name);
	*val = eq + 1;
	return vm;
}

/* 200us, 1ms, 2s, 500000 (ns). */
static int parse_ns(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s)
		return -1;
	static const struct { const char *sfx; uint64_t mul; } units[] = {
		{ "", 1 }, { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
	};
	for (size_t k = 0; k < ARRAY_SIZE(units); k++)
		if (!strcmp(end, units[k].sfx)) {
			*out = v * units[k].mul;
			return 0;
		}
	return -1;
}

static int apply_sched(struct hv *hv, const char *opt, const char *arg)
{
	const char *val;
	struct vm *vm = named(hv, opt, arg, &val);
	if (!vm)
		return -1;
	char *end;
	unsigned long n = strtoul(val, &end, 10);
	int err;
	if (!strcmp(opt, "--weight")) {
		err = *end || end == val ? -ERR_INVAL : vm_set_weight(vm, (unsigned)n);
	} else if (!strcmp(opt, "--cap")) {
		err = *end || end == val ? -ERR_INVAL : vm_set_cap(vm, (unsigned)n);
	} else {
		const char *slash = strchr(val, '/');
		uint64_t budget, period;
		char b[32];
		size_t bl = slash ? (size_t)(slash - val) : 0;
		err = -ERR_INVAL;
		if (slash && bl < sizeof b) {
			memcpy(b, val, bl);
			b[bl] = 0;
			if (!parse_ns(b, &budget) && !parse_ns(slash + 1, &period))
				err = vm_set_reservation(vm, period, budget);
		}
	}
	if (err)
		cairn_error("hv: %s %s: %s", opt, arg,
			    !strcmp(opt, "--weight") ? "a weight is 1 to 10000"
			    : !strcmp(opt, "--cap") ? "a cap is 0 to 100 percent per host thread"
			    : "want BUDGET/PERIOD with budget <= period, period 100us..10s (e.g. 200us/1ms)");
	return err ? -1 : 0;
}

/* --config FILE: its VMs and programs join the list (after any --vm), its
 * threads and control socket apply unless given on the command line. */
static int add_config(const char *path, struct hv_config **cfgp, struct vm_arg **vmsp, int *nvms,
		      struct hv_options *ho, char *control, size_t csize)
{
	cairn_errbuf e = { 0 };
	if (hv_config_load(path, cfgp, &e)) {
		cairn_error("%s", e.msg);
		return -1;
	}
	struct hv_config *cfg = *cfgp;
	struct vm_arg *vms = realloc(*vmsp, (size_t)(*nvms + cfg->nvms + cfg->nwasm + 1) * sizeof *vms);
	if (!vms) {
		cairn_error("hv: out of memory");
		return -1;
	}
	*vmsp = vms;
	for (int k = 0; k < cfg->nvms + cfg->nwasm; k++) {
		bool wasm = k >= cfg->nvms;
		const struct hv_config_unit *u = wasm ? &cfg->wasm[k - cfg->nvms] : &cfg->vms[k];
		vms[(*nvms)++] = (struct vm_arg){ .text = u->name, .wasm = wasm, .unit = u, .argc = u->argc, .argv = u->argv };
	}
	if (!ho->threads)
		ho->threads = cfg->threads;
	if (cfg->control && !control[0]) {
		if (control_spec("--control", cfg->control, control, csize))
			return -1;
		ho->persist = true;
	}
	return 0;
}

/* A config entry's weight, cap and reservation. */
static int config_sched(struct vm *vm, const struct hv_config_unit *u, const char *file)
{
	if ((u->weight && vm_set_weight(vm, u->weight)) || vm_set_cap(vm, u->cap_percent) ||
	    vm_set_reservation(vm, u->period_ns, u->budget_ns)) {
		cairn_error("%s:%d: '%s': the scheduler refused its weight, cap or reservation", file, u->line, u->name);
		return -1;
	}
	return 0;
}

int cli_hv(int argc, char **argv)
{
	struct hv_options ho = { 0 };
	struct vm_arg *vms = calloc((size_t)argc, sizeof *vms);
	const char **sched_opts = calloc((size_t)argc * 2, sizeof *sched_opts);
	int nvms = 0, nsched = 0, rc = 1;
	struct hv *hv = NULL;
	struct qmp_server *qmp = NULL;
	struct hv_config *cfg = NULL;
	const char *config_path = NULL;
	char control[4096] = "";
	if (!vms || !sched_opts)
		goto out;
	for (int k = 1; k < argc; k++) {
		const char *o = argv[k];
		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			hv_usage(stdout);
			rc = 0;
			goto out;
		}
		if (k + 1 >= argc) {
			cairn_error("hv: %s needs an argument (try 'cairn hv -h')", o);
			goto out;
		}
		const char *v = argv[++k];
		cairn_errbuf e = { 0 };
		if (!strcmp(o, "--vm") || !strcmp(o, "--wasm")) {
			if (words_split(v, &vms[nvms].argc, &vms[nvms].argv, &e)) {
				cairn_error("hv: %s \"%s\": %s", o, v, e.msg);
				goto out;
			}
			vms[nvms].wasm = !strcmp(o, "--wasm");
			vms[nvms++].text = v;
		} else if (!strcmp(o, "--threads")) {
			char *end;
			long n = strtol(v, &end, 10);
			if (*end || n < 1 || n > 1024) {
				cairn_error("hv: --threads takes a number of host threads, 1 to 1024");
				goto out;
			}
			ho.threads = (int)n;
		} else if (!strcmp(o, "--weight") || !strcmp(o, "--cap") || !strcmp(o, "--reserve")) {
			sched_opts[nsched++] = o;
			sched_opts[nsched++] = v;
		} else if (!strcmp(o, "--qmp") || !strcmp(o, "--control")) {
			if (control_spec(o, v, control, sizeof control))
				goto out;
			ho.persist = true; /* the control socket may create VMs when none is left */
		} else if (!strcmp(o, "--config")) {
			config_path = v;
		} else {
			cairn_error("hv: unknown option '%s' (try 'cairn hv -h')", o);
			goto out;
		}
	}
	if (config_path && add_config(config_path, &cfg, &vms, &nvms, &ho, control, sizeof control))
		goto out;
	if (!nvms && !control[0]) {
		cairn_error("hv: no VM given (--vm \"OPTIONS\", --wasm \"OPTIONS\" or --config FILE)");
		goto out;
	}
	if (cli_signals_start() || hv_create(&hv, &ho)) {
		cairn_error("hv: cannot start the scheduler");
		goto out;
	}
	for (int k = 0; k < nvms; k++) {
		cairn_errbuf e = { 0 };
		int r = vms[k].wasm ? vm_create_wasm(hv, vms[k].argc, vms[k].argv, &vms[k].vm, &e)
				    : vm_create(hv, vms[k].argc, vms[k].argv, &vms[k].vm, &e);
		if (r && vms[k].unit) {
			cairn_error("%s:%d: %s '%s': %s", cfg->file, vms[k].unit->line, vms[k].wasm ? "wasm" : "vm",
				    vms[k].unit->name, r < 0 ? e.msg : "nothing to run");
			goto out;
		}
		if (r) {
			cairn_error("hv: VM %d (%s \"%s\"): %s", k + 1, vms[k].wasm ? "--wasm" : "--vm", vms[k].text,
				    r < 0 ? e.msg : "nothing to run");
			goto out;
		}
		if (vms[k].unit && config_sched(vms[k].vm, vms[k].unit, cfg->file))
			goto out;
		/* as cairn run: a closed pipe is EPIPE for the program, not SIGPIPE for us */
		if (vms[k].wasm)
			signal(SIGPIPE, SIG_IGN);
	}
	for (int k = 0; k < nsched; k += 2)
		if (apply_sched(hv, sched_opts[k], sched_opts[k + 1]))
			goto out;
	for (int k = 0; k < nvms; k++) {
		char who[96];
		snprintf(who, sizeof who, "hv: VM '%s'", vm_name(vms[k].vm));
		if (cli_control_open(hv, vms[k].vm, who, &vms[k].ctl))
			goto out;
	}
	if (control[0]) {
		cairn_errbuf e = { 0 };
		if (qmp_open(hv, NULL, control, &qmp, &e)) {
			cairn_error("hv: --qmp %s: %s", control, e.msg);
			goto out;
		}
	}
	for (int k = 0; k < nvms; k++)
		if (!vm_start_paused(vms[k].vm) && (!vms[k].unit || vms[k].unit->autostart) && vm_start(vms[k].vm)) {
			cairn_error("hv: cannot start VM '%s'", vm_name(vms[k].vm));
			goto out;
		}
	cli_signals_target(hv);
	rc = hv_run(hv);
	cli_signals_target(NULL);
out:
	qmp_close(qmp); /* the control plane before the VMs: replies to quit go out */
	for (int k = 0; k < nvms; k++)
		cli_control_close(&vms[k].ctl);
	hv_destroy(hv);
	for (int k = 0; k < nvms; k++)
		if (!vms[k].unit)
			words_free(vms[k].argv);
	hv_config_free(cfg);
	free(vms);
	free(sched_opts);
	return rc;
}
