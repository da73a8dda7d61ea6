/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_NET_PRIV_H
#define VSW_NET_PRIV_H

/* Internals of lib/net. Not installed. */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

/* Offsets of the checksum field inside the L4 header. */
#define NET_TCP_CSUM_OFF 16
#define NET_UDP_CSUM_OFF 6

/* Plain headers of a packet, all inside its first segment. */
struct net_hdrs {
	uint16_t l2;    /* Ethernet + up to two VLAN tags */
	uint16_t l3;    /* IPv4 with options, or IPv6 without extensions */
	uint16_t l4;    /* TCP with options, or UDP; 0 for other protocols */
	uint8_t proto;  /* IPPROTO_* of the L4 header */
	bool v6;
};

/*
 * Parse Ethernet (+802.1Q/802.1ad) + IPv4/IPv6 + TCP/UDP from the first
 * segment of @p m. Fragments and IPv6 extension headers are not plain.
 * @return true when l2 and l3 were found (l4 is 0 unless TCP or UDP).
 */
bool net_parse(const struct rte_mbuf *m, struct net_hdrs *h);

#endif /* VSW_NET_PRIV_H */
