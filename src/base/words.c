/* words.c - shell-style word splitting without expansion (see words.h).
 * One scanner runs twice: first to count words and bytes, then to copy
 * them into a single block (pointers first, then the strings), so the
 * caller frees one thing and no word has a length limit. */
#include "base/words.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

/* Where the scanner writes: nothing on the counting pass (argv NULL). */
struct out {
	char **argv;
	char *buf;
	size_t bytes;   /* characters so far, every word's NUL included */
	size_t words;
};

static void put(struct out *o, char c)
{
	if (o->argv)
		o->buf[o->bytes] = c;
	o->bytes++;
}

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

/* Inside "...", a backslash quotes only these (and a newline). */
static bool dq_special(char c) { return c == '$' || c == '`' || c == '"' || c == '\\' || c == '\n'; }

/* A '...' or "..." piece starting at s[*i]; false when it does not end. */
static bool quoted(const char *s, size_t *i, struct out *o)
{
	char q = s[(*i)++];
	while (s[*i] && s[*i] != q) {
		if (q == '"' && s[*i] == '\\' && s[*i + 1] && dq_special(s[*i + 1])) {
			if (s[*i + 1] != '\n')
				put(o, s[*i + 1]);
			*i += 2;
		} else {
			put(o, s[(*i)++]);
		}
	}
	if (!s[*i])
		return false;
	(*i)++;
	return true;
}

/* One word from s[*i] (not blank) to the next unquoted blank or the end. */
static int word(const char *s, size_t *i, struct out *o, size_t *where)
{
	size_t start = o->bytes;
	if (o->argv)
		o->argv[o->words] = o->buf + start;
	while (s[*i] && !blank(s[*i])) {
		char c = s[*i];
		if (c == '\'' || c == '"') {
			size_t open = *i;
			if (!quoted(s, i, o))
				return *where = open, -1;
		} else if (c == '\\' && s[*i + 1]) {
			if (s[*i + 1] != '\n') /* a backslash-newline joins lines */
				put(o, s[*i + 1]);
			*i += 2;
		} else {
			put(o, c); /* a final backslash stays, as in sh */
			(*i)++;
		}
	}
	put(o, '\0');
	o->words++;
	return 0;
}

static int scan(const char *s, struct out *o, size_t *where)
{
	size_t i = 0;
	for (;;) {
		/* A backslash-newline between words is no word at all. */
		while (blank(s[i]) || (s[i] == '\\' && s[i + 1] == '\n'))
			i += s[i] == '\\' ? 2 : 1;
		if (!s[i])
			return 0;
		if (word(s, &i, o, where))
			return -1;
	}
}

/* "column C" or "line L column C" (both from 1) of offset at in s. */
static void unterminated(cairn_errbuf *e, const char *s, size_t at)
{
	size_t line = 1, col = 1;
	for (size_t k = 0; k < at; k++, col++)
		if (s[k] == '\n')
			line++, col = 0;
	const char *kind = s[at] == '"' ? "double" : "single";
	if (line > 1)
		cairn_errorf(e, "unterminated %s quote at line %zu column %zu", kind, line, col);
	else
		cairn_errorf(e, "unterminated %s quote at column %zu", kind, col);
	if (e)
		e->code = ERR_FORMAT;
}

int words_split_at(const char *s, int *argc, char ***argv, size_t *where, cairn_errbuf *e)
{
	struct out o = { 0 };
	size_t at = 0;
	*argc = 0;
	*argv = NULL;
	if (scan(s, &o, &at)) {
		if (where)
			*where = at;
		unterminated(e, s, at);
		return -ERR_FORMAT;
	}
	if (o.words >= INT_MAX) {
		cairn_errorf(e, "too many words");
		return -ERR_INVAL;
	}
	size_t ptrs = (o.words + 1) * sizeof(char *);
	char **v = malloc(ptrs + o.bytes);
	if (!v) {
		cairn_errorf(e, "%s", cairn_strerror(ERR_NOMEM));
		if (e)
			e->code = ERR_NOMEM;
		return -ERR_NOMEM;
	}
	o = (struct out){ .argv = v, .buf = (char *)v + ptrs };
	(void)scan(s, &o, &at); /* the same input: it succeeds again */
	v[o.words] = NULL;
	*argc = (int)o.words;
	*argv = v;
	return 0;
}

int words_split(const char *s, int *argc, char ***argv, cairn_errbuf *e)
{
	return words_split_at(s, argc, argv, NULL, e);
}

void words_free(char **argv)
{
	free(argv);
}
