/* t_c_program.c - a plain C program (no libc) run as a guest: strings, arithmetic,
 * recursion, function pointers, structs and 128-bit math, each checked.
 * It exercises what the compiler emits for ordinary code, including RVC. */
#include "test.h"

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static uint64_t ackermann(uint64_t m, uint64_t n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ackermann(m - 1, 1);
	return ackermann(m - 1, ackermann(m, n - 1));
}

struct node { int key; struct node *l, *r; };
static struct node pool[64];

static struct node *insert(struct node *t, struct node *n)
{
	if (!t)
		return n;
	if (n->key < t->key)
		t->l = insert(t->l, n);
	else
		t->r = insert(t->r, n);
	return t;
}

static int inorder(struct node *t, int *out, int k)
{
	if (!t)
		return k;
	k = inorder(t->l, out, k);
	out[k++] = t->key;
	return inorder(t->r, out, k);
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
static int cmp_rev(const void *a, const void *b) { return *(const int *)b - *(const int *)a; }

static void isort(int *v, int n, int (*cmp)(const void *, const void *))
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && cmp(&v[j - 1], &v[j]) > 0; j--) {
			int t = v[j]; v[j] = v[j - 1]; v[j - 1] = t;
		}
}

static void reverse(char *s)
{
	for (size_t i = 0, j = strlen(s) - 1; i < j; i++, j--) {
		char t = s[i]; s[i] = s[j]; s[j] = t;
	}
}

static volatile int64_t vneg = -7, vpos = 3;	/* volatile: no constant folding */
static volatile uint64_t vbig = 0xfedcba9876543210ull;

int main(void)
{
	char buf[32] = "hello, cairn";
	CHECK(1, strlen(buf) == 12);
	reverse(buf);
	CHECK(2, strcmp(buf, "nriac ,olleh") == 0);
	memset(buf, 'x', 5);
	CHECK(3, memcmp(buf, "xxxxx ,olleh", 12) == 0);
	memcpy(buf + 1, buf + 6, 6);
	CHECK(4, memcmp(buf, "x,olleh", 7) == 0);

	CHECK(10, fib(20) == 6765);
	CHECK(11, ackermann(2, 3) == 9);
	CHECK(12, vneg / vpos == -2 && vneg % vpos == -1);
	CHECK(13, (uint64_t)vneg / (uint64_t)vpos == 0x5555555555555553ull);
	CHECK(14, (int32_t)vbig >> 4 == 0x07654321);
	__int128 p = (__int128)(int64_t)vbig * vneg;
	CHECK(15, (uint64_t)(p >> 64) == 0 && (uint64_t)p == 0x7f6e5d4c3b2a190ull);

	int keys[16], out[16];
	uint32_t x = 12345;
	for (int i = 0; i < 16; i++) {
		x = x * 1103515245 + 12345;
		keys[i] = (x >> 16) & 0x3ff;
		pool[i].key = keys[i];
	}
	struct node *root = 0;
	for (int i = 0; i < 16; i++)
		root = insert(root, &pool[i]);
	CHECK(20, inorder(root, out, 0) == 16);
	isort(keys, 16, cmp_int);
	CHECK(21, memcmp(keys, out, sizeof keys) == 0);
	isort(keys, 16, cmp_rev);
	for (int i = 0; i < 15; i++)
		CHECK(22, keys[i] >= keys[i + 1]);

	volatile double d = 2.0;
	CHECK(30, d * 1.5 == 3.0 && (int)(d / 3.0 * 300.0) == 200);
	puts_("t_c_program: ");
	test_pass();
}
