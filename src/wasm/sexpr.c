/* sexpr.c - the WebAssembly text format's lexical layer: S-expressions with
 * comments, strings and escapes, plus the numeric literal parsers (integers,
 * hex/decimal floats, nan payloads) used by the .wat encoder and wast runner. */
#include "wasm/text.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#define MAX_DEPTH 4000 /* nesting bound: the reader and encoder recurse */

typedef struct lexer {
	const char *p, *end;
	uint32_t line, depth;
	wa_err *e;
} lexer;

static int lex_fail(lexer *l, const char *msg)
{
	return wa_fail(l->e, l->line, ERR_FORMAT, "%s", msg);
}

static int skip_space(lexer *l)
{
	while (l->p < l->end) {
		char c = *l->p;
		if (c == '\n') {
			l->line++;
			l->p++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			l->p++;
		} else if (c == ';' && l->p + 1 < l->end && l->p[1] == ';') {
			while (l->p < l->end && *l->p != '\n' && *l->p != '\r')
				l->p++;
		} else if (c == '(' && l->p + 1 < l->end && l->p[1] == ';') {
			int depth = 1;
			l->p += 2;
			while (depth && l->p < l->end) {
				if (l->p + 1 < l->end && l->p[0] == '(' && l->p[1] == ';') {
					depth++;
					l->p += 2;
				} else if (l->p + 1 < l->end && l->p[0] == ';' && l->p[1] == ')') {
					depth--;
					l->p += 2;
				} else {
					l->line += *l->p == '\n';
					l->p++;
				}
			}
			if (depth)
				return lex_fail(l, "unclosed comment");
		} else if (c == ';') {
			return lex_fail(l, "unexpected token");
		} else {
			break;
		}
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static void put_utf8(uint8_t *o, uint32_t *n, uint32_t cp)
{
	if (cp < 0x80) {
		o[(*n)++] = (uint8_t)cp;
	} else if (cp < 0x800) {
		o[(*n)++] = (uint8_t)(0xc0 | cp >> 6);
		o[(*n)++] = (uint8_t)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		o[(*n)++] = (uint8_t)(0xe0 | cp >> 12);
		o[(*n)++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		o[(*n)++] = (uint8_t)(0x80 | (cp & 0x3f));
	} else {
		o[(*n)++] = (uint8_t)(0xf0 | cp >> 18);
		o[(*n)++] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		o[(*n)++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		o[(*n)++] = (uint8_t)(0x80 | (cp & 0x3f));
	}
}

static int escape(lexer *l, uint8_t *o, uint32_t *n)
{
	char c = *l->p++;
	int h1, h2;
	switch (c) {
	case 'n': o[(*n)++] = '\n'; return 0;
	case 't': o[(*n)++] = '\t'; return 0;
	case 'r': o[(*n)++] = '\r'; return 0;
	case '\\': case '\'': case '"': o[(*n)++] = (uint8_t)c; return 0;
	case 'u': {
		uint32_t cp = 0;
		if (l->p >= l->end || *l->p != '{')
			return lex_fail(l, "malformed escape");
		l->p++;
		while (l->p < l->end && hexval(*l->p) >= 0) {
			cp = cp * 16 + (uint32_t)hexval(*l->p++);
			if (cp > 0x10ffff)
				return lex_fail(l, "malformed escape");
		}
		if (l->p >= l->end || *l->p != '}' || (cp >= 0xd800 && cp < 0xe000))
			return lex_fail(l, "malformed escape");
		l->p++;
		put_utf8(o, n, cp);
		return 0;
	}
	}
	if (l->p >= l->end || (h1 = hexval(c)) < 0 || (h2 = hexval(*l->p)) < 0)
		return lex_fail(l, "unknown escape");
	l->p++;
	o[(*n)++] = (uint8_t)(h1 * 16 + h2);
	return 0;
}

static int lex_string(lexer *l, wa_sx *x)
{
	const char *start = ++l->p;
	uint32_t n = 0;
	uint8_t *o;
	while (l->p < l->end && *l->p != '"')
		l->p += (*l->p == '\\' && l->p + 1 < l->end) ? 2 : 1;
	if (l->p >= l->end)
		return lex_fail(l, "unclosed string");
	o = malloc((size_t)(l->p - start) + 4);
	if (!o)
		return -ERR_NOMEM;
	l->end = l->p; /* temporarily bound escapes to the string */
	const char *close = l->p;
	l->p = start;
	while (l->p < close) {
		unsigned char c = (unsigned char)*l->p;
		int err = 0;
		if (c == '\\') {
			l->p++;
			err = escape(l, o, &n);
		} else if (c < 0x20 || c == 0x7f) {
			err = lex_fail(l, "malformed string");
		} else {
			o[n++] = c;
			l->p++;
		}
		if (err) {
			free(o);
			return err;
		}
	}
	x->kind = WA_SX_STR;
	x->str = o;
	x->n = n;
	return 0;
}

static bool atom_char(char c)
{
	return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '"' && c != ';';
}

static int parse_list(lexer *l, wa_sx *list, bool top);

/* Tokens must be separated by space, parentheses or comments. */
static int token_end(lexer *l)
{
	char c = l->p < l->end ? *l->p : ' ';
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')' || c == ';')
		return 0;
	return lex_fail(l, "unknown operator");
}

static int parse_item(lexer *l, wa_sx *x)
{
	x->line = l->line;
	if (*l->p == '(') {
		int err;
		if (++l->depth > MAX_DEPTH)
			return lex_fail(l, "nesting too deep");
		l->p++;
		err = parse_list(l, x, false);
		l->depth--;
		return err;
	}
	if (*l->p == '"') {
		const char *end = l->end;
		int err = lex_string(l, x);
		l->end = end;
		if (!err)
			l->p++;
		return err ? err : token_end(l);
	}
	if (!atom_char(*l->p))
		return lex_fail(l, "unexpected character");
	x->kind = WA_SX_ATOM;
	x->atom = l->p;
	while (l->p < l->end && atom_char(*l->p))
		l->p++;
	x->n = (uint32_t)(l->p - x->atom);
	return token_end(l);
}

static int parse_list(lexer *l, wa_sx *list, bool top)
{
	uint32_t cap = 0;
	list->kind = WA_SX_LIST;
	list->items = NULL;
	list->n = 0;
	for (;;) {
		int err = skip_space(l);
		if (err)
			return err;
		if (l->p >= l->end) {
			if (top)
				return 0;
			return lex_fail(l, "unexpected end of input");
		}
		if (*l->p == ')') {
			if (top)
				return lex_fail(l, "unexpected )");
			l->p++;
			return 0;
		}
		if (list->n == cap) {
			cap = cap ? cap * 2 : 4;
			wa_sx *ni = realloc(list->items, cap * sizeof *ni);
			if (!ni)
				return -ERR_NOMEM;
			list->items = ni;
		}
		memset(&list->items[list->n], 0, sizeof(wa_sx));
		list->items[list->n].kind = WA_SX_ATOM;
		err = parse_item(l, &list->items[list->n]);
		list->n++;
		if (err)
			return err;
	}
}

int wa_sx_parse(const char *src, size_t len, wa_sx *out, wa_err *e)
{
	lexer l = { src, src + len, 1, 0, e };
	int err;
	memset(out, 0, sizeof *out);
	err = parse_list(&l, out, true);
	if (err) {
		wa_sx_free(out);
		memset(out, 0, sizeof *out);
	}
	return err;
}

void wa_sx_free(wa_sx *x)
{
	if (x->kind == WA_SX_LIST) {
		for (uint32_t i = 0; i < x->n; i++)
			wa_sx_free(&x->items[i]);
		free(x->items);
	} else if (x->kind == WA_SX_STR) {
		free(x->str);
	}
	x->n = 0;
	x->items = NULL;
}

bool wa_sx_is(const wa_sx *x, const char *atom)
{
	return x && x->kind == WA_SX_ATOM && strlen(atom) == x->n && !memcmp(x->atom, atom, x->n);
}

bool wa_sx_head(const wa_sx *x, const char *kw)
{
	return x && x->kind == WA_SX_LIST && x->n > 0 && wa_sx_is(&x->items[0], kw);
}

/* ---- literals ---- */

static bool digit(char c, bool hex)
{
	return hex ? hexval(c) >= 0 : (c >= '0' && c <= '9');
}

/* Copy the atom without underscores (which must sit between digits). */
static int clean(const wa_sx *x, char *buf, size_t cap)
{
	size_t n = 0;
	bool hex;
	if (!x || x->kind != WA_SX_ATOM || x->n + 1 > cap)
		return -1;
	hex = memmem(x->atom, x->n, "0x", 2) != NULL;
	for (uint32_t i = 0; i < x->n; i++) {
		char c = x->atom[i];
		if (c == '_') {
			if (i == 0 || i + 1 == x->n || !digit(x->atom[i - 1], hex) || !digit(x->atom[i + 1], hex))
				return -1;
			continue;
		}
		buf[n++] = c;
	}
	buf[n] = 0;
	return 0;
}

/* Unsigned magnitude with optional sign; *neg set; digits only. */
static int parse_int(const wa_sx *x, uint64_t *mag, bool *neg, bool *had_sign)
{
	char buf[128];
	const char *p = buf;
	uint64_t v = 0;
	int base = 10;
	if (clean(x, buf, sizeof buf))
		return -1;
	*neg = *p == '-';
	*had_sign = *p == '-' || *p == '+';
	if (*had_sign)
		p++;
	if (p[0] == '0' && p[1] == 'x') {
		base = 16;
		p += 2;
	}
	if (!*p)
		return -1;
	for (; *p; p++) {
		int d = hexval(*p);
		if (d < 0 || d >= base)
			return -1;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -2; /* out of range */
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*mag = v;
	return 0;
}

int wa_lit_u32(const wa_sx *x, uint32_t *v)
{
	uint64_t m;
	bool neg, sign;
	if (parse_int(x, &m, &neg, &sign) || sign || m > 0xffffffffu)
		return -1;
	*v = (uint32_t)m;
	return 0;
}

int wa_lit_i32(const wa_sx *x, uint32_t *v)
{
	uint64_t m;
	bool neg, sign;
	if (parse_int(x, &m, &neg, &sign))
		return -1;
	if (neg ? m > 0x80000000u : m > 0xffffffffu)
		return -1;
	*v = neg ? (uint32_t)(0 - (uint32_t)m) : (uint32_t)m;
	return 0;
}

int wa_lit_i64(const wa_sx *x, uint64_t *v)
{
	uint64_t m;
	bool neg, sign;
	if (parse_int(x, &m, &neg, &sign))
		return -1;
	if (neg && m > 0x8000000000000000ull)
		return -1;
	*v = neg ? 0 - m : m;
	return 0;
}

/* Float syntax check: digits, optional fraction, optional exponent. */
static bool float_syntax(const char *p, bool hex)
{
	bool digits = false;
	int (*isd)(int) = NULL;
	(void)isd;
	while (*p && (hex ? hexval(*p) >= 0 : (*p >= '0' && *p <= '9'))) {
		p++;
		digits = true;
	}
	if (!digits)
		return false;
	if (*p == '.') {
		p++;
		while (*p && (hex ? hexval(*p) >= 0 : (*p >= '0' && *p <= '9')))
			p++;
	}
	if (*p == (hex ? 'p' : 'e') || *p == (hex ? 'P' : 'E')) {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == 0;
}

static int parse_float(const wa_sx *x, int bits, uint64_t *out)
{
	char buf[512];
	char *p = buf;
	bool neg;
	uint64_t sign, expmask = bits == 32 ? 0x7f800000u : 0x7ff0000000000000ull;
	uint64_t mantmask = bits == 32 ? 0x7fffffu : 0xfffffffffffffull;
	if (clean(x, buf, sizeof buf))
		return -1;
	neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	sign = neg ? (bits == 32 ? 0x80000000u : 0x8000000000000000ull) : 0;
	if (!strcmp(p, "inf")) {
		*out = sign | expmask;
		return 0;
	}
	if (!strcmp(p, "nan")) {
		*out = sign | expmask | ((mantmask + 1) >> 1);
		return 0;
	}
	if (!strncmp(p, "nan:0x", 6)) {
		uint64_t pl = 0;
		if (!p[6])
			return -1;
		for (char *q = p + 6; *q; q++) {
			if (hexval(*q) < 0 || pl > mantmask)
				return -1;
			pl = pl * 16 + (uint64_t)hexval(*q);
		}
		if (pl == 0 || pl > mantmask)
			return -1;
		*out = sign | expmask | pl;
		return 0;
	}
	bool hex = p[0] == '0' && p[1] == 'x';
	if (!float_syntax(hex ? p + 2 : p, hex))
		return -1;
	errno = 0;
	if (bits == 32) {
		float f = strtof(buf, NULL);
		uint32_t u;
		if (isinf(f))
			return -1;
		memcpy(&u, &f, 4);
		*out = u;
	} else {
		double d = strtod(buf, NULL);
		if (isinf(d))
			return -1;
		memcpy(out, &d, 8);
	}
	return 0;
}

int wa_lit_f32(const wa_sx *x, uint32_t *bits)
{
	uint64_t v;
	if (parse_float(x, 32, &v))
		return -1;
	*bits = (uint32_t)v;
	return 0;
}

int wa_lit_f64(const wa_sx *x, uint64_t *bits)
{
	return parse_float(x, 64, bits);
}

int wa_lit_v128(const wa_sx *shape, const wa_sx *lanes, uint32_t n, uint8_t out[16])
{
	static const struct { const char *name; int count, size, fl; } shapes[] = {
		{ "i8x16", 16, 1, 0 }, { "i16x8", 8, 2, 0 }, { "i32x4", 4, 4, 0 },
		{ "i64x2", 2, 8, 0 }, { "f32x4", 4, 4, 1 }, { "f64x2", 2, 8, 1 },
	};
	for (size_t s = 0; s < ARRAY_SIZE(shapes); s++) {
		if (!wa_sx_is(shape, shapes[s].name))
			continue;
		if (n != (uint32_t)shapes[s].count)
			return -1;
		for (int i = 0; i < shapes[s].count; i++) {
			uint64_t v = 0;
			uint32_t v32;
			int sz = shapes[s].size;
			if (shapes[s].fl) {
				if (sz == 4 ? wa_lit_f32(&lanes[i], &v32) : wa_lit_f64(&lanes[i], &v))
					return -1;
				if (sz == 4)
					v = v32;
			} else if (sz == 8) {
				if (wa_lit_i64(&lanes[i], &v))
					return -1;
			} else {
				uint64_t m;
				bool neg, sign;
				if (parse_int(&lanes[i], &m, &neg, &sign))
					return -1;
				if (neg ? m > (1ull << (sz * 8 - 1)) : m >= (1ull << (sz * 8)))
					return -1;
				v = neg ? 0 - m : m;
			}
			for (int b = 0; b < sz; b++)
				out[i * sz + b] = (uint8_t)(v >> (8 * b));
		}
		return 0;
	}
	return -1;
}
