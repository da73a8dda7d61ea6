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
 * entries, each with where its packets go. It loops: rx burst, forward,
 * tx burst; it never sleeps, allocates or takes a blocking lock.
 *
 * Details
 * -------
 * An rx queue is polled by exactly one PMD. A PMD transmits on tx queue
 * number pmd->id of every port (one tx queue per PMD). Busy and idle TSC
 * cycles are accounted per iteration, so cycles per packet is
 * busy_cycles / packets.
 *
 * Usage
 * -----
 * Fill the poll list with vsw_pmd_add_rxq() before vsw_pmd_launch(); stop
 * with vsw_pmd_stop() before destroying any port it polls.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

struct rte_rcu_qsbr;
struct vsw_port;

#define VSW_PMD_MAX_RXQ 64
#define VSW_PMD_BURST 32

struct vsw_pmd_rxq {
	struct vsw_port *port;
	struct vsw_port *out; /**< cross-connect peer; NULL: drop */
	uint16_t qid;
};

/** Counters written by the PMD, read by the control thread. */
struct vsw_pmd_stats {
	uint64_t iterations;
	uint64_t packets;      /**< packets received */
	uint64_t busy_cycles;  /**< TSC cycles of iterations that moved packets */
	uint64_t idle_cycles;
};

struct vsw_pmd {
	unsigned int lcore;
	uint16_t id;           /**< also its thread id in qsbr */
	bool quit;
	/** reports a quiescent state after every loop iteration */
	struct rte_rcu_qsbr *qsbr;
	unsigned int n_rxq;
	struct vsw_pmd_rxq rxq[VSW_PMD_MAX_RXQ];
	/** tx ports of this PMD that want ops->tx_flush every iteration */
	unsigned int n_flush;
	struct vsw_port *flush[VSW_PMD_MAX_RXQ];
	struct vsw_pmd_stats stats __rte_cache_aligned;
};

/** Initialise @p pmd for @p lcore; it uses tx queue @p id of every port. */
/**
 * The quiescent-state variable shared by up to @p max_pmds PMDs (ids
 * 0..max_pmds-1); control-thread code that changes what a burst reads
 * waits on it (rte_rcu_qsbr_synchronize). Free with rte_free().
 * @return it, or NULL.
 */
struct rte_rcu_qsbr *vsw_pmd_qsbr_create(uint32_t max_pmds);

void vsw_pmd_init(struct vsw_pmd *pmd, unsigned int lcore, uint16_t id,
		  struct rte_rcu_qsbr *qsbr);

/** Add an rx queue to the poll list (before launch). @return 0 or -ENOSPC. */
int vsw_pmd_add_rxq(struct vsw_pmd *pmd, struct vsw_port *port, uint16_t qid,
		    struct vsw_port *out);

/** Start polling on the PMD's lcore. @return 0 or -errno. */
int vsw_pmd_launch(struct vsw_pmd *pmd);

/** Ask the PMD to stop and wait until it has. */
void vsw_pmd_stop(struct vsw_pmd *pmd);

#endif /* VSW_PMD_H */
