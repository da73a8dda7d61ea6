/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_DP_H
#define VSW_DP_H

/**
 * @file
 * The data path as a whole: ports, what each port's traffic goes to
 * (a cross-connect peer, a bridge, nothing), the PMD threads and which
 * PMD polls which rx queue. Start-up configuration and run-time control
 * both go through these operations.
 *
 * Introduction
 * ------------
 * Every operation runs on the control thread, while PMDs forward. None
 * edits a live data-path object in place: it changes the model here,
 * builds new poll lists (and bridge member tables), publishes them, and
 * frees what they replace after an RCU grace period.
 *
 * Details
 * -------
 * Reload: each PMD's poll list is rebuilt from the model. An rx queue
 * that changes PMD is first taken out of every list (publish, grace
 * period), then given to its new PMD (publish, grace period): no two PMDs
 * ever poll one queue. Removing a port: it leaves its bridge (member table
 * published, FDB flushed, grace period) or cross-connect, its queues leave
 * the poll lists (grace period), and only then is it destroyed.
 *
 * Rx queues are placed when a port is added, by the assignment mode
 * (round robin: the PMD with the fewest queues; cycles: the least loaded),
 * and re-assigned all at once by vsw_dp_rebalance() from the cycles each
 * queue used since the previous assignment. A pinned queue stays on its
 * PMD.
 *
 * Usage
 * -----
 * vsw_dp_create(), then vsw_dp_port_add() / _xconnect() / _bridge_*();
 * vsw_dp_destroy() stops the PMDs and frees everything.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vsw_bridge.h"
#include "vsw_pmd.h"
#include "vsw_port.h"

struct rte_mempool;
struct vsw_dp;
struct vsw_loop;

#define VSW_DP_MAX_BRIDGES 16

struct vsw_dp_conf {
	struct vsw_loop *loop;
	unsigned int n_pmds;               /**< 1..VSW_PMD_MAX */
	unsigned int lcores[VSW_PMD_MAX];  /**< worker lcore of each PMD */
	unsigned int mbufs;                /**< packet pool size */
	enum vsw_pmd_assign assign;
};

/**
 * Create the mbuf pool, the RCU variable and the PMDs, and launch them
 * with empty poll lists. @return dp, or NULL with a reason in @p err.
 */
struct vsw_dp *vsw_dp_create(const struct vsw_dp_conf *conf, char *err,
			     size_t errlen);

/** Stop the PMDs; destroy bridges and ports. */
void vsw_dp_destroy(struct vsw_dp *dp);

/* Every int operation returns 0 or -errno with a reason in err. */

int vsw_dp_port_add(struct vsw_dp *dp, const char *name, const char *spec,
		    char *err, size_t errlen);
int vsw_dp_port_del(struct vsw_dp *dp, const char *name, char *err,
		    size_t errlen);

/** Forward everything from @p a to @p b and back; a == b reflects. */
/**
 * vDPA: move port @p name's data path to its device (@p on) or to the
 * PMDs, with the companion (its wire). Turning on, the ports are parked
 * (no PMD polls or sends to them) before the device takes the rings;
 * turning off, the PMDs get them back once the device let go. Rings
 * move at their positions: nothing lost or done twice.
 * @return 0, -ENOENT, -ENOTSUP (not a vDPA port) or the driver's error.
 */
int vsw_dp_port_offload(struct vsw_dp *dp, const char *name, bool on,
			char *err, size_t errlen);

int vsw_dp_xconnect_add(struct vsw_dp *dp, const char *a, const char *b,
			char *err, size_t errlen);
/** Undo the cross-connect port @p a is in. */
int vsw_dp_xconnect_del(struct vsw_dp *dp, const char *a, char *err,
			size_t errlen);

struct vsw_dp_bridge_opts {
	uint32_t max_entries; /**< 0: VSW_FDB_DEFAULT_MAX */
	uint32_t aging_sec;   /**< ageing time; see aging_set */
	bool aging_set;       /**< false: VSW_FDB_DEFAULT_AGING */
};

int vsw_dp_bridge_add(struct vsw_dp *dp, const char *name,
		      const struct vsw_dp_bridge_opts *opts, char *err,
		      size_t errlen);
/** Remove the bridge, its ports first (they stay, attached to nothing). */
int vsw_dp_bridge_del(struct vsw_dp *dp, const char *name, char *err,
		      size_t errlen);
int vsw_dp_bridge_port_add(struct vsw_dp *dp, const char *bridge,
			   const char *port, char *err, size_t errlen);
int vsw_dp_bridge_port_del(struct vsw_dp *dp, const char *bridge,
			   const char *port, char *err, size_t errlen);

/**
 * Re-assign every unpinned rx queue with @p mode, from the cycles each
 * used since the last assignment. @return 0 or -errno; *@p moved: how
 * many queues changed PMD.
 */
int vsw_dp_rebalance(struct vsw_dp *dp, enum vsw_pmd_assign mode,
		     unsigned int *moved, char *err, size_t errlen);

/** Pin rx queue @p q of @p port to PMD index @p pmd; -1 unpins. */
int vsw_dp_rxq_pin(struct vsw_dp *dp, const char *port, unsigned int q,
		   int pmd, char *err, size_t errlen);

/* --- what show commands read (control thread) --- */

struct vsw_port *vsw_dp_port(const struct vsw_dp *dp, const char *name);
/** Ports in id order. @return how many (<= max). */
unsigned int vsw_dp_ports(const struct vsw_dp *dp, struct vsw_port **out,
			  unsigned int max);
/** What @p port's traffic goes to: "bridge br0", "xconnect vm2", "none". */
void vsw_dp_port_attachment(const struct vsw_dp *dp,
			    const struct vsw_port *port, char *buf, size_t len);

struct vsw_bridge *vsw_dp_bridge(const struct vsw_dp *dp, const char *name);
unsigned int vsw_dp_bridges(const struct vsw_dp *dp, struct vsw_bridge **out,
			    unsigned int max);

struct vsw_dp_rxq_info {
	const struct vsw_port *port;
	uint16_t qid;
	int pmd;              /**< PMD index; -1: parked (a vDPA device's) */
	unsigned int lcore;
	bool pinned;
	uint64_t cycles;      /**< since the last assignment */
	uint64_t packets;     /**< since the last assignment */
};

/** Rx queues in port id, queue order. @return how many (<= max). */
unsigned int vsw_dp_rxqs(const struct vsw_dp *dp, struct vsw_dp_rxq_info *out,
			 unsigned int max);

unsigned int vsw_dp_n_pmds(const struct vsw_dp *dp);
/** The mbuf pool every port receives into. */
const struct rte_mempool *vsw_dp_mempool(const struct vsw_dp *dp);
const struct vsw_pmd *vsw_dp_pmd(const struct vsw_dp *dp, unsigned int i);
enum vsw_pmd_assign vsw_dp_assign_mode(const struct vsw_dp *dp);

/**
 * The "stats ..." lines vswd prints at exit: per port, per queue, per
 * driver object, per bridge member, per PMD.
 */
void vsw_dp_print_stats(const struct vsw_dp *dp, FILE *f);

#endif /* VSW_DP_H */
