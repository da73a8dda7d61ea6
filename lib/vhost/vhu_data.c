/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data-path entry points: check the queue is ready (no lock: the control
 * thread quiesces a queue before changing it, vhu_dev.c), finish in
 * software the offloads the guest did not negotiate, run the ring engine,
 * notify the guest if it asked.
 */
#include <errno.h>

#include <rte_cycles.h>

#include "vsw_net.h"
#include "vhu_priv.h"

static __rte_always_inline struct vhu_queue *
queue_get(struct vsw_vhost_dev *dev, uint16_t vq)
{
	struct vhu_queue *q;

	if (unlikely(vq >= dev->nr_queues))
		return NULL;
	q = &dev->q[vq];
	/* Pairs with the release store that publishes an initialised ring. */
	if (!__atomic_load_n(&q->ready, __ATOMIC_ACQUIRE))
		return NULL;
	return q;
}

/*
 * Interrupt the guest. A call that blocked (the front-end cleared
 * O_NONBLOCK on a full eventfd) was cut short by the guard watchdog:
 * never call that fd again; the control thread drops the connection.
 */
static __rte_noinline void
queue_call(struct vhu_queue *q, int fd)
{
	if (vsw_guard_signal(fd) == -EINTR)
		__atomic_store_n(&q->call_blocked, true, __ATOMIC_RELAXED);
}

static __rte_always_inline void
queue_notify(struct vhu_queue *q)
{
	if (vsw_vring_need_call(&q->ring)) {
		int fd = __atomic_load_n(&q->callfd, __ATOMIC_RELAXED);

		if (fd >= 0 &&
		    !__atomic_load_n(&q->call_blocked, __ATOMIC_RELAXED))
			queue_call(q, fd);
	}
}

static __rte_always_inline void
queue_put(struct vhu_queue *q)
{
	/* Asked after every burst: a burst may publish used entries without
	 * returning packets (header-only chains); it answers false at once
	 * when nothing was published. */
	queue_notify(q);
}

/*
 * Coalesced guest rx: ask need_call (which covers everything published
 * since the last call) only once enough packets or time went by; the
 * PMD's flush catches the time limit when traffic stops.
 */
static __rte_noinline void
queue_put_coalesced(struct vsw_vhost_dev *dev, struct vhu_queue *q,
		    uint16_t sent)
{
	if (sent > 0) {
		if (q->co_pending == 0)
			q->co_first = rte_rdtsc();
		q->co_pending += sent;
	}
	if (q->co_pending > 0 &&
	    ((dev->co_pkts != 0 && q->co_pending >= dev->co_pkts) ||
	     rte_rdtsc() - q->co_first >= dev->co_cycles)) {
		queue_notify(q);
		q->co_pending = 0;
	}
}

/*
 * The guest receive queue transmit queue @p txq lands on, or NULL. With
 * more than one transmit queue number in use, two may land on one
 * receive queue (the guest readied fewer): *@p shared says to take its
 * tx_lock. Decided from the configuration, not from the ready count the
 * control thread changes under us: a burst that saw the old count must
 * never meet one that saw the new count without the lock.
 */
static __rte_always_inline struct vhu_queue *
rx_queue_get(struct vsw_vhost_dev *dev, uint16_t txq, bool *shared)
{
	uint16_t pairs = __atomic_load_n(&dev->n_rx_pairs, __ATOMIC_ACQUIRE);

	if (unlikely(pairs == 0))
		return NULL;
	*shared = dev->tx_queues > 1;
	return queue_get(dev, 2 * dev->rx_pairs[txq % pairs]);
}

uint16_t
vsw_vhost_dequeue_burst(struct vsw_vhost_dev *dev, uint16_t qp,
			struct rte_mempool *mp, struct rte_mbuf **pkts, uint16_t n)
{
	struct vhu_queue *q = queue_get(dev, 2 * qp + 1);
	uint16_t got;

	if (q == NULL)
		return 0;
	got = vsw_vring_dequeue_burst(&q->ring, mp, pkts, n);
	queue_put(q);
	return got;
}

/*
 * One packet the guest cannot take as it is: checksum completed or
 * segments cut in software, then enqueued. @return 1 when all of it
 * reached the guest.
 */
static __rte_noinline uint16_t
enqueue_fixed(struct vsw_vring *vr, struct rte_mbuf *m)
{
	struct rte_mbuf *out[VSW_NET_GSO_MAX_SEGS];
	int k = vsw_net_tx_fixup(m, vr->rx_off, m->pool, out);
	uint16_t sent = 0;

	if (k < 0) {
		vr->stats.drop_offload++;
		return 0;
	}
	vr->stats.offload_sw++;
	for (int i = 0; i < k; i += VSW_VRING_BURST) {
		uint16_t c = (uint16_t)RTE_MIN(k - i, VSW_VRING_BURST);

		sent += vsw_vring_enqueue_burst(vr, &out[i], c);
	}
	for (int i = 0; i < k; i++)
		if (out[i] != m)
			rte_pktmbuf_free(out[i]);
	return sent == k;
}

/* A burst where some packet asks for work: runs of ready packets, and
 * each packet needing work on its own. */
static __rte_noinline uint16_t
enqueue_slow(struct vsw_vring *vr, struct rte_mbuf *const *pkts, uint16_t n)
{
	uint16_t sent = 0, start = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (!vsw_net_tx_needs_fixup(pkts[i], vr->rx_off))
			continue;
		if (i > start)
			sent += vsw_vring_enqueue_burst(vr, &pkts[start],
							i - start);
		sent += enqueue_fixed(vr, pkts[i]);
		start = i + 1;
	}
	if (n > start)
		sent += vsw_vring_enqueue_burst(vr, &pkts[start], n - start);
	return sent;
}

/* One burst into guest receive queue @p q, which the caller owns. */
static __rte_always_inline uint16_t
enqueue_run(struct vsw_vhost_dev *dev, struct vhu_queue *q,
	    struct rte_mbuf *const *pkts, uint16_t n, uint64_t *bytes)
{
	uint64_t before = q->ring.stats.bytes, flags = 0;
	uint16_t sent;

	for (uint16_t i = 0; i < n; i++)
		flags |= pkts[i]->ol_flags;
	if (likely(!(flags & VSW_NET_TX_WORK)))
		sent = vsw_vring_enqueue_burst(&q->ring, pkts, n);
	else
		sent = enqueue_slow(&q->ring, pkts, n);
	*bytes += q->ring.stats.bytes - before;
	if (likely(dev->co_cycles == 0))
		queue_put(q);
	else
		queue_put_coalesced(dev, q, sent);
	return sent;
}

/* The same on a receive queue two transmit queues may land on. */
static __rte_noinline uint16_t
enqueue_shared(struct vsw_vhost_dev *dev, struct vhu_queue *q,
	       struct rte_mbuf *const *pkts, uint16_t n, uint64_t *bytes)
{
	uint16_t sent;

	if (vsw_spinlock_lock(&q->tx_lock))
		q->tx_contended++;
	sent = enqueue_run(dev, q, pkts, n, bytes);
	vsw_spinlock_unlock(&q->tx_lock);
	return sent;
}

uint16_t
vsw_vhost_enqueue_burst(struct vsw_vhost_dev *dev, uint16_t txq,
			struct rte_mbuf *const *pkts, uint16_t n, uint64_t *bytes)
{
	bool shared = false;
	struct vhu_queue *q = rx_queue_get(dev, txq, &shared);

	if (q == NULL)
		return 0;
	if (unlikely(shared))
		return enqueue_shared(dev, q, pkts, n, bytes);
	return enqueue_run(dev, q, pkts, n, bytes);
}

bool
vsw_vhost_coalescing(const struct vsw_vhost_dev *dev)
{
	return dev->co_cycles != 0;
}

void
vsw_vhost_flush(struct vsw_vhost_dev *dev, uint16_t txq)
{
	bool shared = false;
	struct vhu_queue *q = rx_queue_get(dev, txq, &shared);

	if (q == NULL)
		return;
	if (!shared) {
		queue_put_coalesced(dev, q, 0);
		return;
	}
	vsw_spinlock_lock(&q->tx_lock);
	queue_put_coalesced(dev, q, 0);
	vsw_spinlock_unlock(&q->tx_lock);
}
