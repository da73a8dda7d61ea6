/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port driver "vhost-user": a guest's virtio-net device served by vsw's
 * own back-end (lib/vhost).
 *
 *   vhost-user:path=/run/vsw/vm1.sock[,server=1][,queues=1]
 *              [,mac=52:54:00:00:00:01][,mtu=9000]
 *              [,coalesce-usecs=50[,coalesce-pkts=32]]
 *              [,socket-mode=0660][,socket-owner=USER][,socket-group=GROUP]
 *              [,handshake-timeout=SECONDS]
 *
 * socket-* set the server socket file's permissions (default 0600, owned
 * by vswd's user, whatever the umask); handshake-timeout (default 10 s)
 * is how long a front-end may stay silent after connecting, or leave a
 * message half-sent, before vswd hangs up.
 *
 * mac and mtu fill the device config space for front-ends that read it
 * (GET_CONFIG); QEMU and DPDK's virtio-user keep their own, and QEMU
 * tells the back-end its host_mtu with NET_SET_MTU. coalesce-usecs delays
 * the guest's receive interrupts by up to that long, or until
 * coalesce-pkts packets arrived (vsw_vhost_conf).
 *
 * rx queue q = the guest's transmit queue of pair q; tx queue q (one per
 * PMD) = the guest's q-th ready receive queue, modulo their count.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vhost_user_priv.h"

/* One of socket-mode/-owner/-group into @p perm. */
static int
perm_opt(unsigned int i, const char *v, struct vsw_unix_perm *perm, char *why,
	 size_t whylen)
{
	switch (i) {
	case 0:
		return vsw_unix_parse_mode(v, &perm->mode, why, whylen);
	case 1:
		return vsw_unix_parse_user(v, &perm->uid, why, whylen);
	default:
		return vsw_unix_parse_group(v, &perm->gid, why, whylen);
	}
}

/* socket-mode/-owner/-group (server only) and handshake-timeout. */
static int
socket_opts(struct vsw_port_args *args, bool server, struct vsw_unix_perm *perm,
	    uint32_t *hs_ms, char *err, size_t errlen)
{
	static const char *const keys[] = {
		"socket-mode", "socket-owner", "socket-group" };
	unsigned long hs;
	char why[200];

	*perm = (struct vsw_unix_perm){ VSW_UNIX_MODE_DEFAULT, -1, -1 };
	for (unsigned int i = 0; i < RTE_DIM(keys); i++) {
		const char *v = vsw_port_arg_str(args, keys[i]);

		if (v == NULL)
			continue;
		if (!server) {
			snprintf(err, errlen, "option '%s': only for server=1 (a"
				 " client connects to the front-end's socket)",
				 keys[i]);
			return -EINVAL;
		}
		if (perm_opt(i, v, perm, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "option '%s': %s", keys[i], why);
			return -EINVAL;
		}
	}
	if (vsw_port_arg_uint(args, "handshake-timeout", 1, 3600,
			      VSW_VHOST_HANDSHAKE_MS / 1000, &hs, err, errlen))
		return -EINVAL;
	*hs_ms = (uint32_t)hs * 1000;
	return 0;
}

int
vu_parse(struct vsw_port_args *args, struct vu_opts *o, char *err,
	 size_t errlen)
{
	const char *mac = vsw_port_arg_str(args, "mac");

	memset(o, 0, sizeof(*o));
	o->path = vsw_port_arg_str(args, "path");
	if (o->path == NULL || *o->path == '\0') {
		snprintf(err, errlen, "option 'path' is required");
		return -EINVAL;
	}
	if (strlen(o->path) >= sizeof(((struct vhost_user_port *)0)->path)) {
		snprintf(err, errlen, "option 'path': longer than %zu bytes",
			 sizeof(((struct vhost_user_port *)0)->path) - 1);
		return -EINVAL;
	}
	if (vsw_port_arg_uint(args, "server", 0, 1, 1, &o->server, err, errlen) ||
	    vsw_port_arg_uint(args, "queues", 1, VSW_VHOST_MAX_QP, 1, &o->queues,
			      err, errlen) ||
	    vsw_port_arg_uint(args, "mtu", 68, 65535, 1500, &o->mtu, err, errlen) ||
	    vsw_port_arg_uint(args, "coalesce-usecs", 0, 100000, 0, &o->co_usecs,
			      err, errlen) ||
	    vsw_port_arg_uint(args, "coalesce-pkts", 0, 4096, 0, &o->co_pkts,
			      err, errlen))
		return -EINVAL;
	if (socket_opts(args, o->server, &o->perm, &o->hs_ms, err, errlen) != 0)
		return -EINVAL;
	if (o->co_pkts != 0 && o->co_usecs == 0) {
		snprintf(err, errlen, "option 'coalesce-pkts' needs"
			 " 'coalesce-usecs' (the longest a call may wait)");
		return -EINVAL;
	}
	if (mac != NULL && (rte_ether_unformat_addr(mac, &o->mac) != 0 ||
			    !rte_is_unicast_ether_addr(&o->mac))) {
		snprintf(err, errlen, "option 'mac': '%s' is not a unicast MAC"
			 " address (xx:xx:xx:xx:xx:xx)", mac);
		return -EINVAL;
	}
	o->has_mac = mac != NULL;
	return 0;
}

int
vu_open(struct vsw_port *port, struct vhost_user_port *vu,
	const struct vu_opts *o, const struct vsw_port_env *env,
	uint64_t features_mask, bool host_notifier, char *err, size_t errlen)
{
	struct vsw_vhost_conf conf;

	snprintf(vu->path, sizeof(vu->path), "%s", o->path);
	vu->server = o->server;
	vu->queue_pairs = (uint16_t)o->queues;
	vu->mp = env->mp;
	conf = (struct vsw_vhost_conf){
		.name = port->name,
		.path = vu->path,
		.server = vu->server,
		.queue_pairs = vu->queue_pairs,
		.mac = o->has_mac ? o->mac.addr_bytes : NULL,
		.mtu = (uint16_t)o->mtu,
		.coalesce_usecs = (uint32_t)o->co_usecs,
		.coalesce_pkts = (uint32_t)o->co_pkts,
		.qsbr = env->qsbr,
		/* PMD p uses tx queue p mod queue_pairs (lib/port). */
		.tx_queues = RTE_MIN(env->n_pmds ? env->n_pmds : 1,
				     vu->queue_pairs),
		.perm = &o->perm,
		.handshake_ms = o->hs_ms,
		.features_mask = features_mask,
		.host_notifier = host_notifier,
	};
	vu->dev = vsw_vhost_create(&conf, env->loop);
	if (vu->dev == NULL) {
		snprintf(err, errlen, "cannot %s %s: %s",
			 vu->server ? "listen on" : "connect to", o->path,
			 rte_strerror(rte_errno));
		return -EINVAL;
	}
	port->nb_rxq = vu->queue_pairs;
	port->nb_txq = vu->queue_pairs;
	port->tx_flush = vsw_vhost_coalescing(vu->dev);
	return 0;
}

static int
vu_create(struct vsw_port *port, struct vsw_port_args *args,
	  const struct vsw_port_env *env, char *err, size_t errlen)
{
	struct vhost_user_port *vu;
	struct vu_opts o;

	if (vu_parse(args, &o, err, errlen) != 0)
		return -EINVAL;
	vu = calloc(1, sizeof(*vu));
	if (vu == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (vu_open(port, vu, &o, env, 0, false, err, errlen) != 0) {
		free(vu);
		return -EINVAL;
	}
	port->priv = vu;
	return 0;
}

static void
vu_destroy(struct vsw_port *port)
{
	struct vhost_user_port *vu = port->priv;

	if (vu == NULL)
		return;
	vsw_vhost_destroy(vu->dev);
	free(vu);
	port->priv = NULL;
}

uint16_t
vu_rx_burst(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts,
	    uint16_t n)
{
	struct vhost_user_port *vu = port->priv;

	return vsw_vhost_dequeue_burst(vu->dev, q, vu->mp, pkts, n);
}

uint16_t
vu_tx_burst(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts,
	    uint16_t n, uint64_t *bytes)
{
	struct vhost_user_port *vu = port->priv;
	uint16_t sent;

	/* The back-end copies: every mbuf is ours to free afterwards. */
	sent = vsw_vhost_enqueue_burst(vu->dev, q, pkts, n, bytes);
	rte_pktmbuf_free_bulk(pkts, n);
	return sent;
}

void
vu_tx_flush(struct vsw_port *port, uint16_t q)
{
	struct vhost_user_port *vu = port->priv;

	vsw_vhost_flush(vu->dev, q);
}

static void
vu_describe(const struct vsw_port *port, char *buf, size_t len)
{
	const struct vhost_user_port *vu = port->priv;

	snprintf(buf, len, "vhost-user %s %s, %u queue pair%s",
		 vu->server ? "server" : "client", vu->path, vu->queue_pairs,
		 vu->queue_pairs > 1 ? "s" : "");
}

static void
vu_print_stats(const struct vsw_port *port, FILE *f)
{
	vu_print_vhost(port, port->priv, f);
}

/* One line per virtqueue: "stats vq port=vm1 vq=1 dir=guest-tx ..." */
void
vu_print_vhost(const struct vsw_port *port, const struct vhost_user_port *vu,
	       FILE *f)
{
	struct vsw_vhost_info info;

	vsw_vhost_info(vu->dev, &info);
	fprintf(f, "stats vhost port=%s connected=%d features=0x%" PRIx64
		" protocol_features=0x%" PRIx64 " mtu=%u\n", port->name,
		info.connected, info.features, info.protocol_features, info.mtu);
	for (uint16_t vq = 0; vq < 2 * vu->queue_pairs; vq++) {
		struct vsw_vhost_queue_info qi;

		if (vsw_vhost_queue_info(vu->dev, vq, &qi) != 0)
			continue;
		fprintf(f, "stats vq port=%s vq=%u dir=%s ready=%d enabled=%d"
			" size=%u broken=%d kicks=%" PRIu64 " tx_contended=%"
			PRIu64, port->name, vq, vq % 2 ? "guest-tx" : "guest-rx",
			qi.ready, qi.enabled, qi.size, qi.broken, qi.kicks,
			qi.tx_contended);
#define PRINT_(f_) fprintf(f, " " #f_ "=%" PRIu64, qi.stats.f_);
		VSW_VRING_STATS(PRINT_)
#undef PRINT_
		fputc('\n', f);
	}
}

static const struct vsw_port_ops vhost_user_ops = {
	.type = "vhost-user",
	.create = vu_create,
	.destroy = vu_destroy,
	.rx_burst = vu_rx_burst,
	.tx_burst = vu_tx_burst,
	.tx_flush = vu_tx_flush,
	.describe = vu_describe,
	.print_stats = vu_print_stats,
};

RTE_INIT(vhost_user_port_register)
{
	vsw_port_register(&vhost_user_ops);
}
