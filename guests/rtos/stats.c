/* stats.c - latency statistics as a histogram: recording is a few
 * instructions (it runs in the interrupt handler), percentiles are read
 * from cumulative bucket counts, exact to the bucket width (1 us). */
#include "rtos.h"

void stats_clear(struct stats *s)
{
	s->n = s->max = s->overruns = 0;
	s->min = UINT32_MAX;
	for (unsigned k = 0; k <= NBUCKETS; k++)
		s->bucket[k] = 0;
}

void stats_add(struct stats *s, uint32_t ns)
{
	uint32_t b = ns / BUCKET_NS;
	s->bucket[b < NBUCKETS ? b : NBUCKETS]++;
	s->n++;
	if (ns < s->min)
		s->min = ns;
	if (ns > s->max)
		s->max = ns;
}

void stats_merge(struct stats *dst, const struct stats *src)
{
	for (unsigned k = 0; k <= NBUCKETS; k++)
		dst->bucket[k] += src->bucket[k];
	dst->n += src->n;
	dst->overruns += src->overruns;
	if (src->n && src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

/* The smallest value at or above pct percent of the samples, given as the
 * upper edge of its bucket (so a p99 reported is never below the true one),
 * clamped into [min, max] so that min <= p50 <= p99 <= max always holds. */
uint32_t stats_percentile(const struct stats *s, unsigned pct)
{
	if (!s->n)
		return 0;
	uint64_t rank = ((uint64_t)s->n * pct + 99) / 100, seen = 0;
	if (!rank)
		rank = 1;
	for (unsigned k = 0; k < NBUCKETS; k++) {
		seen += s->bucket[k];
		if (seen >= rank) {
			uint32_t edge = (k + 1) * BUCKET_NS;
			return edge < s->min ? s->min : edge > s->max ? s->max : edge;
		}
	}
	return s->max;  /* in the overflow bucket: the one exact value there is */
}

/* "n=N lat_ns min=.. p50=.. p99=.. max=.. overruns=..": the figures the
 * per-second and the final lines share (the test parses them by key). */
void stats_print(const struct stats *s)
{
	kprintf("n=%lu lat_ns min=%lu p50=%lu p99=%lu max=%lu overruns=%lu", (unsigned long)s->n,
		(unsigned long)(s->n ? s->min : 0), (unsigned long)stats_percentile(s, 50),
		(unsigned long)stats_percentile(s, 99), (unsigned long)s->max, (unsigned long)s->overruns);
}
