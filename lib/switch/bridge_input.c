/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bridge's data path: one rx burst of a member port.
 *
 * Pass 1 parses every frame once (headers are read from the mbuf, which
 * holds vsw's own copy: a guest cannot change them under us), drops what
 * is malformed or off the port's VLANs, finds the FDB buckets of both MACs
 * (one hash each) and prefetches the first of each (with the FDB at most
 * a quarter full, entries are nearly always there). Pass 2 learns sources
 * and looks destinations up in those buckets, once per run of equal
 * sources or destinations, and sends each frame to the FDB's port, or
 * floods it.
 */
#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "bridge_priv.h"
#include "fdb_priv.h"

/* What pass 1 found out about one frame. */
struct br_pkt {
	uint64_t skey;
	uint64_t dkey;
	struct fdb_bucket *sb[2];  /**< candidate buckets of skey */
	struct fdb_bucket *db[2];  /**< of dkey (unless flood) */
	uint16_t vid;
	bool tagged;   /**< carries an 802.1Q tag with VID vid */
	bool flood;    /**< group destination */
};

/* Re-insert a tag a NIC stripped into the frame, so that every frame
 * is handled in one form. */
static __rte_noinline int
unstrip(struct rte_mbuf *m)
{
	m->ol_flags &= ~RTE_MBUF_F_RX_VLAN_STRIPPED;
	return br_vlan_push(m, m->vlan_tci);
}

/* Pass 1 for one frame. @return 0, or -1: drop it (counted). */
static __rte_always_inline int
classify(const struct br_port *ip, struct rte_mbuf *m, struct br_pkt *c,
	 struct vsw_bridge_port_stats *st)
{
	const struct rte_ether_hdr *eh;
	uint16_t vid = 0;
	int vlan;

	if (unlikely(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) &&
	    unstrip(m) != 0) {
		st->drop_nomem++;
		return -1;
	}
	if (unlikely(m->data_len < RTE_ETHER_HDR_LEN)) {
		st->drop_runt++;
		return -1;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	c->tagged = eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
	if (c->tagged) {
		if (unlikely(m->data_len < RTE_ETHER_HDR_LEN +
					   sizeof(struct rte_vlan_hdr))) {
			st->drop_runt++;
			return -1;
		}
		vid = rte_be_to_cpu_16(((const struct rte_vlan_hdr *)(eh + 1))
				       ->vlan_tci) & BR_VID_MASK;
	}
	if (unlikely(rte_is_multicast_ether_addr(&eh->src_addr) ||
		     rte_is_zero_ether_addr(&eh->src_addr))) {
		st->drop_src++;
		return -1;
	}
	vlan = br_vlan_in(&ip->vlan, c->tagged, vid);
	if (unlikely(vlan < 0)) {
		st->drop_vlan++;
		return -1;
	}
	c->flood = rte_is_multicast_ether_addr(&eh->dst_addr);
	c->skey = vsw_fdb_key(&eh->src_addr, (uint16_t)vlan);
	c->dkey = vsw_fdb_key(&eh->dst_addr, (uint16_t)vlan);
	if (unlikely(c->tagged && vid == 0)) {
		br_vlan_pop(m);     /* priority tag: the frame is untagged */
		c->tagged = false;
	}
	c->vid = (uint16_t)vlan;
	return 0;
}

/* Raise the reference count of every segment by @p k. */
static inline void
refcnt_add(struct rte_mbuf *m, uint16_t k)
{
	for (; m != NULL; m = m->next)
		rte_mbuf_refcnt_update(m, (int16_t)k);
}

/* Send @p m to the @p n ports in @p to, sharing it. */
static inline void
send_shared(struct vsw_pmd *pmd, struct vsw_port *const *to, unsigned int n,
	    struct rte_mbuf *m)
{
	if (n > 1)
		refcnt_add(m, (uint16_t)(n - 1));
	for (unsigned int i = 0; i < n; i++)
		vsw_pmd_tx_add(pmd, to[i], m);
}

/*
 * Flood @p m to every member but @p in_idx that carries its VLAN. Members
 * that want the frame as it is share it; the others (tagged vs untagged)
 * share one re-tagged copy, or @p m itself re-tagged when nobody wants it
 * as it is.
 */
static __rte_noinline void
flood(struct vsw_pmd *pmd, const struct vsw_bridge *br,
      const struct br_ports *bp, int in_idx, struct rte_mbuf *m,
      const struct br_pkt *c, struct vsw_bridge_port_stats *st)
{
	struct vsw_port *same[VSW_PORT_MAX], *other[VSW_PORT_MAX];
	unsigned int n_same = 0, n_other = 0;
	enum br_form mine = c->tagged ? BR_TAGGED : BR_UNTAGGED;

	for (unsigned int j = 0; j < bp->n; j++) {
		enum br_form f = br_vlan_out(&bp->p[j].vlan, c->vid);

		if ((int)j == in_idx || f == BR_NONE)
			continue;
		if (f == mine)
			same[n_same++] = bp->p[j].port;
		else
			other[n_other++] = bp->p[j].port;
	}
	st->flooded++;
	if (n_same == 0 && n_other > 0) {
		/* @p m is ours alone (refcount 1 since rx). */
		if (br_vlan_set(m, c->tagged, mine == BR_TAGGED ? BR_UNTAGGED :
				BR_TAGGED, c->vid) != 0) {
			st->drop_nomem++;
			rte_pktmbuf_free(m);
			return;
		}
		send_shared(pmd, other, n_other, m);
		return;
	}
	if (n_other > 0) {
		struct rte_mbuf *o = rte_pktmbuf_copy(m, br->mp, 0, UINT32_MAX);

		if (o == NULL || br_vlan_set(o, c->tagged, mine == BR_TAGGED ?
					     BR_UNTAGGED : BR_TAGGED, c->vid)) {
			rte_pktmbuf_free(o);
			st->drop_nomem++;
		} else {
			send_shared(pmd, other, n_other, o);
		}
	}
	if (n_same > 0)
		send_shared(pmd, same, n_same, m);
	else
		rte_pktmbuf_free(m);
}

/* Send @p m to the one port the FDB named. */
static __rte_always_inline void
forward(struct vsw_pmd *pmd, const struct br_ports *bp, int out,
	struct rte_mbuf *m, const struct br_pkt *c,
	struct vsw_bridge_port_stats *st)
{
	int idx = bp->idx_of[out];
	enum br_form f;

	if (unlikely(idx < 0) ||
	    (f = br_vlan_out(&bp->p[idx].vlan, c->vid)) == BR_NONE) {
		st->drop_no_port++;
		rte_pktmbuf_free(m);
		return;
	}
	/* Unicast: the mbuf is ours alone, re-tag it in place. */
	if (unlikely(br_vlan_set(m, c->tagged, f, c->vid) != 0)) {
		st->drop_nomem++;
		rte_pktmbuf_free(m);
		return;
	}
	st->unicast++;
	vsw_pmd_tx_add(pmd, bp->p[idx].port, m);
}

static inline void
drop_same(struct rte_mbuf *m, struct vsw_bridge_port_stats *st)
{
	st->drop_same++;
	rte_pktmbuf_free(m);
}

static __rte_always_inline void
learn(struct vsw_fdb *fdb, struct br_pkt *c, uint16_t port, uint32_t now,
      struct vsw_bridge_port_stats *st)
{
	switch (fdb_learn_b(fdb, c->skey, port, now, c->sb)) {
	case VSW_FDB_KNOWN:
		break;
	case VSW_FDB_NEW:
		st->learned++;
		break;
	case VSW_FDB_MOVED:
		st->moved++;
		break;
	case VSW_FDB_FULL:
		st->fdb_full++;
		break;
	case VSW_FDB_STATIC:
		st->static_conflict++;
		break;
	}
}

void
vsw_bridge_input(struct vsw_pmd *pmd, const struct vsw_pmd_rxq *rq,
		 struct rte_mbuf **pkts, uint16_t n)
{
	struct vsw_bridge *br = rq->fwd_arg;
	/* Pairs with the release store publishing the table (bridge.c). */
	const struct br_ports *bp = __atomic_load_n(&br->ports, __ATOMIC_ACQUIRE);
	struct vsw_port *in = rq->port;
	struct vsw_bridge_port_stats *st = br_stats(br, pmd->id, in->id);
	int in_idx = bp->idx_of[in->id];
	struct br_pkt c[VSW_PMD_BURST];
	uint64_t last_src = 0, last_dst = 0;
	int last_out = VSW_FDB_NO_PORT;
	uint16_t k = 0;

	if (unlikely(in_idx < 0)) {
		st->drop_not_member += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		if (classify(&bp->p[in_idx], pkts[i], &c[k], st) != 0) {
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		fdb_buckets(br->fdb, c[k].skey, c[k].sb);
		rte_prefetch0(c[k].sb[0]);
		if (!c[k].flood) {
			fdb_buckets(br->fdb, c[k].dkey, c[k].db);
			rte_prefetch0(c[k].db[0]);
		}
		pkts[k++] = pkts[i];
	}
	for (uint16_t i = 0; i < k; i++) {
		int out;

		if (c[i].skey != last_src) {
			learn(br->fdb, &c[i], in->id, pmd->now, st);
			last_src = c[i].skey;
		}
		if (c[i].flood) {
			out = VSW_FDB_NO_PORT;
		} else if (c[i].dkey == last_dst) {
			out = last_out;
		} else {
			out = fdb_lookup_b(c[i].dkey, c[i].db);
			last_dst = c[i].dkey;
			last_out = out;
		}
		if (out == VSW_FDB_NO_PORT)
			flood(pmd, br, bp, in_idx, pkts[i], &c[i], st);
		else if (unlikely(out == in->id))
			drop_same(pkts[i], st);
		else
			forward(pmd, bp, out, pkts[i], &c[i], st);
	}
}
