/* b_int.c - integer benchmark in the spirit of CoreMark: linked-list merge sort,
 * integer matrix multiply, CRC-32 and a token state machine, mixed each iteration.
 * Measures plain integer ALU/branch/load-store speed; the checksum is fixed. */
#include "bench.h"

#ifndef ITERS
#define ITERS 25000
#endif
#define NLIST 256
#define MAT 16

struct item { struct item *next; uint32_t val; };
static struct item items[NLIST];
static int32_t ma[MAT][MAT], mb[MAT][MAT], mc[MAT][MAT];
static char text[512];

static uint32_t rng = 1;
static uint32_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

static struct item *merge_sort(struct item *l)
{
	if (!l || !l->next)
		return l;
	struct item *slow = l, *fast = l->next;
	while (fast && fast->next) {
		slow = slow->next;
		fast = fast->next->next;
	}
	struct item *r = slow->next, head, *t = &head;
	slow->next = 0;
	l = merge_sort(l);
	r = merge_sort(r);
	while (l && r) {
		if (l->val <= r->val) { t->next = l; l = l->next; }
		else { t->next = r; r = r->next; }
		t = t->next;
	}
	t->next = l ? l : r;
	return head.next;
}

static uint32_t crc32(const char *p, int n, uint32_t crc)
{
	crc = ~crc;
	while (n--) {
		crc ^= (uint8_t)*p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* Classify tokens: integers, hex, identifiers, punctuation. */
static uint32_t scan(const char *p)
{
	enum { START, INT, HEX0, HEX, IDENT } st = START;
	uint32_t counts = 0;
	for (;; p++) {
		char c = *p;
		switch (st) {
		case START:
			if (c == '0') st = HEX0;
			else if (c >= '1' && c <= '9') st = INT;
			else if ((c | 32) >= 'a' && (c | 32) <= 'z') st = IDENT;
			else if (c) counts += 1u << 24;
			break;
		case HEX0:
			if (c == 'x') { st = HEX; break; }
			/* fall through */
		case INT:
			if (c < '0' || c > '9') { counts += 1; st = START; p--; }
			break;
		case HEX:
			if (!((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f'))) { counts += 1u << 8; st = START; p--; }
			break;
		case IDENT:
			if (!((c | 32) >= 'a' && (c | 32) <= 'z') && !(c >= '0' && c <= '9')) { counts += 1u << 16; st = START; p--; }
			break;
		}
		if (!c && st == START)
			return counts;
	}
}

int main(void)
{
	static const char *words[] = { "0x1f", "42", "cairn", "+", "risc5", "0", "(", "0xdead", "7", ";" };
	int n = 0;
	while (n < (int)sizeof text - 8) {
		const char *w = words[rnd() % 10];
		while (*w)
			text[n++] = *w++;
		text[n++] = ' ';
	}
	text[n] = 0;
	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++) {
			ma[i][j] = (int32_t)(rnd() % 200) - 100;
			mb[i][j] = (int32_t)(rnd() % 200) - 100;
		}

	uint64_t t0 = instret_now(), sum = 0;
	for (int it = 0; it < ITERS; it++) {
		for (int i = 0; i < NLIST; i++) {
			items[i].val = rnd() & 0xffff;
			items[i].next = i + 1 < NLIST ? &items[i + 1] : 0;
		}
		struct item *l = merge_sort(items);
		for (int k = 0; l; l = l->next, k++)
			sum += l->val * (uint64_t)(k & 7);
		for (int i = 0; i < MAT; i++)
			for (int j = 0; j < MAT; j++) {
				int32_t acc = 0;
				for (int k = 0; k < MAT; k++)
					acc += ma[i][k] * mb[k][j];
				mc[i][j] = acc + it;
			}
		sum += (uint32_t)mc[it % MAT][(it / MAT) % MAT];
		sum = sum * 31 + crc32(text, 128, (uint32_t)sum);
		sum ^= scan(text);
		ma[it % MAT][it % 7] ^= (int32_t)(sum & 3);
	}
	report(instret_now() - t0, sum, 0xfd1cf9ebea450b1dull);
}
