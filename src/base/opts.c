/* opts.c - QEMU-style option lists parsed against a table (see opts.h).
 * Values are strict: "4abc" is not a number and "nan" is not a size, since
 * a lax parse silently turns a typo into a different machine. */
#include "base/opts.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Scalars ---- */

int opts_parse_bool(const char *s, bool *out)
{
	static const char *const on[] = { "on", "yes", "true", "y" }, *const off[] = { "off", "no", "false", "n" };
	for (size_t k = 0; k < sizeof on / sizeof on[0]; k++) {
		if (!strcmp(s, on[k]))
			return *out = true, 0;
		if (!strcmp(s, off[k]))
			return *out = false, 0;
	}
	return -1;
}

/* Digits only (or 0x and hex digits): strtoull alone would take signs,
 * spaces and trailing junk. */
int opts_parse_number(const char *s, uint64_t *out)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *d = hex ? s + 2 : s;
	if (!*d)
		return -1;
	for (const char *p = d; *p; p++)
		if (!(hex ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)))
			return -1;
	errno = 0;
	unsigned long long v = strtoull(d, NULL, hex ? 16 : 10);
	if (errno)
		return -1;
	*out = v;
	return 0;
}

static uint64_t suffix_mul(char c)
{
	static const char units[] = "BKMGTPE";
	const char *u = c ? strchr(units, toupper((unsigned char)c)) : NULL;
	return u ? 1ull << 10 * (u - units) : 0;
}

/* QEMU's qemu_strtosz: decimal integer, optional ".fraction" (only with a
 * unit above bytes), optional one-letter unit; below 2^64. */
int opts_parse_size(const char *s, uint64_t *out)
{
	const char *p = s;
	while (isdigit((unsigned char)*p))
		p++;
	if (p == s)
		return -1;
	const char *frac = NULL;
	if (*p == '.') {
		frac = p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	uint64_t mul = 1;
	if (*p) {
		if (!(mul = suffix_mul(*p)) || p[1])
			return -1;
	}
	if (frac && mul == 1)
		return -1;
	errno = 0;
	unsigned long long whole = strtoull(s, NULL, 10);
	if (errno || whole > UINT64_MAX / mul)
		return -1;
	uint64_t v = whole * mul, extra = frac ? (uint64_t)(strtod(frac, NULL) * (double)mul) : 0;
	if (v > UINT64_MAX - extra)
		return -1;
	*out = v + extra;
	return 0;
}

/* ---- Errors ---- */

static int fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
	return -1;
}

/* "Parameter 'k' expects 'a', 'b' or 'c'" */
static int fail_choices(char **err, const struct opt_desc *d)
{
	char *list = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&list, &len);
	if (!f)
		return fail(err, "Parameter '%s' has a bad value", d->name);
	for (size_t k = 0; d->choices[k]; k++)
		fprintf(f, "%s'%s'", k == 0 ? "" : d->choices[k + 1] ? ", " : " or ", d->choices[k]);
	fclose(f);
	fail(err, "Parameter '%s' expects %s", d->name, list);
	free(list);
	return -1;
}

/* ---- Typing one value ---- */

static bool is_id(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-._", *s))
			return false;
	return true;
}

/* -m 512 means 512 MiB: QEMU appends the M itself when the last character is a digit. */
static int parse_size_value(const struct opt_desc *d, const char *s, uint64_t *out)
{
	size_t n = strlen(s);
	if (!(d->flags & OPT_MIB) || !n || !isdigit((unsigned char)s[n - 1]))
		return opts_parse_size(s, out);
	char *m;
	if (asprintf(&m, "%sM", s) < 0)
		return -1;
	int r = opts_parse_size(m, out);
	free(m);
	return r;
}

static int check_value(const struct opt_desc *d, struct opt_value *v, char **err)
{
	bool b;
	switch (d->type) {
	case OPT_BOOL:
		if (opts_parse_bool(v->str, &b))
			return fail(err, "Parameter '%s' expects 'on' or 'off'", d->name);
		v->num = b;
		return 0;
	case OPT_SIZE:
		if (parse_size_value(d, v->str, &v->num))
			return fail(err, "Parameter '%s' expects a non-negative number below 2^64 "
				    "(optional suffix k, M, G, T, P or E)", d->name);
		return 0;
	case OPT_NUMBER:
		if (opts_parse_number(v->str, &v->num))
			return fail(err, "Parameter '%s' expects a number", d->name);
		return 0;
	case OPT_ID:
		if (!is_id(v->str))
			return fail(err, "Parameter '%s' expects an identifier (letters, digits, '-', '.', '_', "
				    "starting with a letter)", d->name);
		return 0;
	case OPT_STRING:
		for (size_t k = 0; d->choices && d->choices[k]; k++)
			if (!strcmp(d->choices[k], v->str))
				return 0;
		return d->choices ? fail_choices(err, d) : 0;
	}
	return 0;
}

static const struct opt_desc *find_key(const struct opt_group *g, const char *name)
{
	for (const struct opt_desc *d = g->keys; d->name; d++)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

/* ---- Splitting ---- */

/* A value up to the next single comma; ",," is a comma.  Returns the rest. */
static const char *take_value(const char *p, char **out)
{
	size_t n = 0;
	char *v = malloc(strlen(p) + 1);
	if (!v)
		return NULL;
	for (; *p; p++) {
		if (*p == ',' && p[1] != ',')
			break;
		v[n++] = *p;
		if (*p == ',')
			p++;
	}
	v[n] = 0;
	*out = v;
	return *p ? p + 1 : p;
}

static int add_value(struct opts *o, const struct opt_group *g, char *name, char *val, char **err)
{
	const struct opt_desc *d = find_key(g, name);
	int r = -1;
	if (!d && g->property_of)
		fail(err, "Property '%s.%s' not found", g->property_of, name);
	else if (!d)
		fail(err, "Invalid parameter '%s'", name);
	else {
		struct opt_value v = { .desc = d, .str = val };
		struct opt_value *nv = realloc(o->v, (o->n + 1) * sizeof *nv);
		if (!nv)
			fail(err, "out of memory");
		else if (!(r = check_value(d, &v, err))) {
			o->v = nv;
			o->v[o->n++] = v;
		} else
			o->v = nv;
	}
	if (r)
		free(val);
	free(name);
	return r;
}

/* One item at p: "key=value", a bare "key" (=on), "nokey" (=off), or the
 * implied key's value when it is the first item.  Returns the rest. */
static const char *parse_item(const struct opt_group *g, const char *p, bool first, struct opts *o, char **err)
{
	size_t len = strcspn(p, "=,");
	char *name, *val;
	if (p[len] == '=' || !(first && g->implied)) {
		name = strndup(p, len);
		if (!name)
			return fail(err, "out of memory"), NULL;
		if (p[len] == '=') {
			if (!(p = take_value(p + len + 1, &val)))
				return free(name), fail(err, "out of memory"), NULL;
		} else {
			const struct opt_desc *d = find_key(g, name);
			const struct opt_desc *nd = d || strncmp(name, "no", 2) ? NULL : find_key(g, name + 2);
			bool no = nd && nd->type == OPT_BOOL;
			if (no)
				memmove(name, name + 2, len - 1);
			val = strdup(no ? "off" : "on");
			p += len + (p[len] == ',');
		}
	} else {
		name = strdup(g->implied);
		if (!(p = take_value(p, &val)))
			return free(name), fail(err, "out of memory"), NULL;
	}
	if (!name || !val)
		return free(name), free(val), fail(err, "out of memory"), NULL;
	return add_value(o, g, name, val, err) ? NULL : p;
}

int opts_parse(const struct opt_group *g, const char *s, struct opts *out, char **err)
{
	*out = (struct opts){ 0 };
	*err = NULL;
	for (const char *p = s; p && *p; ) {
		p = parse_item(g, p, p == s, out, err);
		if (!p) {
			opts_free(out);
			return -1;
		}
	}
	return 0;
}

void opts_free(struct opts *o)
{
	for (size_t k = 0; k < o->n; k++)
		free(o->v[k].str);
	free(o->v);
	*o = (struct opts){ 0 };
}

/* ---- Lookup ---- */

static const struct opt_value *last(const struct opts *o, const char *key)
{
	for (size_t k = o->n; k-- > 0; )
		if (!strcmp(o->v[k].desc->name, key))
			return &o->v[k];
	return NULL;
}

const char *opts_str(const struct opts *o, const char *key)
{
	const struct opt_value *v = last(o, key);
	return v ? v->str : NULL;
}

bool opts_bool(const struct opts *o, const char *key, bool dflt)
{
	const struct opt_value *v = last(o, key);
	return v ? v->num != 0 : dflt;
}

uint64_t opts_num(const struct opts *o, const char *key, uint64_t dflt)
{
	const struct opt_value *v = last(o, key);
	return v ? v->num : dflt;
}

bool opts_has(const struct opts *o, const char *key)
{
	return last(o, key) != NULL;
}

const char *opts_next(const struct opts *o, const char *key, size_t *k)
{
	for (; *k < o->n; (*k)++)
		if (!strcmp(o->v[*k].desc->name, key))
			return o->v[(*k)++].str;
	return NULL;
}
