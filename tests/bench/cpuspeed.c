/*
 * cpuspeed: how fast the CPU it runs on is, slice by slice, for the bench.
 *
 *   cpuspeed SECONDS
 *
 * Spins a fixed loop and counts how many rounds fit in each 50 ms slice,
 * for SECONDS seconds, then prints one line:
 *   slices=N best=B median=M slow=S
 * where B is the best slice's count, M the median, and S how many slices
 * ran below 0.7 of the best (a CPU whose host shares it: on the
 * development machine each CPU ran at full or half speed in spells of
 * 0.3 to 3 s). Run it pinned (taskset) to learn one CPU. Exit 2 on a bad
 * argument.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SLICE_NS 50000000ull
#define SLICES_MAX 1200 /* 60 s */
#define ROUND_LEN 10000

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* One round of work the compiler cannot drop. */
static void spin_round(volatile uint64_t *sink)
{
	for (unsigned i = 0; i < ROUND_LEN; i++)
		*sink += i;
}

int main(int argc, char **argv)
{
	static uint64_t count[SLICES_MAX];
	volatile uint64_t sink = 0;
	unsigned slices, slow = 0;
	uint64_t next, best = 0;
	char *end;
	long secs = argc == 2 ? strtol(argv[1], &end, 10) : 0;

	if (argc != 2 || *end || secs < 1 ||
	    secs > (long)(SLICES_MAX * SLICE_NS / 1000000000ull)) {
		fprintf(stderr, "usage: cpuspeed SECONDS (1 to %llu)\n",
			SLICES_MAX * SLICE_NS / 1000000000ull);
		return 2;
	}
	slices = (unsigned)(secs * 1000000000ull / SLICE_NS);
	next = mono_ns() + SLICE_NS;
	for (unsigned s = 0; s < slices; s++) {
		while (mono_ns() < next) {
			spin_round(&sink);
			count[s]++;
		}
		next += SLICE_NS;
		if (count[s] > best)
			best = count[s];
	}
	for (unsigned s = 0; s < slices; s++)
		slow += count[s] * 10 < best * 7;
	qsort(count, slices, sizeof count[0], by_value);
	printf("slices=%u best=%llu median=%llu slow=%u\n", slices,
	       (unsigned long long)best,
	       (unsigned long long)count[(slices - 1) / 2], slow);
	return 0;
}
