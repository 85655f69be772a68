/* coremark.c - a CoreMark-like mix (not CoreMark itself): linked-list find
 * and merge sort, a 16-bit integer matrix multiply with bit extraction, a
 * token state machine and a bitwise CRC-16 folding the results, each
 * iteration.  The integer/branch/pointer mix that CoreMark reports. */
#include "bench.h"

#define WANT 0x82486b79ce879dc7ull /* the checksum every correct build prints */

#ifndef ITERS
#define ITERS 6000
#endif
#define NLIST 200
#define MAT 12

struct item { struct item *next; int16_t val, idx; };
static struct item items[NLIST];
static int16_t ma[MAT][MAT], mb[MAT][MAT];
static int32_t mc[MAT][MAT];
static char text[400];

static uint16_t crc16(uint16_t data, uint16_t crc)
{
	for (int i = 0; i < 16; i++) {
		uint16_t x = (uint16_t)((data ^ crc) & 1);
		data >>= 1;
		crc = x ? (uint16_t)((crc ^ 0x4002) >> 1 | 0x8000) : (uint16_t)(crc >> 1);
	}
	return crc;
}

static struct item *list_sort(struct item *l, int by_idx)
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
	l = list_sort(l, by_idx);
	r = list_sort(r, by_idx);
	while (l && r) {
		int le = by_idx ? l->idx <= r->idx : l->val <= r->val;
		if (le) { t->next = l; l = l->next; }
		else { t->next = r; r = r->next; }
		t = t->next;
	}
	t->next = l ? l : r;
	return head.next;
}

static struct item *list_find(struct item *l, int16_t val)
{
	while (l && l->val != val)
		l = l->next;
	return l;
}

static uint16_t list_bench(uint16_t crc, int it)
{
	struct item *l = list_sort(items, 0);
	for (int k = 0; k < 8; k++) {
		struct item *f = list_find(l, (int16_t)((it + k * 37) & 0x3ff));
		crc = crc16(f ? (uint16_t)f->idx : 0xffff, crc);
	}
	for (struct item *p = l; p; p = p->next)
		p->val = (int16_t)((p->val * 5 + it) & 0x3ff);
	l = list_sort(l, 1); /* back in index order for the next round */
	for (int i = 0; i < NLIST; i++) {
		items[i] = *l;
		l = l->next;
		items[i].next = i + 1 < NLIST ? &items[i + 1] : 0;
	}
	return crc16((uint16_t)items[it % NLIST].val, crc);
}

static uint16_t matrix_bench(uint16_t crc, int it)
{
	int32_t acc = 0;
	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++) {
			int32_t s = 0;
			for (int k = 0; k < MAT; k++)
				s += ma[i][k] * mb[k][j];
			mc[i][j] = s;
			acc += (s >> 2) & 0xf; /* CoreMark's bit extraction step */
		}
	for (int i = 0; i < MAT; i++)
		ma[i][(i + it) % MAT] = (int16_t)(ma[i][(i + it) % MAT] + (mc[i][i] & 7) - 3);
	return crc16((uint16_t)acc, crc);
}

/* numbers (decimal, hex, float with exponent) and words, as CoreMark's state machine */
static uint16_t state_bench(uint16_t crc)
{
	enum { START, INT, FLOAT, EXP, HEX, WORD, ERR, NST };
	uint32_t counts[NST] = { 0 };
	int st = START;
	for (const char *p = text;; p++) {
		char c = *p;
		int sep = c == ' ' || c == ',' || !c;
		if (sep) {
			counts[st]++;
			st = START;
			if (!c)
				break;
			continue;
		}
		switch (st) {
		case START:
			st = c >= '0' && c <= '9' ? INT : (c | 32) >= 'a' && (c | 32) <= 'z' ? WORD : c == '.' ? FLOAT : ERR;
			break;
		case INT:
			if (c == 'x' && p[-1] == '0') st = HEX;
			else if (c == '.') st = FLOAT;
			else if (c < '0' || c > '9') st = ERR;
			break;
		case FLOAT:
			if (c == 'e' || c == 'E') st = EXP;
			else if (c < '0' || c > '9') st = ERR;
			break;
		case EXP:
			if ((c < '0' || c > '9') && c != '-' && c != '+') st = ERR;
			break;
		case HEX:
			if (!((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f'))) st = ERR;
			break;
		case WORD:
			if (!((c | 32) >= 'a' && (c | 32) <= 'z') && !(c >= '0' && c <= '9')) st = ERR;
			break;
		default:
			break;
		}
	}
	for (int i = 0; i < NST; i++)
		crc = crc16((uint16_t)counts[i], crc);
	return crc;
}

int main(void)
{
	static const char *words[] = { "5012", "1.2e-3", "0x1f", "cairn", "-7", "3.14", "wasm3", ".5", "0xbeef", "42x" };
	uint64_t sum = 0;
	uint16_t crc = 0;
	int n = 0;
	while (n < (int)sizeof text - 10) {
		const char *w = words[rnd32() % 10];
		while (*w)
			text[n++] = *w++;
		text[n++] = rnd32() & 1 ? ' ' : ',';
	}
	text[n] = 0;
	for (int i = 0; i < NLIST; i++)
		items[i] = (struct item){ i + 1 < NLIST ? &items[i + 1] : 0, (int16_t)(rnd32() & 0x3ff), (int16_t)i };
	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++) {
			ma[i][j] = (int16_t)(rnd32() % 64) - 32;
			mb[i][j] = (int16_t)(rnd32() % 64) - 32;
		}
	for (int it = 0; it < ITERS; it++) {
		crc = list_bench(crc, it);
		crc = matrix_bench(crc, it);
		crc = state_bench(crc);
		sum = sum * 31 + crc;
		text[(it * 13) % n] = text[(it * 13) % n] == ' ' ? ',' : text[(it * 13) % n]; /* vary the input */
	}
	return report("coremark", sum, WANT);
}
