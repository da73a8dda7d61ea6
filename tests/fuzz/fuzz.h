/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_FUZZ_H
#define VSW_FUZZ_H

/*
 * What every libFuzzer target shares: a cursor that reads the input as a
 * stream of little-endian fields, and the invariant check.
 *
 * The cursor never fails: past the end of the input every field reads as
 * zero, so any input decodes into some run and the fuzzer never wastes an
 * execution on a parse error of the harness itself. Targets that need a
 * field to mean "stop" test fz_left() first.
 *
 * FZ_CHECK() is for promises the code under test makes (an mbuf chain's
 * length adds up, every mbuf comes back, a ring never returns more than
 * was offered). A broken promise is a finding: it prints the condition
 * and aborts, which libFuzzer reports as a crash with its input saved.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, \
			__LINE__, #cond); \
		abort(); \
	} \
} while (0)

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline size_t
fz_left(const struct fz *f)
{
	return f->n;
}

/* Copy up to @p n bytes of input to @p dst, zero the rest. @return copied. */
static inline size_t
fz_bytes(struct fz *f, void *dst, size_t n)
{
	size_t k = n < f->n ? n : f->n;

	memcpy(dst, f->p, k);
	memset((uint8_t *)dst + k, 0, n - k);
	f->p += k;
	f->n -= k;
	return k;
}

/* The next @p n bytes of input in place (fewer at the end): no copy. */
static inline const uint8_t *
fz_take(struct fz *f, size_t *n)
{
	const uint8_t *p = f->p;

	if (*n > f->n)
		*n = f->n;
	f->p += *n;
	f->n -= *n;
	return p;
}

static inline uint8_t
fz_u8(struct fz *f)
{
	uint8_t v;

	fz_bytes(f, &v, sizeof(v));
	return v;
}

static inline uint16_t
fz_u16(struct fz *f)
{
	uint8_t b[2];

	fz_bytes(f, b, sizeof(b));
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t
fz_u32(struct fz *f)
{
	uint32_t lo = fz_u16(f);

	return lo | (uint32_t)fz_u16(f) << 16;
}

static inline uint64_t
fz_u64(struct fz *f)
{
	uint64_t lo = fz_u32(f);

	return lo | (uint64_t)fz_u32(f) << 32;
}

#endif /* VSW_FUZZ_H */
