/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From negotiated virtio-net features to an engine configuration: shared
 * by every device that runs rings (lib/vhost's data path, vDPA devices).
 */
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "vsw_net.h"
#include "vsw_vring.h"

#define BIT(n) (1ULL << (n))
#ifndef VIRTIO_F_RING_PACKED
#define VIRTIO_F_RING_PACKED 34
#endif

/*
 * Offloads per direction. VIRTIO 1.3 5.1.3.1: HOST_TSO* depend on CSUM
 * and GUEST_TSO* on GUEST_CSUM; a segmentation feature without its
 * checksum feature is not used.
 */
static uint8_t
offloads(uint64_t features, unsigned int csum, unsigned int tso4,
	 unsigned int tso6)
{
	uint8_t off = 0;

	if (!(features & BIT(csum)))
		return 0;
	off |= VSW_NET_OFF_CSUM;
	if (features & BIT(tso4))
		off |= VSW_NET_OFF_TSO4;
	if (features & BIT(tso6))
		off |= VSW_NET_OFF_TSO6;
	return off;
}

void
vsw_vring_config_features(struct vsw_vring_config *cfg, uint64_t features)
{
	cfg->flags = 0;
	if (features & BIT(VIRTIO_F_RING_PACKED))
		cfg->flags |= VSW_VRING_F_PACKED;
	if (features & BIT(VIRTIO_RING_F_EVENT_IDX))
		cfg->flags |= VSW_VRING_F_EVENT_IDX;
	if (features & BIT(VIRTIO_NET_F_MRG_RXBUF))
		cfg->flags |= VSW_VRING_F_MRG_RXBUF;
	if (features & BIT(VIRTIO_RING_F_INDIRECT_DESC))
		cfg->flags |= VSW_VRING_F_INDIRECT;
	cfg->tx_offloads = offloads(features, VIRTIO_NET_F_CSUM,
				    VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_HOST_TSO6);
	cfg->rx_offloads = offloads(features, VIRTIO_NET_F_GUEST_CSUM,
				    VIRTIO_NET_F_GUEST_TSO4,
				    VIRTIO_NET_F_GUEST_TSO6);
	/* 5.1.6: the 12-byte header with VERSION_1 or MRG_RXBUF. */
	cfg->hdr_len = (features & (BIT(VIRTIO_F_VERSION_1) |
				    BIT(VIRTIO_NET_F_MRG_RXBUF))) ?
		       sizeof(struct virtio_net_hdr_mrg_rxbuf) :
		       sizeof(struct virtio_net_hdr);
}

bool
vsw_vring_features_packed(uint64_t features)
{
	return (features & BIT(VIRTIO_F_RING_PACKED)) != 0;
}
