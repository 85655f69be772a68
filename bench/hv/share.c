/* share.c - how the hypervisor's workers are shared by weight between VMs
 * and wasm programs, measured by the scheduler itself (vm_stats' CPU time):
 * every entry is created and started in one hypervisor, the run waits until
 * each VM's console shows READY (a guest that has booted and gone busy),
 * settles, then takes the CPU time each used over MEASURE_MS and prints it
 * beside the share its weight entitles it to (weights split the workers, a
 * group using at most one worker per unit -- a hart, or a wasm program).
 *   build/bench/hv/share THREADS MEASURE_MS READY (vm|wasm) WEIGHT "OPTIONS" ...
 * OPTIONS are `cairn vm`'s or `cairn run`'s, split as a shell would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/words.h"
#include "hv/hv.h"

#define MAX 8

struct entry {
	bool wasm;
	unsigned weight;
	char **argv;
	int argc;
	struct vm *vm;
	int units;
	struct vm_stats s0, s1;
	double fair;            /* workers it is entitled to */
};

static struct hv *hv;

static void *hv_main(void *arg)
{
	(void)hv_run(hv);
	return NULL;
}

/* Weighted shares of nthreads workers, none above its unit count (water filling). */
static void entitle(struct entry *e, int n, int nthreads)
{
	double left = nthreads;
	bool fixed[MAX] = { false };
	for (int round = 0; round < n; round++) {
		double w = 0;
		for (int k = 0; k < n; k++)
			if (!fixed[k])
				w += e[k].weight;
		bool again = false;
		for (int k = 0; k < n; k++)
			if (!fixed[k] && left * e[k].weight / w > e[k].units) {
				e[k].fair = e[k].units;
				fixed[k] = true;
				left -= e[k].units;
				again = true;
			}
		if (!again) {
			for (int k = 0; k < n; k++)
				if (!fixed[k])
					e[k].fair = left * e[k].weight / w;
			return;
		}
	}
}

static bool ready(struct entry *e, const char *pattern)
{
	static char buf[65536];
	if (e->wasm)
		return true;
	size_t n = vm_console_recent(e->vm, buf, sizeof buf - 1);
	buf[n] = 0;
	return strstr(buf, pattern) != NULL;
}

int main(int argc, char **argv)
{
	struct entry e[MAX];
	int n = 0;
	if (argc < 7 || (argc - 4) % 3) {
		fprintf(stderr, "usage: share THREADS MEASURE_MS READY (vm|wasm) WEIGHT \"OPTIONS\"...\n");
		return 2;
	}
	int nthreads = atoi(argv[1]), measure = atoi(argv[2]);
	const char *pattern = argv[3];
	struct hv_options ho = { .threads = nthreads, .persist = true };
	pthread_t th;
	if (hv_create(&hv, &ho) || pthread_create(&th, NULL, hv_main, NULL))
		return 1;
	for (int k = 4; k + 2 < argc && n < MAX; k += 3, n++) {
		cairn_errbuf err = { 0 };
		e[n] = (struct entry){ .wasm = !strcmp(argv[k], "wasm"), .weight = (unsigned)atoi(argv[k + 1]) };
		if (words_split(argv[k + 2], &e[n].argc, &e[n].argv, &err) ||
		    (e[n].wasm ? vm_create_wasm(hv, e[n].argc, e[n].argv, &e[n].vm, &err)
			       : vm_create(hv, e[n].argc, e[n].argv, &e[n].vm, &err)) ||
		    vm_set_weight(e[n].vm, e[n].weight)) {
			fprintf(stderr, "share: %s: %s\n", argv[k + 2], err.msg);
			return 1;
		}
		e[n].units = e[n].wasm ? 1 : vm_nharts(e[n].vm);
	}
	for (int k = 0; k < n; k++)
		if (vm_start(e[k].vm))
			return 1;
	for (int k = 0, t = 0; k < n; t++) {
		if (ready(&e[k], pattern)) {
			k++;
			continue;
		}
		if (t > 6000) {
			fprintf(stderr, "share: '%s' never showed on %s's console\n", pattern, vm_name(e[k].vm));
			return 1;
		}
		usleep(50000);
	}
	usleep(500000);
	uint64_t t0 = base_now_ns();
	for (int k = 0; k < n; k++)
		vm_stats(e[k].vm, &e[k].s0);
	usleep((useconds_t)measure * 1000);
	for (int k = 0; k < n; k++)
		vm_stats(e[k].vm, &e[k].s1);
	double wall = (double)(base_now_ns() - t0) / 1e9, total = 0;
	for (int k = 0; k < n; k++)
		total += (double)(e[k].s1.cpu_ns - e[k].s0.cpu_ns) / 1e9;
	entitle(e, n, nthreads);
	printf("%-8s %-5s %6s %5s %8s %7s %9s %9s %8s\n", "name", "kind", "weight", "units", "cpu_s", "cores", "share",
	       "entitled", "state");
	for (int k = 0; k < n; k++) {
		double cpu = (double)(e[k].s1.cpu_ns - e[k].s0.cpu_ns) / 1e9;
		printf("%-8s %-5s %6u %5d %8.3f %7.2f %8.1f%% %8.1f%% %8s\n", vm_name(e[k].vm), vm_kind(e[k].vm),
		       e[k].weight, e[k].units, cpu, cpu / wall, 100 * cpu / total, 100 * e[k].fair / nthreads,
		       vm_state_name(vm_state(e[k].vm)));
	}
	printf("window %.2f s, %d workers, %.2f workers' worth of CPU used\n", wall, nthreads, total / wall);
	for (int k = 0; k < n; k++)
		vm_poweroff(e[k].vm, true);
	hv_quit(hv, 0);
	pthread_join(th, NULL);
	hv_destroy(hv);
	for (int k = 0; k < n; k++)
		words_free(e[k].argv);
	return 0;
}
