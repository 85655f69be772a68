/* state.c - the state stream (state.h). */
#include "base/state.h"

#include <stdlib.h>

void state_writer(struct state_buf *s)
{
	*s = (struct state_buf){ .owned = true };
}

void state_reader(struct state_buf *s, const uint8_t *p, size_t n)
{
	*s = (struct state_buf){ .p = (uint8_t *)p, .len = n };
}

void state_free(struct state_buf *s)
{
	if (s->owned)
		free(s->p);
	*s = (struct state_buf){ 0 };
}

void state_put_bytes(struct state_buf *s, const void *p, size_t n)
{
	if (s->bad || !s->owned)
		return;
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		while (cap < s->len + n)
			cap *= 2;
		uint8_t *q = realloc(s->p, cap);
		if (!q) {
			s->bad = true;
			return;
		}
		s->p = q;
		s->cap = cap;
	}
	memcpy(s->p + s->len, p, n);
	s->len += n;
}

void state_put_u8(struct state_buf *s, uint8_t v) { state_put_bytes(s, &v, 1); }
void state_put_u32(struct state_buf *s, uint32_t v) { uint8_t b[4]; st_le32(b, v); state_put_bytes(s, b, 4); }
void state_put_u64(struct state_buf *s, uint64_t v) { uint8_t b[8]; st_le64(b, v); state_put_bytes(s, b, 8); }

void state_get_bytes(struct state_buf *s, void *p, size_t n)
{
	if (s->bad || n > s->len - s->pos) {
		s->bad = true;
		memset(p, 0, n);
		return;
	}
	memcpy(p, s->p + s->pos, n);
	s->pos += n;
}

uint8_t state_get_u8(struct state_buf *s) { uint8_t b = 0; state_get_bytes(s, &b, 1); return b; }
uint32_t state_get_u32(struct state_buf *s) { uint8_t b[4]; state_get_bytes(s, b, 4); return ld_le32(b); }
uint64_t state_get_u64(struct state_buf *s) { uint8_t b[8]; state_get_bytes(s, b, 8); return ld_le64(b); }

uint32_t state_get_below(struct state_buf *s, uint32_t limit)
{
	uint32_t v = state_get_u32(s);
	if (v >= limit) {
		s->bad = true;
		return 0;
	}
	return v;
}

int state_done(const struct state_buf *s)
{
	if (s->bad || (!s->owned && s->pos != s->len))
		return -ERR_FORMAT;
	return 0;
}
