/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_BRIDGE_PRIV_H
#define VSW_BRIDGE_PRIV_H

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vsw_bridge.h"

/** One member as the data path sees it. */
struct br_port {
	struct vsw_port *port;
	struct vsw_port_vlan vlan;  /**< copied when it joined */
};

/** The member table: immutable once published. */
struct br_ports {
	unsigned int n;
	int8_t idx_of[VSW_PORT_MAX];   /**< port id -> index in p[], or -1 */
	struct br_port p[];
};

struct vsw_bridge {
	/** published with release, read with acquire by every PMD */
	struct br_ports *ports;
	struct vsw_fdb *fdb;
	struct rte_mempool *mp;
	uint16_t n_pmds;
	struct rte_rcu_qsbr *qsbr;
	char name[VSW_BRIDGE_NAME_MAX];
	/** [pmd * VSW_PORT_MAX + port id] */
	struct vsw_bridge_port_stats *stats;
};

static inline struct vsw_bridge_port_stats *
br_stats(const struct vsw_bridge *br, uint16_t pmd, uint16_t port_id)
{
	return &br->stats[(unsigned int)pmd * VSW_PORT_MAX + port_id];
}

/* --- VLANs (802.1Q) --- */

/** How a frame leaves a port. */
enum br_form {
	BR_NONE,      /**< the port does not carry the frame's VLAN */
	BR_UNTAGGED,
	BR_TAGGED,    /**< with the frame's VLAN id */
};

#define BR_VID_MASK 0x0fff

/**
 * The VLAN a frame arriving on a port with membership @p v belongs to,
 * given whether it is tagged and its tag's VID; or -1: drop (the port
 * does not carry it). VID 0 is a priority tag: untagged for membership.
 */
static inline int
br_vlan_in(const struct vsw_port_vlan *v, bool tagged, uint16_t vid)
{
	if (tagged && vid == BR_VID_MASK)
		return -1;                  /* reserved */
	if (tagged && vid == 0)
		tagged = false;             /* priority-tagged */
	switch (v->mode) {
	case VSW_PORT_VLAN_ACCESS:
		return tagged ? -1 : v->tag;
	case VSW_PORT_VLAN_TRUNK:
		return tagged && vsw_port_vlan_trunks(v, vid) ? vid : -1;
	default:
		return tagged ? vid : 0;
	}
}

/** How a frame of VLAN @p vid leaves a port with membership @p v. */
static inline enum br_form
br_vlan_out(const struct vsw_port_vlan *v, uint16_t vid)
{
	switch (v->mode) {
	case VSW_PORT_VLAN_ACCESS:
		return vid == v->tag ? BR_UNTAGGED : BR_NONE;
	case VSW_PORT_VLAN_TRUNK:
		return vid != 0 && vsw_port_vlan_trunks(v, vid) ? BR_TAGGED
							       : BR_NONE;
	default:
		return vid == 0 ? BR_UNTAGGED : BR_TAGGED;
	}
}

/* Offload metadata counts the tag in l2_len. */
static inline void
br_l2_len_add(struct rte_mbuf *m, int delta)
{
	if (m->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG))
		m->l2_len = (uint64_t)((int)m->l2_len + delta);
}

/**
 * Remove the outer 802.1Q tag of @p m (direct, refcount 1, tag in the
 * first segment).
 */
static inline void
br_vlan_pop(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	memmove(p + sizeof(struct rte_vlan_hdr), p, 2 * RTE_ETHER_ADDR_LEN);
	rte_pktmbuf_adj(m, sizeof(struct rte_vlan_hdr));
	br_l2_len_add(m, -(int)sizeof(struct rte_vlan_hdr));
}

/**
 * Insert an 802.1Q tag with VID @p vid (priority 0) into untagged @p m
 * (direct, refcount 1). @return 0, or -1: no headroom.
 */
static inline int
br_vlan_push(struct rte_mbuf *m, uint16_t vid)
{
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, sizeof(struct rte_vlan_hdr));
	struct rte_ether_hdr *eh;
	struct rte_vlan_hdr *vh;

	if (p == NULL)
		return -1;
	memmove(p, p + sizeof(struct rte_vlan_hdr), 2 * RTE_ETHER_ADDR_LEN);
	eh = (struct rte_ether_hdr *)p;
	vh = (struct rte_vlan_hdr *)(eh + 1);
	/* The frame's EtherType stayed where vh->eth_proto is. */
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
	vh->vlan_tci = rte_cpu_to_be_16(vid);
	br_l2_len_add(m, (int)sizeof(struct rte_vlan_hdr));
	return 0;
}

/** Make @p m (tagged or not, as @p tagged says) leave as @p form. */
static inline int
br_vlan_set(struct rte_mbuf *m, bool tagged, enum br_form form, uint16_t vid)
{
	if (form == BR_UNTAGGED && tagged)
		br_vlan_pop(m);
	else if (form == BR_TAGGED && !tagged)
		return br_vlan_push(m, vid);
	return 0;
}

#endif /* VSW_BRIDGE_PRIV_H */
