/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rings run by a device (vDPA) instead of the PMDs. lib/vhost keeps the
 * protocol and the device state; where the PMD path would initialise a
 * vsw_vring and mark the queue ready, this hands the ring to the
 * runner's queue_start (guest physical addresses, position, eventfds),
 * and where it would quiesce the PMDs, queue_stop returns the position.
 * With host notifiers negotiated, each offloaded queue's doorbell page is
 * sent to the front-end (VRING_HOST_NOTIFIER_MSG) so that the guest's
 * kicks land in the device's memory without QEMU or an eventfd.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_net.h>

#include "vhu_priv.h"

#define BIT(n) (1ULL << (n))
#ifndef VIRTIO_F_RING_PACKED
#define VIRTIO_F_RING_PACKED 34
#endif

/* [qva, qva + len) inside one region: its guest physical address. */
static int
qva_to_gpa(const struct vsw_mem *m, uint64_t qva, uint64_t len, uint64_t *gpa)
{
	for (uint32_t i = 0; i < m->nregions; i++) {
		const struct vsw_mem_region *r = &m->regions[i];
		uint64_t off = qva - r->qva;

		if (off < r->size && len <= r->size - off) {
			*gpa = r->gpa + off;
			return 0;
		}
	}
	return -EINVAL;
}

/* Queue @p q as a device sees it. @return 0 or -EINVAL (not in memory). */
static int
ring_of(const struct vsw_vhost_dev *dev, const struct vhu_queue *q,
	struct vsw_vhost_ring *r)
{
	bool packed = (dev->features & BIT(VIRTIO_F_RING_PACKED)) != 0;
	uint64_t n = q->num;

	*r = (struct vsw_vhost_ring){
		.features = dev->features, .size = (uint16_t)n, .base = q->base,
		.kickfd = q->kickfd, .callfd = q->callfd,
	};
	if (qva_to_gpa(&dev->mem, q->addr.desc, 16 * n, &r->desc) != 0 ||
	    qva_to_gpa(&dev->mem, q->addr.avail, packed ? 4 : 6 + 2 * n,
		       &r->driver) != 0 ||
	    qva_to_gpa(&dev->mem, q->addr.used, packed ? 4 : 6 + 8 * n,
		       &r->device) != 0)
		return -EINVAL;
	return 0;
}

/* Host notifiers: negotiated, a channel to send them on, a doorbell. */
static bool
notifiers_on(const struct vsw_vhost_dev *dev)
{
	const uint64_t need = BIT(VHU_PROTOCOL_F_BACKEND_REQ) |
			      BIT(VHU_PROTOCOL_F_BACKEND_SEND_FD) |
			      BIT(VHU_PROTOCOL_F_HOST_NOTIFIER);

	return (dev->protocol_features & need) == need && dev->backend_fd >= 0 &&
	       dev->off != NULL && dev->off->doorbell != NULL;
}

/*
 * Map (@p on) or unmap queue @p qi's doorbell page in the guest
 * (vhost-user.rst VHOST_USER_BACKEND_VRING_HOST_NOTIFIER_MSG: the page to
 * mmap from the fd, or no fd to go back to the kick eventfd).
 */
static int
send_notifier(struct vsw_vhost_dev *dev, uint16_t qi, bool on)
{
	struct vhu_vring_area a = { .u64 = qi };
	int fd = -1, rc;

	if (on && dev->off->doorbell(dev->off_arg, qi, &fd, &a.offset,
				     &a.size) != 0)
		return -ENOTSUP;
	if (!on)
		a.u64 |= VHU_VRING_NOFD_MASK;
	rc = vhu_backend_send(dev, VHU_BACKEND_VRING_HOST_NOTIFIER_MSG, &a,
			      sizeof(a), on ? fd : -1);
	if (rc == 0)
		dev->q[qi].notifier = on;
	return rc;
}

int
vhu_offload_start(struct hctx *h, uint16_t qi)
{
	struct vsw_vhost_dev *dev = h->dev;
	struct vhu_queue *q = &dev->q[qi];
	struct vsw_vhost_ring r;
	char why[200];

	if (ring_of(dev, q, &r) != 0)
		return vhu_fail(h, "queue %u: ring (desc 0x%" PRIx64 " driver 0x%"
				PRIx64 " device 0x%" PRIx64 ", %u entries) is not"
				" inside guest memory", qi, q->addr.desc,
				q->addr.avail, q->addr.used, q->num);
	r.doorbell_mapped = notifiers_on(dev) &&
			    (q->notifier || send_notifier(dev, qi, true) == 0);
	if (dev->off->queue_start(dev->off_arg, qi, &r, why, sizeof(why)) != 0)
		return vhu_fail(h, "queue %u: the vDPA device refused it: %s",
				qi, why);
	q->offloaded = true;
	VHU_LOG(INFO, dev, "queue %u on the vDPA device: %u entries from base"
		" 0x%x%s", qi, q->num, q->base,
		r.doorbell_mapped ? ", doorbell mapped in the guest" : "");
	return 0;
}

void
vhu_offload_stop(struct vsw_vhost_dev *dev, uint16_t qi)
{
	struct vhu_queue *q = &dev->q[qi];

	q->base = dev->off->queue_stop(dev->off_arg, qi);
	q->offloaded = false;
}

int
vhu_offload_mem(struct hctx *h)
{
	struct vsw_vhost_dev *dev = h->dev;
	struct vsw_vhost_region regions[VSW_MEM_MAX_REGIONS];
	char why[200];

	for (uint32_t i = 0; i < dev->mem.nregions; i++) {
		const struct vsw_mem_region *m = &dev->mem.regions[i];

		regions[i] = (struct vsw_vhost_region){
			.gpa = m->gpa, .size = m->size, .hva = m->hva,
			.fd = dev->maps[i].fd, .fd_offset = dev->maps[i].fd_offset,
		};
	}
	if (dev->off->set_mem(dev->off_arg, regions, dev->mem.nregions, why,
			      sizeof(why)) != 0)
		return vhu_fail(h, "the vDPA device refused the memory table: %s",
				why);
	return 0;
}

/* Going back to the PMDs: guest kicks return to the kick eventfd. */
static void
unmap_notifiers(struct vsw_vhost_dev *dev)
{
	for (uint16_t i = 0; i < dev->nr_queues; i++)
		if (dev->q[i].notifier && dev->backend_fd >= 0)
			send_notifier(dev, i, false);
}

int
vsw_vhost_set_offload(struct vsw_vhost_dev *dev,
		      const struct vsw_vhost_offload_ops *ops, void *arg,
		      char *err, size_t errlen)
{
	struct hctx h = { .dev = dev };
	int rc = 0;

	if (ops == dev->off)
		return 0;
	vhu_dev_stop_all(dev);
	if (ops == NULL && dev->off != NULL)
		unmap_notifiers(dev);
	dev->off = ops;
	dev->off_arg = arg;
	if (dev->conn != NULL && dev->mem.nregions > 0) {
		if (ops != NULL)
			rc = vhu_offload_mem(&h);
		if (rc == 0)
			rc = vhu_dev_refresh_all(&h);
	}
	vhu_dev_rx_pairs_update(dev);
	VHU_LOG(INFO, dev, "rings now run by %s", ops ? "the vDPA device" :
		"vsw's data path");
	if (rc != 0) {
		snprintf(err, errlen, "%s", h.why);
		vhu_conn_close(dev, h.why);
	}
	return rc;
}

bool
vsw_vhost_offloaded(const struct vsw_vhost_dev *dev)
{
	return dev->off != NULL;
}

void
vhu_offload_tick(struct vsw_vhost_dev *dev)
{
	bool up;

	if (dev->off == NULL || dev->off->link_up == NULL)
		return;
	up = dev->off->link_up(dev->off_arg);
	if (up == dev->link_up)
		return;
	dev->link_up = up;
	VHU_LOG(INFO, dev, "link %s", up ? "up" : "down");
	/* vhost-user.rst BACKEND_CONFIG_CHANGE_MSG: the front-end re-reads
	 * the config space (its status field). */
	if ((dev->protocol_features & BIT(VHU_PROTOCOL_F_CONFIG)) &&
	    dev->backend_fd >= 0)
		vhu_backend_send(dev, VHU_BACKEND_CONFIG_CHANGE_MSG, NULL, 0, -1);
}
