/* fdt.c - just enough of a flattened-device-tree reader to find one
 * property of a top-level node (/chosen bootargs, /cpus timebase-frequency).
 * The blob is whatever a1 pointed at on entry: every read is bounds-checked,
 * a faulting load is skipped (see rtos_trap), and anything odd means "not
 * found", so the kernel falls back to its defaults instead of crashing. */
#include "rtos.h"

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP        4u
#define FDT_END        9u
#define FDT_MAX_SIZE   (16u << 20)

volatile bool fdt_probing, fdt_faulted;

struct blob {
	const volatile uint8_t *b;
	uint32_t size, s_off, s_end;    /* structure block [s_off, s_end) */
	uint32_t str_off, str_size;     /* strings block */
};

/* Byte reads only: the tree is big-endian and its blob need not be aligned. */
static uint32_t be32(const struct blob *t, uint32_t off)
{
	const volatile uint8_t *p = t->b + off;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool blob_open(struct blob *t, const void *fdt)
{
	uintptr_t a = (uintptr_t)fdt;
	if (a < RAM_BASE || a > UINT32_MAX * 4ul || (a & 3))
		return false;
	t->b = fdt;
	t->size = FDT_MAX_SIZE;                 /* until the header is read */
	if (be32(t, 0) != FDT_MAGIC || fdt_faulted)
		return false;
	uint32_t size = be32(t, 4), version = be32(t, 20);
	t->s_off = be32(t, 8);
	t->str_off = be32(t, 12);
	t->str_size = be32(t, 32);
	uint32_t s_size = version >= 17 ? be32(t, 36) : size - t->s_off;
	t->size = size;
	t->s_end = t->s_off + s_size;
	return !fdt_faulted && size >= 40 && size <= FDT_MAX_SIZE && t->s_off <= size &&
	       s_size <= size - t->s_off && t->str_off <= size && t->str_size <= size - t->str_off;
}

/* The NUL-terminated string at off, no further than end: its length, or -1. */
static int32_t str_len(const struct blob *t, uint32_t off, uint32_t end)
{
	for (uint32_t k = off; k < end && !fdt_faulted; k++)
		if (!t->b[k])
			return (int32_t)(k - off);
	return -1;
}

/* Node names are "name" or "name@unit". */
static bool name_is(const struct blob *t, uint32_t off, int32_t len, const char *want)
{
	int32_t k = 0;
	for (; want[k]; k++)
		if (k >= len || t->b[off + k] != (uint8_t)want[k])
			return false;
	return k == len || t->b[off + k] == '@';
}

static bool prop_is(const struct blob *t, uint32_t nameoff, const char *want)
{
	if (nameoff >= t->str_size)
		return false;
	uint32_t off = t->str_off + nameoff;
	int32_t len = str_len(t, off, t->str_off + t->str_size);
	for (int32_t k = 0; k < len; k++)
		if (!want[k] || t->b[off + k] != (uint8_t)want[k])
			return false;
	return len >= 0 && !want[len];
}

static uint32_t align4(uint32_t v) { return (v + 3) & ~3u; }

/* Walk the structure block; the root is depth 1, its children depth 2. */
static const volatile uint8_t *walk(const struct blob *t, const char *node, const char *prop, uint32_t *len)
{
	uint32_t p = t->s_off, depth = 0;
	bool inside = false;
	while (p + 4 <= t->s_end && !fdt_faulted) {
		uint32_t tok = be32(t, p);
		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			int32_t n = str_len(t, p, t->s_end);
			if (n < 0)
				return NULL;
			if (++depth == 2)
				inside = name_is(t, p, n, node);
			p = align4(p + (uint32_t)n + 1);
		} else if (tok == FDT_END_NODE) {
			if (!depth)
				return NULL;
			if (depth-- == 2)
				inside = false;
		} else if (tok == FDT_PROP) {
			if (p + 8 > t->s_end)
				return NULL;
			uint32_t plen = be32(t, p), nameoff = be32(t, p + 4);
			p += 8;
			if (plen > t->s_end - p)
				return NULL;
			if (inside && depth == 2 && prop_is(t, nameoff, prop)) {
				*len = plen;
				return t->b + p;
			}
			p = align4(p + plen);
		} else if (tok != FDT_NOP) {
			return NULL;    /* FDT_END or garbage */
		}
	}
	return NULL;
}

int32_t fdt_prop(const void *fdt, const char *node, const char *prop, uint8_t *buf, uint32_t cap)
{
	struct blob t;
	const volatile uint8_t *v = NULL;
	uint32_t len = 0;
	fdt_faulted = false;
	fdt_probing = true;     /* the copy too: the value may run past real RAM */
	if (blob_open(&t, fdt) && (v = walk(&t, node, prop, &len)))
		for (uint32_t k = 0; k < len && k < cap; k++)
			buf[k] = v[k];
	fdt_probing = false;
	return v && !fdt_faulted ? (int32_t)len : -1;
}
