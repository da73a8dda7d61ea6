/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_BRIDGE_H
#define VSW_BRIDGE_H

/**
 * @file
 * L2 learning bridge.
 *
 * Introduction
 * ------------
 * A bridge switches frames between its member ports by destination MAC,
 * learning source MACs into its FDB (lib/switch/vsw_fdb.h) on the data
 * path. Unknown unicast, broadcast and multicast are flooded to every
 * other member of the frame's VLAN, the frame shared by reference count.
 * Each member carries VLANs as its spec says (struct vsw_port_vlan:
 * all, access vlan=N, trunk=list); 802.1Q tags are pushed and popped on
 * the way out as the egress port wants them.
 *
 * Details
 * -------
 * The member table is immutable once published: adding or removing a
 * member builds a new table, publishes it with a release store and frees
 * the old one after an RCU grace period (rte_rcu_qsbr). A removed
 * member's FDB entries are flushed before that grace period, so once
 * vsw_bridge_port_del() returns no PMD sends to the port through the
 * bridge. Frames arriving from a port that is not (or no longer) a
 * member are dropped and counted.
 *
 * What is dropped, and counted per ingress port (VSW_BRIDGE_STATS):
 * runts (shorter than their Ethernet/802.1Q header), frames whose VLAN
 * the ingress port does not carry (or VID 4095), multicast or all-zero
 * source MACs, frames whose destination was learned on the port they
 * came from, unicast to a port the FDB names but that is not on the
 * frame's VLAN, and frames a tagged/untagged copy could not be made for.
 *
 * Counters are per PMD and per port, written by one PMD each; readers
 * sum them.
 *
 * Usage
 * -----
 * Control thread: vsw_bridge_create(), vsw_bridge_port_add()/_del(),
 * vsw_bridge_tick() once a second (ageing), vsw_bridge_destroy() when no
 * member is left and no PMD's poll list points at the bridge. PMD: the
 * forwarding function vsw_bridge_input() with the bridge as fwd_arg.
 */

#include <stdbool.h>
#include <stdint.h>

#include "vsw_fdb.h"
#include "vsw_pmd.h"
#include "vsw_port.h"

struct rte_mempool;
struct rte_rcu_qsbr;
struct vsw_bridge;

#define VSW_BRIDGE_NAME_MAX 32

struct vsw_bridge_conf {
	const char *name;
	uint32_t max_entries;       /**< FDB limit; 0: VSW_FDB_DEFAULT_MAX */
	uint32_t aging_sec;         /**< FDB ageing; 0: never */
	uint16_t n_pmds;            /**< PMD ids 0..n_pmds-1 run the input */
	struct rte_rcu_qsbr *qsbr;  /**< those PMDs' quiescent states */
	/** mbufs for the copies flooding needs when members differ in
	 * tagging */
	struct rte_mempool *mp;
};

/** Per ingress port, per PMD. X(name, description) */
#define VSW_BRIDGE_STATS(X) \
	X(unicast, "forwarded to the port the FDB names") \
	X(flooded, "unknown unicast, broadcast, multicast sent to the VLAN") \
	X(learned, "source MACs newly learned on the port") \
	X(moved, "source MACs that moved to the port") \
	X(fdb_full, "sources not learned: FDB at its limit") \
	X(static_conflict, "sources with a static entry on another port") \
	X(drop_runt, "shorter than the Ethernet/802.1Q header") \
	X(drop_vlan, "VLAN not carried by the ingress port, or VID 4095") \
	X(drop_src, "multicast or all-zero source MAC") \
	X(drop_same, "destination learned on the ingress port") \
	X(drop_no_port, "unicast to a port not on the bridge or the VLAN") \
	X(drop_nomem, "no mbuf for a re-tagged flood copy") \
	X(drop_not_member, "arrived from a port not on the bridge")

struct vsw_bridge_port_stats {
#define VSW_BRIDGE_STAT_FIELD_(f, d) uint64_t f;
	VSW_BRIDGE_STATS(VSW_BRIDGE_STAT_FIELD_)
#undef VSW_BRIDGE_STAT_FIELD_
} __rte_cache_aligned;

/** @return a bridge with no members, or NULL with rte_errno set. */
struct vsw_bridge *vsw_bridge_create(const struct vsw_bridge_conf *conf);

/** Free @p br. It has no members and no poll list reaches it. */
void vsw_bridge_destroy(struct vsw_bridge *br);

const char *vsw_bridge_name(const struct vsw_bridge *br);

/**
 * Make @p port a member, with its current port->vlan. Its rx queues are
 * the caller's to point at vsw_bridge_input(). @return 0, -EEXIST,
 * -ENOMEM.
 */
int vsw_bridge_port_add(struct vsw_bridge *br, struct vsw_port *port);

/**
 * Remove @p port: no longer a destination, its FDB entries (static too)
 * flushed. Waits for a grace period: on return no PMD sends to @p port
 * through @p br. @return 0, -ENOENT, -ENOMEM.
 */
int vsw_bridge_port_del(struct vsw_bridge *br, struct vsw_port *port);

/** Members, in the order they were added. @return how many (<= max). */
unsigned int vsw_bridge_ports(const struct vsw_bridge *br,
			      struct vsw_port **out, unsigned int max);

/** Is @p port a member? */
bool vsw_bridge_has_port(const struct vsw_bridge *br,
			 const struct vsw_port *port);

/** The bridge's FDB (static entries: vsw_fdb_add_static() and co.). */
struct vsw_fdb *vsw_bridge_fdb(const struct vsw_bridge *br);

/** Once a second: age the FDB out. */
void vsw_bridge_tick(struct vsw_bridge *br);

/** Sum of @p port's counters over the PMDs (zeroed when it joins). */
void vsw_bridge_port_stats(const struct vsw_bridge *br,
			   const struct vsw_port *port,
			   struct vsw_bridge_port_stats *out);

/** The forwarding function of a member's rx queues (fwd_arg: bridge). */
void vsw_bridge_input(struct vsw_pmd *pmd, const struct vsw_pmd_rxq *rq,
		      struct rte_mbuf **pkts, uint16_t n);

#endif /* VSW_BRIDGE_H */
