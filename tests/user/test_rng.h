/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seeded generator of the in-VM fuzzers (hcl-uapi-fuzz, hcl-hostile):
 * xorshift64*, one stream per (seed, a, b), so that a printed seed
 * replays every random choice.
 */
#ifndef HCL_TEST_RNG_H
#define HCL_TEST_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s;
};

static inline uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

/* uniform in [0, @n), 0 for n = 0 */
static inline uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

/* true with probability 1/@n */
static inline int one_in(struct rng *r, uint32_t n)
{
	return below(r, n) == 0;
}

/* the stream of (@seed, @a, @b): epochs and threads each get their own */
static inline void rng_init(struct rng *r, uint64_t seed, uint64_t a,
			    uint64_t b)
{
	r->s = seed * 0x9e3779b97f4a7c15ULL + a * 0xbf58476d1ce4e5b9ULL +
	       b * 0x94d049bb133111ebULL + 1;
	for (int i = 0; i < 8; i++)
		rnd(r);
}

#endif /* HCL_TEST_RNG_H */
