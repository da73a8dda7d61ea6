/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_PMD_H
#define VSW_PMD_H

/**
 * @file
 * Poll-mode threads.
 *
 * Introduction
 * ------------
 * A PMD is one worker lcore with a private poll list of (port, rx queue)
 * entries, each with the forwarding function its packets go to (a
 * cross-connect, a bridge, a drop). It loops: rx burst, forward, flush its
 * per-destination tx buffers; it never sleeps, allocates or takes a
 * blocking lock, and reports an RCU quiescent state once per iteration.
 *
 * Details
 * -------
 * The poll list is an immutable struct vsw_pmd_plist the control thread
 * builds and publishes with one release store (vsw_pmd_publish()); the PMD
 * loads it with acquire at the top of every iteration. The old list is
 * freed only after every PMD reported a quiescent state (rte_rcu_qsbr), so
 * a PMD never reads a freed list. An rx queue is in at most one PMD's
 * list at any time: to move one, the control thread first publishes a
 * list without it on the old PMD and waits for the grace period, then
 * publishes the new PMD's list (lib/dp does this).
 *
 * Forwarding functions put packets into the PMD's tx buffers
 * (vsw_pmd_tx_add(), one buffer per destination port id); the PMD flushes
 * them after each rx burst, before its quiescent state, so no buffered
 * packet outlives a grace period. PMD p transmits on its own tx queue of
 * each port (vsw_port_tx()).
 *
 * Cycles: each rx queue's bursts (receive plus forwarding) are charged to
 * the queue (port->rx[q].cycles); an iteration that moved packets is busy,
 * else idle. Cycles per packet is busy_cycles / packets.
 *
 * Usage
 * -----
 * vsw_pmd_init(), vsw_pmd_launch(); vsw_pmd_publish() any time from the
 * control thread; vsw_pmd_stop() before destroying anything it polls.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "vsw_port.h"

struct rte_rcu_qsbr;
struct vsw_pmd;
struct vsw_pmd_rxq;

#define VSW_PMD_BURST 32
#define VSW_PMD_MAX VSW_PORT_MAX_PMDS

/**
 * Forward @p n packets received on rx queue @p rq (ownership passes:
 * every packet is sent, buffered with vsw_pmd_tx_add() or freed). Runs
 * on @p pmd, the queue's only poller.
 */
typedef void (*vsw_pmd_fwd_fn)(struct vsw_pmd *pmd,
			       const struct vsw_pmd_rxq *rq,
			       struct rte_mbuf **pkts, uint16_t n);

struct vsw_pmd_rxq {
	struct vsw_port *port;
	vsw_pmd_fwd_fn fwd;
	void *fwd_arg;   /**< the forwarding function's (bridge, peer port) */
	uint16_t qid;
};

/** A PMD's poll list: immutable once published. */
struct vsw_pmd_plist {
	unsigned int n_rxq;
	unsigned int n_flush;
	/** ports that want ops->tx_flush every iteration (coalescing) */
	struct vsw_port *flush[VSW_PORT_MAX];
	struct vsw_pmd_rxq rxq[];
};

/** Counters written by the PMD, read by the control thread. */
struct vsw_pmd_stats {
	uint64_t iterations;
	uint64_t packets;      /**< packets received */
	uint64_t busy_cycles;  /**< TSC cycles of iterations that moved packets */
	uint64_t idle_cycles;
};

/** Packets waiting for one destination port. */
struct vsw_pmd_txbuf {
	struct vsw_port *port; /**< non-NULL: listed in pmd->pending */
	uint16_t n;
	struct rte_mbuf *pkts[VSW_PMD_BURST];
};

struct vsw_pmd {
	/* Hot, PMD only. */
	uint32_t now;          /**< coarse clock, seconds (vsw_pmd_clock()) */
	uint16_t id;           /**< tx queue user index; thread id in qsbr */
	uint16_t n_pending;    /**< port ids with buffered packets */
	uint64_t next_second;  /**< TSC at which now advances */
	struct vsw_pmd_plist *plist; /**< published by the control thread */
	struct rte_rcu_qsbr *qsbr;
	uint16_t pending[VSW_PORT_MAX];
	/* Control. */
	unsigned int lcore;
	bool quit;
	bool launched;
	/* An eventfd the PMD blocks on while it has nothing to poll (no
	 * periodic wake-ups on a core others share); publish and stop write
	 * it. -1 when not launched. */
	int wake_fd;
	struct vsw_pmd_stats stats __rte_cache_aligned;
	struct vsw_pmd_txbuf txbuf[VSW_PORT_MAX] __rte_cache_aligned;
};

/** Seconds of the clock vsw_pmd->now follows, for any thread. */
static inline uint32_t
vsw_pmd_clock(void)
{
	return (uint32_t)(rte_rdtsc() / rte_get_tsc_hz());
}

/**
 * The quiescent-state variable shared by up to @p max_pmds PMDs (ids
 * 0..max_pmds-1); control-thread code that changes what a burst reads
 * waits on it (rte_rcu_qsbr_synchronize). Free with rte_free().
 * @return it, or NULL.
 */
struct rte_rcu_qsbr *vsw_pmd_qsbr_create(uint32_t max_pmds);

/** Initialise @p pmd for @p lcore with tx queue user index @p id. */
void vsw_pmd_init(struct vsw_pmd *pmd, unsigned int lcore, uint16_t id,
		  struct rte_rcu_qsbr *qsbr);

/**
 * Control thread: wait until every PMD registered in @p qsbr (NULL: none)
 * has reported a quiescent state, yielding the CPU between checks: the
 * control thread may share its core with a PMD, and spinning would take
 * the CPU that PMD needs to get there.
 */
void vsw_pmd_synchronize(struct rte_rcu_qsbr *qsbr);

/** A poll list with room for @p n_rxq entries, zeroed. NULL: no memory. */
struct vsw_pmd_plist *vsw_pmd_plist_alloc(unsigned int n_rxq);
void vsw_pmd_plist_free(struct vsw_pmd_plist *pl);

/**
 * Control thread: make @p pl the PMD's poll list (NULL: poll nothing)
 * and return the previous one, which the caller frees after
 * rte_rcu_qsbr_synchronize().
 */
struct vsw_pmd_plist *vsw_pmd_publish(struct vsw_pmd *pmd,
				      struct vsw_pmd_plist *pl);

/** The PMD's current poll list (control thread: it published it). */
static inline const struct vsw_pmd_plist *
vsw_pmd_plist_get(const struct vsw_pmd *pmd)
{
	return __atomic_load_n(&pmd->plist, __ATOMIC_ACQUIRE);
}

/** Start polling on the PMD's lcore. @return 0 or -errno. */
int vsw_pmd_launch(struct vsw_pmd *pmd);

/** Ask the PMD to stop and wait until it has. */
void vsw_pmd_stop(struct vsw_pmd *pmd);

/** Forwarding function that drops (counted as the rx queue's drops). */
void vsw_pmd_fwd_drop(struct vsw_pmd *pmd, const struct vsw_pmd_rxq *rq,
		      struct rte_mbuf **pkts, uint16_t n);

/** Forwarding function sending everything to port rq->fwd_arg
 * (cross-connect). */
void vsw_pmd_fwd_port(struct vsw_pmd *pmd, const struct vsw_pmd_rxq *rq,
		      struct rte_mbuf **pkts, uint16_t n);

/* --- rx queue scheduling (pure functions, lib/dp applies them) --- */

/** How rx queues are spread over PMDs (Open vSwitch's pmd-rxq-assign). */
enum vsw_pmd_assign {
	VSW_PMD_ASSIGN_ROUNDROBIN, /**< in queue order, one PMD after another */
	VSW_PMD_ASSIGN_CYCLES,     /**< busiest first, to the least loaded */
};

/** "roundrobin" / "cycles" <-> enum. @return 0 or -EINVAL. */
int vsw_pmd_assign_parse(const char *s, enum vsw_pmd_assign *out);
const char *vsw_pmd_assign_name(enum vsw_pmd_assign a);

/**
 * Choose a PMD (0..n_pmds-1) for each of @p n rx queues: out[i].
 * pin[i] >= 0 keeps queue i on that PMD (its load counts there).
 * ROUNDROBIN: the unpinned queues in the given order go to PMDs in turn,
 * each time the one with the fewest queues (ties: lowest id).
 * CYCLES: the unpinned queues by decreasing load[i] (measured cycles)
 * each go to the PMD with the least load so far (ties: fewest queues,
 * then lowest id) — the longest-processing-time rule.
 */
void vsw_pmd_assign(enum vsw_pmd_assign mode, unsigned int n_pmds,
		    unsigned int n, const uint64_t *load, const int *pin,
		    int *out);

/* --- data path --- */

/** Send what is buffered for one destination. */
static __rte_always_inline void
vsw_pmd_txbuf_flush(struct vsw_pmd *pmd, struct vsw_pmd_txbuf *b)
{
	vsw_port_tx(b->port, pmd->id, b->pkts, b->n);
	b->n = 0;
}

/**
 * Buffer @p m for @p port (ownership passes); a full buffer is sent at
 * once, the rest after the current rx burst.
 */
static __rte_always_inline void
vsw_pmd_tx_add(struct vsw_pmd *pmd, struct vsw_port *port, struct rte_mbuf *m)
{
	struct vsw_pmd_txbuf *b = &pmd->txbuf[port->id];

	if (b->port == NULL) {
		b->port = port;
		pmd->pending[pmd->n_pending++] = port->id;
	}
	b->pkts[b->n++] = m;
	if (unlikely(b->n == VSW_PMD_BURST))
		vsw_pmd_txbuf_flush(pmd, b); /* stays listed, now empty */
}

/** Send every buffered packet. */
static __rte_always_inline void
vsw_pmd_tx_flush(struct vsw_pmd *pmd)
{
	for (uint16_t i = 0; i < pmd->n_pending; i++) {
		struct vsw_pmd_txbuf *b = &pmd->txbuf[pmd->pending[i]];

		if (b->n != 0)
			vsw_pmd_txbuf_flush(pmd, b);
		b->port = NULL;
	}
	pmd->n_pending = 0;
}

#endif /* VSW_PMD_H */
