/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_FDB_PRIV_H
#define VSW_FDB_PRIV_H

/*
 * FDB internals: slot and value encoding, the hash, and the always-inline
 * data-path walkers that fdb.c exports. Not installed; tests include it to
 * audit slot states.
 *
 * Geometry
 * --------
 * A bucket is one cache line of four 16-byte slots. A key has two
 * candidate buckets, c0 = h & mask and c1 = (h >> 32) & mask (forced to
 * differ), and its eight candidate slots are scanned in one fixed order:
 * c0's four, then c1's. Insertion takes the first empty candidate in that
 * order (first fit, not least loaded). The fixed order is what keeps two
 * learners of one new key from inserting it twice: they see the same
 * first empty slot and one of them loses the key CAS (fdb_insert()). It
 * also puts most entries in c0, so most hits read one cache line; none
 * reads more than two.
 *
 * There are 4 slots per max entry (buckets = max_entries rounded up to a
 * power of two, at least 2), so the table is at most 25% full of live
 * entries. First fit over 2 x 4 slots at 25% load fails about 1 insert in
 * 20 000 for lack of a free candidate (simulated, and measured by
 * test_fdb's test_fill_random); at 50% load (2 slots per entry) it would
 * fail about 1 in 270, too many, and least-loaded placement, which would
 * manage with 2x, has no fixed order. The headroom also absorbs dead slots
 * waiting for their grace period. Cost: 64 bytes per max entry, 512 KiB
 * for VSW_FDB_DEFAULT_MAX, 64 MiB for VSW_FDB_MAX_MAX.
 *
 * Hash
 * ----
 * fdb_hash() is the splitmix64 finalizer (two multiplies, three
 * xor-shifts) of the key xor a per-table random seed (getrandom at
 * create): every output bit depends on every key bit, about a dozen
 * cycles of latency, no table and no CPU-feature dispatch. The seed is
 * what keeps a guest from choosing, offline, MACs that all land in a
 * victim's two buckets and push its entry out (its traffic would then
 * flood). The finalizer is not a PRF, but without the seed there is no
 * known way to aim at a bucket. Its two 32-bit
 * halves give the two bucket indexes independently. A CRC
 * (rte_hash_crc_8byte) is as fast with SSE4.2 but is linear over GF(2):
 * the CRCs of a key under two seeds differ by a constant, so the second
 * bucket would be the first xor a constant and two-choice would collapse
 * into fixed bucket pairs, and MACs that differ in the same bits
 * (sequential NICs of one vendor) collide together.
 *
 * Slot states (key, value)
 * ------------------------
 *   free       (0, 0)
 *   inserting  (K, 0)             a learner won the key CAS; value next
 *   live       (K, SET|[STATIC]|port|last-seen)
 *   dead       (FDB_KEY_TOMB, SET|DEAD|epoch)   waits for a grace period
 *              ((K, SET|DEAD|epoch) for the instant before the tomb store:
 *              readers and learners take it as a miss and scan on)
 *
 *   free --key CAS (learner/static add)--> inserting --value CAS--> live
 *   live --value CAS (refresh, move, static add)--> live
 *   inserting/live --value CAS to DEAD, key := tomb (control)--> dead
 *   dead --grace period passed (age): value := 0, key := 0--> free
 *
 * Only the control thread makes a slot dead or free; learners only CAS a
 * key from 0 and a value they have read. A slot with a real key counts one
 * in fdb->entries from the key CAS (reserved just before it) until the
 * value CAS that makes it dead, whoever does either.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "vsw_fdb.h"

#define FDB_BUCKET_SLOTS 4
#define FDB_CANDIDATES (2 * FDB_BUCKET_SLOTS)
#define FDB_SLOTS_PER_ENTRY 4
/* Bounds fdb_learn()'s rescans after losing a key CAS to another key. */
#define FDB_INSERT_TRIES FDB_CANDIDATES

/* Set in every key vsw_fdb_key() makes. */
#define FDB_KEY_BIT (1ull << 63)
/* The key of a dead slot: bit 63 clear, so vsw_fdb_key() never makes it. */
#define FDB_KEY_TOMB 1ull

#define FDB_V_SET    (1ull << 63) /* any published value: never 0 */
#define FDB_V_DEAD   (1ull << 62)
#define FDB_V_STATIC (1ull << 61)
#define FDB_V_PORT_SHIFT 32       /* bits 32..47 */
/* bits 0..31: last-seen second (live), or the epoch it died in (dead) */

struct fdb_slot {
	uint64_t key;
	uint64_t val;
};

struct fdb_bucket {
	struct fdb_slot slot[FDB_BUCKET_SLOTS];
} __rte_cache_aligned;

_Static_assert(sizeof(struct fdb_bucket) == RTE_CACHE_LINE_SIZE,
	       "a bucket is one cache line");

struct vsw_fdb {
	/* Read by every data-path call, written only by vsw_fdb_create(). */
	uint32_t mask;                /* buckets - 1 */
	uint32_t max_entries;
	uint64_t seed;                /* hash key, see Hash above */
	struct rte_rcu_qsbr *qsbr;

	/* Written by learners inserting and by the control thread removing:
	 * its own line, so that inserts do not evict the line above. */
	uint32_t entries __rte_cache_aligned;

	/* Control thread; vsw_fdb_info() reads them relaxed. */
	uint32_t statics __rte_cache_aligned;
	uint32_t dead;
	uint32_t aging_sec;
	uint32_t epoch;               /* stamped into values made dead now */
	uint32_t gp_epoch;            /* deaths up to this one wait for gp_token */
	bool gp_pending;
	uint64_t gp_token;

	struct fdb_bucket bucket[];
};

static __rte_always_inline bool
fdb_live(uint64_t v)
{
	return (v & (FDB_V_SET | FDB_V_DEAD)) == FDB_V_SET;
}

static __rte_always_inline uint16_t
fdb_port(uint64_t v)
{
	return (uint16_t)(v >> FDB_V_PORT_SHIFT);
}

static __rte_always_inline uint32_t
fdb_last(uint64_t v)
{
	return (uint32_t)v;
}

static __rte_always_inline uint64_t
fdb_val(uint16_t port, uint32_t last)
{
	return FDB_V_SET | (uint64_t)port << FDB_V_PORT_SHIFT | last;
}

/* Whether second @p a is after @p b (wrap-safe). */
static __rte_always_inline bool
fdb_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static __rte_always_inline uint64_t
fdb_hash(uint64_t key, uint64_t seed)
{
	key ^= seed;
	key ^= key >> 30;
	key *= 0xbf58476d1ce4e5b9ull;
	key ^= key >> 27;
	key *= 0x94d049bb133111ebull;
	key ^= key >> 31;
	return key;
}

/*
 * The two candidate buckets of @p key, in scan order. Not const: learners
 * write through them; vsw_fdb_lookup() only reads.
 */
static __rte_always_inline void
fdb_buckets(const struct vsw_fdb *fdb, uint64_t key, struct fdb_bucket *b[2])
{
	struct fdb_bucket *base = (struct fdb_bucket *)(uintptr_t)fdb->bucket;
	uint64_t h = fdb_hash(key, fdb->seed);
	uint32_t c0 = (uint32_t)h & fdb->mask;
	uint32_t c1 = (uint32_t)(h >> 32) & fdb->mask;

	c1 ^= (uint32_t)(c1 == c0); /* mask >= 1: two distinct lines */
	b[0] = &base[c0];
	b[1] = &base[c1];
}

/* Candidate @p i (0..FDB_CANDIDATES-1) of the buckets @p b. */
static __rte_always_inline struct fdb_slot *
fdb_cand(struct fdb_bucket *b[2], unsigned int i)
{
	return &b[i / FDB_BUCKET_SLOTS]->slot[i % FDB_BUCKET_SLOTS];
}

/* fdb_lookup() with the buckets of @p key already found (fdb_buckets()). */
static __rte_always_inline int
fdb_lookup_b(uint64_t key, struct fdb_bucket *b[2])
{
	for (unsigned int i = 0; i < FDB_CANDIDATES; i++) {
		const struct fdb_slot *s = fdb_cand(b, i);
		uint64_t v;

		/* Acquire pairs with the inserter's key CAS (release): the
		 * value read next is at least the 0 the slot was freed
		 * with, never a previous entry's. */
		if (__atomic_load_n(&s->key, __ATOMIC_ACQUIRE) != key)
			continue;
		/* Acquire pairs with the value CAS (release) of the inserter
		 * or refresher. 0 (inserting) and dead are misses; a dead
		 * slot may be a later candidate's duplicate, so go on. */
		v = __atomic_load_n(&s->val, __ATOMIC_ACQUIRE);
		if (fdb_live(v))
			return fdb_port(v);
	}
	return VSW_FDB_NO_PORT;
}

static __rte_always_inline int
fdb_lookup(const struct vsw_fdb *fdb, uint64_t key)
{
	struct fdb_bucket *b[2];

	fdb_buckets(fdb, key, b);
	return fdb_lookup_b(key, b);
}

/*
 * Reserve one of max_entries for an insert. The relaxed load first makes
 * a MAC flood at the limit cost no atomic RMW; the CAS (not an increment
 * undone on overflow) keeps entries <= max_entries at every instant, so
 * vsw_fdb_info() never reports more. Relaxed: the count publishes nothing.
 */
static __rte_always_inline bool
fdb_reserve(struct vsw_fdb *fdb)
{
	uint32_t n = __atomic_load_n(&fdb->entries, __ATOMIC_RELAXED);

	do {
		if (n >= fdb->max_entries)
			return false;
	} while (!__atomic_compare_exchange_n(&fdb->entries, &n, n + 1, true,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

static __rte_always_inline void
fdb_unreserve(struct vsw_fdb *fdb)
{
	__atomic_fetch_sub(&fdb->entries, 1, __ATOMIC_RELAXED);
}

/*
 * Learn on a live slot whose value was read as @p v. Writes only when the
 * port changed or the last-seen second is older than @p now: a hot source
 * costs one store a second, and its line stays shared between cores.
 */
static __rte_always_inline enum vsw_fdb_learn
fdb_refresh(struct fdb_slot *s, uint64_t v, uint16_t port, uint32_t now)
{
	for (;;) {
		bool same = fdb_port(v) == port;
		uint32_t last = fdb_last(v);
		uint64_t nv;

		/* Removed by the control thread since we read it: as if we
		 * learned just before the removal. */
		if (unlikely(!fdb_live(v)))
			return VSW_FDB_KNOWN;
		if (v & FDB_V_STATIC)
			return same ? VSW_FDB_KNOWN : VSW_FDB_STATIC;
		if (likely(same && !fdb_after(now, last)))
			return VSW_FDB_KNOWN;
		nv = fdb_val(port, fdb_after(now, last) ? now : last);
		/* Release pairs with the readers' acquire of the value; on
		 * failure v is the newer value, judged again. */
		if (__atomic_compare_exchange_n(&s->val, &v, nv, false,
						__ATOMIC_RELEASE,
						__ATOMIC_ACQUIRE))
			return same ? VSW_FDB_KNOWN : VSW_FDB_MOVED;
	}
}

#define FDB_RETRY (-1)

/*
 * Insert @p key with value @p nv into @p s, seen empty. Returns the outcome,
 * or FDB_RETRY when another key took the slot first.
 */
static __rte_always_inline int
fdb_insert(struct vsw_fdb *fdb, struct fdb_slot *s, uint64_t key, uint64_t nv)
{
	uint64_t k = 0, v = 0;

	if (!fdb_reserve(fdb))
		return VSW_FDB_FULL;
	/* Acquire pairs with the release that freed the slot (key := 0
	 * after value := 0), so our value CAS below is ordered after that
	 * 0; release pairs with readers' acquire of the key. */
	if (!__atomic_compare_exchange_n(&s->key, &k, key, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		fdb_unreserve(fdb);
		/* The same key: another learner got there first, leave it
		 * to it. */
		return k == key ? VSW_FDB_KNOWN : FDB_RETRY;
	}
	/* Release pairs with the readers' acquire of the value. A CAS, not
	 * a store: the control thread may have claimed the inserting slot
	 * (static add, or duplicate removal); our reservation stays with the
	 * slot either way. */
	if (__atomic_compare_exchange_n(&s->val, &v, nv, false,
					__ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return VSW_FDB_NEW;
	if ((v & FDB_V_STATIC) && fdb_port(v) != fdb_port(nv))
		return VSW_FDB_STATIC;
	return VSW_FDB_KNOWN;
}

/* fdb_learn() with the buckets of @p key already found (fdb_buckets()). */
static __rte_always_inline enum vsw_fdb_learn
fdb_learn_b(struct vsw_fdb *fdb, uint64_t key, uint16_t port, uint32_t now,
	    struct fdb_bucket *b[2])
{
	/* Not from vsw_fdb_key() (0, or the tomb): never inserted. */
	if (unlikely(!(key & FDB_KEY_BIT)))
		return VSW_FDB_FULL;
	for (unsigned int t = 0; t < FDB_INSERT_TRIES; t++) {
		struct fdb_slot *empty = NULL;
		int rc;

		for (unsigned int i = 0; i < FDB_CANDIDATES; i++) {
			struct fdb_slot *s = fdb_cand(b, i);
			/* Acquire: as in fdb_lookup(). */
			uint64_t k = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
			uint64_t v;

			if (k == 0 && empty == NULL)
				empty = s;
			if (k != key)
				continue;
			v = __atomic_load_n(&s->val, __ATOMIC_ACQUIRE);
			if (v == 0) /* another learner is inserting it */
				return VSW_FDB_KNOWN;
			if (likely(fdb_live(v)))
				return fdb_refresh(s, v, port, now);
		}
		if (empty == NULL)
			return VSW_FDB_FULL;
		rc = fdb_insert(fdb, empty, key, fdb_val(port, now));
		if (rc != FDB_RETRY)
			return (enum vsw_fdb_learn)rc;
	}
	return VSW_FDB_FULL;
}

static __rte_always_inline enum vsw_fdb_learn
fdb_learn(struct vsw_fdb *fdb, uint64_t key, uint16_t port, uint32_t now)
{
	struct fdb_bucket *b[2];

	fdb_buckets(fdb, key, b);
	return fdb_learn_b(fdb, key, port, now, b);
}

#endif /* VSW_FDB_PRIV_H */
