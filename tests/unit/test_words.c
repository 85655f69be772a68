/* test_words.c - shell-style word splitting (src/base/words.c).  The
 * expected words of every case in `like_sh` were checked once against
 * dash (Debian's /bin/sh) with  eval "set -- $CASE" ; the cases after it
 * are where cairn differs on purpose (nothing is expanded, a newline
 * separates words instead of ending a command) or fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/words.h"

static int passed, failed;
#define CHECK(c, ...) do { if (c) passed++; else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
	printf(__VA_ARGS__); printf("\n"); } } while (0)

struct split_case {
	const char *in;
	int n;
	const char *want[8];
};

static const struct split_case like_sh[] = {
	{ "", 0, {  } },
	{ "   ", 0, {  } },
	{ " \t\n ", 0, {  } },
	{ "a", 1, { "a" } },
	{ "a b", 2, { "a", "b" } },
	{ "  a   b  ", 2, { "a", "b" } },
	{ "''", 1, { "" } },
	{ "\"\"", 1, { "" } },
	{ "'' ''", 2, { "", "" } },
	{ "a''b", 1, { "ab" } },
	{ "'a b'", 1, { "a b" } },
	{ "\"a b\"", 1, { "a b" } },
	{ "a'b c'd", 1, { "ab cd" } },
	{ "'a'\"b\"c", 1, { "abc" } },
	{ "'\\'", 1, { "\\" } },
	{ "'a\\nb'", 1, { "a\\nb" } },
	{ "\"a\\b\"", 1, { "a\\b" } },
	{ "\"\\\\\"", 1, { "\\" } },
	{ "\"\\\"\"", 1, { "\"" } },
	{ "\"\\$x\"", 1, { "$x" } },
	{ "\"\\`\"", 1, { "`" } },
	{ "\"a\\\nb\"", 1, { "ab" } },
	{ "a\\ b", 1, { "a b" } },
	{ "\\'", 1, { "'" } },
	{ "\\\"", 1, { "\"" } },
	{ "\\\\", 1, { "\\" } },
	{ "a\\", 1, { "a\\" } },
	{ "a \\", 2, { "a", "\\" } },
	{ "a\\\nb", 1, { "ab" } },
	{ "a \\\n b", 2, { "a", "b" } },
	{ "\\\n", 0, {  } },
	{ "'\\\n'", 1, { "\\\n" } },
	{ "\"'\"", 1, { "'" } },
	{ "'\"'", 1, { "\"" } },
	{ "-m 256M -append \"console=ttyS0 root=/dev/vda\" -kernel Image", 6, { "-m", "256M", "-append", "console=ttyS0 root=/dev/vda", "-kernel", "Image" } },
	{ "-drive file=disk\\ image.raw,if=virtio", 2, { "-drive", "file=disk image.raw,if=virtio" } },
	{ "x=\"a\"'b'c", 1, { "x=abc" } },
	{ "'it'\\''s'", 1, { "it's" } },
	{ "\"a\tb\"", 1, { "a\tb" } },
	{ "a\\\tb", 1, { "a\tb" } },
	{ "-append 'a;b|c&d<e>f(g)'", 2, { "-append", "a;b|c&d<e>f(g)" } },
	{ "\"\\n\\t\\x\"", 1, { "\\n\\t\\x" } },
	{ "''\"\"''", 1, { "" } },
	{ "a\\\\b", 1, { "a\\b" } },
	{ "\"\"x", 1, { "x" } },
	{ "x\"\"", 1, { "x" } },
};

/* Not what sh would do: no expansion, no operators, no comments, and a
 * newline is one more blank (a YAML block scalar spans lines). */
static const struct split_case unlike_sh[] = {
	{ "a\tb\nc", 3, { "a", "b", "c" } },
	{ "$HOME ~ * `id` $(id)", 5, { "$HOME", "~", "*", "`id`", "$(id)" } },
	{ "\"$HOME\"", 1, { "$HOME" } },
	{ "a;b | c && d # e", 7, { "a;b", "|", "c", "&&", "d", "#", "e" } },
	{ "-m 256M\n-smp 2\n", 4, { "-m", "256M", "-smp", "2" } },
};

/* Every word, the count, the NULL after the last, and one block to free. */
static void check_case(const struct split_case *c)
{
	cairn_errbuf e = { 0 };
	int argc = -1;
	char **argv = NULL;
	int r = words_split(c->in, &argc, &argv, &e);
	CHECK(r == 0 && e.code == 0, "'%s': failed: %s", c->in, e.msg);
	if (r)
		return;
	CHECK(argc == c->n, "'%s': %d words, want %d", c->in, argc, c->n);
	for (int k = 0; k < argc && k < c->n; k++)
		CHECK(!strcmp(argv[k], c->want[k]), "'%s': word %d is '%s', want '%s'", c->in, k, argv[k], c->want[k]);
	CHECK(argv[argc] == NULL, "'%s': argv[argc] is not NULL", c->in);
	words_free(argv);
}

static void check_error(const char *in, const char *want, size_t want_at)
{
	cairn_errbuf e = { 0 };
	int argc = 7;
	char **argv = (char **)&argc;
	size_t at = 99;
	int r = words_split_at(in, &argc, &argv, &at, &e);
	CHECK(r == -ERR_FORMAT && e.code == ERR_FORMAT, "'%s': r %d code %d", in, r, e.code);
	CHECK(!strcmp(e.msg, want), "'%s': message '%s', want '%s'", in, e.msg, want);
	CHECK(at == want_at, "'%s': offset %zu, want %zu", in, at, want_at);
	CHECK(argc == 0 && argv == NULL, "'%s': outputs not cleared on failure", in);
}

static void test_errors(void)
{
	check_error("'abc", "unterminated single quote at column 1", 0);
	check_error("a \"b c", "unterminated double quote at column 3", 2);
	check_error("'a'\"", "unterminated double quote at column 4", 3);
	check_error("\"a\\\"", "unterminated double quote at column 1", 0);  /* \" does not close */
	check_error("\"it's", "unterminated double quote at column 1", 0);
	check_error("a\n  b 'x", "unterminated single quote at line 2 column 5", 6);
	check_error("\\''", "unterminated single quote at column 3", 2);      /* \' is a quote char */
	/* words_split reports the same without the offset, e into NULL prints */
	cairn_errbuf e = { 0 };
	int argc;
	char **argv;
	CHECK(words_split("x 'y", &argc, &argv, &e) == -ERR_FORMAT && strstr(e.msg, "column 3"), "plain form");
}

/* A long word and many words: no length limit, one allocation. */
static void test_big(void)
{
	size_t n = 100000;
	char *s = malloc(2 * n + 4);
	for (size_t k = 0; k < n; k++)
		s[2 * k] = 'x', s[2 * k + 1] = ' ';
	strcpy(s + 2 * n, "'y'");
	int argc;
	char **argv;
	cairn_errbuf e = { 0 };
	CHECK(words_split(s, &argc, &argv, &e) == 0 && argc == (int)n + 1 && !strcmp(argv[n], "y") &&
	      argv[n + 1] == NULL, "100001 words");
	words_free(argv);
	memset(s, 'z', 2 * n);
	s[0] = '"';
	s[2 * n] = '"';
	s[2 * n + 1] = 0;
	CHECK(words_split(s, &argc, &argv, &e) == 0 && argc == 1 && strlen(argv[0]) == 2 * n - 1, "one long word");
	words_free(argv);
	free(s);
	words_free(NULL);
}

int main(void)
{
	for (size_t k = 0; k < sizeof like_sh / sizeof like_sh[0]; k++)
		check_case(&like_sh[k]);
	for (size_t k = 0; k < sizeof unlike_sh / sizeof unlike_sh[0]; k++)
		check_case(&unlike_sh[k]);
	test_errors();
	test_big();
	printf("test_words: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
