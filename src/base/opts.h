/* opts.h - QEMU-style option lists ("kind,key=value,flag,..."), parsed
 * against one table per option group the way QEMU's QemuOpts does: every
 * key is known and typed, ",," is a literal comma, a bare "key" means
 * key=on and "nokey" key=off, the first item may stand for an implied key
 * ("user" in -netdev user,... is type=user).  Values are heap copies: there
 * is no length limit on paths or ids. */
#ifndef CAIRN_BASE_OPTS_H
#define CAIRN_BASE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum opt_type {
	OPT_STRING,
	OPT_BOOL,    /* on/off (also yes/no, true/false, y/n as QEMU) */
	OPT_SIZE,    /* bytes: number, optional fraction, suffix B K M G T P E */
	OPT_NUMBER,  /* unsigned integer, decimal or 0x hex */
	OPT_ID,      /* QEMU identifier: letter, then letters, digits, - . _ */
};

enum {
	OPT_MULTI = 1,     /* may repeat (hostfwd=); otherwise the last one wins */
	OPT_MIB = 2,       /* OPT_SIZE: a plain number means MiB (-m) */
};

struct opt_desc {
	const char *name;
	enum opt_type type;
	unsigned flags;
	const char *const *choices; /* OPT_STRING: allowed values, NULL-terminated */
};

/* One option group: its keys (ended by a { NULL } row). */
struct opt_group {
	const char *implied;         /* key of a first item without '=' (NULL: none) */
	const char *property_of;     /* unknown key: "Property 'X.key' not found" (QEMU's
				      * -device/-machine wording); NULL: "Invalid parameter" */
	const struct opt_desc *keys;
};

struct opt_value {
	const struct opt_desc *desc;
	char *str;                   /* as written, commas unescaped */
	uint64_t num;                /* OPT_SIZE, OPT_NUMBER; OPT_BOOL: 0 or 1 */
};

struct opts {
	struct opt_value *v;
	size_t n;
};

/* Parse s against g into *out.  On error returns -1 with a QEMU-like message
 * (no prefix, e.g. "Invalid parameter 'x'") in *err (malloc'd; free it). */
int opts_parse(const struct opt_group *g, const char *s, struct opts *out, char **err);
void opts_free(struct opts *o);

/* The last value given for key, or NULL / the default. */
const char *opts_str(const struct opts *o, const char *key);
bool opts_bool(const struct opts *o, const char *key, bool dflt);
uint64_t opts_num(const struct opts *o, const char *key, uint64_t dflt);
bool opts_has(const struct opts *o, const char *key);
/* Every value of a key in order: start with *k = 0; NULL when done. */
const char *opts_next(const struct opts *o, const char *key, size_t *k);

/* The scalar parsers on their own: 0, or -1 when s is not wholly valid. */
int opts_parse_bool(const char *s, bool *out);
int opts_parse_size(const char *s, uint64_t *out);
int opts_parse_number(const char *s, uint64_t *out);

#endif
