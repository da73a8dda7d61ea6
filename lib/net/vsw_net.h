/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_NET_H
#define VSW_NET_H

/**
 * @file
 * Packet offloads between the virtio-net header and mbufs, and their
 * software fallbacks.
 *
 * Representation
 * --------------
 * Inside vsw a packet that still needs work on egress carries DPDK's
 * transmit offload flags, whatever port it came from:
 * - RTE_MBUF_F_TX_TCP_CKSUM / RTE_MBUF_F_TX_UDP_CKSUM with l2_len and
 *   l3_len: the L4 checksum field holds the pseudo-header sum and the rest
 *   is to be summed (virtio's NEEDS_CSUM, VIRTIO 1.3 5.1.6.2);
 * - RTE_MBUF_F_TX_TCP_SEG with l4_len and tso_segsz: a TCP super-frame
 *   to be cut into tso_segsz-byte segments (virtio's GSO_TCPV4 / TCPV6);
 * - RTE_MBUF_F_TX_IPV4 / RTE_MBUF_F_TX_IPV6 say which L3 it is.
 * The IPv4 header checksum is always complete (virtio cannot defer it).
 *
 * An egress port that can express the offload passes it on (a virtio
 * header for a guest that negotiated GUEST_CSUM / GUEST_TSO*); otherwise
 * vsw_net_tx_fixup() finishes it in software first.
 */

#include <stdint.h>

#include <linux/virtio_net.h>

#include <rte_mbuf.h>

/** Offloads a virtio-net device and driver agreed on, one direction. */
#define VSW_NET_OFF_CSUM (1u << 0) /**< partial L4 checksums */
#define VSW_NET_OFF_TSO4 (1u << 1) /**< TCP over IPv4 segmentation */
#define VSW_NET_OFF_TSO6 (1u << 2) /**< TCP over IPv6 segmentation */

/** mbuf flags that ask the egress for work. */
#define VSW_NET_TX_WORK (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG)

/** Most segments one software segmentation may produce. */
#define VSW_NET_GSO_MAX_SEGS 128

/** Why a header or packet was refused. */
enum vsw_net_err {
	VSW_NET_OK = 0,
	VSW_NET_E_CSUM_FEATURE,  /**< NEEDS_CSUM without VIRTIO_NET_F_CSUM */
	VSW_NET_E_CSUM_RANGE,    /**< csum_start + csum_offset past the end */
	VSW_NET_E_GSO_TYPE,      /**< gso_type not negotiated or unknown */
	VSW_NET_E_GSO_NO_CSUM,   /**< gso without NEEDS_CSUM */
	VSW_NET_E_GSO_SIZE,      /**< gso_size 0, or too many segments */
	VSW_NET_E_GSO_HEADERS,   /**< gso frame that is not plain TCP/IP */
	VSW_NET_E_NOMBUF,        /**< mempool empty during segmentation */
	VSW_NET_E__MAX,
};

/** Human-readable reason. Never NULL. */
const char *vsw_net_strerror(enum vsw_net_err err);

/**
 * Guest tx: turn the virtio-net header @p h of packet @p m into mbuf
 * offload flags, refusing what is inconsistent. Flags other than
 * NEEDS_CSUM are ignored (VIRTIO 1.3 5.1.6.2.2). A partial checksum
 * whose L4 header is not plain TCP or UDP behind Ethernet/VLAN + IPv4/IPv6
 * is completed in software at once.
 *
 * @param off VSW_NET_OFF_* the driver may use (CSUM, HOST_TSO4/6).
 * @return 0, or the negated enum vsw_net_err: drop the packet.
 */
int vsw_net_vhdr_to_mbuf(struct rte_mbuf *m, const struct virtio_net_hdr *h,
			 uint32_t off);

/**
 * Guest rx: the virtio-net header for @p m. Only what @p off allows is
 * expressed; vsw_net_tx_fixup() must have finished the rest. Bytes of
 * @p h past the basic header (num_buffers) are not touched.
 */
void vsw_net_vhdr_from_mbuf(const struct rte_mbuf *m, struct virtio_net_hdr *h,
			    uint32_t off);

/** Does @p m need software work before an egress offering @p off? */
static inline int
vsw_net_tx_needs_fixup(const struct rte_mbuf *m, uint32_t off)
{
	uint64_t f = m->ol_flags;

	if (likely(!(f & VSW_NET_TX_WORK)))
		return 0;
	if (f & RTE_MBUF_F_TX_TCP_SEG)
		return !(off & ((f & RTE_MBUF_F_TX_IPV6) ? VSW_NET_OFF_TSO6
							  : VSW_NET_OFF_TSO4));
	return !(off & VSW_NET_OFF_CSUM);
}

/**
 * Complete the L4 checksum of @p m in place: sum from @p start to the end
 * of the packet and store the complement at @p start + @p field (the
 * field holds the pseudo-header sum). A zero result is stored as 0xffff.
 * @return 0, or -VSW_NET_E_CSUM_RANGE.
 */
int vsw_net_csum_at(struct rte_mbuf *m, uint32_t start, uint32_t field);

/**
 * Finish in software what an egress offering @p off cannot do.
 *
 * A checksum request is completed in place (@p m must be writable:
 * direct, refcount 1) and its flags cleared; *@p out = @p m, return 1.
 * A segmentation request becomes up to VSW_NET_GSO_MAX_SEGS new
 * packets from @p mp with complete checksums in @p out (the caller frees
 * @p m and them). @return number of packets in @p out, or the negated
 * enum vsw_net_err (nothing allocated).
 */
int vsw_net_tx_fixup(struct rte_mbuf *m, uint32_t off, struct rte_mempool *mp,
		     struct rte_mbuf **out);

#endif /* VSW_NET_H */
