/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_DP_PRIV_H
#define VSW_DP_PRIV_H

#include "vsw_dp.h"

struct rte_mempool;
struct rte_rcu_qsbr;

/** A port as the model knows it. */
struct dp_port {
	struct vsw_port *port;
	struct dp_port *peer;          /**< cross-connect (may be itself) */
	struct vsw_bridge *bridge;
	struct dp_port *companion;     /**< a port its driver made with it */
	struct dp_port *owner;         /**< whose companion it is */
	int8_t pmd_of[VSW_PORT_MAX_QUEUES];  /**< PMD index of each rx queue */
	int8_t pin[VSW_PORT_MAX_QUEUES];     /**< -1: not pinned */
	/** port->rx[q] counters at the last assignment */
	uint64_t cycles_mark[VSW_PORT_MAX_QUEUES];
	uint64_t packets_mark[VSW_PORT_MAX_QUEUES];
};

struct vsw_dp {
	struct vsw_loop *loop;
	struct rte_mempool *mp;
	struct rte_rcu_qsbr *qsbr;
	enum vsw_pmd_assign assign;
	unsigned int n_pmds;
	struct vsw_pmd *pmds;                 /**< n_pmds, cache-aligned */
	struct dp_port *ports[VSW_PORT_MAX];  /**< by port id */
	unsigned int n_bridges;
	struct vsw_bridge *bridges[VSW_DP_MAX_BRIDGES];
};

/* dp_sched.c */
/** Publish poll lists that match the model (two phases when a queue
 * moves between PMDs). @return 0 or -ENOMEM (nothing published). */
int dp_reload(struct vsw_dp *dp);
/** Choose PMDs for the rx queues of new port @p dpp. */
void dp_place(struct vsw_dp *dp, struct dp_port *dpp);
/** Wait until every PMD has passed a quiescent state. */
void dp_synchronize(const struct vsw_dp *dp);

struct dp_port *dp_port_find(const struct vsw_dp *dp, const char *name);

#endif /* VSW_DP_PRIV_H */
