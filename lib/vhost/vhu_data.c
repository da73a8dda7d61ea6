/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data-path entry points: take the queue's access lock for reading (never
 * wait for it), run the ring engine, notify the guest if it asked.
 */
#include <sys/eventfd.h>

#include "vhu_priv.h"

static __rte_always_inline struct vhu_queue *
queue_get(struct vsw_vhost_dev *dev, uint16_t vq)
{
	struct vhu_queue *q;

	if (unlikely(vq >= dev->nr_queues))
		return NULL;
	q = &dev->q[vq];
	/* The control thread holds it for writing while it changes the
	 * queue or the memory table: skip this round. */
	if (rte_rwlock_read_trylock(&q->access_lock) != 0)
		return NULL;
	if (unlikely(!q->ready)) {
		rte_rwlock_read_unlock(&q->access_lock);
		return NULL;
	}
	return q;
}

static __rte_always_inline void
queue_put(struct vhu_queue *q)
{
	/* Asked after every burst: a burst may publish used entries without
	 * returning packets (header-only chains); it answers false at once
	 * when nothing was published. */
	if (vsw_vring_need_call(&q->ring) && q->callfd >= 0)
		eventfd_write(q->callfd, 1);
	rte_rwlock_read_unlock(&q->access_lock);
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

uint16_t
vsw_vhost_enqueue_burst(struct vsw_vhost_dev *dev, uint16_t qp,
			struct rte_mbuf *const *pkts, uint16_t n, uint64_t *bytes)
{
	struct vhu_queue *q = queue_get(dev, 2 * qp);
	uint64_t before;
	uint16_t sent;

	if (q == NULL)
		return 0;
	before = q->ring.stats.bytes;
	sent = vsw_vring_enqueue_burst(&q->ring, pkts, n);
	*bytes += q->ring.stats.bytes - before;
	queue_put(q);
	return sent;
}
