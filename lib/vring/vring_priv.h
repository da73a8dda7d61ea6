/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_VRING_PRIV_H
#define VSW_VRING_PRIV_H

/* Engine internals shared by the vring_*.c files. Not installed. */

#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include <rte_byteorder.h>

#include "vsw_vring.h"

/*
 * Ring words are little-endian (VIRTIO 1.x) or guest-native (legacy); both
 * are the host's order only on a little-endian host, which is all we build
 * for. Fail the build rather than byte-swap on the hot path.
 */
#if RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN
#error "vsw vring engine supports little-endian hosts only"
#endif

_Static_assert(sizeof(struct vring_desc) == 16, "vring_desc layout");
_Static_assert(sizeof(struct vring_used_elem) == 8, "vring_used_elem layout");
_Static_assert(sizeof(struct virtio_net_hdr_mrg_rxbuf) == 12,
	       "virtio_net_hdr_mrg_rxbuf layout");

/*
 * Largest payload a guest may hand us on tx: a 64 KiB GSO frame plus L2
 * headers, with margin. Bigger chains are consumed and dropped (drop_bad)
 * so that one chain can neither drain the mempool nor make the PMD copy
 * gigabytes; walking them stays bounded by the ring size.
 */
#define VRING_TX_MAX_PKT (65u * 1024u)

/* Offset of num_buffers in struct virtio_net_hdr_mrg_rxbuf. */
#define VRING_HDR_NUM_BUFFERS_OFF 10

#endif /* VSW_VRING_PRIV_H */
