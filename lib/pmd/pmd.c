/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "vsw_pmd.h"
#include "vsw_port.h"

struct rte_rcu_qsbr *
vsw_pmd_qsbr_create(uint32_t max_pmds)
{
	size_t sz = rte_rcu_qsbr_get_memsize(max_pmds);
	struct rte_rcu_qsbr *v = rte_zmalloc("vsw_pmd_qsbr", sz,
					     RTE_CACHE_LINE_SIZE);

	if (v != NULL && rte_rcu_qsbr_init(v, max_pmds) != 0) {
		rte_free(v);
		v = NULL;
	}
	return v;
}

void
vsw_pmd_init(struct vsw_pmd *pmd, unsigned int lcore, uint16_t id,
	     struct rte_rcu_qsbr *qsbr)
{
	memset(pmd, 0, sizeof(*pmd));
	pmd->lcore = lcore;
	pmd->id = id;
	pmd->qsbr = qsbr;
}

int
vsw_pmd_add_rxq(struct vsw_pmd *pmd, struct vsw_port *port, uint16_t qid,
		struct vsw_port *out)
{
	unsigned int i;

	if (pmd->n_rxq == VSW_PMD_MAX_RXQ)
		return -ENOSPC;
	pmd->rxq[pmd->n_rxq++] = (struct vsw_pmd_rxq){ port, out, qid };
	if (out == NULL || !out->tx_flush)
		return 0;
	for (i = 0; i < pmd->n_flush && pmd->flush[i] != out; i++)
		;
	if (i == pmd->n_flush)
		pmd->flush[pmd->n_flush++] = out; /* <= n_rxq entries */
	return 0;
}

/* One poll of one rx queue. @return packets received. */
static __rte_always_inline uint16_t
poll_rxq(const struct vsw_pmd *pmd, const struct vsw_pmd_rxq *rq)
{
	struct rte_mbuf *pkts[VSW_PMD_BURST];
	uint16_t n = vsw_port_rx(rq->port, rq->qid, pkts, VSW_PMD_BURST);

	if (n == 0)
		return 0;
	if (likely(rq->out != NULL)) {
		vsw_port_tx(rq->out, pmd->id, pkts, n);
	} else {
		rq->port->rx[rq->qid].drops += n;
		rte_pktmbuf_free_bulk(pkts, n);
	}
	return n;
}

static int
pmd_main(void *arg)
{
	struct vsw_pmd *pmd = arg;
	uint64_t prev = rte_rdtsc();

	rte_rcu_qsbr_thread_online(pmd->qsbr, pmd->id);
	while (!__atomic_load_n(&pmd->quit, __ATOMIC_ACQUIRE)) {
		uint64_t pkts = 0, now;

		for (unsigned int i = 0; i < pmd->n_rxq; i++)
			pkts += poll_rxq(pmd, &pmd->rxq[i]);
		for (unsigned int i = 0; i < pmd->n_flush; i++)
			pmd->flush[i]->ops->tx_flush(pmd->flush[i], pmd->id);
		now = rte_rdtsc();
		if (pkts) {
			pmd->stats.busy_cycles += now - prev;
			pmd->stats.packets += pkts;
		} else {
			pmd->stats.idle_cycles += now - prev;
		}
		pmd->stats.iterations++;
		prev = now;
		/* Between bursts: nothing of a queue is held. */
		rte_rcu_qsbr_quiescent(pmd->qsbr, pmd->id);
	}
	rte_rcu_qsbr_thread_offline(pmd->qsbr, pmd->id);
	return 0;
}

int
vsw_pmd_launch(struct vsw_pmd *pmd)
{
	int rc;

	__atomic_store_n(&pmd->quit, false, __ATOMIC_RELEASE);
	rc = rte_rcu_qsbr_thread_register(pmd->qsbr, pmd->id);
	if (rc != 0)
		return rc;
	rc = rte_eal_remote_launch(pmd_main, pmd, pmd->lcore);
	if (rc != 0)
		rte_rcu_qsbr_thread_unregister(pmd->qsbr, pmd->id);
	return rc;
}

void
vsw_pmd_stop(struct vsw_pmd *pmd)
{
	/* Pairs with the acquire load at the top of each PMD iteration. */
	__atomic_store_n(&pmd->quit, true, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(pmd->lcore);
	rte_rcu_qsbr_thread_unregister(pmd->qsbr, pmd->id);
}
