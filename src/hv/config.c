/* config.c - the hypervisor's YAML config file (docs/CONFIG.md) read with
 * libfyaml's document API into struct hv_config.  Everything is checked
 * before anything runs, and every message names FILE:LINE: libfyaml keeps
 * a start mark on each scalar's token, so a collection's line is that of
 * its first scalar.  Nothing here prints; libfyaml's own diagnostics are
 * collected into the error value. */
#include "hv/config.h"

#include <errno.h>
#include <libfyaml.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/words.h"

#define MAX_FILE     (16u << 20)   /* a config is text, not a disk image */
#define MAX_NAME     63
#define MAX_THREADS  1024
#define MAX_WEIGHT   10000
/* The scheduler's own limits (sched_set_cap, sched_set_reservation): a
 * cap is at most 100% per worker thread, a period 100 us to 10 s. */
#define MIN_PERIOD   100000ull
#define MAX_PERIOD   10000000000ull
#define MIN_BUDGET   1000ull       /* 1 us: a smaller budget buys no work */

struct pos {
	int line, col;             /* from 1; 0: unknown */
};

struct ctx {
	const char *file;          /* for messages */
	char *dir;                 /* relative paths are joined to it; NULL: kept */
	cairn_errbuf *e;
	const char *text;          /* the file's text (marks' input_pos index it) */
	size_t len;
	struct hv_config *cfg;
	unsigned cores;            /* worker threads the units share */
	char where[96];            /* "vm 'web': " while reading an entry */
};

static int fail(struct ctx *c, struct pos p, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(struct ctx *c, struct pos p, int code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (p.line > 0 && p.col > 0)
		cairn_errorf(c->e, "%s:%d:%d: %s%s", c->file, p.line, p.col, c->where, msg);
	else if (p.line > 0)
		cairn_errorf(c->e, "%s:%d: %s%s", c->file, p.line, c->where, msg);
	else
		cairn_errorf(c->e, "%s: %s%s", c->file, c->where, msg);
	if (c->e)
		c->e->code = code;
	return -code;
}

static int nomem(struct ctx *c)
{
	return fail(c, (struct pos){ 0, 0 }, ERR_NOMEM, "%s", cairn_strerror(ERR_NOMEM));
}

/* ---- Nodes ---- */

static struct pos token_pos(struct fy_token *t)
{
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
	return m ? (struct pos){ m->line + 1, m->column + 1 } : (struct pos){ 0, 0 };
}

/* The line a node begins on: its token's for a scalar (or an alias), else
 * the first scalar's inside it; a collection with nothing in it has none.
 * Messages name the line only: the key or value they quote is the rest. */
static struct pos node_pos(struct fy_node *n)
{
	for (int depth = 0; n && depth < 300; depth++) {
		void *it = NULL;
		if (fy_node_is_scalar(n))
			return (struct pos){ token_pos(fy_node_get_scalar_token(n)).line, 0 };
		if (fy_node_is_mapping(n)) {
			struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
			n = p ? fy_node_pair_key(p) : NULL;
		} else {
			n = fy_node_sequence_iterate(n, &it);
		}
	}
	return (struct pos){ 0, 0 };
}

static struct pos pos_or(struct fy_node *n, struct pos dflt)
{
	struct pos p = node_pos(n);
	return p.line ? p : dflt;
}

static bool plain(struct fy_node *n)
{
	return fy_node_is_scalar(n) && fy_node_get_style(n) == FYNS_PLAIN;
}

static bool plain_is(struct fy_node *n, const char *const *words)
{
	const char *s = plain(n) ? fy_node_get_scalar0(n) : NULL;
	for (; s && *words; words++)
		if (!strcmp(s, *words))
			return true;
	return false;
}

/* YAML 1.2 core schema spellings. */
static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const trues[] = { "true", "True", "TRUE", NULL };
static const char *const falses[] = { "false", "False", "FALSE", NULL };

static bool is_uint(const char *s)
{
	if (!s || !*s)
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	return !*s;
}

/* What a value is, for "expected X, got Y". */
static const char *kind(struct fy_node *n)
{
	if (!n)
		return "an empty value";
	if (fy_node_is_mapping(n))
		return "a mapping";
	if (fy_node_is_sequence(n))
		return "a list";
	if (plain(n) && is_uint(fy_node_get_scalar0(n)))
		return "an integer";
	if (plain_is(n, trues) || plain_is(n, falses))
		return "a boolean";
	return "a string";
}

/* The node n stands for: an alias followed to its anchor.  Tags are
 * refused: nothing here has a use for them and a silently ignored !!int
 * would mislead. */
static int deref(struct ctx *c, struct fy_node *n, struct pos at, struct fy_node **out)
{
	*out = NULL;
	if (n && fy_node_is_alias(n)) {
		struct fy_node *r = fy_node_resolve_alias(n);
		if (!r)
			return fail(c, pos_or(n, at), ERR_FORMAT, "alias *%s names no anchor (or a loop of them)",
				    fy_node_get_scalar0(n));
		n = r;
	}
	if (n && fy_node_get_tag(n, NULL))
		return fail(c, pos_or(n, at), ERR_FORMAT, "YAML tags (!...) are not used in cairn configs");
	*out = n;
	return 0;
}

/* A value: the node it stands for, NULL for a YAML null (absent). */
static int value(struct ctx *c, struct fy_node *n, struct pos at, struct fy_node **out)
{
	int r = deref(c, n, at, out);
	if (!r && *out && plain_is(*out, nulls))
		*out = NULL;
	return r;
}

/* A string value (any scalar: plain, quoted or block), NUL-terminated. */
static int text(struct ctx *c, struct fy_node *n, const char *what, struct pos at, const char **out)
{
	*out = NULL;
	if (!n || !fy_node_is_scalar(n))
		return fail(c, pos_or(n, at), ERR_FORMAT, "%s: expected a string, got %s", what, kind(n));
	const char *s = fy_node_get_scalar0(n);
	if (!s)
		return nomem(c);
	if (strlen(s) != fy_node_get_scalar_length(n))
		return fail(c, pos_or(n, at), ERR_FORMAT, "%s: contains a NUL character", what);
	*out = s;
	return 0;
}

/* ---- Scalars ---- */

static int get_uint(struct ctx *c, struct fy_node *n, const char *what, unsigned lo, unsigned hi, unsigned *out)
{
	struct pos p = node_pos(n);
	const char *s = plain(n) ? fy_node_get_scalar0(n) : NULL;
	if (!is_uint(s))
		return fail(c, p, ERR_FORMAT, "%s: expected an integer from %u to %u, got %s", what, lo, hi, kind(n));
	unsigned long v = strlen(s) > 9 ? ~0ul : strtoul(s, NULL, 10);
	if (v < lo || v > hi)
		return fail(c, p, ERR_FORMAT, "%s %.20s is out of range (%u to %u)", what, s, lo, hi);
	*out = (unsigned)v;
	return 0;
}

static int get_bool(struct ctx *c, struct fy_node *n, const char *what, bool *out)
{
	if (plain_is(n, trues) || plain_is(n, falses)) {
		*out = plain_is(n, trues);
		return 0;
	}
	return fail(c, node_pos(n), ERR_FORMAT, "%s: expected true or false, got %s", what, kind(n));
}

/* DIGITS[.DIGITS]UNIT, unit ns, us, ms or s, a whole number of ns. */
static int parse_duration(const char *s, uint64_t *ns)
{
	static const struct { const char *unit; uint64_t mul; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
	};
	uint64_t whole = 0, frac = 0, scale = 1;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++)
		if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, (uint64_t)(*p - '0'), &whole))
			return -1;
	if (p == s)
		return -1;
	if (*p == '.') {
		const char *f = ++p;
		for (; *p >= '0' && *p <= '9' && p - f < 9; p++)
			frac = frac * 10 + (uint64_t)(*p - '0'), scale *= 10;
		if (p == f || (*p >= '0' && *p <= '9'))
			return -1;
	}
	for (size_t k = 0; k < ARRAY_SIZE(units); k++) {
		if (strcmp(p, units[k].unit))
			continue;
		uint64_t f = frac * units[k].mul; /* < 10^9 * 10^9: fits */
		if (f % scale || __builtin_mul_overflow(whole, units[k].mul, ns) ||
		    __builtin_add_overflow(*ns, f / scale, ns))
			return -1;
		return 0;
	}
	return *p ? -1 : -2;
}

static int get_duration(struct ctx *c, struct fy_node *n, const char *what, uint64_t *out)
{
	const char *s;
	int r = text(c, n, what, (struct pos){ 0, 0 }, &s);
	if (r)
		return r;
	r = parse_duration(s, out);
	if (r == -2)
		return fail(c, node_pos(n), ERR_FORMAT, "%s %s needs a unit (ns, us, ms or s)", what, s);
	if (r)
		return fail(c, node_pos(n), ERR_FORMAT, "%s '%.40s' is not a duration (e.g. 1ms, 250us, 1.5s)", what, s);
	return 0;
}

/* A name the control socket and messages can quote: [A-Za-z0-9][A-Za-z0-9._-]*. */
static bool good_name(const char *s)
{
	size_t n = strlen(s);
	for (size_t k = 0; k < n; k++) {
		char ch = s[k];
		bool alnum = (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z');
		if (!alnum && (k == 0 || !strchr("._-", ch)))
			return false;
	}
	return n > 0 && n <= MAX_NAME;
}

/* ---- Mappings ---- */

/* A mapping's keys land in a struct of node pointers: one row per key. */
struct field {
	const char *key;
	size_t off;                /* of its struct fy_node * */
};

static int unknown_key(struct ctx *c, struct pos p, const char *key, const char *in, const struct field *f, size_t nf)
{
	char allowed[160] = "";
	size_t len = 0;
	for (size_t k = 0; k < nf && len < sizeof allowed; k++)
		len += (size_t)snprintf(allowed + len, sizeof allowed - len, "%s%s", k ? ", " : "", f[k].key);
	return fail(c, p, ERR_FORMAT, "unknown key '%.40s' in %s (allowed: %s)", key, in, allowed);
}

/* Store each value of map (aliases followed, NULL for null) in dst by its
 * key's row; in names the mapping for messages ("a vm entry"). */
static int walk_map(struct ctx *c, struct fy_node *map, const char *in, const struct field *f, size_t nf, void *dst)
{
	void *it = NULL;
	struct fy_node_pair *pair;
	uint32_t seen = 0;         /* libfyaml refuses a key twice, but not *a beside a */
	while ((pair = fy_node_mapping_iterate(map, &it))) {
		struct fy_node *k, *v, *raw = fy_node_pair_value(pair);
		struct pos kp = node_pos(fy_node_pair_key(pair));
		int r = value(c, fy_node_pair_key(pair), kp, &k);
		if (r)
			return r;
		if (!k || !fy_node_is_scalar(k))
			return fail(c, pos_or(raw, kp), ERR_FORMAT, "a key in %s is %s, not a name", in, kind(k));
		const char *key = fy_node_get_scalar0(k);
		size_t i = 0;
		while (i < nf && strcmp(key, f[i].key))
			i++;
		if (i == nf)
			return unknown_key(c, kp, key, in, f, nf);
		if (seen & 1u << i)
			return fail(c, kp, ERR_FORMAT, "%s given twice in %s", key, in);
		seen |= 1u << i;
		if ((r = value(c, raw, kp, &v)))
			return r;
		*(struct fy_node **)((char *)dst + f[i].off) = v;
	}
	return 0;
}

static int expect_map(struct ctx *c, struct fy_node *n, struct pos at, const char *what)
{
	if (fy_node_is_mapping(n))
		return 0;
	return fail(c, pos_or(n, at), ERR_FORMAT, "%sexpected a mapping, got %s", what, kind(n));
}

/* ---- Command lines ---- */

/* A unit's argv while it is built, with the line each word came from. */
struct words {
	char **v;
	int *line;
	int n, cap;
};

static void words_drop(struct words *w)
{
	for (int k = 0; k < w->n; k++)
		free(w->v[k]);
	free(w->v);
	free(w->line);
	*w = (struct words){ 0 };
}

/* Insert s (a copy is made) before word at. */
static int words_insert(struct ctx *c, struct words *w, int at, const char *s, int line)
{
	if (w->n + 2 > w->cap) {
		int cap = w->cap ? 2 * w->cap : 16;
		char **v = realloc(w->v, (size_t)cap * sizeof *v);
		if (v)
			w->v = v;
		int *l = v ? realloc(w->line, (size_t)cap * sizeof *l) : NULL;
		if (!l)
			return nomem(c);
		w->line = l;
		w->cap = cap;
	}
	char *copy = strdup(s);
	if (!copy)
		return nomem(c);
	memmove(w->v + at + 1, w->v + at, (size_t)(w->n - at) * sizeof *w->v);
	memmove(w->line + at + 1, w->line + at, (size_t)(w->n - at) * sizeof *w->line);
	w->v[at] = copy;
	w->line[at] = line;
	w->v[++w->n] = NULL;
	return 0;
}

static int words_push(struct ctx *c, struct words *w, const char *s, int line)
{
	return words_insert(c, w, w->n, s, line);
}

/* Replace word k by s (owned). */
static void words_set(struct words *w, int k, char *s)
{
	free(w->v[k]);
	w->v[k] = s;
}

/* Where offset at of a scalar's value is in the file, when the value is
 * the file's text: a plain scalar on one line, or a literal block (|),
 * whose lines are the file's lines less the block's indentation (its mark
 * is the start of its first line).  Column 0: not known. */
static struct pos value_pos(struct ctx *c, struct fy_node *n, const char *s, size_t at)
{
	struct fy_token *t = fy_node_get_scalar_token(n);
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL, *end = t ? fy_token_end_mark(t) : NULL;
	if (!m || !end || m->input_pos >= c->len)
		return (struct pos){ m ? m->line + 1 : 0, 0 };
	struct pos p = { m->line + 1, m->column + 1 };
	if (fy_node_get_style(n) == FYNS_PLAIN && end->line == m->line)
		return p.col += (int)at, p;
	if (fy_node_get_style(n) != FYNS_LITERAL || m->column || s[0] == '\n')
		return (struct pos){ p.line, 0 };
	size_t indent = 0, lead = 0, k;
	while (m->input_pos + indent < c->len && c->text[m->input_pos + indent] == ' ')
		indent++;
	while (s[lead] == ' ')
		lead++;
	if (lead > indent)
		return (struct pos){ p.line, 0 };
	for (k = 0, p.col = (int)(indent - lead) + 1; k < at; k++, p.col++)
		if (s[k] == '\n')
			p.line++, p.col = (int)(indent - lead);
	return p;
}

/* options: one string split as sh would; an unterminated quote points at
 * the quote itself when the string is the file's text. */
static int from_options(struct ctx *c, struct fy_node *n, struct words *w)
{
	const char *s;
	int r = text(c, n, "options", (struct pos){ 0, 0 }, &s);
	if (r)
		return r;
	struct pos p = node_pos(n);
	int argc;
	char **argv;
	size_t at;
	cairn_errbuf we = { 0 };
	if (words_split_at(s, &argc, &argv, &at, &we)) {
		struct pos q = value_pos(c, n, s, at);
		if (!q.col)
			return fail(c, q, ERR_FORMAT, "options: %s of the string", we.msg);
		return fail(c, q, ERR_FORMAT, "options: unterminated %s quote", s[at] == '"' ? "double" : "single");
	}
	for (int k = 0; k < argc && !r; k++)
		r = words_push(c, w, argv[k], p.line);
	words_free(argv);
	return r;
}

/* args: a list of strings taken as they are: [-serial, null] is the word
 * "null", not a YAML null; only an item with nothing written is refused. */
static int from_args(struct ctx *c, struct fy_node *n, struct words *w)
{
	if (!fy_node_is_sequence(n))
		return fail(c, node_pos(n), ERR_FORMAT, "args: expected a list of strings, got %s", kind(n));
	void *it = NULL;
	struct fy_node *item, *v;
	for (int k = 0; (item = fy_node_sequence_iterate(n, &it)); k++) {
		/* an empty item has no mark of its own: the word before it does */
		struct pos p = pos_or(item, (struct pos){ w->line[w->n - 1], 0 });
		const char *s;
		char what[32];
		snprintf(what, sizeof what, "args[%d]", k);
		int r = deref(c, item, p, &v);
		if (!r && v && plain_is(v, nulls) && !*fy_node_get_scalar0(v))
			r = fail(c, p, ERR_FORMAT, "%s: an empty item (write \"\" for an empty word)", what);
		if (r || (r = text(c, v, what, p, &s)) || (r = words_push(c, w, s, pos_or(v, p).line)))
			return r;
	}
	return 0;
}

/* ---- Paths in command lines ---- */

/* Items of a QEMU option list ("a,b=c,,d"): ",," is a literal comma. */
static size_t item_end(const char *s, size_t at)
{
	while (s[at] && !(s[at] == ',' && s[at + 1] != ','))
		at += s[at] == ',' ? 2 : 1;
	return at;
}

/* The span [*b, *e) of key=VALUE's value in the list s, or of the first
 * item when it has no '=' and implied is set (QEMU's implied key). */
static bool list_value(const char *s, const char *key, bool implied, size_t *b, size_t *e)
{
	size_t klen = strlen(key);
	for (size_t at = 0;; at++) {
		size_t end = item_end(s, at);
		if (at == 0 && implied && !memchr(s, '=', end))
			return *b = 0, *e = end, true;
		if (end - at > klen && !strncmp(s + at, key, klen) && s[at + klen] == '=')
			return *b = at + klen + 1, *e = end, true;
		if (!s[end])
			return false;
		at = end;
	}
}

/* s[b, e) with ",," undone (escape false) or each ',' doubled (true). */
static char *list_copy(const char *s, size_t b, size_t e, bool escape)
{
	char *out = malloc(2 * (e - b) + 1), *o = out;
	for (size_t k = b; out && k < e; k++) {
		*o++ = s[k];
		if (s[k] == ',' && escape)
			*o++ = ',';
		else if (s[k] == ',')
			k++;
	}
	if (out)
		*o = 0;
	return out;
}

/* path as the hypervisor will open it: against the config's directory. */
static char *resolve(struct ctx *c, const char *path)
{
	if (!c->dir || path[0] == '/' || !path[0])
		return strdup(path);
	size_t n = strlen(c->dir) + strlen(path) + 2;
	char *r = malloc(n);
	if (r)
		snprintf(r, n, "%s%s%s", c->dir, strcmp(c->dir, "/") ? "/" : "", path);
	return r;
}

/* A file name inside word k of a command line, at [b, e). */
struct path_ref {
	int k;
	size_t b, e;
	bool list;                 /* in an option list: ",," is a comma */
	bool input;                /* read by the guest's machine: must exist now */
	bool dir;                  /* a directory (cairn run --dir) */
	const char *label;         /* "-kernel ", "-drive file=": how messages show it */
};

/* An input must be there and readable (a directory when ref->dir). */
static int check_file(struct ctx *c, int line, const struct path_ref *ref, const char *path, const char *resolved)
{
	struct stat st;
	int err = 0;
	if (access(resolved, R_OK) || stat(resolved, &st))
		err = errno;
	else if (!ref->dir && S_ISDIR(st.st_mode))
		err = EISDIR;
	else if (ref->dir && !S_ISDIR(st.st_mode))
		err = ENOTDIR;
	if (!err)
		return 0;
	int code = err == ENOENT ? ERR_NOENT : ERR_IO;
	struct pos p = { line, 0 };
	if (strcmp(path, resolved))
		return fail(c, p, code, "%s%.100s (%.100s): %s", ref->label, path, resolved, strerror(err));
	return fail(c, p, code, "%s%.100s: %s", ref->label, path, strerror(err));
}

/* Check an input, then rewrite a relative path against the config's
 * directory (re-escaping commas inside an option list). */
static int fix_path(struct ctx *c, struct words *w, const struct path_ref *ref)
{
	const char *s = w->v[ref->k];
	char *path = ref->list ? list_copy(s, ref->b, ref->e, false) : strndup(s + ref->b, ref->e - ref->b);
	char *res = path ? resolve(c, path) : NULL, *esc = NULL, *nw = NULL;
	int r = 0;
	if (!res)
		r = nomem(c);
	else if (*path && ref->input)
		r = check_file(c, w->line[ref->k], ref, path, res);
	if (r || !*path || !strcmp(path, res))
		goto out;
	esc = ref->list ? list_copy(res, 0, strlen(res), true) : strdup(res);
	size_t n = strlen(s) - (ref->e - ref->b) + (esc ? strlen(esc) : 0) + 1;
	if (!esc || !(nw = malloc(n))) {
		r = nomem(c);
		goto out;
	}
	snprintf(nw, n, "%.*s%s%s", (int)ref->b, s, esc, s + ref->e);
	words_set(w, ref->k, nw);
out:
	free(esc);
	free(path);
	free(res);
	return r;
}

/* Options of `cairn vm` whose value holds a file name.  Only these and
 * -name are read, so the list holds paths and nothing else: every other
 * word is stepped over one at a time (a value that spells one of these
 * option names, as in -append -kernel, would be misread; no real command
 * line does that). */
enum path_form {
	PF_WHOLE,      /* the value is the path: -kernel F */
	PF_KEY,        /* a key in an option list: -drive file=F,if=virtio */
	PF_CHARDEV,    /* a character device: unix:F[,server=on...] or file:F */
};
static const struct vm_path {
	const char *opt;
	enum path_form form;
	const char *key;
	bool input;
} vm_paths[] = {
	{ "-kernel", PF_WHOLE, NULL, true },
	{ "-initrd", PF_WHOLE, NULL, true },
	{ "-bios", PF_WHOLE, NULL, true },     /* but default and none are not files */
	{ "-dtb", PF_WHOLE, NULL, true },
	{ "-drive", PF_KEY, "file", true },
	{ "-chardev", PF_KEY, "path", false },
	{ "-serial", PF_CHARDEV, NULL, false },
	{ "-monitor", PF_CHARDEV, NULL, false },
	{ "-qmp", PF_CHARDEV, NULL, false },
	{ "-D", PF_WHOLE, NULL, false },
};

static int vm_path(struct ctx *c, struct words *w, int k, const struct vm_path *p)
{
	const char *v = w->v[k];
	char label[32];
	struct path_ref ref = { .k = k, .e = strlen(v), .input = p->input, .label = label };
	snprintf(label, sizeof label, "%s %s%s", p->opt, p->key ? p->key : "", p->key ? "=" : "");
	switch (p->form) {
	case PF_WHOLE:
		if (!strcmp(p->opt, "-bios") && (!strcmp(v, "default") || !strcmp(v, "none")))
			return 0;
		break;
	case PF_KEY:
		if (!list_value(v, p->key, false, &ref.b, &ref.e))
			return 0;
		ref.list = true;
		break;
	case PF_CHARDEV:
		if (!strncmp(v, "file:", 5)) { /* QEMU takes the rest whole */
			ref.b = 5;
			break;
		}
		if (strncmp(v, "unix:", 5) || !list_value(v + 5, "path", true, &ref.b, &ref.e))
			return 0;
		ref.b += 5, ref.e += 5, ref.list = true;
		break;
	}
	return fix_path(c, w, &ref);
}

/* What word k of a VM's options is to vm_scan: a vm_paths row, -name
 * (VM_NAME), or neither (VM_OTHER).  --opt is -opt to QEMU. */
enum { VM_NAME = -1, VM_OTHER = -2 };
static int vm_opt(const char *w)
{
	if (w[0] == '-' && w[1] == '-' && w[2])
		w++;
	if (!strcmp(w, "-name"))
		return VM_NAME;
	for (size_t i = 0; i < ARRAY_SIZE(vm_paths); i++)
		if (!strcmp(w, vm_paths[i].opt))
			return (int)i;
	return VM_OTHER;
}

/* Find -name's value (word *name_at, 0: none) or, when fix, check and
 * rewrite every path. */
static int vm_scan(struct ctx *c, struct words *w, bool fix, int *name_at)
{
	*name_at = 0;
	for (int k = 1; k + 1 < w->n; k++) {
		int t = vm_opt(w->v[k]);
		if (t == VM_OTHER)
			continue;
		k++;
		if (t == VM_NAME)
			*name_at = k;
		else if (fix && t >= 0) {
			int r = vm_path(c, w, k, &vm_paths[t]);
			if (r)
				return r;
		}
	}
	return 0;
}

/* QEMU's -name NAME or -name guest=NAME[,...] (vm_create refuses the keys
 * after the name; the name is still the one to compare and report). */
static char *vm_name_of(const char *v)
{
	size_t b, e;
	if (!list_value(v, "guest", true, &b, &e))
		return strdup("");
	return list_copy(v, b, e, false);
}

/* --dir HOST[::GUEST] and --mapdir GUEST::HOST: HOST is on the host.  A
 * bare --dir HOST also names the guest's directory, so a rewritten one
 * keeps it: --dir data becomes --dir cfgdir/data::data. */
static int run_dir(struct ctx *c, struct words *w, int k, size_t b, bool guest_first)
{
	const char *v = w->v[k] + b, *sep = strstr(v, "::");
	struct path_ref ref = { .k = k, .b = b, .e = b + strlen(v), .input = true, .dir = true,
				.label = guest_first ? "--mapdir " : "--dir " };
	if (sep && guest_first)
		ref.b = b + (size_t)(sep + 2 - v);
	else if (sep)
		ref.e = b + (size_t)(sep - v);
	if (!sep && !guest_first && c->dir && *v && *v != '/') {
		size_t n = strlen(w->v[k]) + strlen(v) + 3;
		char *nw = malloc(n);
		if (!nw)
			return nomem(c);
		snprintf(nw, n, "%s::%s", w->v[k], v);
		words_set(w, k, nw);
	}
	return fix_path(c, w, &ref);
}

/* "OPT VALUE" or "OPT=VALUE" at word *k: the offset of the value in its
 * word (moving *k onto that word), or -1. */
static long run_value(const struct words *w, int *k, const char *opt)
{
	size_t n = strlen(opt);
	if (strncmp(w->v[*k], opt, n))
		return -1;
	if (w->v[*k][n] == '=')
		return (long)n + 1;
	if (w->v[*k][n] || *k + 1 >= w->n)
		return -1;
	++*k;
	return 0;
}

/* `cairn run [OPTIONS] PROG [ARGS]`: every option of cairn run takes a
 * value (as OPT VALUE or OPT=VALUE) except these flags (src/cli/run.c). */
static const char *const run_flags[] = { "--inherit-env", "-h", "--help", NULL };

/* Find --name (word *name_at, value at *name_off) or, when fix, check and
 * rewrite the --dir/--mapdir hosts and PROG.  Nothing after PROG is read:
 * those words are the program's. */
static int run_scan(struct ctx *c, struct words *w, bool fix, int *name_at, long *name_off)
{
	int k = 1, r = 0;
	long off;
	*name_at = 0;
	for (; k < w->n && w->v[k][0] == '-' && !r; k++) {
		const char *a = w->v[k];
		const char *const *f = run_flags;
		if (!strcmp(a, "--")) {
			k++;
			break;
		}
		while (*f && strcmp(a, *f))
			f++;
		if (*f)
			continue;
		if ((off = run_value(w, &k, "--name")) >= 0)
			*name_at = k, *name_off = off;
		else if ((off = run_value(w, &k, "--dir")) >= 0)
			r = fix ? run_dir(c, w, k, (size_t)off, false) : 0;
		else if ((off = run_value(w, &k, "--mapdir")) >= 0)
			r = fix ? run_dir(c, w, k, (size_t)off, true) : 0;
		else if (!strchr(a, '='))
			k++; /* an option and its value */
	}
	if (r || !fix)
		return r;
	if (k >= w->n)
		return fail(c, (struct pos){ w->line[w->n - 1], 0 }, ERR_FORMAT,
			    "no program in its command line (cairn run [OPTIONS] PROG.wasm [ARGS])");
	struct path_ref ref = { .k = k, .e = strlen(w->v[k]), .input = true, .label = "" };
	return fix_path(c, w, &ref);
}

/* ---- Entries ---- */

struct unit_src {
	struct fy_node *name, *options, *args, *weight, *cap, *reservation, *autostart;
};
#define UNIT_FIELD(k) { #k, offsetof(struct unit_src, k) }
static const struct field unit_fields[] = {
	UNIT_FIELD(name), UNIT_FIELD(options), UNIT_FIELD(args), UNIT_FIELD(weight), UNIT_FIELD(cap),
	UNIT_FIELD(reservation), UNIT_FIELD(autostart),
};

struct resv_src {
	struct fy_node *period, *budget;
};
static const struct field resv_fields[] = {
	{ "period", offsetof(struct resv_src, period) }, { "budget", offsetof(struct resv_src, budget) },
};

/* What differs between a VM entry and a wasm entry. */
static const struct kind {
	const char *list;          /* its top-level key */
	const char *what;          /* in messages */
	const char *argv0;         /* word 0 while it is read (dropped at the end) */
	const char *name_opt;
	bool vm;
} vm_kind = { "vms", "vm", "vm", "-name", true }, wasm_kind = { "wasm", "wasm", "run", "--name", false };

static void unit_free(struct hv_config_unit *u)
{
	free(u->name);
	for (int k = 0; u->argv && k < u->argc; k++)
		free(u->argv[k]);
	free(u->argv);
}

static int get_reservation(struct ctx *c, struct fy_node *n, struct hv_config_unit *u)
{
	struct resv_src s = { 0 };
	struct pos p = pos_or(n, (struct pos){ u->line, 0 });
	int r = expect_map(c, n, p, "reservation: ");
	if (r || (r = walk_map(c, n, "a reservation", resv_fields, ARRAY_SIZE(resv_fields), &s)))
		return r;
	if (!s.period || !s.budget)
		return fail(c, p, ERR_FORMAT, "reservation needs a period and a budget (e.g. {period: 1ms, budget: 200us})");
	if ((r = get_duration(c, s.period, "period", &u->period_ns)) ||
	    (r = get_duration(c, s.budget, "budget", &u->budget_ns)))
		return r;
	if (u->period_ns < MIN_PERIOD || u->period_ns > MAX_PERIOD)
		return fail(c, node_pos(s.period), ERR_FORMAT, "period %s is out of range (100us to 10s)",
			    fy_node_get_scalar0(s.period));
	if (u->budget_ns > u->period_ns)
		return fail(c, node_pos(s.budget), ERR_FORMAT, "budget %s is longer than the period, %s",
			    fy_node_get_scalar0(s.budget), fy_node_get_scalar0(s.period));
	if (u->budget_ns < MIN_BUDGET)
		return fail(c, node_pos(s.budget), ERR_FORMAT, "budget %s is below 1us", fy_node_get_scalar0(s.budget));
	return 0;
}

static int sched_fields(struct ctx *c, const struct unit_src *s, struct hv_config_unit *u)
{
	int r = 0;
	if (s->weight && (r = get_uint(c, s->weight, "weight", 1, MAX_WEIGHT, &u->weight)))
		return r;
	if (s->cap && (r = get_uint(c, s->cap, "cap", 0, 100 * c->cores, &u->cap_percent)))
		return r;
	if (s->autostart && (r = get_bool(c, s->autostart, "autostart", &u->autostart)))
		return r;
	if (s->reservation)
		r = get_reservation(c, s->reservation, u);
	return r;
}

/* The command line: exactly one of options and args, after a word 0 that
 * lets the scans below count options from 1 as a main() does. */
static int unit_words(struct ctx *c, const struct kind *kd, const struct unit_src *s, struct pos at, struct words *w)
{
	if (!s->options == !s->args)
		return fail(c, at, ERR_FORMAT, "give its command line as options: (a string) or args: (a list)%s",
			    s->options ? ", not both" : "");
	int r = words_push(c, w, kd->argv0, at.line);
	if (!r)
		r = s->options ? from_options(c, s->options, w) : from_args(c, s->args, w);
	return r;
}

/* name: and -name (--name) must agree; the name ends up in both. */
static int unit_name(struct ctx *c, const struct kind *kd, const struct unit_src *s, struct words *w,
		     struct hv_config_unit *u)
{
	int at;
	long off = 0;
	const char *given = NULL;
	int r = kd->vm ? vm_scan(c, w, false, &at) : run_scan(c, w, false, &at, &off);
	if (r || (s->name && (r = text(c, s->name, "name", (struct pos){ u->line, 0 }, &given))))
		return r;
	char *opt = !at ? NULL : kd->vm ? vm_name_of(w->v[at]) : strdup(w->v[at] + off);
	const char *name = given ? given : opt;
	struct pos p = given ? node_pos(s->name) : (struct pos){ at ? w->line[at] : u->line, 0 };
	if (at && !opt)
		r = nomem(c);
	else if (!name)
		r = fail(c, p, ERR_FORMAT, "needs a name (name: or %s in its command line)", kd->name_opt);
	else if (given && opt && strcmp(given, opt))
		r = fail(c, p, ERR_FORMAT, "name '%.*s' and %s '%.*s' differ", MAX_NAME, given, kd->name_opt, MAX_NAME, opt);
	else if (!good_name(name))
		r = fail(c, p, ERR_FORMAT, "name '%.*s' is not 1 to %d letters, digits, '.', '_' or '-' (from a letter or digit)",
			 MAX_NAME + 1, name, MAX_NAME);
	else if (!(u->name = strdup(name)))
		r = nomem(c);
	else if (!opt && !(r = words_insert(c, w, 1, kd->name_opt, u->line)))
		r = words_insert(c, w, 2, name, u->line);
	if (!r)
		snprintf(c->where, sizeof c->where, "%s '%s': ", kd->what, u->name);
	free(opt);
	return r;
}

static int unit_parse(struct ctx *c, const struct kind *kd, struct fy_node *n, struct pos at, struct hv_config_unit *u)
{
	struct unit_src s = { 0 };
	struct words w = { 0 };
	int ignored;
	long off;
	*u = (struct hv_config_unit){ .weight = 100, .autostart = true, .line = pos_or(n, at).line };
	int r = expect_map(c, n, at, "");
	struct fy_node *name = r ? NULL : fy_node_mapping_lookup_value_by_string(n, "name", 4);
	if (name && fy_node_is_alias(name))
		name = fy_node_resolve_alias(name);
	if (name && fy_node_is_scalar(name) && !plain_is(name, nulls)) /* messages name it from the start */
		snprintf(c->where, sizeof c->where, "%s '%.40s': ", kd->what, fy_node_get_scalar0(name));
	if (!r)
		r = walk_map(c, n, kd->vm ? "a vm entry" : "a wasm entry", unit_fields, ARRAY_SIZE(unit_fields), &s);
	if (!r)
		r = unit_words(c, kd, &s, (struct pos){ u->line, 0 }, &w);
	if (!r)
		r = unit_name(c, kd, &s, &w, u);
	if (!r)
		r = sched_fields(c, &s, u);
	if (!r)
		r = kd->vm ? vm_scan(c, &w, true, &ignored) : run_scan(c, &w, true, &ignored, &off);
	if (r) {
		words_drop(&w);
		unit_free(u);
		return r;
	}
	free(w.line);
	free(w.v[0]); /* the "vm"/"run" that let the scans count from 1 */
	memmove(w.v, w.v + 1, (size_t)w.n * sizeof *w.v); /* v[n] = NULL too */
	u->argv = w.v;
	u->argc = w.n - 1;
	return 0;
}

/* Names are one namespace across VMs and wasm programs (the control
 * socket addresses both by name). */
static int check_unique(struct ctx *c, const struct hv_config_unit *u)
{
	const struct hv_config *cfg = c->cfg;
	for (int list = 0; list < 2; list++) {
		const struct hv_config_unit *v = list ? cfg->wasm : cfg->vms;
		for (int k = 0; k < (list ? cfg->nwasm : cfg->nvms); k++)
			if (!strcmp(v[k].name, u->name))
				return fail(c, (struct pos){ u->line, 0 }, ERR_FORMAT, "duplicate name (the %s at line %d has it)",
					    list ? "wasm program" : "vm", v[k].line);
	}
	return 0;
}

static int parse_list(struct ctx *c, const struct kind *kd, struct fy_node *list, struct pos at,
		      struct hv_config_unit **arr, int *n)
{
	if (!fy_node_is_sequence(list))
		return fail(c, pos_or(list, at), ERR_FORMAT, "%s: expected a list of entries, got %s", kd->list, kind(list));
	void *it = NULL;
	struct fy_node *item, *v;
	for (int k = 0; (item = fy_node_sequence_iterate(list, &it)); k++) {
		struct pos p = pos_or(item, at);
		struct hv_config_unit u;
		snprintf(c->where, sizeof c->where, "%s[%d]: ", kd->list, k);
		int r = value(c, item, p, &v);
		if (!r && !v)
			r = fail(c, p, ERR_FORMAT, "an empty entry");
		if (r || (r = unit_parse(c, kd, v, p, &u)))
			return r;
		struct hv_config_unit *grown = NULL;
		if ((r = check_unique(c, &u)) || !(grown = realloc(*arr, (size_t)(*n + 1) * sizeof *grown))) {
			unit_free(&u);
			return r ? r : nomem(c);
		}
		*arr = grown;
		(*arr)[(*n)++] = u;
	}
	c->where[0] = 0;
	return 0;
}

/* Reservations are admitted only if the worker threads can honour them
 * all at once: the budgets' shares of their periods add up to at most
 * one core per thread. */
static int check_reservations(struct ctx *c)
{
	struct hv_config *cfg = c->cfg;
	unsigned cores = c->cores;
	uint64_t ppm = 0, limit = (uint64_t)cores * 1000000;
	for (int list = 0; list < 2; list++) {
		const struct hv_config_unit *v = list ? cfg->wasm : cfg->vms;
		for (int k = 0; k < (list ? cfg->nwasm : cfg->nvms); k++) {
			if (!v[k].period_ns)
				continue;
			ppm += v[k].budget_ns * 1000000 / v[k].period_ns;
			if (ppm > limit)
				return fail(c, (struct pos){ v[k].line, 0 }, ERR_FORMAT,
					    "%s '%s': the reservations up to this entry need %.2f cores; %u worker thread%s give%s only %u",
					    list ? "wasm" : "vm", v[k].name, (double)ppm / 1e6, cores, cores == 1 ? "" : "s",
					    cores == 1 ? "s" : "", cores);
		}
	}
	return 0;
}

/* ---- The document ---- */

struct top_src {
	struct fy_node *threads, *control, *vms, *wasm;
};
static const struct field top_fields[] = {
	{ "threads", offsetof(struct top_src, threads) }, { "control", offsetof(struct top_src, control) },
	{ "vms", offsetof(struct top_src, vms) }, { "wasm", offsetof(struct top_src, wasm) },
};

static int get_control(struct ctx *c, struct fy_node *n)
{
	const char *s;
	int r = text(c, n, "control", (struct pos){ 0, 0 }, &s);
	if (r)
		return r;
	if (!*s)
		return fail(c, node_pos(n), ERR_FORMAT, "control: an empty path");
	if (!(c->cfg->control = resolve(c, s)))
		return nomem(c);
	if (strlen(c->cfg->control) > 107) /* sockaddr_un's sun_path */
		return fail(c, node_pos(n), ERR_FORMAT, "control: %.60s... is longer than a unix socket path may be (107 bytes)",
			    c->cfg->control);
	return 0;
}

static int parse_root(struct ctx *c, struct fy_node *root)
{
	struct top_src s = { 0 };
	struct hv_config *cfg = c->cfg;
	unsigned threads = 0;
	struct pos p = pos_or(root, (struct pos){ 1, 0 });
	int r = value(c, root, p, &root);
	if (r || !root)
		return r; /* an empty file: no VMs yet */
	r = expect_map(c, root, p, "the file: ");
	if (!r)
		r = walk_map(c, root, "the top level", top_fields, ARRAY_SIZE(top_fields), &s);
	if (!r && s.threads && !(r = get_uint(c, s.threads, "threads", 0, MAX_THREADS, &threads)))
		cfg->threads = (int)threads;
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	c->cores = threads ? threads : online > 0 && online <= MAX_THREADS ? (unsigned)online : 1;
	if (!r && s.control)
		r = get_control(c, s.control);
	if (!r && s.vms)
		r = parse_list(c, &vm_kind, s.vms, p, &cfg->vms, &cfg->nvms);
	if (!r && s.wasm)
		r = parse_list(c, &wasm_kind, s.wasm, p, &cfg->wasm, &cfg->nwasm);
	if (!r)
		r = check_reservations(c);
	return r;
}

/* libfyaml's first error, as FILE:LINE:COLUMN (its lines count from 1). */
static int yaml_error(struct ctx *c, struct fy_diag *d)
{
	void *it = NULL;
	struct fy_diag_error *de;
	while ((de = fy_diag_errors_iterate(d, &it)))
		if (de->type >= FYET_ERROR)
			return fail(c, (struct pos){ de->line, de->column }, ERR_FORMAT, "%s", de->msg ? de->msg : "YAML error");
	return fail(c, (struct pos){ 0, 0 }, ERR_FORMAT, "not a YAML document");
}

static void diag_sink(struct fy_diag *d, void *user, const char *buf, size_t len) { }

/* YAML 1.2's printable characters (c-printable) but NEL (U+0085), which
 * libfyaml 0.7 drops from scalars. */
static bool printable(uint32_t cp)
{
	return cp == 0x09 || cp == 0x0a || cp == 0x0d || (cp >= 0x20 && cp <= 0x7e) ||
	       (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/* The offset of the first character that is not printable UTF-8 (len if
 * none), its value (or the bad byte) in *cp.  libfyaml 0.7 takes bad
 * UTF-8 or a NUL as the end of the input and drops control characters
 * from scalars without a word: both would silently change a config. */
static size_t bad_char(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const uint32_t min[4] = { 0, 0x80, 0x800, 0x10000 };
	for (size_t i = 0, n; i < len; i += n + 1) {
		unsigned c = s[i];
		n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : (c & 0xf0) == 0xe0 ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 4;
		*cp = c;
		if (n == 4 || len - i <= n)
			return i;
		uint32_t v = c & (0x7fu >> n);
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			v = v << 6 | (s[i + k] & 0x3f);
		}
		if (v < min[n] || !printable(v))
			return *cp = v, i;
	}
	return len;
}

static int check_chars(struct ctx *c, const char *text, size_t len)
{
	uint32_t cp;
	size_t at = bad_char((const unsigned char *)text, len, &cp);
	if (at == len)
		return 0;
	struct pos p = { 1, 1 };
	for (size_t k = 0; k < at; k++, p.col++)
		if (text[k] == '\n')
			p.line++, p.col = 0;
	if (cp >= 0x80 && (unsigned char)text[at] == cp)
		return fail(c, p, ERR_FORMAT, "not UTF-8 text (byte 0x%02x)", (unsigned)cp);
	return fail(c, p, ERR_FORMAT, "character U+%04X is not allowed in a config", (unsigned)cp);
}

/* libfyaml's diagnostics, kept for yaml_error: nothing goes to stderr. */
static struct fy_diag *quiet_diag(void)
{
	struct fy_diag_cfg dc;
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.output_fn = diag_sink; /* what is not collected (warnings) is dropped */
	dc.level = FYET_ERROR;
	dc.colorize = false;
	struct fy_diag *diag = fy_diag_create(&dc);
	if (diag)
		fy_diag_set_collect_errors(diag, true);
	return diag;
}

/* One document (an empty stream is an empty config), then its walk. */
static int parse_text(struct ctx *c, const char *text, size_t len)
{
	struct fy_diag *diag = quiet_diag();
	struct fy_parse_cfg pc = { .flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE, .diag = diag };
	struct fy_parser *fyp = diag ? fy_parser_create(&pc) : NULL;
	struct fy_document *doc = NULL, *more = NULL;
	int r = check_chars(c, text, len);
	c->text = text;
	c->len = len;
	if (!r && !fyp)
		r = nomem(c);
	if (r)
		goto out;
	if (fy_parser_set_string(fyp, text, len)) {
		r = nomem(c);
		goto out;
	}
	doc = fy_parse_load_document(fyp);
	if (!fy_diag_got_error(diag) && doc)
		more = fy_parse_load_document(fyp);
	if (fy_diag_got_error(diag))
		r = yaml_error(c, diag);
	else if (more && fy_document_root(more))
		r = fail(c, node_pos(fy_document_root(more)), ERR_FORMAT, "a second YAML document (one config is one document)");
	else if (doc)
		r = parse_root(c, fy_document_root(doc));
out:
	if (more)
		fy_parse_document_destroy(fyp, more);
	if (doc)
		fy_parse_document_destroy(fyp, doc);
	if (fyp)
		fy_parser_destroy(fyp);
	if (diag)
		fy_diag_destroy(diag);
	return r;
}

/* Relative paths resolve against name's directory; none for a name in
 * the current directory (or "-"), which keeps them as written. */
static int set_dir(struct ctx *c, const char *name)
{
	const char *slash = strrchr(name, '/');
	c->dir = NULL;
	if (!slash || (slash == name + 1 && name[0] == '.'))
		return 0;
	c->dir = slash == name ? strdup("/") : strndup(name, (size_t)(slash - name));
	return c->dir ? 0 : -1;
}

int hv_config_parse(const char *text, size_t len, const char *name, struct hv_config **out, cairn_errbuf *e)
{
	struct ctx c = { .file = name, .e = e };
	struct hv_config *cfg = calloc(1, sizeof *cfg);
	int r;
	*out = NULL;
	c.cfg = cfg;
	if (!cfg || !(cfg->file = strdup(name)) || set_dir(&c, name))
		r = nomem(&c);
	else
		r = parse_text(&c, text, len);
	free(c.dir);
	if (r) {
		hv_config_free(cfg);
		return r;
	}
	*out = cfg;
	return 0;
}

/* The whole file in memory (a config is small; MAX_FILE bounds it). */
static int read_file(struct ctx *c, const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	int r = 0;
	if (!f || !buf) {
		r = !f ? fail(c, (struct pos){ 0, 0 }, errno == ENOENT ? ERR_NOENT : ERR_IO, "%s", strerror(errno)) : nomem(c);
		goto out;
	}
	for (size_t got; (got = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += got;
		if (n > MAX_FILE) {
			r = fail(c, (struct pos){ 0, 0 }, ERR_FORMAT, "larger than %u MiB: not a config file", MAX_FILE >> 20);
			goto out;
		}
		char *grown = n == cap ? realloc(buf, cap *= 2) : buf;
		if (!grown) {
			r = nomem(c);
			goto out;
		}
		buf = grown;
	}
	if (ferror(f))
		r = fail(c, (struct pos){ 0, 0 }, ERR_IO, "%s", strerror(errno));
out:
	if (f)
		fclose(f);
	if (r)
		free(buf);
	else
		*text = buf, *len = n;
	return r;
}

int hv_config_load(const char *path, struct hv_config **out, cairn_errbuf *e)
{
	struct ctx c = { .file = path, .e = e };
	char *text;
	size_t len;
	*out = NULL;
	int r = read_file(&c, path, &text, &len);
	if (r)
		return r;
	r = hv_config_parse(text, len, path, out, e);
	free(text);
	return r;
}

void hv_config_free(struct hv_config *cfg)
{
	if (!cfg)
		return;
	for (int k = 0; k < cfg->nvms; k++)
		unit_free(&cfg->vms[k]);
	for (int k = 0; k < cfg->nwasm; k++)
		unit_free(&cfg->wasm[k]);
	free(cfg->vms);
	free(cfg->wasm);
	free(cfg->control);
	free(cfg->file);
	free(cfg);
}
