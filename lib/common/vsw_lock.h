/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_LOCK_H
#define VSW_LOCK_H

/**
 * @file
 * Spinlocks clang's -Wthread-safety can check. DPDK 22.11's rte_spinlock
 * carries no capability attributes (its __rte_guarded_by family came
 * later), so vsw wraps it: a struct vsw_spinlock is a capability, taking
 * and releasing it are annotated, and a function that must run with one
 * held says so with VSW_REQUIRES. vsw takes a lock only where a queue is
 * shared, and keeps the locked path in a function of its own, so every
 * lock/unlock pair is one the analysis sees. With gcc the attributes are
 * empty. (guarded_by on a struct member, naming a sibling lock, needs
 * clang 15 in C; Debian 12 has 14.)
 */

#include <stdbool.h>

#include <rte_spinlock.h>

#if defined(__clang__)
#define VSW_TSA(x) __attribute__((x))
#else
#define VSW_TSA(x)
#endif

#define VSW_CAPABILITY(name) VSW_TSA(capability(name))
#define VSW_ACQUIRE(...) VSW_TSA(acquire_capability(__VA_ARGS__))
#define VSW_RELEASE(...) VSW_TSA(release_capability(__VA_ARGS__))
#define VSW_REQUIRES(...) VSW_TSA(requires_capability(__VA_ARGS__))
#define VSW_NO_TSA VSW_TSA(no_thread_safety_analysis)

struct VSW_CAPABILITY("spinlock") vsw_spinlock {
	rte_spinlock_t sl;
};

static inline void
vsw_spinlock_init(struct vsw_spinlock *l)
{
	rte_spinlock_init(&l->sl);
}

/** Take @p l. @return true when it was held and we waited (count it). */
static inline bool
vsw_spinlock_lock(struct vsw_spinlock *l) VSW_ACQUIRE(l) VSW_NO_TSA
{
	if (rte_spinlock_trylock(&l->sl))
		return false;
	rte_spinlock_lock(&l->sl);
	return true;
}

static inline void
vsw_spinlock_unlock(struct vsw_spinlock *l) VSW_RELEASE(l) VSW_NO_TSA
{
	rte_spinlock_unlock(&l->sl);
}

#endif /* VSW_LOCK_H */
