/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
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
vsw_pmd_synchronize(struct rte_rcu_qsbr *qsbr)
{
	uint64_t token;

	if (qsbr == NULL)
		return;
	token = rte_rcu_qsbr_start(qsbr);
	while (rte_rcu_qsbr_check(qsbr, token, false) != 1)
		sched_yield();
}

void
vsw_pmd_init(struct vsw_pmd *pmd, unsigned int lcore, uint16_t id,
	     struct rte_rcu_qsbr *qsbr)
{
	memset(pmd, 0, sizeof(*pmd));
	pmd->lcore = lcore;
	pmd->id = id;
	pmd->qsbr = qsbr;
	pmd->wake_fd = -1;
}

/* Wake a PMD blocked in idle_wait(). */
static void
wake(struct vsw_pmd *pmd)
{
	if (pmd->wake_fd >= 0)
		eventfd_write(pmd->wake_fd, 1);
}

struct vsw_pmd_plist *
vsw_pmd_plist_alloc(unsigned int n_rxq)
{
	return calloc(1, sizeof(struct vsw_pmd_plist) +
		      n_rxq * sizeof(struct vsw_pmd_rxq));
}

void
vsw_pmd_plist_free(struct vsw_pmd_plist *pl)
{
	free(pl);
}

struct vsw_pmd_plist *
vsw_pmd_publish(struct vsw_pmd *pmd, struct vsw_pmd_plist *pl)
{
	/* Pairs with the acquire load at the top of each PMD iteration: the
	 * list's contents are visible before its pointer. */
	struct vsw_pmd_plist *old = __atomic_exchange_n(&pmd->plist, pl,
							__ATOMIC_ACQ_REL);

	wake(pmd);
	return old;
}

void
vsw_pmd_fwd_drop(struct vsw_pmd *pmd, const struct vsw_pmd_rxq *rq,
		 struct rte_mbuf **pkts, uint16_t n)
{
	rq->port->rx[rq->qid].drops += n;
	rte_pktmbuf_free_bulk(pkts, n);
}

void
vsw_pmd_fwd_port(struct vsw_pmd *pmd, const struct vsw_pmd_rxq *rq,
		 struct rte_mbuf **pkts, uint16_t n)
{
	vsw_port_tx(rq->fwd_arg, pmd->id, pkts, n);
}

/* Advance the coarse clock when its second has passed. */
static __rte_always_inline void
tick_clock(struct vsw_pmd *pmd, uint64_t tsc)
{
	if (unlikely(tsc >= pmd->next_second)) {
		uint64_t hz = rte_get_tsc_hz();

		pmd->now = (uint32_t)(tsc / hz);
		pmd->next_second = (tsc / hz + 1) * hz;
	}
}

/*
 * One pass over the poll list. @p t is the TSC at the start; it comes
 * back as the TSC at the end of the last busy burst, so that each busy
 * queue is charged from there (empty polls in between are cheap).
 */
static __rte_always_inline uint64_t
poll_list(struct vsw_pmd *pmd, const struct vsw_pmd_plist *pl, uint64_t *t)
{
	struct rte_mbuf *pkts[VSW_PMD_BURST];
	uint64_t total = 0;

	for (unsigned int i = 0; i < pl->n_rxq; i++) {
		const struct vsw_pmd_rxq *rq = &pl->rxq[i];
		uint16_t n = vsw_port_rx(rq->port, rq->qid, pkts, VSW_PMD_BURST);
		uint64_t now;

		if (n == 0)
			continue;
		rq->fwd(pmd, rq, pkts, n);
		vsw_pmd_tx_flush(pmd);
		now = rte_rdtsc();
		rq->port->rx[rq->qid].cycles += now - *t;
		*t = now;
		total += n;
	}
	for (unsigned int i = 0; i < pl->n_flush; i++)
		vsw_port_tx_flush(pl->flush[i], pmd->id);
	return total;
}

/*
 * Nothing to poll (every port parked on a vDPA device, or none yet):
 * block until a new list or stop, as OVS's PMDs do, offline for RCU
 * meanwhile (it holds nothing). Blocking, not napping: a thread of vswd
 * waking thousands of times a second on a core it shares was seen here
 * to starve other processes' threads there (autogrouped scheduling).
 */
static void
idle_wait(struct vsw_pmd *pmd)
{
	struct pollfd p = { .fd = pmd->wake_fd, .events = POLLIN };
	const struct vsw_pmd_plist *pl;
	eventfd_t n;

	rte_rcu_qsbr_thread_offline(pmd->qsbr, pmd->id);
	pl = vsw_pmd_plist_get(pmd);
	if ((pl == NULL || (pl->n_rxq == 0 && pl->n_flush == 0)) &&
	    !__atomic_load_n(&pmd->quit, __ATOMIC_ACQUIRE) &&
	    poll(&p, 1, 1000) == 1)
		eventfd_read(pmd->wake_fd, &n);
	rte_rcu_qsbr_thread_online(pmd->qsbr, pmd->id);
}

static int
pmd_main(void *arg)
{
	struct vsw_pmd *pmd = arg;
	uint64_t prev = rte_rdtsc();

	tick_clock(pmd, prev);
	rte_rcu_qsbr_thread_online(pmd->qsbr, pmd->id);
	while (!__atomic_load_n(&pmd->quit, __ATOMIC_ACQUIRE)) {
		/* Pairs with the release in vsw_pmd_publish(). */
		const struct vsw_pmd_plist *pl = vsw_pmd_plist_get(pmd);
		uint64_t pkts = 0, t = prev, now;

		if (pl != NULL)
			pkts = poll_list(pmd, pl, &t);
		/* A busy iteration ends at its last burst's TSC (what came
		 * after goes to the next iteration: the sum is exact), so it
		 * reads the TSC once, as an idle one does. */
		now = pkts ? t : rte_rdtsc();
		if (pkts) {
			pmd->stats.busy_cycles += now - prev;
			pmd->stats.packets += pkts;
		} else {
			pmd->stats.idle_cycles += now - prev;
		}
		pmd->stats.iterations++;
		prev = now;
		tick_clock(pmd, now);
		/* Between bursts: no list entry, port or buffered packet is
		 * held. */
		rte_rcu_qsbr_quiescent(pmd->qsbr, pmd->id);
		if (pl == NULL || (pl->n_rxq == 0 && pl->n_flush == 0))
			idle_wait(pmd);
	}
	rte_rcu_qsbr_thread_offline(pmd->qsbr, pmd->id);
	return 0;
}

int
vsw_pmd_launch(struct vsw_pmd *pmd)
{
	int rc;

	__atomic_store_n(&pmd->quit, false, __ATOMIC_RELEASE);
	pmd->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (pmd->wake_fd < 0)
		return -errno;
	rc = rte_rcu_qsbr_thread_register(pmd->qsbr, pmd->id);
	if (rc == 0)
		rc = rte_eal_remote_launch(pmd_main, pmd, pmd->lcore);
	if (rc != 0) {
		rte_rcu_qsbr_thread_unregister(pmd->qsbr, pmd->id);
		close(pmd->wake_fd);
		pmd->wake_fd = -1;
		return rc;
	}
	pmd->launched = true;
	return 0;
}

void
vsw_pmd_stop(struct vsw_pmd *pmd)
{
	if (!pmd->launched)
		return;
	/* Pairs with the acquire load at the top of each PMD iteration. */
	__atomic_store_n(&pmd->quit, true, __ATOMIC_RELEASE);
	wake(pmd);
	rte_eal_wait_lcore(pmd->lcore);
	rte_rcu_qsbr_thread_unregister(pmd->qsbr, pmd->id);
	close(pmd->wake_fd);
	pmd->wake_fd = -1;
	pmd->launched = false;
}
