/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net device configuration a vhost-user back-end owns: the MTU
 * the front-end sets (NET_SET_MTU, PROTOCOL_F_NET_MTU) and the config
 * space it may read (GET_CONFIG / SET_CONFIG, PROTOCOL_F_CONFIG):
 * mac, status, max_virtqueue_pairs, mtu (VIRTIO 1.3 5.1.4).
 *
 * QEMU's vhost-user-net and DPDK 22.11's virtio-user emulate mac and
 * status themselves and never ask; a front-end that does gets ours.
 */
#include <inttypes.h>
#include <string.h>

#include <linux/virtio_net.h>

#include "vhu_priv.h"

/* VIRTIO 1.3 5.1.4.1: 68 (RFC 791's minimum) .. 65535. */
#define VHU_MTU_MIN 68

int
vhu_h_net_set_mtu(struct hctx *h)
{
	uint64_t mtu = h->msg->payload.u64;

	if (mtu < VHU_MTU_MIN || mtu > UINT16_MAX)
		return vhu_fail(h, "NET_SET_MTU: %" PRIu64 " outside %u..%u", mtu,
				VHU_MTU_MIN, UINT16_MAX);
	h->dev->mtu = (uint16_t)mtu;
	VHU_LOG(INFO, h->dev, "mtu %u", h->dev->mtu);
	return 0;
}

static void
config_space(const struct vsw_vhost_dev *dev, uint8_t *space)
{
	struct virtio_net_config c;

	memset(&c, 0, sizeof(c));
	memcpy(c.mac, dev->mac, sizeof(c.mac));
	/* A vDPA device's link is its wire's (vhu_offload_tick). */
	c.status = dev->conn != NULL && dev->link_up ? VIRTIO_NET_S_LINK_UP : 0;
	c.max_virtqueue_pairs = dev->nr_queues / 2;
	c.mtu = dev->mtu;
	c.speed = UINT32_MAX;   /* unknown (5.1.4) */
	c.duplex = 0xff;        /* unknown */
	memset(space, 0, VHU_CONFIG_SPACE);
	memcpy(space, &c, sizeof(c));
}

/* The reply carries the request's offset, size and flags. */
int
vhu_h_get_config(struct hctx *h)
{
	const struct vhu_config *req = &h->msg->payload.config;
	uint8_t space[VHU_CONFIG_SPACE];

	config_space(h->dev, space);
	h->reply.config.offset = req->offset;
	h->reply.config.size = req->size;
	h->reply.config.flags = req->flags;
	memcpy(h->reply.config.region, space + req->offset, req->size);
	h->reply_size = VHU_CONFIG_HDR + req->size;
	return 0;
}

/* Only the mac is writable (a driver without CTRL_MAC_ADDR sets it so). */
int
vhu_h_set_config(struct hctx *h)
{
	const struct vhu_config *req = &h->msg->payload.config;
	struct vsw_vhost_dev *dev = h->dev;

	if (req->offset + req->size > sizeof(dev->mac))
		return vhu_fail(h, "SET_CONFIG: offset %u size %u: only the mac"
				" (bytes 0-5) is writable", req->offset, req->size);
	memcpy(dev->mac + req->offset, req->region, req->size);
	dev->has_mac = true;
	VHU_LOG(INFO, dev, "mac %02x:%02x:%02x:%02x:%02x:%02x", dev->mac[0],
		dev->mac[1], dev->mac[2], dev->mac[3], dev->mac[4], dev->mac[5]);
	return 0;
}
