/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_FDB_H
#define VSW_FDB_H

/**
 * @file
 * Forwarding database of one L2 bridge: (MAC, VLAN) -> port id.
 *
 * Introduction
 * ------------
 * PMD threads look destinations up and learn sources concurrently, without
 * a lock; the control thread ages entries out, adds and deletes static
 * ones and flushes a port's entries. VLANs are learned independently
 * (IVL): the key is the MAC and the VLAN together.
 *
 * Details
 * -------
 * The table is open addressing over cache-line buckets; a key has a fixed
 * set of candidate slots (at most two cache lines) and a lookup scans all
 * of them, never stopping early at an empty slot, so a slot can be
 * emptied without probe-chain tombstones (the tombstone key below only
 * marks a removed slot until its grace period has passed). The geometry
 * and hash are described in fdb_priv.h, the protocol in
 * docs/guides/fdb.md.
 *
 * - A slot is a 64-bit key and a 64-bit value. Key 0 is an empty slot;
 *   vsw_fdb_key() always sets bit 63. The value holds the port id, the
 *   last-seen second, and flags (static; dead).
 * - Insert (learn or static add): reserve one of max_entries, then
 *   compare-and-swap the key of the first empty candidate slot from 0
 *   (candidates are scanned in one fixed order), then publish the value
 *   with a release compare-and-swap from 0: the control thread may claim
 *   an inserting slot for a static entry. A reader that sees the key
 *   before its value treats it as a miss, and a second learner of the
 *   same key leaves it to the first.
 * - Two learners of one new key see the same first empty slot, so one
 *   loses the key CAS. Only if a candidate slot is freed between one's
 *   scan and its CAS can both insert it, in different slots. Such a
 *   duplicate is harmless (lookup and learning use the first live
 *   candidate) and vsw_fdb_age() removes it (a static entry wins).
 * - Readers load the key with acquire and, on a match, the value with
 *   acquire: a value that is 0 or dead is a miss.
 * - Refresh and MAC move: the learner swaps the value (compare-and-swap
 *   from what it read) only when the port changed or the last-seen second
 *   is older than now; at most one store per MAC per second, so a hot
 *   source's line is not stolen from the other cores on every packet. A
 *   static entry is never changed by learning.
 * - Removal (ageing, delete, flush) swaps the value to dead (a
 *   compare-and-swap from the value it judged, so a concurrent refresh is
 *   judged again, never overwritten blindly), then replaces the key with
 *   a tombstone no key equals: the entry is unlinked, and a reader
 *   starting after that cannot reach the slot. A dead slot is neither
 *   found nor reused. Only after every reader registered in the
 *   rte_rcu_qsbr variable has reported a quiescent state since does
 *   vsw_fdb_age() clear its value and key, making it free: a reader that
 *   loaded the old key can therefore never read a new entry's value in
 *   its place. (Keeping the old key while dead would not do: a reader
 *   starting after the removal could match it, stall, and read the value
 *   of a new entry inserted after the grace period.) The grace period is
 *   checked with rte_rcu_qsbr_start()/_check(), never waited for:
 *   nothing here blocks. A removed slot is freed by the next
 *   vsw_fdb_age() call (the one after if a grace period was already
 *   under way), once the readers have reported.
 * - max_entries bounds the live entries (static ones included); learning
 *   past it, or with every candidate slot taken, returns VSW_FDB_FULL and
 *   changes nothing.
 *
 * Usage
 * -----
 * Control thread: vsw_fdb_create(); vsw_fdb_age() once a second, even
 * with ageing off (it frees removed slots); vsw_fdb_add_static(),
 * vsw_fdb_del(), vsw_fdb_flush(), vsw_fdb_dump(), vsw_fdb_info().
 * To stop a port from being a destination: stop learning from it (no PMD
 * polls its rx queues, and a grace period has passed: a learn in flight
 * could re-insert it after the flush), vsw_fdb_flush(fdb, port, true),
 * then rte_rcu_qsbr_synchronize() before the port is freed.
 * PMD threads (registered readers of the qsbr variable): vsw_fdb_lookup(),
 * vsw_fdb_learn(), vsw_fdb_prefetch(); they report quiescent states
 * between bursts, never while holding a looked-up port id they will use.
 * vsw_fdb_free() once no PMD can reach the table.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

struct rte_rcu_qsbr;
struct vsw_fdb;

#define VSW_FDB_DEFAULT_MAX 8192
#define VSW_FDB_MAX_MAX (1u << 20)
#define VSW_FDB_DEFAULT_AGING 300 /**< seconds, as Open vSwitch */
#define VSW_FDB_NO_PORT (-1)

struct vsw_fdb_conf {
	const char *name;          /**< required; names the allocation
				    *   (rte_malloc type, for debugging) */
	uint32_t max_entries;      /**< 1..VSW_FDB_MAX_MAX */
	uint32_t aging_sec;        /**< 0: dynamic entries never age */
	/** readers' quiescent-state variable; NULL: no data-path call runs
	 * while the control thread removes entries (removed slots are free
	 * at once) */
	struct rte_rcu_qsbr *qsbr;
	int socket_id;             /**< SOCKET_ID_ANY allowed */
	/** hash seed; 0: a random one (getrandom), which is what keeps
	 * bucket collisions from being chosen offline. Tests set it. */
	uint64_t seed;
};

/** The key of @p mac on VLAN @p vlan (0..4095). Never 0. */
static inline uint64_t
vsw_fdb_key(const struct rte_ether_addr *mac, uint16_t vlan)
{
	const uint8_t *b = mac->addr_bytes;

	return 1ull << 63 | (uint64_t)(vlan & 0xfff) << 48 |
	       (uint64_t)b[0] << 40 | (uint64_t)b[1] << 32 |
	       (uint64_t)b[2] << 24 | (uint64_t)b[3] << 16 |
	       (uint64_t)b[4] << 8 | (uint64_t)b[5];
}

/** MAC and VLAN of @p key. */
static inline void
vsw_fdb_key_split(uint64_t key, struct rte_ether_addr *mac, uint16_t *vlan)
{
	for (int i = 0; i < 6; i++)
		mac->addr_bytes[i] = (uint8_t)(key >> (40 - 8 * i));
	*vlan = (uint16_t)((key >> 48) & 0xfff);
}

/**
 * Create an empty table. @return it, or NULL with rte_errno set (EINVAL
 * for a bad conf, ENOMEM).
 */
struct vsw_fdb *vsw_fdb_create(const struct vsw_fdb_conf *conf);

/** Free @p fdb (NULL is ignored). No reader may use it any more. */
void vsw_fdb_free(struct vsw_fdb *fdb);

/* --- data path: any number of threads at once --- */

/** Port id of @p key (from vsw_fdb_key()), or VSW_FDB_NO_PORT. */
int vsw_fdb_lookup(const struct vsw_fdb *fdb, uint64_t key);

/** Prefetch the cache lines vsw_fdb_lookup()/_learn() of @p key read. */
void vsw_fdb_prefetch(const struct vsw_fdb *fdb, uint64_t key);

enum vsw_fdb_learn {
	VSW_FDB_KNOWN,   /**< already there with this port (maybe refreshed),
			  *   or being inserted by another learner */
	VSW_FDB_NEW,     /**< inserted */
	VSW_FDB_MOVED,   /**< was on another port; now on @p port */
	VSW_FDB_FULL,    /**< not inserted: max_entries or no free slot */
	VSW_FDB_STATIC,  /**< a static entry with another port: unchanged */
};

/**
 * Source @p key was seen on @p port at second @p now (a coarse clock the
 * caller keeps, the same one vsw_fdb_age() is given). A @p key not from
 * vsw_fdb_key() is not learned (VSW_FDB_FULL).
 */
enum vsw_fdb_learn vsw_fdb_learn(struct vsw_fdb *fdb, uint64_t key,
				 uint16_t port, uint32_t now);

/* --- control thread only --- */

/**
 * Add or replace a static entry (never aged, never moved by learning).
 * @return 0, -ENOSPC (full), or -EINVAL (@p key not from vsw_fdb_key()).
 */
int vsw_fdb_add_static(struct vsw_fdb *fdb, uint64_t key, uint16_t port);

/** Remove @p key, static or learned. @return 0 or -ENOENT. */
int vsw_fdb_del(struct vsw_fdb *fdb, uint64_t key);

/**
 * Remove the entries of @p port (VSW_FDB_NO_PORT: of every port);
 * static ones too when @p statics. @return how many.
 */
unsigned int vsw_fdb_flush(struct vsw_fdb *fdb, int port, bool statics);

/**
 * Once a second: remove learned entries not seen for aging_sec
 * (now - last seen >= aging_sec), remove duplicates, free the slots of
 * removed entries whose grace period has passed, and start a grace period
 * for the others. @return entries aged out.
 */
unsigned int vsw_fdb_age(struct vsw_fdb *fdb, uint32_t now);

/** Change the ageing time (0: never). */
void vsw_fdb_set_aging(struct vsw_fdb *fdb, uint32_t aging_sec);

struct vsw_fdb_entry {
	uint64_t key;
	uint16_t port;
	bool is_static;
	uint32_t age;  /**< seconds since last seen (0 for static) */
};

/**
 * Copy up to @p max live entries to @p out, sorted by VLAN then MAC (the
 * first @p max in that order if there are more). @return how many were
 * copied.
 */
unsigned int vsw_fdb_dump(const struct vsw_fdb *fdb, struct vsw_fdb_entry *out,
			  unsigned int max, uint32_t now);

struct vsw_fdb_info {
	uint32_t entries;     /**< live, static included */
	uint32_t statics;
	uint32_t max_entries;
	uint32_t aging_sec;
	uint32_t capacity;    /**< slots */
	uint32_t dead;        /**< removed, waiting for their grace period
			       *   (always 0 without qsbr) */
};

void vsw_fdb_info(const struct vsw_fdb *fdb, struct vsw_fdb_info *info);

#endif /* VSW_FDB_H */
