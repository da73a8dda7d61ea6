/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_GUARD_H
#define VSW_GUARD_H

/**
 * @file
 * Bounded system calls on descriptors a peer controls.
 *
 * Introduction
 * ------------
 * A vhost-user front-end hands vswd eventfds it keeps a copy of, and the
 * flags of an open file (O_NONBLOCK among them) live in the file
 * description both copies share. A hostile front-end can clear
 * O_NONBLOCK and fill an eventfd's counter: the next eventfd_write()
 * then sleeps until someone reads, which nobody does. On a PMD that
 * stalls every port it polls; on the control thread, every port and the
 * control socket. Writes have no per-call non-blocking flag for eventfds
 * (pwritev2 RWF_NOWAIT is EOPNOTSUPP for them), so vswd bounds them
 * instead.
 *
 * Details
 * -------
 * A thread brackets such a call with vsw_guard_enter() / vsw_guard_leave()
 * (a TSC read and two stores: cheap enough for the PMD's interrupt path).
 * A watchdog thread checks every registered thread each timeout / 2; one
 * that has been inside a guarded call for longer than the timeout gets
 * VSW_GUARD_SIGNAL, whose handler does nothing and is installed without
 * SA_RESTART, so the call returns EINTR. The watchdog repeats the signal
 * while the thread stays inside (a signal that lands just before the call
 * starts is lost, the next one is not). The caller treats EINTR from a
 * guarded write as "this descriptor blocks": it stops using it and breaks
 * the peer's connection, which loses nothing else.
 *
 * Usage
 * -----
 * vsw_guard_start() once in the daemon; then, on any thread:
 *
 *     vsw_guard_enter();
 *     rc = eventfd_write(fd, 1);
 *     vsw_guard_leave();
 *     if (rc < 0 && errno == EINTR) ... the peer made fd block ...
 *
 * Without a watchdog (unit tests, fuzzers) enter/leave only mark time.
 */

#include <signal.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cycles.h>

/** The signal the watchdog interrupts a blocked thread with (default
 * action: ignored, so a stray one hurts nothing). */
#define VSW_GUARD_SIGNAL SIGURG

/** Default longest time a guarded call may block. */
#define VSW_GUARD_TIMEOUT_MS 20

/** Threads that may make guarded calls. */
#define VSW_GUARD_MAX_THREADS 128

struct vsw_guard_slot {
	/** TSC when the thread entered a guarded call, 0 outside */
	uint64_t since;
	uint64_t interrupts; /**< signals the watchdog sent it */
	uint64_t thread;     /**< pthread_t */
} __rte_cache_aligned;

extern __thread struct vsw_guard_slot *vsw_guard_self;

/** Register the calling thread (done on its first guarded call). */
struct vsw_guard_slot *vsw_guard_register(void);

static inline void
vsw_guard_enter(void)
{
	struct vsw_guard_slot *s = vsw_guard_self;

	if (unlikely(s == NULL))
		s = vsw_guard_register();
	/* Release: pairs with the watchdog's acquire load of since. */
	if (likely(s != NULL))
		__atomic_store_n(&s->since, rte_rdtsc() | 1, __ATOMIC_RELEASE);
}

static inline void
vsw_guard_leave(void)
{
	struct vsw_guard_slot *s = vsw_guard_self;

	if (likely(s != NULL))
		__atomic_store_n(&s->since, 0, __ATOMIC_RELEASE);
}

/**
 * Install the signal handler and start the watchdog thread, interrupting
 * calls blocked longer than @p timeout_ms (0: VSW_GUARD_TIMEOUT_MS).
 * Once per process. @return 0 or -errno.
 */
int vsw_guard_start(uint32_t timeout_ms);

/** Stop the watchdog thread. */
void vsw_guard_stop(void);

/** Signals sent so far, all threads (for logs and tests). */
uint64_t vsw_guard_interrupts(void);

/**
 * Add 1 to a peer's eventfd @p fd, guarded. @return 0, -EAGAIN (its
 * counter is full and it is non-blocking) or -EINTR (it blocked and the
 * watchdog cut it short: the peer made it blocking; stop using it).
 */
int vsw_guard_signal(int fd);

/** Read and reset the counter of a peer's eventfd @p fd without ever
 * waiting (preadv2 RWF_NOWAIT, else poll + a guarded read). */
uint64_t vsw_guard_drain(int fd);

#endif /* VSW_GUARD_H */
