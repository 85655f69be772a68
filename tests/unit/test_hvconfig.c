/* test_hvconfig.c - the hypervisor's config file (src/hv/config.c): good
 * files become the expected command lines and schedules, and every kind
 * of bad file is refused with its exact "FILE:LINE: reason".  Runs in a
 * temporary directory holding cfg/ (the config and the files it names),
 * so relative paths are seen rewritten to cfg/... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/config.h"

static int passed, failed;
#define CHECK(c, ...) do { if (c) passed++; else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
	printf(__VA_ARGS__); printf("\n"); } } while (0)

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		printf("cannot write %s\n", path);
		exit(1);
	}
}

/* The text as cfg/t.yaml, loaded. */
static int load(const char *yaml, struct hv_config **cfg, cairn_errbuf *e)
{
	put_file("cfg/t.yaml", yaml);
	*e = (cairn_errbuf){ 0 };
	return hv_config_load("cfg/t.yaml", cfg, e);
}

/* argv equals want (NULL-terminated), argv[argc] is NULL. */
static bool argv_is(const struct hv_config_unit *u, const char *const *want)
{
	int n = 0;
	while (want[n])
		n++;
	bool ok = u->argc == n && u->argv[n] == NULL;
	for (int k = 0; ok && k < n; k++)
		ok = !strcmp(u->argv[k], want[k]);
	if (!ok) {
		printf("  argv of '%s':", u->name);
		for (int k = 0; k < u->argc; k++)
			printf(" [%s]", u->argv[k]);
		printf("\n");
	}
	return ok;
}

static void test_good(void)
{
	struct hv_config *c;
	cairn_errbuf e;
	int r = load("# the example of docs/CONFIG.md\n"
		     "threads: 2\n"
		     "control: cairn.sock\n"
		     "vms:\n"
		     "  - name: web\n"
		     "    weight: 200\n"
		     "    cap: 50\n"
		     "    reservation: {period: 1ms, budget: 200us}\n"
		     "    options: -m 256M -smp 2 -kernel Image -append \"console=ttyS0 quiet\""
		     " -serial unix:web.sock,server=on,wait=off -drive file=disk,,1.img,if=virtio\n"
		     "  - args: [-name, \"guest=db\", -m, 128M, -bios, none,\n"
		     "           -kernel, /dev/null, -initrd, initrd]\n"
		     "    autostart: false\n"
		     "wasm:\n"
		     "  - name: job1\n"
		     "    weight: 50\n"
		     "    cap: 0\n"
		     "    options: --dir data --env A=B --dir=/tmp::/t prog.wasm --dir nothere\n",
		     &c, &e);
	CHECK(r == 0 && e.code == 0, "good config: %s", e.msg);
	if (r)
		return;
	CHECK(!strcmp(c->file, "cfg/t.yaml") && c->threads == 2 && !strcmp(c->control, "cfg/cairn.sock"),
	      "top level: %s %d %s", c->file, c->threads, c->control);
	CHECK(c->nvms == 2 && c->nwasm == 1, "%d vms, %d wasm", c->nvms, c->nwasm);
	const struct hv_config_unit *web = &c->vms[0], *db = &c->vms[1], *job = &c->wasm[0];
	CHECK(!strcmp(web->name, "web") && web->line == 5 && web->weight == 200 && web->cap_percent == 50 &&
	      web->period_ns == 1000000 && web->budget_ns == 200000 && web->autostart, "web's schedule");
	CHECK(argv_is(web, (const char *const[]){ "-name", "web", "-m", "256M", "-smp", "2", "-kernel", "cfg/Image",
		"-append", "console=ttyS0 quiet", "-serial", "unix:cfg/web.sock,server=on,wait=off", "-drive",
		"file=cfg/disk,,1.img,if=virtio", NULL }), "web's argv: name first, paths against cfg/");
	CHECK(!strcmp(db->name, "db") && db->line == 10 && db->weight == 100 && db->cap_percent == 0 &&
	      db->period_ns == 0 && db->budget_ns == 0 && !db->autostart, "db: the name from -name guest=, defaults");
	CHECK(argv_is(db, (const char *const[]){ "-name", "guest=db", "-m", "128M", "-bios", "none",
		"-kernel", "/dev/null", "-initrd", "cfg/initrd", NULL }), "db's argv: absolute and 'none' kept");
	CHECK(!strcmp(job->name, "job1") && job->line == 14 && job->weight == 50 && job->autostart, "job1");
	CHECK(argv_is(job, (const char *const[]){ "--name", "job1", "--dir", "cfg/data::data", "--env", "A=B",
		"--dir=/tmp::/t", "cfg/prog.wasm", "--dir", "nothere", NULL }),
	      "job1's argv: --dir keeps its guest name, the program's own arguments untouched");
	hv_config_free(c);
}

/* Nothing to rewrite when the config is in the current directory; the
 * other spellings of names, aliases, flow style, defaults. */
static void test_forms(void)
{
	struct hv_config *c;
	cairn_errbuf e = { 0 };
	const char *yaml = "vms:\n"
			   "  - {name: a.b_c-1, options: '-kernel cfg/Image --initrd \"cfg/initrd\"', reservation: &rt {period: 2s, budget: 1s}}\n"
			   "  - name: b\n"
			   "    options: >-\n"
			   "      -m 64M\n"
			   "      -kernel cfg/Image\n"
			   "    reservation: *rt\n"
			   "    autostart: TRUE\n"
			   "  - name: c\n"
			   "    options: \"\"\n"
			   "    weight: 10000\n"
			   "    cap: 400\n"
			   "    args: ~\n"
			   "wasm:\n"
			   "  - args: [--name=w, --inherit-env, --fuel, \"10\", cfg/prog.wasm, --name, x, null, ~, true, \"\"]\n"
			   "  - options: --mapdir /g::cfg/data -- cfg/prog.wasm\n"
			   "    name: w2\n"
			   "threads: 4\n"
			   "control: /run/cairn/hv.sock\n";
	int r = hv_config_parse(yaml, strlen(yaml), "here.yaml", &c, &e);
	CHECK(r == 0, "forms: %s", e.msg);
	if (r)
		return;
	CHECK(c->nvms == 3 && c->nwasm == 2 && c->threads == 4 && !strcmp(c->control, "/run/cairn/hv.sock"), "counts");
	CHECK(argv_is(&c->vms[0], (const char *const[]){ "-name", "a.b_c-1", "-kernel", "cfg/Image", "--initrd",
		"cfg/initrd", NULL }) && c->vms[0].period_ns == 2000000000 && c->vms[0].budget_ns == 1000000000,
	      "flow mapping, --opt, nothing rewritten");
	CHECK(argv_is(&c->vms[1], (const char *const[]){ "-name", "b", "-m", "64M", "-kernel", "cfg/Image", NULL }) &&
	      c->vms[1].period_ns == 2000000000 && c->vms[1].autostart && c->vms[1].line == 3,
	      "folded block scalar, alias to a reservation");
	CHECK(argv_is(&c->vms[2], (const char *const[]){ "-name", "c", NULL }) && c->vms[2].weight == 10000 &&
	      c->vms[2].cap_percent == 400, "empty options, null args is no args, the top of the ranges");
	CHECK(argv_is(&c->wasm[0], (const char *const[]){ "--name=w", "--inherit-env", "--fuel", "10",
		"cfg/prog.wasm", "--name", "x", "null", "~", "true", "", NULL }) && !strcmp(c->wasm[0].name, "w"),
	      "--name= in a list; null, ~ and true are words there");
	CHECK(argv_is(&c->wasm[1], (const char *const[]){ "--name", "w2", "--mapdir", "/g::cfg/data", "--",
		"cfg/prog.wasm", NULL }), "--mapdir and --");
	hv_config_free(c);

	/* Empty and comment-only files: a hypervisor with nothing yet. */
	const char *empty[] = { "", "# nothing\n", "---\n", "---\n...\n", "vms:\nwasm: []\n", "{}\n" };
	for (size_t k = 0; k < sizeof empty / sizeof empty[0]; k++) {
		r = hv_config_parse(empty[k], strlen(empty[k]), "x.yaml", &c, &e);
		CHECK(r == 0 && c->nvms == 0 && c->nwasm == 0 && !c->control && c->threads == 0, "empty #%zu: %s", k, e.msg);
		hv_config_free(c);
	}
	/* An absolute config path: paths join its directory. */
	char abs[512], *cwd = getcwd(NULL, 0), want[600];
	snprintf(abs, sizeof abs, "%s/cfg/z.yaml", cwd);
	snprintf(want, sizeof want, "%s/cfg/Image", cwd);
	yaml = "vms: [{name: z, args: [-kernel, Image]}]\n";
	r = hv_config_parse(yaml, strlen(yaml), abs, &c, &e);
	CHECK(r == 0 && !strcmp(c->vms[0].argv[3], want), "absolute config path: %s", r ? e.msg : c->vms[0].argv[3]);
	if (!r)
		hv_config_free(c);
	free(cwd);
	yaml = "vms: [{name: z, args: [-kernel, tmp]}]\n";
	r = hv_config_parse(yaml, strlen(yaml), "/x.yaml", &c, &e);
	CHECK(r == -ERR_IO && !strcmp(e.msg, "/x.yaml:1: vm 'z': -kernel tmp (/tmp): Is a directory"),
	      "a config in / joins without //: %s", e.msg);
}

struct bad {
	const char *yaml;
	int code;
	const char *msg;
};

#define F "cfg/t.yaml:"
static const struct bad bad[] = {
	/* YAML itself: libfyaml's diagnostic, with its column */
	{ "a: [1, 2\n", ERR_FORMAT, F "2:1: flow sequence without a closing bracket" },
	{ "vms: []\nvms: []\n", ERR_FORMAT, F "2:1: duplicate key" },
	{ "threads: 1\n\tvms: 2\n", ERR_FORMAT, F "1:10: invalid multiline plain key" }  /* libfyaml's position */,
	{ "threads: 1\n---\nthreads: 2\n", ERR_FORMAT, F "3: a second YAML document (one config is one document)" },
	{ "vms: \xc3\n", ERR_FORMAT, F "1:6: not UTF-8 text (byte 0xc3)" },
	{ "vms:\n  - name: a\x01\n", ERR_FORMAT, F "2:12: character U+0001 is not allowed in a config" },
	{ "threads: *nope\n", ERR_FORMAT, F "1: alias *nope names no anchor (or a loop of them)" },
	{ "threads: !!int 2\n", ERR_FORMAT, F "1: YAML tags (!...) are not used in cairn configs" },
	/* the shape */
	{ "- vms\n", ERR_FORMAT, F "1: the file: expected a mapping, got a list" },
	{ "threads: 1\nvm: []\n", ERR_FORMAT, F "2: unknown key 'vm' in the top level (allowed: threads, control, vms, wasm)" },
	{ "threads: two\n", ERR_FORMAT, F "1: threads: expected an integer from 0 to 1024, got a string" },
	{ "threads: \"2\"\n", ERR_FORMAT, F "1: threads: expected an integer from 0 to 1024, got a string" },
	{ "threads: [2]\n", ERR_FORMAT, F "1: threads: expected an integer from 0 to 1024, got a list" },
	{ "threads: 1025\n", ERR_FORMAT, F "1: threads 1025 is out of range (0 to 1024)" },
	{ "threads: -1\n", ERR_FORMAT, F "1: threads: expected an integer from 0 to 1024, got a string" },
	{ "control: \"\"\n", ERR_FORMAT, F "1: control: an empty path" },
	{ "control: {a: 1}\n", ERR_FORMAT, F "1: control: expected a string, got a mapping" },
	{ "vms: web\n", ERR_FORMAT, F "1: vms: expected a list of entries, got a string" },
	{ "vms:\n  - web\n", ERR_FORMAT, F "2: vms[0]: expected a mapping, got a string" },
	{ "vms:\n  -\n", ERR_FORMAT, F "1: vms[0]: an empty entry" },  /* libfyaml marks it there */
	{ "vms:\n  - name: a\n    option: -m 1G\n", ERR_FORMAT,
	  F "3: vm 'a': unknown key 'option' in a vm entry (allowed: name, options, args, weight, cap, reservation, autostart)" },
	{ "vms:\n  - name: a\n    options: -m 1\n    reservation: {period: 1ms, budget: 1us, slack: 1}\n", ERR_FORMAT,
	  F "4: vm 'a': unknown key 'slack' in a reservation (allowed: period, budget)" },
	{ "vms:\n  - name: a\n    [x]: 1\n", ERR_FORMAT, F "3: vm 'a': a key in a vm entry is a list, not a name" },
	/* command lines */
	{ "vms:\n  - name: a\n", ERR_FORMAT, F "2: vm 'a': give its command line as options: (a string) or args: (a list)" },
	{ "vms:\n  - name: a\n    options: -m 1\n    args: [-m, 1]\n", ERR_FORMAT,
	  F "2: vm 'a': give its command line as options: (a string) or args: (a list), not both" },
	{ "vms:\n  - name: a\n    options: -m 1 -append \"console=ttyS0\n", ERR_FORMAT,
	  F "3:27: vm 'a': options: unterminated double quote" },
	{ "vms:\n  - name: a\n    options: |\n      -m 1\n      -append 'x\n", ERR_FORMAT,
	  F "5:15: vm 'a': options: unterminated single quote" },
	{ "vms:\n  - name: a\n    options: |2\n        -m 1 '\n", ERR_FORMAT,
	  F "4:14: vm 'a': options: unterminated single quote" },
	{ "vms:\n  - name: a\n    options: >\n      -m 1\n      -append 'x\n", ERR_FORMAT,
	  F "4: vm 'a': options: unterminated single quote at column 14 of the string" },
	{ "vms:\n  - name: a\n    options: \"-m 1 -append 'x\"\n", ERR_FORMAT,
	  F "3: vm 'a': options: unterminated single quote at column 14 of the string" },
	{ "vms:\n  - name: a\n    options: [-m, 1]\n", ERR_FORMAT, F "3: vm 'a': options: expected a string, got a list" },
	{ "vms:\n  - name: a\n    args: -m 1\n", ERR_FORMAT, F "3: vm 'a': args: expected a list of strings, got a string" },
	{ "vms:\n  - name: a\n    args:\n      - -m\n      - [1]\n", ERR_FORMAT, F "5: vm 'a': args[1]: expected a string, got a list" },
	{ "vms:\n  - name: a\n    args:\n      - -m\n      -\n", ERR_FORMAT,
	  F "4: vm 'a': args[1]: an empty item (write \"\" for an empty word)" },  /* the line before */
	{ "vms:\n  - name: \"a\\0\"\n    args: [-m, 1]\n", ERR_FORMAT, F "2: vm 'a': name: contains a NUL character" },
	/* names */
	{ "vms:\n  - options: -m 1\n", ERR_FORMAT, F "2: vms[0]: needs a name (name: or -name in its command line)" },
	{ "wasm:\n  - options: prog.wasm\n", ERR_FORMAT, F "2: wasm[0]: needs a name (name: or --name in its command line)" },
	{ "vms:\n  - name: a\n    options: -name b\n", ERR_FORMAT, F "2: vm 'a': name 'a' and -name 'b' differ" },
	{ "wasm:\n  - name: a\n    args: [--name=b, cfg/prog.wasm]\n", ERR_FORMAT,
	  F "2: wasm 'a': name 'a' and --name 'b' differ" },
	{ "vms:\n  - name: a b\n    options: -m 1\n", ERR_FORMAT,
	  F "2: vm 'a b': name 'a b' is not 1 to 63 letters, digits, '.', '_' or '-' (from a letter or digit)" },
	{ "vms:\n  - options: -name .a\n", ERR_FORMAT,
	  F "2: vms[0]: name '.a' is not 1 to 63 letters, digits, '.', '_' or '-' (from a letter or digit)" },
	{ "vms:\n  - name: a\n    options: -m 1\n  - name: b\n    options: -m 1\nwasm:\n  - name: a\n    options: prog.wasm\n",
	  ERR_FORMAT, F "7: wasm 'a': duplicate name (the vm at line 2 has it)" },
	{ "vms:\n  - {name: a, options: -m 1}\n  - {options: -name a}\n", ERR_FORMAT,
	  F "3: vm 'a': duplicate name (the vm at line 2 has it)" },
	/* scheduling */
	{ "vms:\n  - name: a\n    options: -m 1\n    weight: 0\n", ERR_FORMAT, F "4: vm 'a': weight 0 is out of range (1 to 10000)" },
	{ "vms:\n  - name: a\n    options: -m 1\n    weight: 10001\n", ERR_FORMAT,
	  F "4: vm 'a': weight 10001 is out of range (1 to 10000)" },
	{ "vms:\n  - name: a\n    options: -m 1\n    weight: 1.5\n", ERR_FORMAT,
	  F "4: vm 'a': weight: expected an integer from 1 to 10000, got a string" },
	{ "threads: 2\nvms:\n  - name: a\n    options: -m 1\n    cap: 99999999999\n", ERR_FORMAT,
	  F "5: vm 'a': cap 99999999999 is out of range (0 to 200)" },
	{ "threads: 3\nvms:\n  - name: a\n    options: -m 1\n    cap: 301\n", ERR_FORMAT,
	  F "5: vm 'a': cap 301 is out of range (0 to 300)" },
	{ "vms:\n  - name: a\n    options: -m 1\n    autostart: yes\n", ERR_FORMAT,
	  F "4: vm 'a': autostart: expected true or false, got a string" },
	{ "vms:\n  - name: a\n    options: -m 1\n    reservation: 1ms\n", ERR_FORMAT,
	  F "4: vm 'a': reservation: expected a mapping, got a string" },
	{ "vms:\n  - name: a\n    options: -m 1\n    reservation: {period: 1ms}\n", ERR_FORMAT,
	  F "4: vm 'a': reservation needs a period and a budget (e.g. {period: 1ms, budget: 200us})" },
	{ "vms:\n  - name: a\n    options: -m 1\n    reservation:\n      period: 1000000\n      budget: 1ms\n", ERR_FORMAT,
	  F "5: vm 'a': period 1000000 needs a unit (ns, us, ms or s)" },
	{ "vms:\n  - name: a\n    options: -m 1\n    reservation: {period: 1 ms, budget: 1us}\n", ERR_FORMAT,
	  F "4: vm 'a': period '1 ms' is not a duration (e.g. 1ms, 250us, 1.5s)" },
	{ "vms:\n  - name: a\n    options: -m 1\n    reservation: {period: 1ms, budget: 0.5ns}\n", ERR_FORMAT,
	  F "4: vm 'a': budget '0.5ns' is not a duration (e.g. 1ms, 250us, 1.5s)" },
	{ "vms:\n  - name: a\n    options: -m 1\n    reservation: {period: 99999999999999999999s, budget: 1us}\n", ERR_FORMAT,
	  F "4: vm 'a': period '99999999999999999999s' is not a duration (e.g. 1ms, 250us, 1.5s)" },
	{ "vms:\n  - name: a\n    options: -m 1\n    reservation: {period: 1ms, budget: 2ms}\n", ERR_FORMAT,
	  F "4: vm 'a': budget 2ms is longer than the period, 1ms" },
	{ "vms:\n  - name: a\n    options: -m 1\n    reservation: {period: 99us, budget: 1us}\n", ERR_FORMAT,
	  F "4: vm 'a': period 99us is out of range (100us to 10s)" },
	{ "vms:\n  - name: a\n    options: -m 1\n    reservation: {period: 11s, budget: 1s}\n", ERR_FORMAT,
	  F "4: vm 'a': period 11s is out of range (100us to 10s)" },
	{ "vms:\n  - name: a\n    options: -m 1\n    reservation: {period: 1ms, budget: 999ns}\n", ERR_FORMAT,
	  F "4: vm 'a': budget 999ns is below 1us" },
	{ "threads: 1\nvms:\n  - name: a\n    options: -m 1\n    reservation: {period: 1ms, budget: 600us}\n"
	  "wasm:\n  - name: b\n    options: prog.wasm\n    reservation: {period: 10ms, budget: 5ms}\n", ERR_FORMAT,
	  F "7: wasm 'b': the reservations up to this entry need 1.10 cores; 1 worker thread gives only 1" },
	/* files */
	{ "vms:\n  - name: web\n    options: -m 1 -kernel Image2\n", ERR_NOENT,
	  F "3: vm 'web': -kernel Image2 (cfg/Image2): No such file or directory" },
	{ "vms:\n  - name: web\n    args:\n      - -kernel\n      - Image\n      - -initrd\n      - nope\n", ERR_NOENT,
	  F "7: vm 'web': -initrd nope (cfg/nope): No such file or directory" },
	{ "vms:\n  - name: web\n    options: -bios default -bios fw.bin\n", ERR_NOENT,
	  F "3: vm 'web': -bios fw.bin (cfg/fw.bin): No such file or directory" },
	{ "vms:\n  - name: web\n    options: -dtb /nonexistent/board.dtb\n", ERR_NOENT,
	  F "3: vm 'web': -dtb /nonexistent/board.dtb: No such file or directory" },
	{ "vms:\n  - name: web\n    options: -drive if=none,id=d0,file=a,,b.img -device virtio-blk-device,drive=d0\n", ERR_NOENT,
	  F "3: vm 'web': -drive file=a,b.img (cfg/a,b.img): No such file or directory" },
	{ "vms:\n  - name: web\n    options: --kernel data\n", ERR_IO, F "3: vm 'web': -kernel data (cfg/data): Is a directory" },
	{ "wasm:\n  - name: w\n    options: --dir data --env X=1\n", ERR_FORMAT,
	  F "3: wasm 'w': no program in its command line (cairn run [OPTIONS] PROG.wasm [ARGS])" },
	{ "wasm:\n  - name: w\n    options: --fuel 5 missing.wasm\n", ERR_NOENT,
	  F "3: wasm 'w': missing.wasm (cfg/missing.wasm): No such file or directory" },
	{ "wasm:\n  - name: w\n    options: --dir=nodir prog.wasm\n", ERR_NOENT,
	  F "3: wasm 'w': --dir nodir (cfg/nodir): No such file or directory" },
	{ "wasm:\n  - name: w\n    options: --dir prog.wasm prog.wasm\n", ERR_IO,
	  F "3: wasm 'w': --dir prog.wasm (cfg/prog.wasm): Not a directory" },
	{ "wasm:\n  - name: w\n    options: --mapdir /g::nodir prog.wasm\n", ERR_NOENT,
	  F "3: wasm 'w': --mapdir nodir (cfg/nodir): No such file or directory" },
};

static void test_bad(void)
{
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		struct hv_config *c = (struct hv_config *)&c;
		cairn_errbuf e;
		int r = load(bad[k].yaml, &c, &e);
		CHECK(r == -bad[k].code && e.code == bad[k].code && c == NULL, "bad #%zu: r %d code %d (%s)", k, r, e.code, e.msg);
		CHECK(!strcmp(e.msg, bad[k].msg), "bad #%zu:\n  got  '%s'\n  want '%s'", k, e.msg, bad[k].msg);
		if (!r)
			hv_config_free(c);
	}
}

static void test_files(void)
{
	struct hv_config *c;
	cairn_errbuf e = { 0 };
	CHECK(hv_config_load("cfg/none.yaml", &c, &e) == -ERR_NOENT && e.code == ERR_NOENT && !c &&
	      !strcmp(e.msg, "cfg/none.yaml: No such file or directory"), "missing file: %s", e.msg);
	e = (cairn_errbuf){ 0 };
	CHECK(hv_config_load("cfg", &c, &e) == -ERR_IO && !strcmp(e.msg, "cfg: Is a directory"), "a directory: %s", e.msg);
	/* A NUL byte ends libfyaml's input: refused, not silently cut. */
	const char nul[] = "threads: 1\n\0vms: 5\n";
	e = (cairn_errbuf){ 0 };
	CHECK(hv_config_parse(nul, sizeof nul - 1, "n.yaml", &c, &e) == -ERR_FORMAT &&
	      !strcmp(e.msg, "n.yaml:2:1: character U+0000 is not allowed in a config"), "NUL: %s", e.msg);
	/* The control socket's path must fit a sockaddr_un. */
	char yaml[300];
	snprintf(yaml, sizeof yaml, "control: %0100d.sock\n", 0);
	e = (cairn_errbuf){ 0 };
	CHECK(load(yaml, &c, &e) == -ERR_FORMAT && strstr(e.msg, "is longer than a unix socket path may be (107 bytes)") &&
	      !strncmp(e.msg, "cfg/t.yaml:1: control: cfg/000", 30), "long control path: %s", e.msg);
	/* A long, deep or repetitive file is an error or a config, quickly. */
	char *big = malloc(1 << 20);
	size_t n = 0;
	n += (size_t)sprintf(big + n, "vms:\n");
	for (int k = 0; k < 2000; k++)
		n += (size_t)sprintf(big + n, "  - {name: v%d, args: [-m, 1M, -kernel, Image], weight: %d}\n", k, k + 1);
	e = (cairn_errbuf){ 0 };
	CHECK(hv_config_parse(big, n, "cfg/big.yaml", &c, &e) == 0 && c->nvms == 2000 && c->vms[1999].weight == 2000 &&
	      c->vms[1999].line == 2001 && !strcmp(c->vms[1999].argv[5], "cfg/Image"), "2000 VMs: %s", e.msg);
	if (c)
		hv_config_free(c);
	n = 0;
	for (int k = 0; k < 5000; k++)
		big[n++] = '[';
	e = (cairn_errbuf){ 0 };
	CHECK(hv_config_parse(big, n, "deep.yaml", &c, &e) == -ERR_FORMAT && !strncmp(e.msg, "deep.yaml:1:", 12),
	      "5000 nested lists: %s", e.msg);
	free(big);
}

int main(void)
{
	char dir[] = "/tmp/cairn-hvconfig-XXXXXX", *home = getcwd(NULL, 0);
	if (!mkdtemp(dir) || chdir(dir) || mkdir("cfg", 0755) || mkdir("cfg/data", 0755)) {
		printf("cannot make a scratch directory\n");
		return 1;
	}
	static const char *const files[] = { "cfg/Image", "cfg/initrd", "cfg/disk,1.img", "cfg/prog.wasm" };
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
		put_file(files[k], "x");
	test_good();
	test_forms();
	test_bad();
	test_files();
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
		unlink(files[k]);
	unlink("cfg/t.yaml");
	rmdir("cfg/data");
	rmdir("cfg");
	if (!home || chdir(home) || rmdir(dir))
		printf("note: %s left behind\n", dir);
	free(home);
	printf("test_hvconfig: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
