/* sort.c - memory and sorting: quicksort, bottom-up merge sort and LSD radix
 * sort of 256 Ki 32-bit keys (1 MiB each), plus a binary-search pass.
 * Stresses loads/stores with computed addresses, branches and malloc'd memory. */
#include "bench.h"

#define WANT 0xd3f80796ead08ec2ull /* the checksum every correct build prints */

#ifndef ROUNDS
#define ROUNDS 3
#endif
#define N (256 * 1024)

static void quicksort(uint32_t *a, long lo, long hi)
{
	while (hi - lo > 16) {
		uint32_t p = a[lo + (hi - lo) / 2];
		long i = lo, j = hi;
		while (i <= j) {
			while (a[i] < p) i++;
			while (a[j] > p) j--;
			if (i <= j) {
				uint32_t t = a[i]; a[i] = a[j]; a[j] = t;
				i++; j--;
			}
		}
		if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
		else { quicksort(a, i, hi); hi = j; }
	}
	for (long i = lo + 1; i <= hi; i++) { /* insertion sort for short runs */
		uint32_t v = a[i];
		long j = i - 1;
		while (j >= lo && a[j] > v) { a[j + 1] = a[j]; j--; }
		a[j + 1] = v;
	}
}

static void mergesort(uint32_t *a, uint32_t *tmp, size_t n)
{
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
			while (i < mid) tmp[k++] = a[i++];
			while (j < hi) tmp[k++] = a[j++];
		}
		uint32_t *t = a; a = tmp; tmp = t;
		memcpy(tmp, a, n * sizeof *a); /* keep the result in both buffers */
	}
}

static void radixsort(uint32_t *a, uint32_t *tmp, size_t n)
{
	for (int shift = 0; shift < 32; shift += 8) {
		size_t count[257] = { 0 };
		for (size_t i = 0; i < n; i++)
			count[((a[i] >> shift) & 0xff) + 1]++;
		for (int b = 0; b < 256; b++)
			count[b + 1] += count[b];
		for (size_t i = 0; i < n; i++)
			tmp[count[(a[i] >> shift) & 0xff]++] = a[i];
		uint32_t *t = a; a = tmp; tmp = t;
	}
}

static uint64_t digest(const uint32_t *a, size_t n)
{
	uint64_t h = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && a[i - 1] > a[i])
			return 0; /* not sorted */
		h = h * 1000003 + a[i];
	}
	return h;
}

static long search(const uint32_t *a, size_t n, uint32_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] < key) lo = mid + 1;
		else hi = mid;
	}
	return lo < n && a[lo] == key ? (long)lo : -1;
}

int main(void)
{
	uint32_t *src = malloc(N * sizeof *src), *a = malloc(N * sizeof *a), *tmp = malloc(N * sizeof *tmp);
	uint64_t sum = 0;
	if (!src || !a || !tmp)
		return 2;
	for (int r = 0; r < ROUNDS; r++) {
		for (size_t i = 0; i < N; i++)
			src[i] = rnd32() >> (r & 7); /* later rounds have more duplicates */
		memcpy(a, src, N * sizeof *a);
		quicksort(a, 0, N - 1);
		sum = sum * 7 + digest(a, N);
		memcpy(a, src, N * sizeof *a);
		mergesort(a, tmp, N);
		sum = sum * 7 + digest(a, N);
		memcpy(a, src, N * sizeof *a);
		radixsort(a, tmp, N);
		sum = sum * 7 + digest(a, N);
		for (size_t i = 0; i < N; i += 3)
			sum += (uint64_t)search(a, N, src[i] ^ (uint32_t)(i & 1));
	}
	free(src);
	free(a);
	free(tmp);
	return report("sort", sum, WANT);
}
