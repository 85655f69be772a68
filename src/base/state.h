/* state.h - state as a flat little-endian stream, for snapshots and
 * migration: writers append; readers check every length, so a truncated
 * or hostile stream makes the reader "bad" (every later get returns 0) and
 * state_done reports it, never a crash or a read past the end. */
#ifndef CAIRN_BASE_STATE_H
#define CAIRN_BASE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

struct state_buf {
	uint8_t *p;
	size_t len, cap, pos;
	bool bad;               /* out of memory (writer) or short/malformed (reader) */
	bool owned;             /* p is ours to free (a writer) */
};

void state_writer(struct state_buf *s);
void state_reader(struct state_buf *s, const uint8_t *p, size_t n);
void state_free(struct state_buf *s);

void state_put_u8(struct state_buf *s, uint8_t v);
void state_put_u32(struct state_buf *s, uint32_t v);
void state_put_u64(struct state_buf *s, uint64_t v);
void state_put_bytes(struct state_buf *s, const void *p, size_t n);

uint8_t state_get_u8(struct state_buf *s);
uint32_t state_get_u32(struct state_buf *s);
uint64_t state_get_u64(struct state_buf *s);
void state_get_bytes(struct state_buf *s, void *p, size_t n);
/* A value that must be below limit (an index, a count): else the stream is bad. */
uint32_t state_get_below(struct state_buf *s, uint32_t limit);

/* 0 when every read was in bounds and (for a reader) nothing is left over. */
int state_done(const struct state_buf *s) MUST_CHECK;

#endif
