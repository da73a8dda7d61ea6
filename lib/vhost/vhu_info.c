/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Snapshots of a device and its queues for show commands and logs.
 *
 * The control thread reads counters the PMD is writing: each 64-bit load
 * is atomic on the hosts we build for, but a snapshot is not a consistent
 * cut across counters.
 */
#include <errno.h>
#include <string.h>

#include "vhu_priv.h"

int
vsw_vhost_queue_info(struct vsw_vhost_dev *dev, uint16_t vq,
		     struct vsw_vhost_queue_info *info)
{
	struct vhu_queue *q;

	if (vq >= dev->nr_queues)
		return -EINVAL;
	q = &dev->q[vq];
	*info = (struct vsw_vhost_queue_info){
		.ready = q->ready,
		.enabled = q->enabled ||
			   !(dev->features & (1ULL << VHU_F_PROTOCOL_FEATURES)),
		.packed = q->ready && (q->ring.flags & VSW_VRING_F_PACKED),
		.size = q->ready ? q->ring.size : 0,
		.broken = q->ready ? q->ring.broken : VSW_VRING_OK,
		.kicks = q->kicks,
		.tx_contended = __atomic_load_n(&q->tx_contended, __ATOMIC_RELAXED),
		.stats = q->stats_base,
	};
	if (q->ready) {
#define ADD_(f) info->stats.f += __atomic_load_n(&q->ring.stats.f, __ATOMIC_RELAXED);
		VSW_VRING_STATS(ADD_)
#undef ADD_
	}
	return 0;
}

void
vsw_vhost_info(const struct vsw_vhost_dev *dev, struct vsw_vhost_info *info)
{
	*info = (struct vsw_vhost_info){
		.connected = dev->conn != NULL,
		.server = dev->server,
		.queue_pairs = dev->nr_queues / 2,
		.mtu = dev->mtu,
		.has_mac = dev->has_mac,
		.features = dev->features_set ? dev->features : 0,
		.protocol_features = dev->protocol_features,
	};
	memcpy(info->mac, dev->mac, sizeof(info->mac));
}
