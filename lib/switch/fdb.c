/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FDB: data-path entry points (the walkers are in fdb_priv.h) and the
 * control thread's removal, ageing, grace periods and dump.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>

#include "fdb_priv.h"
#include "vsw_fdb.h"

/* A secret hash seed: getrandom, else the TSC mixed with rte_rand. */
static uint64_t
random_seed(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s) || s == 0)
		s = rte_rand() ^ rte_rdtsc();
	return s;
}

struct vsw_fdb *
vsw_fdb_create(const struct vsw_fdb_conf *conf)
{
	struct vsw_fdb *fdb;
	uint32_t nb;

	if (conf == NULL || conf->name == NULL || conf->max_entries == 0 ||
	    conf->max_entries > VSW_FDB_MAX_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	/* Geometry: see fdb_priv.h. */
	nb = rte_align32pow2(conf->max_entries * FDB_SLOTS_PER_ENTRY /
			     FDB_BUCKET_SLOTS);
	nb = RTE_MAX(nb, 2u);
	fdb = rte_zmalloc_socket(conf->name,
				 sizeof(*fdb) + (size_t)nb * sizeof(fdb->bucket[0]),
				 RTE_CACHE_LINE_SIZE, conf->socket_id);
	if (fdb == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	fdb->mask = nb - 1;
	fdb->max_entries = conf->max_entries;
	fdb->seed = conf->seed != 0 ? conf->seed : random_seed();
	fdb->qsbr = conf->qsbr;
	fdb->aging_sec = conf->aging_sec;
	return fdb;
}

void
vsw_fdb_free(struct vsw_fdb *fdb)
{
	rte_free(fdb);
}

int
vsw_fdb_lookup(const struct vsw_fdb *fdb, uint64_t key)
{
	return fdb_lookup(fdb, key);
}

void
vsw_fdb_prefetch(const struct vsw_fdb *fdb, uint64_t key)
{
	struct fdb_bucket *b[2];

	fdb_buckets(fdb, key, b);
	rte_prefetch0(b[0]);
	rte_prefetch0(b[1]);
}

enum vsw_fdb_learn
vsw_fdb_learn(struct vsw_fdb *fdb, uint64_t key, uint16_t port, uint32_t now)
{
	return fdb_learn(fdb, key, port, now);
}

/* --- control thread --- */

static void
ctl_add(uint32_t *counter, int delta)
{
	/* Relaxed: vsw_fdb_info() may read it from another thread. */
	__atomic_store_n(counter, *counter + (uint32_t)delta, __ATOMIC_RELAXED);
}

/* Make a dead (or, without qsbr, removed) slot free. */
static void
free_slot(struct fdb_slot *s)
{
	/* The value first, then the key with release: pairs with the
	 * acquire of the next inserter's key CAS, whose value CAS then
	 * finds this 0 and never has it overwritten. */
	__atomic_store_n(&s->val, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->key, 0, __ATOMIC_RELEASE);
}

/*
 * Remove the entry of @p s if its value is still @p *v (live or
 * inserting). On failure *v is the value there now, for the caller to
 * judge again: a learner's refresh is never overwritten blindly.
 */
static bool
kill_slot(struct vsw_fdb *fdb, struct fdb_slot *s, uint64_t *v)
{
	uint64_t dead = FDB_V_SET | FDB_V_DEAD | fdb->epoch;

	/* Relaxed: the only thing published is the death itself, and
	 * start_grace()'s rte_rcu_qsbr_start() (release) orders it and the
	 * tomb store below before the token the readers acquire. */
	if (!__atomic_compare_exchange_n(&s->val, v, dead, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return false;
	if (*v & FDB_V_STATIC)
		ctl_add(&fdb->statics, -1);
	__atomic_fetch_sub(&fdb->entries, 1, __ATOMIC_RELAXED);
	if (fdb->qsbr == NULL) {
		free_slot(s); /* no concurrent readers by contract */
		return true;
	}
	/* Unlink: a reader starting after this can no longer match the key,
	 * so the grace period that starts next covers every reader that
	 * can. */
	__atomic_store_n(&s->key, FDB_KEY_TOMB, __ATOMIC_RELAXED);
	ctl_add(&fdb->dead, 1);
	return true;
}

/* Remove @p s whatever its live or inserting value @p v becomes. */
static void
kill_any(struct vsw_fdb *fdb, struct fdb_slot *s, uint64_t v)
{
	while (!(v & FDB_V_DEAD) && !kill_slot(fdb, s, &v))
		;
}

/* Start a grace period for the dead slots, unless one is under way. */
static void
start_grace(struct vsw_fdb *fdb)
{
	if (fdb->gp_pending || fdb->dead == 0)
		return;
	/* rte_rcu_qsbr_start() is a release RMW of the token: it orders
	 * our value CASes and tomb stores before it, and pairs with the
	 * token's acquire in the readers' rte_rcu_qsbr_quiescent(). */
	fdb->gp_token = rte_rcu_qsbr_start(fdb->qsbr);
	fdb->gp_epoch = fdb->epoch++;
	fdb->gp_pending = true;
}

/* Whether the grace period under way, if any, has passed. Never waits. */
static bool
grace_passed(const struct vsw_fdb *fdb)
{
	/* rte_rcu_qsbr_check() acquires each reader's counter, pairing
	 * with the release in its rte_rcu_qsbr_quiescent(): the readers'
	 * loads of the dead slots happen before we free them. */
	return fdb->gp_pending &&
	       rte_rcu_qsbr_check(fdb->qsbr, fdb->gp_token, false) == 1;
}

/* Make a live or inserting candidate of @p key static on @p nv's port and
 * remove the other candidates of @p key. @return whether one was found. */
static bool
claim_static(struct vsw_fdb *fdb, uint64_t key, uint64_t nv)
{
	struct fdb_bucket *b[2];
	bool claimed = false;

	fdb_buckets(fdb, key, b);
	for (unsigned int i = 0; i < FDB_CANDIDATES; i++) {
		struct fdb_slot *s = fdb_cand(b, i);
		uint64_t v;

		if (__atomic_load_n(&s->key, __ATOMIC_ACQUIRE) != key)
			continue;
		v = __atomic_load_n(&s->val, __ATOMIC_ACQUIRE);
		if (v & FDB_V_DEAD) /* not seen: we tomb it at once */
			continue;
		if (claimed) {
			kill_any(fdb, s, v);
			continue;
		}
		/* Learners only move a value forward (0 -> live -> live),
		 * never to dead: retry until ours is in. Release pairs with
		 * the readers' acquire of the value. */
		while (!__atomic_compare_exchange_n(&s->val, &v, nv, false,
						    __ATOMIC_RELEASE,
						    __ATOMIC_ACQUIRE))
			;
		if (!(v & FDB_V_STATIC))
			ctl_add(&fdb->statics, 1);
		claimed = true;
	}
	return claimed;
}

/* Insert a static entry in the first empty candidate: 0, -ENOSPC, or
 * FDB_RETRY when a learner took that slot first. */
static int
insert_static(struct vsw_fdb *fdb, uint64_t key, uint64_t nv)
{
	struct fdb_bucket *b[2];
	struct fdb_slot *s = NULL;
	uint64_t k = 0;

	fdb_buckets(fdb, key, b);
	for (unsigned int i = 0; i < FDB_CANDIDATES && s == NULL; i++)
		if (__atomic_load_n(&fdb_cand(b, i)->key, __ATOMIC_RELAXED) == 0)
			s = fdb_cand(b, i);
	if (s == NULL || !fdb_reserve(fdb))
		return -ENOSPC;
	/* As in fdb_insert(). */
	if (!__atomic_compare_exchange_n(&s->key, &k, key, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		fdb_unreserve(fdb);
		return FDB_RETRY;
	}
	/* A store: no learner writes the value of a slot whose key CAS it
	 * lost. Release pairs with the readers' acquire of the value. */
	__atomic_store_n(&s->val, nv, __ATOMIC_RELEASE);
	ctl_add(&fdb->statics, 1);
	return 0;
}

int
vsw_fdb_add_static(struct vsw_fdb *fdb, uint64_t key, uint16_t port)
{
	uint64_t nv = fdb_val(port, 0) | FDB_V_STATIC;
	int rc = -ENOSPC;

	if (!(key & FDB_KEY_BIT))
		return -EINVAL;
	for (unsigned int t = 0; t < FDB_INSERT_TRIES; t++) {
		if (claim_static(fdb, key, nv)) {
			rc = 0;
			break;
		}
		rc = insert_static(fdb, key, nv);
		if (rc != FDB_RETRY)
			break;
		rc = -ENOSPC;
	}
	start_grace(fdb);
	return rc;
}

int
vsw_fdb_del(struct vsw_fdb *fdb, uint64_t key)
{
	struct fdb_bucket *b[2];
	unsigned int n = 0;

	if (!(key & FDB_KEY_BIT))
		return -ENOENT;
	fdb_buckets(fdb, key, b);
	for (unsigned int i = 0; i < FDB_CANDIDATES; i++) {
		struct fdb_slot *s = fdb_cand(b, i);
		uint64_t v;

		if (__atomic_load_n(&s->key, __ATOMIC_ACQUIRE) != key)
			continue;
		v = __atomic_load_n(&s->val, __ATOMIC_ACQUIRE);
		/* An inserting slot (0) is left: the delete came first. */
		while (fdb_live(v))
			if (kill_slot(fdb, s, &v)) {
				n++;
				break;
			}
	}
	start_grace(fdb);
	return n > 0 ? 0 : -ENOENT;
}

static bool
flush_match(uint64_t v, int port, bool statics)
{
	return fdb_live(v) &&
	       (port == VSW_FDB_NO_PORT || fdb_port(v) == port) &&
	       (statics || !(v & FDB_V_STATIC));
}

unsigned int
vsw_fdb_flush(struct vsw_fdb *fdb, int port, bool statics)
{
	unsigned int n = 0;

	for (uint32_t bi = 0; bi <= fdb->mask; bi++) {
		for (unsigned int j = 0; j < FDB_BUCKET_SLOTS; j++) {
			struct fdb_slot *s = &fdb->bucket[bi].slot[j];
			uint64_t k = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
			uint64_t v;

			if (k == 0 || k == FDB_KEY_TOMB)
				continue;
			v = __atomic_load_n(&s->val, __ATOMIC_ACQUIRE);
			/* A learner may move it off (or onto) @p port
			 * meanwhile: judge the value the CAS saw. */
			while (flush_match(v, port, statics))
				if (kill_slot(fdb, s, &v)) {
					n++;
					break;
				}
		}
	}
	start_grace(fdb);
	return n;
}

/*
 * Whether live slot @p s (key @p key, value @p v) duplicates another live
 * candidate of its key: one of the same kind before it in scan order, or a
 * static one when @p s is learned. Lookups and learners use the first
 * live candidate, so the other would only go stale; a static one wins.
 */
static bool
is_duplicate(const struct vsw_fdb *fdb, const struct fdb_slot *s,
	     uint64_t key, uint64_t v)
{
	struct fdb_bucket *b[2];
	unsigned int n = FDB_CANDIDATES;
	bool before = true;

	fdb_buckets(fdb, key, b);
	/* Without statics, a duplicate of an entry of the first bucket can
	 * only be before it in that bucket: spare the second line. */
	if (fdb->statics == 0 && (const void *)s >= (const void *)b[0] &&
	    (const void *)s < (const void *)(b[0] + 1))
		n = FDB_BUCKET_SLOTS;
	for (unsigned int i = 0; i < n; i++) {
		const struct fdb_slot *o = fdb_cand(b, i);
		uint64_t ov;

		if (o == s) {
			before = false;
			continue;
		}
		if (__atomic_load_n(&o->key, __ATOMIC_ACQUIRE) != key)
			continue;
		ov = __atomic_load_n(&o->val, __ATOMIC_ACQUIRE);
		if (!fdb_live(ov))
			continue;
		if ((ov ^ v) & FDB_V_STATIC) {
			if (ov & FDB_V_STATIC)
				return true;
			continue;
		}
		if (before)
			return true;
	}
	return false;
}

static bool
expired(uint64_t v, uint32_t now, uint32_t aging_sec)
{
	uint32_t d = now - fdb_last(v);

	return fdb_live(v) && !(v & FDB_V_STATIC) && aging_sec != 0 &&
	       (int32_t)d >= 0 && d >= aging_sec;
}

/* Age one slot: free it, remove it as a duplicate or as expired.
 * @return 1 if it expired. */
static unsigned int
age_slot(struct vsw_fdb *fdb, struct fdb_slot *s, uint32_t now,
	 uint32_t aging_sec, bool reclaim)
{
	uint64_t k = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
	uint64_t v;

	if (k == 0)
		return 0;
	v = __atomic_load_n(&s->val, __ATOMIC_ACQUIRE);
	if (k == FDB_KEY_TOMB) {
		/* Dead before the grace period that has passed started. */
		if (reclaim && !fdb_after(fdb_last(v), fdb->gp_epoch)) {
			free_slot(s);
			ctl_add(&fdb->dead, -1);
		}
		return 0;
	}
	if (!fdb_live(v)) /* inserting: next time */
		return 0;
	if (is_duplicate(fdb, s, k, v)) {
		kill_any(fdb, s, v);
		return 0;
	}
	/* A learner's refresh makes the CAS fail: judge the new value. */
	while (expired(v, now, aging_sec))
		if (kill_slot(fdb, s, &v))
			return 1;
	return 0;
}

unsigned int
vsw_fdb_age(struct vsw_fdb *fdb, uint32_t now)
{
	uint32_t aging_sec = __atomic_load_n(&fdb->aging_sec, __ATOMIC_RELAXED);
	bool reclaim = grace_passed(fdb);
	unsigned int n = 0;

	for (uint32_t bi = 0; bi <= fdb->mask; bi++)
		for (unsigned int j = 0; j < FDB_BUCKET_SLOTS; j++)
			n += age_slot(fdb, &fdb->bucket[bi].slot[j], now,
				      aging_sec, reclaim);
	if (reclaim)
		fdb->gp_pending = false;
	start_grace(fdb);
	return n;
}

void
vsw_fdb_set_aging(struct vsw_fdb *fdb, uint32_t aging_sec)
{
	__atomic_store_n(&fdb->aging_sec, aging_sec, __ATOMIC_RELAXED);
}

static void
entry_fill(struct vsw_fdb_entry *e, uint64_t key, uint64_t v, uint32_t now)
{
	e->key = key;
	e->port = fdb_port(v);
	e->is_static = (v & FDB_V_STATIC) != 0;
	e->age = e->is_static || !fdb_after(now, fdb_last(v)) ?
		 0 : now - fdb_last(v);
}

/* Restore the max-heap (on key) @p h of @p n entries below @p i. */
static void
heap_down(struct vsw_fdb_entry *h, unsigned int n, unsigned int i)
{
	for (;;) {
		unsigned int c = 2 * i + 1, m = i;
		struct vsw_fdb_entry t;

		if (c < n && h[c].key > h[m].key)
			m = c;
		if (c + 1 < n && h[c + 1].key > h[m].key)
			m = c + 1;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static int
entry_cmp(const void *a, const void *b)
{
	uint64_t ka = ((const struct vsw_fdb_entry *)a)->key;
	uint64_t kb = ((const struct vsw_fdb_entry *)b)->key;

	return ka < kb ? -1 : ka > kb;
}

/* Drop duplicates from sorted @p e (a static one wins). @return count. */
static unsigned int
entry_dedup(struct vsw_fdb_entry *e, unsigned int n)
{
	unsigned int m = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (m > 0 && e[m - 1].key == e[i].key) {
			if (e[i].is_static)
				e[m - 1] = e[i];
			continue;
		}
		e[m++] = e[i];
	}
	return m;
}

/*
 * The key orders VLAN then MAC (vsw_fdb_key()): keep the @p max smallest
 * keys in a max-heap, then sort them.
 */
unsigned int
vsw_fdb_dump(const struct vsw_fdb *fdb, struct vsw_fdb_entry *out,
	     unsigned int max, uint32_t now)
{
	unsigned int n = 0;

	if (max == 0)
		return 0;
	for (uint32_t bi = 0; bi <= fdb->mask; bi++) {
		for (unsigned int j = 0; j < FDB_BUCKET_SLOTS; j++) {
			const struct fdb_slot *s = &fdb->bucket[bi].slot[j];
			uint64_t k = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
			uint64_t v;

			if (k == 0 || k == FDB_KEY_TOMB)
				continue;
			v = __atomic_load_n(&s->val, __ATOMIC_ACQUIRE);
			if (!fdb_live(v))
				continue;
			if (n < max) {
				entry_fill(&out[n++], k, v, now);
				for (unsigned int i = n == max ? max / 2 : 0;
				     i-- > 0;)
					heap_down(out, max, i);
			} else if (k < out[0].key) {
				entry_fill(&out[0], k, v, now);
				heap_down(out, max, 0);
			}
		}
	}
	qsort(out, n, sizeof(*out), entry_cmp);
	return entry_dedup(out, n);
}

void
vsw_fdb_info(const struct vsw_fdb *fdb, struct vsw_fdb_info *info)
{
	info->entries = __atomic_load_n(&fdb->entries, __ATOMIC_RELAXED);
	info->statics = __atomic_load_n(&fdb->statics, __ATOMIC_RELAXED);
	info->max_entries = fdb->max_entries;
	info->aging_sec = __atomic_load_n(&fdb->aging_sec, __ATOMIC_RELAXED);
	info->capacity = (fdb->mask + 1) * FDB_BUCKET_SLOTS;
	info->dead = __atomic_load_n(&fdb->dead, __ATOMIC_RELAXED);
}
