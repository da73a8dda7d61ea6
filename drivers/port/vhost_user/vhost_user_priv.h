/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_VHOST_USER_PRIV_H
#define VSW_VHOST_USER_PRIV_H

/*
 * What the two port types served by vsw's vhost-user back-end share:
 * "vhost-user" (vhost_user_port.c) and "vdpa" (vdpa_port.c, a vhost-user
 * socket whose rings a vDPA device runs, or vsw's PMDs after a hand-over).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>

#include "vsw_port.h"
#include "vsw_unix.h"
#include "vsw_vhost.h"

struct vhost_user_port {
	struct vsw_vhost_dev *dev;
	struct rte_mempool *mp;
	uint16_t queue_pairs;
	bool server;
	char path[108];
};

/* The options of a vhost-user socket, from a port spec. */
struct vu_opts {
	const char *path;
	unsigned long server, queues, mtu, co_usecs, co_pkts;
	struct rte_ether_addr mac;
	bool has_mac;
	struct vsw_unix_perm perm;
	uint32_t hs_ms;
};

int vu_parse(struct vsw_port_args *args, struct vu_opts *o, char *err,
	     size_t errlen);
/* Create the vhost-user device of @p port into @p vu; its queues. */
int vu_open(struct vsw_port *port, struct vhost_user_port *vu,
	    const struct vu_opts *o, const struct vsw_port_env *env,
	    uint64_t features_mask, bool host_notifier, char *err,
	    size_t errlen);

/* Port ops on a struct vhost_user_port at the start of port->priv. */
uint16_t vu_rx_burst(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts,
		     uint16_t n);
uint16_t vu_tx_burst(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts,
		     uint16_t n, uint64_t *bytes);
void vu_tx_flush(struct vsw_port *port, uint16_t q);
void vu_print_vhost(const struct vsw_port *port,
		    const struct vhost_user_port *vu, FILE *f);

#endif /* VSW_VHOST_USER_PRIV_H */
