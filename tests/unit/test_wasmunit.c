/* test_wasmunit.c - WebAssembly programs as VMs of the hypervisor
 * (src/hv/wasmunit.c), through hv.h only:
 *  - a loop paused and resumed mid-way, again and again, ends with exactly
 *    the result of an uninterrupted run (a hash chain over every iteration:
 *    no lost or repeated work), and no CPU time goes by while it is paused;
 *  - --fuel stays exact across the slices a unit is cut into;
 *  - a sleep costs no worker: the unit is idle with a deadline (and can be
 *    paused asleep);
 *  - exit statuses, a trap (internal-error, 134, reason guest-panic), a
 *    poweroff, a reset (the program starts again), with their events;
 *  - a guard-page fault after the program moved between workers is still
 *    its trap (out of bounds), three programs at once;
 *  - a program blocked in fd_read on stdin can still be paused.
 * Everything runs on 2 workers beside each other. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/hv.h"

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static char dir[64];

/* A module's text in a file of the temporary directory. */
static const char *module(const char *name, const char *text)
{
	static char path[8][128];
	static int n;
	char *p = path[n++ % 8];
	snprintf(p, sizeof path[0], "%s/%s.wat", dir, name);
	FILE *f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(p);
		exit(1);
	}
	return p;
}

#define WASI(name, sig) "(import \"wasi_snapshot_preview1\" \"" name "\" (func $" name " " sig "))\n"
#define FD_WRITE WASI("fd_write", "(param i32 i32 i32 i32) (result i32)")

/* x = x * K + i for i < n, then its 8 bytes to stdout. */
static char *hash_module(uint32_t n)
{
	static char buf[2048];
	snprintf(buf, sizeof buf,
		 "(module " FD_WRITE
		 "(memory (export \"memory\") 1)\n"
		 "(func (export \"_start\") (local $i i32) (local $x i64)\n"
		 "  (loop $l\n"
		 "    (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005))\n"
		 "                           (i64.extend_i32_u (local.get $i))))\n"
		 "    (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
		 "    (br_if $l (i32.lt_u (local.get $i) (i32.const %" PRIu32 "))))\n"
		 "  (i64.store (i32.const 100) (local.get $x))\n"
		 "  (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 8))\n"
		 "  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 200)))))\n", n);
	return buf;
}

static uint64_t hash_expect(uint32_t n)
{
	uint64_t x = 0;
	for (uint32_t i = 0; i < n; i++)
		x = x * 6364136223846793005ull + i;
	return x;
}

/* ---- the hypervisor, its thread and its events ---- */

static struct hv *hv;
static pthread_t hv_thread;
static pthread_mutex_t ev_mu = PTHREAD_MUTEX_INITIALIZER;
static char events[8192];

static void on_event(void *ctx, struct vm *vm, const char *event, const char *data)
{
	pthread_mutex_lock(&ev_mu);
	size_t n = strlen(events);
	snprintf(events + n, sizeof events - n, "%s %s %s\n", vm_name(vm), event, data ? data : "");
	pthread_mutex_unlock(&ev_mu);
}

/* Events reach listeners on the hv thread, after the state they announce:
 * wait up to 5 s for this one. */
static bool has_event(const char *line)
{
	for (int k = 0; k < 5000; k++) {
		pthread_mutex_lock(&ev_mu);
		bool r = strstr(events, line) != NULL;
		pthread_mutex_unlock(&ev_mu);
		if (r)
			return true;
		usleep(1000);
	}
	return false;
}

static void *hv_main(void *arg)
{
	(void)hv_run(hv);
	return NULL;
}

static void ms(int n)
{
	usleep((useconds_t)n * 1000);
}

static struct vm *create(const char *opts)
{
	char *argv[16], buf[512];
	int argc = 0;
	snprintf(buf, sizeof buf, "%s", opts);
	for (char *s = strtok(buf, " "); s && argc < 16; s = strtok(NULL, " "))
		argv[argc++] = s;
	struct vm *vm = NULL;
	cairn_errbuf e = { 0 };
	if (vm_create_wasm(hv, argc, argv, &vm, &e)) {
		fprintf(stderr, "vm_create_wasm %s: %s\n", opts, e.msg);
		exit(1);
	}
	return vm;
}

/* Wait up to 20 s for vm to reach state s. */
static bool wait_state(struct vm *vm, enum vm_state s)
{
	for (int k = 0; k < 20000 && vm_state(vm) != s; k++)
		ms(1);
	return vm_state(vm) == s;
}

static size_t recent(struct vm *vm, char *buf, size_t cap)
{
	size_t n = vm_console_recent(vm, buf, cap - 1);
	buf[n] = 0;
	return n;
}

/* "--name NAME OPTS FILE" for a module of that text. */
static struct vm *create_mod(const char *name, const char *opts, const char *text)
{
	char buf[512];
	snprintf(buf, sizeof buf, "--name %s %s %s", name, opts, module(name, text));
	return create(buf);
}

/* ---- the tests ---- */

static void pause_resume(void)
{
	const uint32_t n = 150000000;
	struct vm *vm = create_mod("h", "--stdout /dev/null", hash_module(n));
	CHECK(vm_start(vm) == 0);
	unsigned seed = 1;
	int pauses = 0;
	uint64_t worst = 0, sum = 0;
	while (vm_state(vm) == VM_RUNNING && pauses < 40) {
		ms(5 + (int)(rand_r(&seed) % 20));
		uint64_t t0 = base_now_ns();
		if (vm_pause(vm) || vm_state(vm) != VM_PAUSED)
			break;
		uint64_t dt = base_now_ns() - t0;
		worst = dt > worst ? dt : worst;
		sum += dt;
		pauses++;
		struct vm_stats a, b;
		vm_stats(vm, &a);
		ms(10);
		vm_stats(vm, &b);
		CHECK(a.cpu_ns == b.cpu_ns);       /* nothing runs while paused */
		CHECK(a.instret == b.instret);
		CHECK(vm_resume(vm) == 0);
	}
	CHECK(pauses >= 10);
	CHECK(has_event("h STOP {}") && has_event("h RESUME {}"));
	CHECK(wait_state(vm, VM_SHUTDOWN));
	char out[64];
	uint64_t want = hash_expect(n), got = 0;
	CHECK(recent(vm, out, sizeof out) == 8);
	memcpy(&got, out, 8);
	CHECK(got == want);
	if (got != want)
		fprintf(stderr, "hash after %d pauses: %016" PRIx64 ", uninterrupted: %016" PRIx64 "\n", pauses, got, want);
	struct vm_stats st;
	vm_stats(vm, &st);
	CHECK(st.slices > 20);                     /* cut into many slices */
	CHECK(st.instret >= n / 2 && st.instret <= n + n / 5); /* about n: fuel units, not exact */
	CHECK(vm_exit_code(vm) == 0);
	CHECK(has_event("h SHUTDOWN {\"guest\": true, \"reason\": \"guest-shutdown\"}"));
	printf("pause/resume: %d pauses (vm_pause took %.0f us on average, %.0f us at most), hash %016" PRIx64
	       " as uninterrupted, %" PRIu64 " slices, %.0f ms CPU, instret %" PRIu64 " for %" PRIu32 " iterations\n",
	       pauses, pauses ? sum / 1e3 / pauses : 0, worst / 1e3, got, st.slices, st.cpu_ns / 1e6, st.instret, n);
	vm_destroy(vm);
}

/* A loop of n iterations passes n fuel checks: --fuel n is enough, n - 1
 * is not, however many chunks and slices the fuel is handed out in. */
static void fuel_exact(void)
{
	const uint32_t n = 30000000;
	struct vm *ok, *short_;
	char opts[64];
	snprintf(opts, sizeof opts, "--stdout /dev/null --fuel %" PRIu32, n);
	ok = create_mod("fuel_ok", opts, hash_module(n));
	snprintf(opts, sizeof opts, "--stdout /dev/null --fuel %" PRIu32, n - 1);
	short_ = create_mod("fuel_short", opts, hash_module(n));
	CHECK(vm_start(ok) == 0 && vm_start(short_) == 0);
	CHECK(wait_state(ok, VM_SHUTDOWN));
	CHECK(vm_exit_code(ok) == 0);
	CHECK(wait_state(short_, VM_ERROR));
	CHECK(vm_exit_code(short_) == 134);
	CHECK(has_event("fuel_short SHUTDOWN {\"guest\": true, \"reason\": \"guest-panic\"}"));
	char out[64];
	CHECK(recent(ok, out, sizeof out) == 8 && recent(short_, out, sizeof out) == 0);
	vm_destroy(ok);
	vm_destroy(short_);
}

#define SLEEP_MODULE(ns) \
	"(module " WASI("poll_oneoff", "(param i32 i32 i32 i32) (result i32)") \
	WASI("proc_exit", "(param i32)") \
	"(memory (export \"memory\") 1)\n" \
	"(func (export \"_start\")\n" \
	"  (i32.store8 (i32.const 8) (i32.const 0))\n"          /* tag: clock */ \
	"  (i32.store (i32.const 16) (i32.const 1))\n"          /* monotonic */ \
	"  (i64.store (i32.const 24) (i64.const " #ns "))\n"    /* relative timeout */ \
	"  (if (call $poll_oneoff (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)) (then unreachable))\n" \
	"  (call $proc_exit (i32.const 7))))\n"

/* A sleep of 300 ms: idle, not on a worker; paused asleep, it sleeps on. */
static void sleeping(void)
{
	struct vm *vm = create_mod("nap", "", SLEEP_MODULE(300000000));
	uint64_t t0 = base_now_ns();
	CHECK(vm_start(vm) == 0);
	ms(100);
	CHECK(vm_pause(vm) == 0 && vm_state(vm) == VM_PAUSED);
	ms(50);
	CHECK(vm_resume(vm) == 0);
	CHECK(wait_state(vm, VM_SHUTDOWN));
	uint64_t dt = base_now_ns() - t0;
	struct vm_stats st;
	vm_stats(vm, &st);
	CHECK(dt >= 300000000);
	CHECK(st.cpu_ns < 50000000);               /* asleep, it cost (next to) nothing */
	CHECK(vm_exit_code(vm) == 7);
	printf("sleep: 300 ms asleep in %.0f ms, %.2f ms CPU, %" PRIu64 " wakeups\n", dt / 1e6, st.cpu_ns / 1e6,
	       st.wakeups);
	vm_destroy(vm);
}

static const char trap_module[] =
	"(module " FD_WRITE
	"(memory (export \"memory\") 1) (data (i32.const 16) \"before the trap\\n\")\n"
	"(func $deep (export \"deep\") unreachable)\n"
	"(func (export \"_start\")\n"
	"  (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 16))\n"
	"  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 200)))\n"
	"  (call $deep)))\n";

/* A spinning program that prints "start\n" first. */
static const char spin_module[] =
	"(module " FD_WRITE
	"(memory (export \"memory\") 1) (data (i32.const 16) \"start\\n\")\n"
	"(func (export \"_start\")\n"
	"  (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 6))\n"
	"  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 200)))\n"
	"  (loop $l (br $l))))\n";

static void ends(void)
{
	char out[256];
	struct vm *trap = create_mod("trap", "--stdout /dev/null", trap_module);
	struct vm *spin = create_mod("spin", "--stdout /dev/null", spin_module);
	CHECK(vm_start(trap) == 0 && vm_start(spin) == 0);
	CHECK(wait_state(trap, VM_ERROR));
	CHECK(vm_exit_code(trap) == 134);
	recent(trap, out, sizeof out);
	CHECK(!strcmp(out, "before the trap\n"));
	CHECK(has_event("trap SHUTDOWN {\"guest\": true, \"reason\": \"guest-panic\"}"));
	CHECK(vm_start(trap) == -ERR_STATE);

	/* a reset starts it again: its output twice */
	for (int k = 0; k < 20000 && recent(spin, out, sizeof out) < 6; k++)
		ms(1);
	CHECK(vm_reset(spin) == 0);
	for (int k = 0; k < 20000 && recent(spin, out, sizeof out) < 12; k++)
		ms(1);
	CHECK(!strcmp(out, "start\nstart\n"));
	CHECK(has_event("spin RESET {\"guest\": false, \"reason\": \"host-qmp-system-reset\"}"));
	CHECK(vm_state(spin) == VM_RUNNING);
	/* paused, reset: prelaunch, then it runs from the start once started */
	CHECK(vm_pause(spin) == 0);
	CHECK(vm_reset(spin) == 0 && vm_state(spin) == VM_PRELAUNCH);
	CHECK(vm_start(spin) == 0);
	for (int k = 0; k < 20000 && recent(spin, out, sizeof out) < 18; k++)
		ms(1);
	CHECK(!strcmp(out, "start\nstart\nstart\n"));
	vm_poweroff(spin, true);
	CHECK(wait_state(spin, VM_SHUTDOWN));
	CHECK(has_event("spin SHUTDOWN {\"guest\": false, \"reason\": \"host-qmp-quit\"}"));
	CHECK(vm_exit_code(spin) == 0);
	/* shut down, reset: runs again once started */
	CHECK(vm_reset(spin) == 0 && vm_state(spin) == VM_PRELAUNCH);
	CHECK(vm_start(spin) == 0);
	for (int k = 0; k < 20000 && recent(spin, out, sizeof out) < 24; k++)
		ms(1);
	CHECK(recent(spin, out, sizeof out) == 24);
	CHECK(vm_nharts(spin) == 0 && !vm_hart(spin, 0) && !vm_read_phys(spin, 0, out, 1));
	CHECK(!strcmp(vm_kind(spin), "wasm"));
	vm_destroy(spin); /* running: ends it */
	vm_destroy(trap);
}

/* A loop long enough to be cut into slices on both workers, then a store
 * outside memory: the guard-page fault must find the trap handler of the
 * thread the program is on by then (the interpreter's thread-local), not
 * the one it started on. */
static const char late_fault_module[] =
	"(module (memory (export \"memory\") 1)\n"
	"(func (export \"_start\") (local $i i32)\n"
	"  (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
	"    (br_if $l (i32.lt_u (local.get $i) (i32.const 40000000))))\n"
	"  (i32.store (i32.const -16) (i32.const 1))))\n";

static void late_fault(void)
{
	struct vm *vm[3];
	char name[16];
	for (int k = 0; k < 3; k++) {
		snprintf(name, sizeof name, "late%d", k);
		vm[k] = create_mod(name, "", late_fault_module);
	}
	for (int k = 0; k < 3; k++)
		CHECK(vm_start(vm[k]) == 0);
	for (int k = 0; k < 3; k++) {
		CHECK(wait_state(vm[k], VM_ERROR));
		CHECK(vm_exit_code(vm[k]) == 134);
		struct vm_stats st;
		vm_stats(vm[k], &st);
		CHECK(st.slices > 3);
		vm_destroy(vm[k]);
	}
}

static const char cat_module[] =
	"(module " FD_WRITE WASI("fd_read", "(param i32 i32 i32 i32) (result i32)")
	"(memory (export \"memory\") 1)\n"
	"(func (export \"_start\")\n"
	"  (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 64))\n"
	"  (loop $l\n"
	"    (br_if 1 (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))\n"
	"    (br_if 1 (i32.eqz (i32.load (i32.const 8))))\n"
	"    (i32.store (i32.const 12) (i32.const 64)) (i32.store (i32.const 16) (i32.load (i32.const 8)))\n"
	"    (drop (call $fd_write (i32.const 1) (i32.const 12) (i32.const 1) (i32.const 20)))\n"
	"    (br $l))))\n";

/* Blocked in fd_read on stdin (a pipe), it still pauses; resumed, it reads. */
static void blocked_read(void)
{
	int fds[2];
	CHECK(pipe(fds) == 0);
	int saved = dup(0);
	dup2(fds[0], 0);
	close(fds[0]);
	struct vm *vm = create_mod("cat", "--stdout /dev/null", cat_module); /* its stdin is our fd 0 */
	CHECK(vm_start(vm) == 0);
	ms(50);
	CHECK(vm_pause(vm) == 0 && vm_state(vm) == VM_PAUSED);
	CHECK(write(fds[1], "hello\n", 6) == 6);
	ms(50);
	char out[64];
	CHECK(recent(vm, out, sizeof out) == 0);   /* paused: it did not read */
	CHECK(vm_resume(vm) == 0);
	for (int k = 0; k < 20000 && recent(vm, out, sizeof out) < 6; k++)
		ms(1);
	CHECK(!strcmp(out, "hello\n"));
	close(fds[1]);
	CHECK(wait_state(vm, VM_SHUTDOWN));
	CHECK(vm_exit_code(vm) == 0);
	vm_destroy(vm);
	dup2(saved, 0);
	close(saved);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_wasmunit.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	struct hv_options o = { .threads = 2, .persist = true };
	if (hv_create(&hv, &o) || hv_add_listener(hv, on_event, NULL) || pthread_create(&hv_thread, NULL, hv_main, NULL)) {
		fprintf(stderr, "cannot start the hypervisor\n");
		return 1;
	}
	pause_resume();
	fuel_exact();
	sleeping();
	ends();
	late_fault();
	blocked_read();
	hv_quit(hv, 0);
	pthread_join(hv_thread, NULL);
	hv_destroy(hv);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd)) {
		/* a temporary directory left behind */
	}
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
