/* timeit.c - best-of-N wall time of one command, for the wasm benchmarks:
 * `timeit N OUT cmd args...` runs cmd N times (stdout and stderr to OUT) and
 * prints the best time in seconds, or "fail" if any run exits non-zero.
 * A helper of its own so that short runs (startup, ~1 ms) are not swamped
 * by the shell's process and date(1) overheads. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One run; returns its wall time, or a negative value when it failed. */
static double run_once(char **argv, const char *out)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;
	double t0, t1;
	if (posix_spawn_file_actions_init(&fa) ||
	    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) ||
	    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644) ||
	    posix_spawn_file_actions_adddup2(&fa, 1, 2))
		return -1;
	t0 = now();
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	if (waitpid(pid, &status, 0) != pid)
		status = -1;
	t1 = now();
	posix_spawn_file_actions_destroy(&fa);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? t1 - t0 : -1;
}

int main(int argc, char **argv)
{
	double best = -1;
	int n = argc > 3 ? atoi(argv[1]) : 0;
	if (n <= 0) {
		fprintf(stderr, "usage: timeit RUNS OUTFILE command [args...]\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		double t = run_once(argv + 3, argv[2]);
		if (t < 0) {
			puts("fail");
			return 1;
		}
		if (best < 0 || t < best)
			best = t;
	}
	printf("%.6f\n", best);
	return 0;
}
