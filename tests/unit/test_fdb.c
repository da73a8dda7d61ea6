/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FDB: learning outcomes, statics, removal, ageing, grace periods, fill
 * rate at max_entries, dump order, and a concurrent learn/lookup stress
 * against ageing, flushes and deletes.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <time.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "fdb_priv.h"
#include "unit.h"
#include "vsw_fdb.h"

/* --- helpers --- */

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A locally administered unicast MAC carrying @p i in its last 4 bytes. */
static uint64_t
key_of(uint32_t i, uint16_t vlan)
{
	struct rte_ether_addr mac = { .addr_bytes = {
		0x02, (uint8_t)(i * 0x9du), (uint8_t)(i >> 24), (uint8_t)(i >> 16),
		(uint8_t)(i >> 8), (uint8_t)i } };

	return vsw_fdb_key(&mac, vlan);
}

static uint64_t
key_random(uint64_t *seed, uint16_t vlan)
{
	uint64_t r = xorshift(seed);
	struct rte_ether_addr mac;

	for (int i = 0; i < 6; i++)
		mac.addr_bytes[i] = (uint8_t)(r >> (8 * i));
	mac.addr_bytes[0] &= 0xfe; /* unicast */
	return vsw_fdb_key(&mac, vlan);
}

static struct vsw_fdb *
fdb_new(uint32_t max_entries, uint32_t aging_sec, struct rte_rcu_qsbr *qsbr)
{
	struct vsw_fdb_conf conf = {
		.name = "test_fdb",
		.max_entries = max_entries,
		.aging_sec = aging_sec,
		.qsbr = qsbr,
		.socket_id = SOCKET_ID_ANY,
	};

	return vsw_fdb_create(&conf);
}

static struct rte_rcu_qsbr *
qsbr_new(uint32_t threads)
{
	struct rte_rcu_qsbr *v = rte_zmalloc("test_fdb_qsbr",
					     rte_rcu_qsbr_get_memsize(threads),
					     RTE_CACHE_LINE_SIZE);

	if (v != NULL && rte_rcu_qsbr_init(v, threads) != 0) {
		rte_free(v);
		v = NULL;
	}
	return v;
}

/* Slot states counted from the table itself. */
struct audit {
	uint32_t free, inserting, live, statics, dead;
};

static void
audit(const struct vsw_fdb *fdb, struct audit *a)
{
	memset(a, 0, sizeof(*a));
	for (uint32_t b = 0; b <= fdb->mask; b++) {
		for (unsigned int j = 0; j < FDB_BUCKET_SLOTS; j++) {
			const struct fdb_slot *s = &fdb->bucket[b].slot[j];

			if (s->key == 0 && s->val == 0)
				a->free++;
			else if (s->key == FDB_KEY_TOMB && (s->val & FDB_V_DEAD))
				a->dead++;
			else if (s->val == 0)
				a->inserting++;
			else if (fdb_live(s->val)) {
				a->live++;
				a->statics += (s->val & FDB_V_STATIC) != 0;
			}
		}
	}
}

/* The counters agree with the slots (no thread in a data-path call). */
static int
check_counters(const struct vsw_fdb *fdb, bool with_qsbr)
{
	struct vsw_fdb_info info;
	struct audit a;

	vsw_fdb_info(fdb, &info);
	audit(fdb, &a);
	UNIT_CHECK_EQ(a.inserting, 0);
	UNIT_CHECK_EQ(a.free + a.live + a.dead, info.capacity);
	UNIT_CHECK_EQ(info.entries, a.live);
	UNIT_CHECK_EQ(info.statics, a.statics);
	UNIT_CHECK_EQ(info.dead, a.dead);
	UNIT_CHECK(info.entries <= info.max_entries);
	if (!with_qsbr)
		UNIT_CHECK_EQ(a.dead, 0);
	return 0;
}

/* --- tests --- */

static int
test_key_round_trip(void)
{
	struct rte_ether_addr mac = { .addr_bytes = { 0xfe, 0xdc, 0xba, 0x98,
						       0x76, 0x54 } };
	struct rte_ether_addr m2;
	uint16_t vlan;
	uint64_t k;

	for (unsigned int v = 0; v < 4096; v += 273) {
		k = vsw_fdb_key(&mac, (uint16_t)v);
		UNIT_CHECK(k >> 63);
		vsw_fdb_key_split(k, &m2, &vlan);
		UNIT_CHECK(rte_is_same_ether_addr(&mac, &m2));
		UNIT_CHECK_EQ(vlan, v);
	}
	/* Zero MAC, VLAN 0: still not an empty slot's key. */
	memset(&m2, 0, sizeof(m2));
	UNIT_CHECK(vsw_fdb_key(&m2, 0) != 0);
	/* The VLAN is 12 bits. */
	UNIT_CHECK_EQ(vsw_fdb_key(&mac, 4096 + 7), vsw_fdb_key(&mac, 7));
	/* Key order is VLAN, then MAC. */
	UNIT_CHECK(vsw_fdb_key(&mac, 1) < vsw_fdb_key(&m2, 2));
	UNIT_CHECK(vsw_fdb_key(&m2, 2) < vsw_fdb_key(&mac, 2));
	return 0;
}

static int
test_create(void)
{
	struct vsw_fdb_conf conf = { .name = "x", .max_entries = 0 };
	struct vsw_fdb_info info;
	struct vsw_fdb *fdb;

	UNIT_CHECK(vsw_fdb_create(NULL) == NULL && rte_errno == EINVAL);
	UNIT_CHECK(vsw_fdb_create(&conf) == NULL && rte_errno == EINVAL);
	conf.max_entries = VSW_FDB_MAX_MAX + 1;
	UNIT_CHECK(vsw_fdb_create(&conf) == NULL && rte_errno == EINVAL);
	conf.max_entries = 8;
	conf.name = NULL;
	UNIT_CHECK(vsw_fdb_create(&conf) == NULL && rte_errno == EINVAL);
	vsw_fdb_free(NULL);

	fdb = fdb_new(1000, 300, NULL);
	UNIT_CHECK(fdb != NULL);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.entries, 0);
	UNIT_CHECK_EQ(info.max_entries, 1000);
	UNIT_CHECK_EQ(info.aging_sec, 300);
	UNIT_CHECK_EQ(info.capacity, 4096); /* 4 per entry, power of two */
	vsw_fdb_set_aging(fdb, 0);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.aging_sec, 0);
	vsw_fdb_free(fdb);

	fdb = fdb_new(1, 0, NULL);
	UNIT_CHECK(fdb != NULL);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.capacity, 8); /* two buckets at least */
	vsw_fdb_free(fdb);
	return 0;
}

static int
test_learn(void)
{
	struct vsw_fdb *fdb = fdb_new(2, 300, NULL);
	uint64_t a = key_of(1, 10), b = key_of(2, 10), c = key_of(3, 10);
	struct vsw_fdb_info info;

	UNIT_CHECK(fdb != NULL);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, a), VSW_FDB_NO_PORT);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 1, 100), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, a), 1);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 1, 100), VSW_FDB_KNOWN);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 1, 101), VSW_FDB_KNOWN);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 2, 101), VSW_FDB_MOVED);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, a), 2);
	/* The same MAC on another VLAN is another entry. */
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, key_of(1, 11)), VSW_FDB_NO_PORT);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, b, 3, 101), VSW_FDB_NEW);
	/* max_entries = 2: a third is FULL and changes nothing. */
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, c, 3, 101), VSW_FDB_FULL);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, c), VSW_FDB_NO_PORT);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.entries, 2);
	/* Known ones still learn at the limit. */
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, b, 4, 102), VSW_FDB_MOVED);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, b), 4);
	UNIT_CHECK_EQ(vsw_fdb_del(fdb, b), 0);
	/* Keys not from vsw_fdb_key() are never inserted. */
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, 0, 1, 101), VSW_FDB_FULL);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, FDB_KEY_TOMB, 1, 101), VSW_FDB_FULL);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.entries, 1);
	/* A static entry on another port is not moved. */
	UNIT_CHECK_EQ(vsw_fdb_add_static(fdb, c, 7), 0);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, c, 3, 103), VSW_FDB_STATIC);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, c, 7, 103), VSW_FDB_KNOWN);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, c), 7);
	UNIT_CHECK_EQ(check_counters(fdb, false), 0);
	vsw_fdb_free(fdb);
	return 0;
}

/* Last-seen is refreshed at most once a second and never goes back. */
static int
test_refresh(void)
{
	struct vsw_fdb *fdb = fdb_new(16, 300, NULL);
	uint64_t a = key_of(1, 1);
	struct vsw_fdb_entry e;

	UNIT_CHECK(fdb != NULL);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 1, 100), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 1, 99), VSW_FDB_KNOWN);
	UNIT_CHECK_EQ(vsw_fdb_dump(fdb, &e, 1, 110), 1);
	UNIT_CHECK_EQ(e.age, 10);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 1, 105), VSW_FDB_KNOWN);
	UNIT_CHECK_EQ(vsw_fdb_dump(fdb, &e, 1, 110), 1);
	UNIT_CHECK_EQ(e.age, 5);
	UNIT_CHECK_EQ(e.port, 1);
	UNIT_CHECK(!e.is_static);
	/* A move with an older clock keeps the newer last-seen. */
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 2, 103), VSW_FDB_MOVED);
	UNIT_CHECK_EQ(vsw_fdb_dump(fdb, &e, 1, 110), 1);
	UNIT_CHECK_EQ(e.age, 5);
	UNIT_CHECK_EQ(e.port, 2);
	/* Seen in the future of the dump's clock: age 0. */
	UNIT_CHECK_EQ(vsw_fdb_dump(fdb, &e, 1, 104), 1);
	UNIT_CHECK_EQ(e.age, 0);
	vsw_fdb_free(fdb);
	return 0;
}

/*
 * Learning a source known on the same port in the same second writes
 * nothing: with its buckets' pages read-only, even a failing CAS faults.
 */
static int
test_known_no_write(void)
{
	struct vsw_fdb *fdb = fdb_new(64, 300, NULL);
	uint64_t k = key_of(7, 7);
	long pg = sysconf(_SC_PAGESIZE);
	struct fdb_bucket *b[2];
	uintptr_t p[2];

	UNIT_CHECK(fdb != NULL && pg > 0);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, k, 3, 100), VSW_FDB_NEW);
	fdb_buckets(fdb, k, b);
	for (int i = 0; i < 2; i++) {
		p[i] = (uintptr_t)b[i] & ~((uintptr_t)pg - 1);
		UNIT_CHECK_EQ(mprotect((void *)p[i], (size_t)pg, PROT_READ), 0);
	}
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, k, 3, 100), VSW_FDB_KNOWN);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, k, 3, 99), VSW_FDB_KNOWN);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, k), 3);
	vsw_fdb_prefetch(fdb, k);
	for (int i = 0; i < 2; i++)
		UNIT_CHECK_EQ(mprotect((void *)p[i], (size_t)pg,
				       PROT_READ | PROT_WRITE), 0);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, k, 3, 101), VSW_FDB_KNOWN);
	vsw_fdb_free(fdb);
	return 0;
}

static int
test_static(void)
{
	struct vsw_fdb *fdb = fdb_new(2, 10, NULL);
	uint64_t a = key_of(1, 5), b = key_of(2, 5), c = key_of(3, 5);
	struct vsw_fdb_info info;
	struct vsw_fdb_entry e;

	UNIT_CHECK(fdb != NULL);
	UNIT_CHECK_EQ(vsw_fdb_add_static(fdb, 0, 1), -EINVAL);
	/* Replaces a learned entry in place: still one entry. */
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 1, 100), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_add_static(fdb, a, 2), 0);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, a), 2);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.entries, 1);
	UNIT_CHECK_EQ(info.statics, 1);
	/* Survives learning and ageing. */
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 3, 101), VSW_FDB_STATIC);
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 1000), 0);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, a), 2);
	UNIT_CHECK_EQ(vsw_fdb_dump(fdb, &e, 1, 1000), 1);
	UNIT_CHECK(e.is_static);
	UNIT_CHECK_EQ(e.age, 0);
	UNIT_CHECK_EQ(e.port, 2);
	/* Replaces a static entry. */
	UNIT_CHECK_EQ(vsw_fdb_add_static(fdb, a, 4), 0);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, a), 4);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.statics, 1);
	/* Counts against max_entries. */
	UNIT_CHECK_EQ(vsw_fdb_add_static(fdb, b, 4), 0);
	UNIT_CHECK_EQ(vsw_fdb_add_static(fdb, c, 4), -ENOSPC);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, c, 4, 1000), VSW_FDB_FULL);
	UNIT_CHECK_EQ(check_counters(fdb, false), 0);
	vsw_fdb_free(fdb);
	return 0;
}

static int
test_del(void)
{
	struct vsw_fdb *fdb = fdb_new(16, 300, NULL);
	uint64_t a = key_of(1, 5), b = key_of(2, 5);
	struct vsw_fdb_info info;

	UNIT_CHECK(fdb != NULL);
	UNIT_CHECK_EQ(vsw_fdb_del(fdb, a), -ENOENT);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 1, 100), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_add_static(fdb, b, 2), 0);
	UNIT_CHECK_EQ(vsw_fdb_del(fdb, a), 0);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, a), VSW_FDB_NO_PORT);
	UNIT_CHECK_EQ(vsw_fdb_del(fdb, a), -ENOENT);
	UNIT_CHECK_EQ(vsw_fdb_del(fdb, b), 0);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, b), VSW_FDB_NO_PORT);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.entries, 0);
	UNIT_CHECK_EQ(info.statics, 0);
	UNIT_CHECK_EQ(info.dead, 0); /* no qsbr: free at once */
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 3, 100), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, a), 3);
	UNIT_CHECK_EQ(check_counters(fdb, false), 0);
	vsw_fdb_free(fdb);
	return 0;
}

static int
test_flush(void)
{
	struct vsw_fdb *fdb = fdb_new(64, 300, NULL);
	struct vsw_fdb_info info;

	UNIT_CHECK(fdb != NULL);
	for (uint32_t i = 0; i < 10; i++)
		UNIT_CHECK_EQ(vsw_fdb_learn(fdb, key_of(i, 1), (uint16_t)(i % 2),
					    100), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_add_static(fdb, key_of(100, 1), 1), 0);
	UNIT_CHECK_EQ(vsw_fdb_add_static(fdb, key_of(101, 1), 0), 0);
	/* Port 1's learned entries only. */
	UNIT_CHECK_EQ(vsw_fdb_flush(fdb, 1, false), 5);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, key_of(1, 1)), VSW_FDB_NO_PORT);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, key_of(0, 1)), 0);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, key_of(100, 1)), 1);
	/* Then its static one. */
	UNIT_CHECK_EQ(vsw_fdb_flush(fdb, 1, true), 1);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, key_of(100, 1)), VSW_FDB_NO_PORT);
	UNIT_CHECK_EQ(vsw_fdb_flush(fdb, 1, true), 0);
	/* Every port's learned entries, statics kept. */
	UNIT_CHECK_EQ(vsw_fdb_flush(fdb, VSW_FDB_NO_PORT, false), 5);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, key_of(101, 1)), 0);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.entries, 1);
	UNIT_CHECK_EQ(info.statics, 1);
	UNIT_CHECK_EQ(vsw_fdb_flush(fdb, VSW_FDB_NO_PORT, true), 1);
	UNIT_CHECK_EQ(check_counters(fdb, false), 0);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.entries, 0);
	vsw_fdb_free(fdb);
	return 0;
}

static int
test_aging(void)
{
	struct vsw_fdb *fdb = fdb_new(64, 10, NULL);
	uint64_t a = key_of(1, 1), b = key_of(2, 1), c = key_of(3, 1);

	UNIT_CHECK(fdb != NULL);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 1, 100), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, b, 1, 100), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, c, 1, 120), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, b, 1, 105), VSW_FDB_KNOWN);
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 109), 0);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, a), 1);
	/* now - last_seen >= aging_sec: a goes at 110, b (refreshed at
	 * 105) at 115; c, seen "after" now, stays. */
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 110), 1);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, a), VSW_FDB_NO_PORT);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, b), 1);
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 114), 0);
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 115), 1);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, b), VSW_FDB_NO_PORT);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, c), 1);
	/* Ageing off: nothing expires. */
	vsw_fdb_set_aging(fdb, 0);
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 100000), 0);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, c), 1);
	vsw_fdb_set_aging(fdb, 10);
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 130), 1);
	/* Across the clock's wrap. */
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, a, 1, UINT32_MAX - 2), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 6), 0);
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 7), 1);
	UNIT_CHECK_EQ(check_counters(fdb, false), 0);
	vsw_fdb_free(fdb);
	return 0;
}

/*
 * A removed entry's slot stays dead, not reused, while a registered
 * reader has not reported a quiescent state since the removal.
 */
static int
test_grace_period(void)
{
	struct rte_rcu_qsbr *qsbr = qsbr_new(2);
	struct vsw_fdb *fdb;
	struct vsw_fdb_info info;
	struct audit a;
	uint64_t k[3] = { key_of(1, 1), key_of(2, 1), key_of(3, 1) };

	UNIT_CHECK(qsbr != NULL);
	/* 8 slots, every one a candidate of every key. */
	fdb = fdb_new(2, 10, qsbr);
	UNIT_CHECK(fdb != NULL);
	UNIT_CHECK_EQ(rte_rcu_qsbr_thread_register(qsbr, 1), 0);
	rte_rcu_qsbr_thread_online(qsbr, 1);

	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.capacity, 8);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, k[0], 1, 100), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, k[1], 1, 100), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_del(fdb, k[0]), 0);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, k[0]), VSW_FDB_NO_PORT);
	/* Unlinked at once: a reader starting now cannot match the key,
	 * so the grace period covers every reader that can. */
	for (uint32_t i = 0; i < info.capacity; i++)
		UNIT_CHECK(fdb->bucket[i / 4].slot[i % 4].key != k[0]);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.entries, 1);
	UNIT_CHECK_EQ(info.dead, 1);
	/* The reader has not reported: age() must not free it. */
	for (int i = 0; i < 3; i++) {
		UNIT_CHECK_EQ(vsw_fdb_age(fdb, 101), 0);
		vsw_fdb_info(fdb, &info);
		UNIT_CHECK_EQ(info.dead, 1);
	}
	/* A new entry takes a free slot, not the dead one; two expire. */
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, k[2], 2, 100), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 110), 2);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.dead, 3);
	UNIT_CHECK_EQ(info.entries, 0);
	audit(fdb, &a);
	UNIT_CHECK_EQ(a.dead, 3);
	UNIT_CHECK_EQ(a.free, 5);
	UNIT_CHECK_EQ(check_counters(fdb, true), 0);

	/* Quiescent: the first death's grace period passes... */
	rte_rcu_qsbr_quiescent(qsbr, 1);
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 110), 0);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.dead, 2);
	/* ...the later ones waited for the next one. */
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 111), 0);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.dead, 2);
	rte_rcu_qsbr_quiescent(qsbr, 1);
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 111), 0);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.dead, 0);
	audit(fdb, &a);
	UNIT_CHECK_EQ(a.free, 8);

	/* An offline reader does not hold grace periods up. */
	rte_rcu_qsbr_thread_offline(qsbr, 1);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, k[0], 1, 200), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_flush(fdb, VSW_FDB_NO_PORT, true), 1);
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 200), 0);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.dead, 0);
	UNIT_CHECK_EQ(check_counters(fdb, true), 0);

	rte_rcu_qsbr_thread_unregister(qsbr, 1);
	vsw_fdb_free(fdb);
	rte_free(qsbr);
	return 0;
}

/* Exactly max_entries live entries, never more. */
static int
test_max_exact(void)
{
	const uint32_t max = 1000;
	struct vsw_fdb *fdb = fdb_new(max, 0, NULL);
	struct vsw_fdb_info info;
	uint32_t i, added = 0, slot_full = 0, first = 0;

	UNIT_CHECK(fdb != NULL);
	for (i = 0; added < max && i < 2 * max; i++) {
		enum vsw_fdb_learn r = vsw_fdb_learn(fdb, key_of(i, 3), 1, 1);

		if (r == VSW_FDB_NEW && added++ == 0)
			first = i;
		else
			slot_full += r == VSW_FDB_FULL;
		vsw_fdb_info(fdb, &info);
		UNIT_CHECK_EQ(info.entries, added);
	}
	UNIT_CHECK_EQ(added, max);
	UNIT_CHECK(slot_full < 10);
	for (uint32_t j = 0; j < 100; j++)
		UNIT_CHECK_EQ(vsw_fdb_learn(fdb, key_of(i + j, 3), 1, 1),
			      VSW_FDB_FULL);
	UNIT_CHECK_EQ(vsw_fdb_add_static(fdb, key_of(i, 3), 1), -ENOSPC);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.entries, max);
	/* One out, one in. */
	UNIT_CHECK_EQ(vsw_fdb_del(fdb, key_of(first, 3)), 0);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, key_of(first, 3), 2, 1), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, key_of(i, 3), 2, 1), VSW_FDB_FULL);
	UNIT_CHECK_EQ(check_counters(fdb, false), 0);
	vsw_fdb_free(fdb);
	return 0;
}

/*
 * Learn @p max distinct keys into a table of @p max entries; @return how
 * many were FULL (for lack of a free candidate: the limit is not reached).
 */
static int
fill(uint32_t max, uint64_t seed, bool sequential, uint32_t *full)
{
	struct vsw_fdb *fdb = fdb_new(max, 0, NULL);
	struct vsw_fdb_entry *out = calloc(max, sizeof(*out));
	struct vsw_fdb_info info;
	uint32_t dumped, n_new = 0;

	UNIT_CHECK(fdb != NULL && out != NULL);
	*full = 0;
	for (uint32_t i = 0; i < max; i++) {
		uint16_t vlan = (uint16_t)(1 + i % 16);
		uint64_t k = sequential ? key_of(i, vlan) : key_random(&seed, vlan);
		enum vsw_fdb_learn r = vsw_fdb_learn(fdb, k, (uint16_t)i, 1);

		/* Random 48-bit MACs: a repeat is a KNOWN, not a failure. */
		UNIT_CHECK(r == VSW_FDB_NEW || r == VSW_FDB_FULL ||
			   r == VSW_FDB_KNOWN || r == VSW_FDB_MOVED);
		n_new += r == VSW_FDB_NEW;
		*full += r == VSW_FDB_FULL;
		if (r == VSW_FDB_NEW)
			UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, k), (uint16_t)i);
	}
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.entries, n_new);
	dumped = vsw_fdb_dump(fdb, out, max, 1);
	UNIT_CHECK_EQ(dumped, n_new);
	UNIT_CHECK_EQ(check_counters(fdb, false), 0);
	free(out);
	vsw_fdb_free(fdb);
	return 0;
}

static int
test_fill_random(void)
{
	const uint32_t max = 65536, runs = 4; /* a power of two: fullest */
	uint32_t full, total = 0;
	double rate;

	for (uint32_t r = 0; r < runs; r++) {
		UNIT_CHECK_EQ(fill(max, 0x9e3779b97f4a7c15ull * (r + 1), false,
				   &full), 0);
		total += full;
	}
	rate = (double)total / ((double)max * runs);
	printf("  random MACs, 16 VLANs, max_entries %u: %u of %u FULL "
	       "(%.4f%%)\n", max, total, max * runs, 100 * rate);
	UNIT_CHECK(rate < 0.001);
	UNIT_CHECK_EQ(fill(VSW_FDB_DEFAULT_MAX, 12345, false, &full), 0);
	printf("  random MACs, max_entries %u: %u FULL (%.4f%%)\n",
	       VSW_FDB_DEFAULT_MAX, full, 100.0 * full / VSW_FDB_DEFAULT_MAX);
	UNIT_CHECK(full < VSW_FDB_DEFAULT_MAX / 1000);
	UNIT_CHECK_EQ(fill(max, 0, true, &full), 0);
	printf("  sequential MACs, max_entries %u: %u FULL (%.4f%%)\n", max,
	       full, 100.0 * full / max);
	UNIT_CHECK(full < max / 1000);
	return 0;
}

static int
test_dump(void)
{
	struct vsw_fdb *fdb = fdb_new(256, 300, NULL);
	struct vsw_fdb_entry out[200];
	uint64_t seed = 77;
	unsigned int n;

	UNIT_CHECK(fdb != NULL);
	UNIT_CHECK_EQ(vsw_fdb_dump(fdb, out, RTE_DIM(out), 0), 0);
	for (int i = 0; i < 150; i++) {
		uint64_t k = key_random(&seed, (uint16_t)(4000 - i % 7 * 500));

		UNIT_CHECK_EQ(vsw_fdb_learn(fdb, k, (uint16_t)i, 10),
			      VSW_FDB_NEW);
	}
	UNIT_CHECK_EQ(vsw_fdb_add_static(fdb, key_of(5, 4000), 9), 0);
	n = vsw_fdb_dump(fdb, out, RTE_DIM(out), 12);
	UNIT_CHECK_EQ(n, 151);
	for (unsigned int i = 1; i < n; i++) {
		struct rte_ether_addr m0, m1;
		uint16_t v0, v1;

		vsw_fdb_key_split(out[i - 1].key, &m0, &v0);
		vsw_fdb_key_split(out[i].key, &m1, &v1);
		UNIT_CHECK(v0 <= v1);
		if (v0 == v1)
			UNIT_CHECK(memcmp(&m0, &m1, sizeof(m0)) < 0);
	}
	for (unsigned int i = 0; i < n; i++) {
		bool st = out[i].key == key_of(5, 4000);

		UNIT_CHECK_EQ(out[i].is_static, st);
		UNIT_CHECK_EQ(out[i].age, st ? 0 : 2);
		UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, out[i].key), out[i].port);
	}
	/* Truncated: the first ones in that order. */
	{
		struct vsw_fdb_entry few[7];

		UNIT_CHECK_EQ(vsw_fdb_dump(fdb, few, RTE_DIM(few), 12), 7);
		for (unsigned int i = 0; i < RTE_DIM(few); i++) {
			UNIT_CHECK(few[i].key == out[i].key);
			UNIT_CHECK_EQ(few[i].port, out[i].port);
		}
		UNIT_CHECK_EQ(vsw_fdb_dump(fdb, few, 0, 12), 0);
	}
	vsw_fdb_free(fdb);
	return 0;
}

/*
 * A duplicate (as two racing learners can make when a candidate slot is
 * freed under them) is removed by age(); a static one wins.
 */
static int
test_duplicate(void)
{
	struct vsw_fdb *fdb = fdb_new(2, 0, NULL);
	uint64_t k = key_of(1, 1);
	struct fdb_bucket *b[2];
	struct fdb_slot *s;
	struct vsw_fdb_info info;

	UNIT_CHECK(fdb != NULL);
	fdb_buckets(fdb, k, b);
	/* Learned at candidate 0, a copy forged at candidate 5. */
	UNIT_CHECK_EQ(vsw_fdb_learn(fdb, k, 1, 10), VSW_FDB_NEW);
	UNIT_CHECK(fdb_cand(b, 0)->key == k);
	s = fdb_cand(b, 5);
	s->key = k;
	s->val = fdb_val(2, 10);
	fdb->entries++;
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, k), 1);
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 11), 0);
	UNIT_CHECK(s->key == 0);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, k), 1);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.entries, 1);
	/* A later static copy wins over the learned one. */
	s->key = k;
	s->val = fdb_val(3, 0) | FDB_V_STATIC;
	fdb->entries++;
	fdb->statics++;
	UNIT_CHECK_EQ(vsw_fdb_age(fdb, 12), 0);
	UNIT_CHECK(fdb_cand(b, 0)->key == 0);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, k), 3);
	UNIT_CHECK_EQ(check_counters(fdb, false), 0);
	/* add_static on duplicates keeps one. */
	s = fdb_cand(b, 1);
	s->key = k;
	s->val = fdb_val(4, 12);
	fdb->entries++;
	UNIT_CHECK_EQ(vsw_fdb_add_static(fdb, k, 6), 0);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, k), 6);
	vsw_fdb_info(fdb, &info);
	UNIT_CHECK_EQ(info.entries, 1);
	UNIT_CHECK_EQ(info.statics, 1);
	UNIT_CHECK_EQ(check_counters(fdb, false), 0);
	vsw_fdb_free(fdb);
	return 0;
}

/* --- concurrency stress --- */

#define STRESS_KEYS 1024
#define STRESS_READERS 2
#define STRESS_BURST 32
#define STRESS_NS 1500000000ll

/* Key i may only ever be on port A(i) or B(i), distinct for every key. */
#define PORT_A(i) ((uint16_t)(2 * (i)))
#define PORT_B(i) ((uint16_t)(2 * (i) + 1))

struct stress {
	struct vsw_fdb *fdb;
	struct rte_rcu_qsbr *qsbr;
	uint64_t keys[STRESS_KEYS];
	atomic_uint now;
	atomic_bool stop;
	atomic_ulong bad;
	atomic_ulong ops, hits, outcome[VSW_FDB_STATIC + 1];
};

struct reader {
	struct stress *st;
	unsigned int id;
};

static void *
stress_reader(void *arg)
{
	struct reader *r = arg;
	struct stress *st = r->st;
	uint64_t seed = 0x1234567ull + r->id * 0x9e3779b9ull;
	unsigned long ops = 0, hits = 0, outcome[VSW_FDB_STATIC + 1] = { 0 };

	rte_rcu_qsbr_thread_register(st->qsbr, r->id);
	rte_rcu_qsbr_thread_online(st->qsbr, r->id);
	while (!atomic_load_explicit(&st->stop, memory_order_relaxed)) {
		uint32_t now = atomic_load_explicit(&st->now,
						    memory_order_relaxed);

		for (int n = 0; n < STRESS_BURST; n++, ops++) {
			uint64_t x = xorshift(&seed);
			uint32_t i = (uint32_t)(x % STRESS_KEYS);
			int port;

			if ((x >> 32) & 1) {
				uint16_t p = (x >> 33) & 1 ? PORT_B(i) : PORT_A(i);

				outcome[vsw_fdb_learn(st->fdb, st->keys[i], p,
						      now)]++;
				continue;
			}
			vsw_fdb_prefetch(st->fdb, st->keys[i]);
			port = vsw_fdb_lookup(st->fdb, st->keys[i]);
			if (port != VSW_FDB_NO_PORT) {
				hits++;
				if (port != PORT_A(i) && port != PORT_B(i))
					atomic_fetch_add(&st->bad, 1);
			}
		}
		rte_rcu_qsbr_quiescent(st->qsbr, r->id);
	}
	rte_rcu_qsbr_thread_offline(st->qsbr, r->id);
	rte_rcu_qsbr_thread_unregister(st->qsbr, r->id);
	atomic_fetch_add(&st->ops, ops);
	atomic_fetch_add(&st->hits, hits);
	for (int i = 0; i <= VSW_FDB_STATIC; i++)
		atomic_fetch_add(&st->outcome[i], outcome[i]);
	return NULL;
}

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* The control thread's side: age, flush, delete, add statics. */
static void
stress_control(struct stress *st, unsigned long *iters)
{
	uint64_t seed = 99;
	int64_t end = mono_ns() + STRESS_NS;

	while (mono_ns() < end) {
		uint64_t x = xorshift(&seed);
		uint32_t i = (uint32_t)(x % STRESS_KEYS);
		uint32_t now = atomic_fetch_add(&st->now, 1) + 1;

		vsw_fdb_age(st->fdb, now);
		switch ((x >> 32) % 8) {
		case 0:
			vsw_fdb_flush(st->fdb, (x >> 40) & 1 ? PORT_A(i) :
				      PORT_B(i), (x >> 41) & 1);
			break;
		case 1:
			if ((x >> 40) % 16 == 0)
				vsw_fdb_flush(st->fdb, VSW_FDB_NO_PORT,
					      (x >> 44) & 1);
			break;
		case 2:
			vsw_fdb_add_static(st->fdb, st->keys[i],
					   (x >> 40) & 1 ? PORT_A(i) : PORT_B(i));
			break;
		default:
			for (int j = 0; j < 32; j++)
				vsw_fdb_del(st->fdb,
					    st->keys[(i + j) % STRESS_KEYS]);
			break;
		}
		(*iters)++;
		usleep(200);
	}
}

/* After the run: every entry on an allowed port; counters agree. */
static int
stress_check(struct stress *st)
{
	struct vsw_fdb_entry *out = calloc(STRESS_KEYS, sizeof(*out));
	struct vsw_fdb_info info;
	unsigned int n;

	UNIT_CHECK(out != NULL);
	UNIT_CHECK_EQ(check_counters(st->fdb, true), 0);
	/* Readers are offline: grace periods pass; duplicates go. */
	vsw_fdb_age(st->fdb, atomic_load(&st->now));
	vsw_fdb_age(st->fdb, atomic_load(&st->now));
	vsw_fdb_info(st->fdb, &info);
	UNIT_CHECK_EQ(info.dead, 0);
	UNIT_CHECK_EQ(check_counters(st->fdb, true), 0);
	n = vsw_fdb_dump(st->fdb, out, STRESS_KEYS, atomic_load(&st->now));
	UNIT_CHECK_EQ(n, info.entries);
	for (unsigned int e = 0; e < n; e++) {
		uint32_t i;

		for (i = 0; i < STRESS_KEYS && st->keys[i] != out[e].key; i++)
			;
		UNIT_CHECK(i < STRESS_KEYS);
		UNIT_CHECK(out[e].port == PORT_A(i) || out[e].port == PORT_B(i));
	}
	UNIT_CHECK_EQ(vsw_fdb_flush(st->fdb, VSW_FDB_NO_PORT, true), n);
	vsw_fdb_age(st->fdb, atomic_load(&st->now));
	UNIT_CHECK_EQ(check_counters(st->fdb, true), 0);
	vsw_fdb_info(st->fdb, &info);
	UNIT_CHECK_EQ(info.entries, 0);
	UNIT_CHECK_EQ(info.dead, 0);
	free(out);
	return 0;
}

/*
 * MACs that land first-fit in a victim's two buckets under @p fdb's seed
 * (four in each): what a guest could compute offline if the seed were
 * known. @return 0, or -1 when not found.
 */
static int
aim_at(const struct vsw_fdb *fdb, uint64_t victim, uint64_t keys[8])
{
	struct fdb_bucket *vb[2], *b[2];
	unsigned int got = 0, in[2] = { 0, 0 };

	fdb_buckets(fdb, victim, vb);
	for (uint32_t i = 2; i < 10000000 && got < 8; i++) {
		uint64_t k = key_of(i, 0);

		fdb_buckets(fdb, k, b);
		for (int w = 0; w < 2; w++) {
			if (b[0] == vb[w] && in[w] < 4) {
				in[w]++;
				keys[got++] = k;
			}
		}
	}
	return got == 8 ? 0 : -1;
}

/*
 * A per-table random seed: MACs aimed at a victim's buckets under a
 * known seed push it out of that table (it would flood), not out of a
 * table with a seed of its own.
 */
static int
test_seed(void)
{
	struct vsw_fdb_conf conf = {
		.name = "test_fdb", .max_entries = 1024,
		.socket_id = SOCKET_ID_ANY, .seed = 0x5eed,
	};
	struct vsw_fdb *known = vsw_fdb_create(&conf), *a, *b;
	uint64_t victim = key_of(1, 0), keys[8];

	conf.seed = 0;
	a = vsw_fdb_create(&conf);
	b = vsw_fdb_create(&conf);
	UNIT_CHECK(known != NULL && a != NULL && b != NULL);
	UNIT_CHECK(a->seed != 0 && a->seed != b->seed);
	UNIT_CHECK_EQ(aim_at(known, victim, keys), 0);
	for (int i = 0; i < 8; i++) {
		UNIT_CHECK_EQ(vsw_fdb_learn(known, keys[i], 1, 1), VSW_FDB_NEW);
		UNIT_CHECK_EQ(vsw_fdb_learn(a, keys[i], 1, 1), VSW_FDB_NEW);
	}
	UNIT_CHECK_EQ(vsw_fdb_learn(known, victim, 2, 1), VSW_FDB_FULL);
	UNIT_CHECK_EQ(vsw_fdb_learn(a, victim, 2, 1), VSW_FDB_NEW);
	UNIT_CHECK_EQ(vsw_fdb_lookup(a, victim), 2);
	vsw_fdb_free(known);
	vsw_fdb_free(a);
	vsw_fdb_free(b);
	return 0;
}

static int
test_stress(void)
{
	static struct stress st;
	struct reader r[STRESS_READERS];
	pthread_t th[STRESS_READERS];
	unsigned long iters = 0;
	uint64_t seed = 4242;
	int rc;

	memset(&st, 0, sizeof(st));
	st.qsbr = qsbr_new(STRESS_READERS);
	UNIT_CHECK(st.qsbr != NULL);
	/* Three quarters of the keys fit: learning hits the limit too. */
	st.fdb = fdb_new(STRESS_KEYS / 4 * 3, 8, st.qsbr);
	UNIT_CHECK(st.fdb != NULL);
	for (uint32_t i = 0; i < STRESS_KEYS; i++)
		st.keys[i] = key_random(&seed, (uint16_t)(i % 4));
	atomic_store(&st.now, 1);
	for (unsigned int t = 0; t < STRESS_READERS; t++) {
		r[t] = (struct reader){ &st, t };
		UNIT_CHECK_EQ(pthread_create(&th[t], NULL, stress_reader, &r[t]),
			      0);
	}
	stress_control(&st, &iters);
	atomic_store(&st.stop, true);
	for (unsigned int t = 0; t < STRESS_READERS; t++)
		pthread_join(th[t], NULL);
	printf("  %lu ops, %lu hits, learn new %lu known %lu moved %lu "
	       "full %lu static %lu; %lu control rounds\n",
	       atomic_load(&st.ops), atomic_load(&st.hits),
	       atomic_load(&st.outcome[VSW_FDB_NEW]),
	       atomic_load(&st.outcome[VSW_FDB_KNOWN]),
	       atomic_load(&st.outcome[VSW_FDB_MOVED]),
	       atomic_load(&st.outcome[VSW_FDB_FULL]),
	       atomic_load(&st.outcome[VSW_FDB_STATIC]), iters);
	UNIT_CHECK_EQ(atomic_load(&st.bad), 0);
	UNIT_CHECK(atomic_load(&st.hits) > 0);
	UNIT_CHECK(atomic_load(&st.outcome[VSW_FDB_MOVED]) > 0);
	rc = stress_check(&st);
	vsw_fdb_free(st.fdb);
	rte_free(st.qsbr);
	return rc;
}

static const struct unit_test tests[] = {
	UNIT_TEST(test_key_round_trip),
	UNIT_TEST(test_create),
	UNIT_TEST(test_learn),
	UNIT_TEST(test_refresh),
	UNIT_TEST(test_known_no_write),
	UNIT_TEST(test_static),
	UNIT_TEST(test_del),
	UNIT_TEST(test_flush),
	UNIT_TEST(test_aging),
	UNIT_TEST(test_grace_period),
	UNIT_TEST(test_max_exact),
	UNIT_TEST(test_fill_random),
	UNIT_TEST(test_dump),
	UNIT_TEST(test_duplicate),
	UNIT_TEST(test_seed),
	UNIT_TEST(test_stress),
};

int
main(int argc, char **argv)
{
	(void)argc;
	if (unit_eal_init(argv[0]) != 0)
		return 1;
	return unit_main("fdb", tests, RTE_DIM(tests));
}
