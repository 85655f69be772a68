/* test_opts.c - the QEMU-style option parser (src/base/opts.c): escaping,
 * implied keys, flags, strict typing and QEMU's error wording. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/opts.h"

static int passed, failed;
#define CHECK(c, ...) do { if (c) passed++; else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
	printf(__VA_ARGS__); printf("\n"); } } while (0)

static const char *const ifs[] = { "virtio", "none", NULL };
static const struct opt_desc keys[] = {
	{ "file", OPT_STRING, 0, NULL },
	{ "if", OPT_STRING, 0, ifs },
	{ "id", OPT_ID, 0, NULL },
	{ "readonly", OPT_BOOL, 0, NULL },
	{ "size", OPT_SIZE, OPT_MIB, NULL },
	{ "bytes", OPT_SIZE, 0, NULL },
	{ "n", OPT_NUMBER, 0, NULL },
	{ "fwd", OPT_STRING, OPT_MULTI, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct opt_desc type_key[] = { { "driver", OPT_STRING, 0, NULL }, { NULL, 0, 0, NULL } };
static const struct opt_group implied = { "type", NULL, (const struct opt_desc[]){
	{ "type", OPT_STRING, 0, NULL }, { "file", OPT_STRING, 0, NULL }, { "readonly", OPT_BOOL, 0, NULL },
	{ NULL, 0, 0, NULL } } };
static const struct opt_group plain = { NULL, NULL, keys };
static const struct opt_group device = { "driver", "virtio-rng-device", type_key };

/* Parse s; on success return the options, on failure the message in *msg. */
static bool parse(const struct opt_group *g, const char *s, struct opts *o, char **msg)
{
	*msg = NULL;
	return opts_parse(g, s, o, msg) == 0;
}

static bool fails_with(const struct opt_group *g, const char *s, const char *want)
{
	struct opts o;
	char *msg;
	bool ok = !parse(g, s, &o, &msg) && msg && !strcmp(msg, want);
	if (!ok)
		printf("  '%s' -> '%s'\n", s, msg ? msg : "(accepted)");
	free(msg);
	return ok;
}

static void test_split(void)
{
	struct opts o;
	char *msg;
	CHECK(parse(&plain, "file=a,,b.img,if=none", &o, &msg) && !strcmp(opts_str(&o, "file"), "a,b.img") &&
	      !strcmp(opts_str(&o, "if"), "none"), ",, is a comma");
	opts_free(&o);
	CHECK(parse(&plain, "file=x,,,,y,,", &o, &msg) && !strcmp(opts_str(&o, "file"), "x,,y,"), "several ,,");
	opts_free(&o);
	CHECK(parse(&implied, "user,file=f", &o, &msg) && !strcmp(opts_str(&o, "type"), "user") &&
	      !strcmp(opts_str(&o, "file"), "f"), "implied first key");
	opts_free(&o);
	CHECK(parse(&implied, "a,,b,readonly", &o, &msg) && !strcmp(opts_str(&o, "type"), "a,b") &&
	      opts_bool(&o, "readonly", false), "implied value with ,, and a bare flag");
	opts_free(&o);
	CHECK(parse(&plain, "readonly,n=3", &o, &msg) && opts_bool(&o, "readonly", false), "bare flag = on");
	opts_free(&o);
	CHECK(parse(&plain, "noreadonly", &o, &msg) && opts_has(&o, "readonly") && !opts_bool(&o, "readonly", true),
	      "noflag = off");
	opts_free(&o);
	CHECK(parse(&plain, "fwd=a,fwd=b,,c,file=1,file=2", &o, &msg), "repeated keys");
	size_t k = 0;
	const char *a = opts_next(&o, "fwd", &k), *b = opts_next(&o, "fwd", &k), *c = opts_next(&o, "fwd", &k);
	CHECK(a && b && !c && !strcmp(a, "a") && !strcmp(b, "b,c") && !strcmp(opts_str(&o, "file"), "2"),
	      "every fwd in order, the last file wins");
	opts_free(&o);
	CHECK(parse(&plain, "", &o, &msg) && o.n == 0, "empty list");
	opts_free(&o);
	/* No length limit: a 5000-byte path survives whole. */
	char *big = malloc(6000);
	strcpy(big, "file=");
	memset(big + 5, 'p', 5000);
	strcpy(big + 5005, ",if=none");
	CHECK(parse(&plain, big, &o, &msg) && strlen(opts_str(&o, "file")) == 5000, "5000-byte value");
	opts_free(&o);
	free(big);
}

static void test_types(void)
{
	struct opts o;
	char *msg;
	CHECK(parse(&plain, "size=512,bytes=1.5k,n=0x10,readonly=yes", &o, &msg) &&
	      opts_num(&o, "size", 0) == 512ull << 20 && opts_num(&o, "bytes", 0) == 1536 &&
	      opts_num(&o, "n", 0) == 16 && opts_bool(&o, "readonly", false), "typed values");
	opts_free(&o);
	CHECK(parse(&plain, "size=2G,bytes=4096", &o, &msg) && opts_num(&o, "size", 0) == 2ull << 30 &&
	      opts_num(&o, "bytes", 0) == 4096, "suffixes");
	opts_free(&o);
	const char *size_msg = "Parameter 'size' expects a non-negative number below 2^64 (optional suffix k, M, G, T, P or E)";
	CHECK(fails_with(&plain, "size=nan", size_msg), "size=nan");
	CHECK(fails_with(&plain, "size=4abc", size_msg), "size=4abc");
	CHECK(fails_with(&plain, "size=256MB", size_msg), "size=256MB");
	CHECK(fails_with(&plain, "size=-1", size_msg), "size=-1");
	CHECK(fails_with(&plain, "size=99999999999999999999", size_msg), "size overflow");
	CHECK(fails_with(&plain, "size=20E", size_msg), "size=20E overflows");
	CHECK(fails_with(&plain, "bytes=1.5", "Parameter 'bytes' expects a non-negative number below 2^64 "
			 "(optional suffix k, M, G, T, P or E)"), "fraction without unit");
	CHECK(fails_with(&plain, "n=4abc", "Parameter 'n' expects a number"), "n=4abc");
	CHECK(fails_with(&plain, "n= 4", "Parameter 'n' expects a number"), "n with a space");
	CHECK(fails_with(&plain, "n=-4", "Parameter 'n' expects a number"), "negative n");
	CHECK(fails_with(&plain, "readonly=maybe", "Parameter 'readonly' expects 'on' or 'off'"), "bad bool");
	CHECK(fails_with(&plain, "if=scsi", "Parameter 'if' expects 'virtio' or 'none'"), "choices");
	CHECK(fails_with(&plain, "id=0abc", "Parameter 'id' expects an identifier (letters, digits, '-', '.', '_', "
			 "starting with a letter)"), "bad id");
	CHECK(fails_with(&plain, "read-only=on", "Invalid parameter 'read-only'"), "unknown key");
	CHECK(fails_with(&plain, "nofile", "Invalid parameter 'nofile'"), "no-prefix only for booleans");
	CHECK(fails_with(&device, "virtio-rng-device,foo=1", "Property 'virtio-rng-device.foo' not found"),
	      "device wording");
}

static void test_scalars(void)
{
	uint64_t v;
	bool b;
	CHECK(opts_parse_size("1.5G", &v) == 0 && v == 3ull << 29, "1.5G");
	CHECK(opts_parse_size("16E", &v) && opts_parse_size("", &v) && opts_parse_size("inf", &v) &&
	      opts_parse_size("1e3", &v), "bad sizes");
	CHECK(opts_parse_number("18446744073709551615", &v) == 0 && v == UINT64_MAX, "max number");
	CHECK(opts_parse_number("18446744073709551616", &v) && opts_parse_number("0x", &v) &&
	      opts_parse_number("+1", &v), "bad numbers");
	CHECK(opts_parse_bool("off", &b) == 0 && !b && opts_parse_bool("ON", &b), "bools are lower case");
}

int main(void)
{
	test_split();
	test_types();
	test_scalars();
	printf("opts: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
