/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_PORT_H
#define VSW_PORT_H

/**
 * @file
 * Ports: every kind of packet endpoint (vhost-user guest, DPDK ethdev,
 * vDPA) behind one ops table. The PMD threads and the switch see ports
 * only through vsw_port_rx() / vsw_port_tx().
 *
 * A port is made from a spec string "TYPE:key=value,key=value"; the
 * driver for TYPE takes the keys it knows, and any key left over is
 * reported by name.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "vsw_lock.h"

#define VSW_PORT_NAME_MAX 32
#define VSW_PORT_MAX_QUEUES 8
#define VSW_PORT_ARGS_MAX 16
/** Ports alive at once; port ids are 0..VSW_PORT_MAX-1. */
#define VSW_PORT_MAX 64
/** PMD threads that may transmit on a port (tx queue users). */
#define VSW_PORT_MAX_PMDS 16
#define VSW_VLAN_MAX 4095 /* VIDs 1..4094 are usable; 0 means untagged */

struct rte_rcu_qsbr;
struct vsw_port;
struct vsw_port_stats;
struct vsw_loop;

/** Key=value pairs of a port spec, each marked when a driver reads it. */
struct vsw_port_args {
	unsigned int n;
	struct {
		char key[32];
		char val[256];
		bool used;
	} kv[VSW_PORT_ARGS_MAX];
};

/** Where a driver finds what it needs at creation. */
struct vsw_port_env {
	struct vsw_loop *loop;     /**< control thread's event loop */
	struct rte_mempool *mp;    /**< mbufs for received packets */
	/** the PMD threads' quiescent-state variable (lib/pmd) */
	struct rte_rcu_qsbr *qsbr;
	/**
	 * PMD threads that will transmit on the port, 1..VSW_PORT_MAX_PMDS
	 * (0 is taken as 1). A driver that can offers this many tx queues;
	 * fewer are shared (vsw_port_tx() locks them).
	 */
	uint16_t n_pmds;
};

/**
 * How a port carries VLANs on a bridge, from its spec (vlan=, trunk=),
 * as Open vSwitch's Port tag/trunks:
 * - ALL (neither given): untagged frames are VLAN 0 and leave untagged,
 *   tagged frames keep their VLAN;
 * - ACCESS (vlan=N): untagged frames are VLAN N and leave untagged;
 *   frames arriving tagged (other than priority-tagged, VID 0) are dropped;
 * - TRUNK (trunk=N,M,A-B): frames tagged with a listed VLAN, which leave
 *   tagged; untagged frames and other VLANs are dropped.
 */
enum vsw_port_vlan_mode {
	VSW_PORT_VLAN_ALL,
	VSW_PORT_VLAN_ACCESS,
	VSW_PORT_VLAN_TRUNK,
};

struct vsw_port_vlan {
	enum vsw_port_vlan_mode mode;
	uint16_t tag;                      /**< ACCESS: the port's VLAN */
	uint64_t trunks[(VSW_VLAN_MAX + 64) / 64]; /**< TRUNK: bit v = VLAN v */
};

/**
 * Operations of one port type. Concurrency: create/destroy/show run on the
 * control thread; rx_burst on the one PMD that owns the rx queue; tx_burst
 * on the PMD that owns the tx queue (one per PMD).
 */
struct vsw_port_ops {
	const char *type; /**< spec prefix, e.g. "vhost-user" */
	/**
	 * Read @p args (vsw_port_arg_*), set port->nb_rxq/nb_txq and
	 * port->priv. On failure write a reason naming the offending key to
	 * @p err, leave nothing allocated and return -errno.
	 */
	int (*create)(struct vsw_port *port, struct vsw_port_args *args,
		      const struct vsw_port_env *env, char *err, size_t errlen);
	/** Release everything. PMDs no longer poll the port. */
	void (*destroy)(struct vsw_port *port);
	/** Receive up to @p n packets; the caller owns what is returned. */
	uint16_t (*rx_burst)(struct vsw_port *port, uint16_t q,
			     struct rte_mbuf **pkts, uint16_t n);
	/**
	 * Send @p n packets. Takes ownership of all of them: what it could
	 * not send it frees. Returns how many were sent and adds their
	 * length to *@p bytes.
	 */
	uint16_t (*tx_burst)(struct vsw_port *port, uint16_t q,
			     struct rte_mbuf **pkts, uint16_t n, uint64_t *bytes);
	/**
	 * Optional, called by the PMD owning tx queue @p q on every loop
	 * iteration when port->tx_flush is set: finish what tx_burst left
	 * pending (a coalesced interrupt whose time has come).
	 */
	void (*tx_flush)(struct vsw_port *port, uint16_t q);
	/** One-line description for logs ("server /run/vsw/vm1.sock"). */
	void (*describe)(const struct vsw_port *port, char *buf, size_t len);
	/**
	 * Optional: print the driver's own counters to @p f, one
	 * "stats <what> port=NAME key=value..." line per object (control
	 * thread; counters are read while the PMD may write them).
	 */
	void (*print_stats)(const struct vsw_port *port, FILE *f);
	/**
	 * Optional: a second port the driver made together with this one (a
	 * vDPA port's wire), which the data path lists as a port of its own.
	 * Called once, after create; the driver destroys it in destroy().
	 */
	struct vsw_port *(*companion)(struct vsw_port *port);
	/**
	 * Optional (vDPA): move the port's data path to its device (@p on)
	 * or to vsw's PMDs. Control thread. Turning on, the caller has
	 * parked the port and its companion and waited for a grace period:
	 * no PMD touches them. Turning off, the caller unparks them after
	 * this returns. On failure nothing moved (reason in @p err).
	 */
	int (*offload)(struct vsw_port *port, bool on, char *err, size_t errlen);
	/** Optional: is the link up now? Control thread. */
	bool (*link_up)(const struct vsw_port *port);
	/**
	 * Optional: counters of a data path that is not the PMDs' (a vDPA
	 * device's queues), added to the port's in vsw_port_stats_sum():
	 * @p rx what the port received (the guest sent), @p tx what it sent.
	 * Control thread; the device may be writing them.
	 */
	void (*device_stats)(const struct vsw_port *port,
			     struct vsw_port_stats *rx, struct vsw_port_stats *tx);
};

/**
 * Counters of one queue, written only by the thread that owns it (an
 * rx queue's PMD; a tx queue's PMD, or whoever holds its lock).
 */
struct vsw_port_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t drops;
	uint64_t cycles;    /**< rx: TSC cycles of this queue's bursts (rx +
			     *   forwarding), by the PMD that polls it */
	uint64_t contended; /**< tx: bursts that waited for the queue lock */
} __rte_cache_aligned;

struct vsw_port {
	const struct vsw_port_ops *ops;
	void *priv;
	uint16_t nb_rxq;
	uint16_t nb_txq;
	bool tx_flush;  /**< the PMD calls ops->tx_flush (set at create) */
	/**
	 * Parked: its queues belong to a device (vDPA), not to the PMDs. No
	 * PMD polls it; vsw_port_tx() drops what is sent to it (counted).
	 * Changed by lib/dp (a driver sets it at create for a port that
	 * starts offloaded), read by PMDs relaxed: the grace period lib/dp
	 * waits after a change orders it.
	 */
	bool parked;
	/** more PMDs than tx queues: vsw_port_tx() takes txlock[q] */
	bool tx_shared;
	/** tx queue of each PMD id (PMD p sends on txq_of[p]) */
	uint8_t txq_of[VSW_PORT_MAX_PMDS];
	uint16_t id;    /**< 0..VSW_PORT_MAX-1, unique among live ports */
	char name[VSW_PORT_NAME_MAX];
	struct vsw_port_vlan vlan;
	struct vsw_port_stats rx[VSW_PORT_MAX_QUEUES];
	struct vsw_port_stats tx[VSW_PORT_MAX_QUEUES];
	struct vsw_spinlock txlock[VSW_PORT_MAX_QUEUES];
};

/** Register a port type (drivers call this from a constructor). */
void vsw_port_register(const struct vsw_port_ops *ops);

/**
 * Create port @p name from @p spec: "TYPE:key=value,...". The keys vlan=
 * and trunk= (struct vsw_port_vlan) are the port layer's, for every type;
 * the rest are the driver's. An item without '=' continues the value
 * before it ("trunk=10,20"); "devargs=" takes the rest of the spec.
 * @return the port, or NULL with a reason in @p err.
 */
struct vsw_port *vsw_port_create(const char *name, const char *spec,
				 const struct vsw_port_env *env,
				 char *err, size_t errlen);
void vsw_port_destroy(struct vsw_port *port);

/**
 * What can be checked of @p spec without creating the port: a known type,
 * well-formed options, the port layer's keys (vlan=, trunk=). The
 * driver's own options are checked when the port is created.
 * @return 0 or -EINVAL with a reason in @p err.
 */
int vsw_port_spec_check(const char *spec, char *err, size_t errlen);

/**
 * Print "stats rxq|txq port=NAME q=N packets= bytes= drops=" for every
 * queue, then the driver's own lines (ops->print_stats).
 */
void vsw_port_print_stats(const struct vsw_port *port, FILE *f);

/** Is VLAN @p vid (1..4094) on the trunk list of @p v? */
static inline bool
vsw_port_vlan_trunks(const struct vsw_port_vlan *v, uint16_t vid)
{
	return (v->trunks[vid / 64] >> (vid % 64)) & 1;
}

/**
 * Parse "N" (vlan=) or "N,M,A-B" (trunk=) into @p v. @return 0 or -EINVAL
 * with a reason naming the option.
 */
int vsw_port_vlan_parse(struct vsw_port_vlan *v, const char *vlan,
			const char *trunk, char *err, size_t errlen);

/** "vlan=10", "trunk=10,20-29" or "" (all VLANs) into @p buf. */
void vsw_port_vlan_format(const struct vsw_port_vlan *v, char *buf, size_t len);

/** Sum of the per-queue counters, and of the device's (ops->device_stats). */
void vsw_port_stats_sum(const struct vsw_port *port,
			struct vsw_port_stats *rx, struct vsw_port_stats *tx);

/** Split "k=v,k=v" into @p args. @return 0 or -EINVAL with @p err. */
int vsw_port_args_parse(const char *s, struct vsw_port_args *args,
			char *err, size_t errlen);
/** Value of @p key (marked used), or NULL when absent. */
const char *vsw_port_arg_str(struct vsw_port_args *args, const char *key);
/**
 * Unsigned value of @p key in [min, max], @p def when absent.
 * @return 0 or -EINVAL with a reason naming the key.
 */
int vsw_port_arg_uint(struct vsw_port_args *args, const char *key,
		      unsigned long min, unsigned long max, unsigned long def,
		      unsigned long *out, char *err, size_t errlen);
/** First key no driver read, or NULL. */
const char *vsw_port_args_unused(const struct vsw_port_args *args);

/* --- data path --- */

static __rte_always_inline uint16_t
vsw_port_rx(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts,
	    uint16_t n)
{
	uint16_t got = port->ops->rx_burst(port, q, pkts, n);
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < got; i++)
		bytes += pkts[i]->pkt_len;
	port->rx[q].packets += got;
	port->rx[q].bytes += bytes;
	return got;
}

/*
 * tx_burst on queue @p q and its counters: the caller owns the queue (a
 * PMD; or a parked port's device, which calls it directly).
 */
static __rte_always_inline uint16_t
vsw_port_tx_queue(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts,
		  uint16_t n)
{
	uint64_t bytes = 0;
	uint16_t sent = port->ops->tx_burst(port, q, pkts, n, &bytes);

	port->tx[q].packets += sent;
	port->tx[q].bytes += bytes;
	port->tx[q].drops += n - sent;
	return sent;
}

/* A parked port: its device owns the queues; drop, counted. */
static __rte_noinline __rte_unused uint16_t
port_tx_parked(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts,
	       uint16_t n)
{
	rte_pktmbuf_free_bulk(pkts, n);
	__atomic_fetch_add(&port->tx[q].drops, n, __ATOMIC_RELAXED);
	return 0;
}

/* A tx queue other PMDs share: the same under its lock. */
static __rte_noinline __rte_unused uint16_t
port_tx_shared(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts,
	       uint16_t n)
{
	bool waited = vsw_spinlock_lock(&port->txlock[q]);
	uint16_t sent = vsw_port_tx_queue(port, q, pkts, n);

	port->tx[q].contended += waited;
	vsw_spinlock_unlock(&port->txlock[q]);
	return sent;
}

/**
 * Send @p n packets from PMD @p pmd on that PMD's tx queue of @p port,
 * taking its lock when the queue is shared with other PMDs. Takes
 * ownership of every packet.
 */
static __rte_always_inline uint16_t
vsw_port_tx(struct vsw_port *port, uint16_t pmd, struct rte_mbuf **pkts,
	    uint16_t n)
{
	uint16_t q = port->txq_of[pmd];

	if (unlikely(__atomic_load_n(&port->parked, __ATOMIC_RELAXED)))
		return port_tx_parked(port, q, pkts, n);
	if (unlikely(port->tx_shared))
		return port_tx_shared(port, q, pkts, n);
	return vsw_port_tx_queue(port, q, pkts, n);
}

static __rte_noinline __rte_unused void
port_tx_flush_shared(struct vsw_port *port, uint16_t q)
{
	vsw_spinlock_lock(&port->txlock[q]);
	port->ops->tx_flush(port, q);
	vsw_spinlock_unlock(&port->txlock[q]);
}

/**
 * For ports with tx_flush set: PMD @p pmd finishes what its tx queue left
 * pending (ops->tx_flush), under the queue's lock when it is shared.
 */
static __rte_always_inline void
vsw_port_tx_flush(struct vsw_port *port, uint16_t pmd)
{
	uint16_t q = port->txq_of[pmd];

	if (unlikely(port->tx_shared))
		port_tx_flush_shared(port, q);
	else
		port->ops->tx_flush(port, q);
}

#endif /* VSW_PORT_H */
