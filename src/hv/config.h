/* config.h - `cairn hv --config FILE`: a YAML file (docs/CONFIG.md) read
 * into plain C values, checked whole (types, ranges, names, files) before
 * any VM starts, every error as "FILE:LINE: reason".  The hypervisor sees
 * only this structure, never YAML. */
#ifndef CAIRN_HV_CONFIG_H
#define CAIRN_HV_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* One VM or one wasm program: a command line plus its scheduling. */
struct hv_config_unit {
	char *name;             /* unique among all units; also in argv (below) */
	/* `cairn vm` options for a VM, `cairn run` options, program and its
	 * arguments for a wasm unit; as vm_create takes them, argv[0] is the
	 * first option (no program name) and argv[argc] is NULL.  The name is
	 * in it as -name NAME (vm) or --name NAME (run), and relative file
	 * paths are rewritten against the config file's directory
	 * (docs/CONFIG.md lists which options). */
	int argc;
	char **argv;
	unsigned weight;        /* fair share, 1..10000; 100 when not given */
	unsigned cap_percent;   /* of one host core; 0: no cap */
	uint64_t period_ns;     /* real-time reservation: budget_ns of every */
	uint64_t budget_ns;     /* period_ns; both 0: none */
	bool autostart;         /* start with the hypervisor (default true) */
	int line;               /* where the entry begins in the file (from 1) */
};

struct hv_config {
	char *file;             /* the name errors use (the path given) */
	int threads;            /* worker threads; 0: one per host core */
	char *control;          /* control socket path, NULL: none */
	struct hv_config_unit *vms;
	int nvms;
	struct hv_config_unit *wasm;
	int nwasm;
};

/* Read and check path.  On failure *out is NULL, the result is negative
 * (ERR_NOENT/ERR_IO reading it, ERR_FORMAT for its content, ERR_NOMEM) and
 * e->msg is "PATH:LINE: reason" (PATH:LINE:COLUMN for YAML syntax). */
int hv_config_load(const char *path, struct hv_config **out, cairn_errbuf *e) MUST_CHECK;
/* The same from memory: len bytes of text, no NUL needed after them (a
 * NUL inside is an error).  name stands for the file in messages, and its
 * directory is the one relative paths resolve against (a name without a
 * '/': the current directory, paths kept as written). */
int hv_config_parse(const char *text, size_t len, const char *name, struct hv_config **out,
		    cairn_errbuf *e) MUST_CHECK;
void hv_config_free(struct hv_config *cfg);

#endif
