/* SPDX-License-Identifier: BSD-3-Clause */
/* vswd's data path: ports from the config, one PMD polling all of them. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vsw_pmd.h"
#include "vsw_port.h"
#include "vswd.h"

struct vswd_dp {
	struct rte_mempool *mp;
	unsigned int n_ports;
	struct vsw_port *ports[VSW_CONFIG_MAX_PORTS];
	struct vsw_port *peer[VSW_CONFIG_MAX_PORTS];
	struct vsw_pmd pmd;
	struct rte_rcu_qsbr *qsbr;
	bool running;
};

static int
find_port(const struct vswd_dp *dp, const char *name)
{
	for (unsigned int i = 0; i < dp->n_ports; i++)
		if (strcmp(dp->ports[i]->name, name) == 0)
			return (int)i;
	return -1;
}

static int
create_ports(struct vswd_dp *dp, const struct vsw_config *cfg,
	     struct vsw_loop *loop, char *err, size_t errlen)
{
	struct vsw_port_env env = { .loop = loop, .mp = dp->mp,
				    .qsbr = dp->qsbr };
	char desc[256];

	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		struct vsw_port *p = vsw_port_create(cfg->ports[i].name,
						     cfg->ports[i].spec, &env,
						     err, errlen);
		if (p == NULL)
			return -EINVAL;
		dp->ports[dp->n_ports++] = p;
		p->ops->describe(p, desc, sizeof(desc));
		printf("vswd: port %s: %s\n", p->name, desc);
	}
	for (unsigned int i = 0; i < cfg->n_xconnects; i++) {
		int a = find_port(dp, cfg->xconnects[i].a);
		int b = find_port(dp, cfg->xconnects[i].b);

		dp->peer[a] = dp->ports[b];
		dp->peer[b] = dp->ports[a];
		printf("vswd: xconnect %s <-> %s%s\n", dp->ports[a]->name,
		       dp->ports[b]->name, a == b ? " (loopback)" : "");
	}
	return 0;
}

static int
plan_pmd(struct vswd_dp *dp, char *err, size_t errlen)
{
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);

	if (lcore >= RTE_MAX_LCORE) {
		snprintf(err, errlen, "no worker lcore: give EAL two lcores, e.g."
			 " -l 0,1 (the main lcore runs control, a worker polls)");
		return -EINVAL;
	}
	if (rte_lcore_count() > 2)
		printf("vswd: %u lcores given; this version polls with one PMD on"
		       " lcore %u\n", rte_lcore_count(), lcore);
	vsw_pmd_init(&dp->pmd, lcore, 0, dp->qsbr);
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		struct vsw_port *p = dp->ports[i];

		for (uint16_t q = 0; q < p->nb_rxq; q++) {
			if (vsw_pmd_add_rxq(&dp->pmd, p, q, dp->peer[i]) != 0) {
				snprintf(err, errlen, "more than %d rx queues",
					 VSW_PMD_MAX_RXQ);
				return -ENOSPC;
			}
		}
	}
	return 0;
}

struct vswd_dp *
vswd_dp_start(const struct vsw_config *cfg, struct vsw_loop *loop, char *err,
	      size_t errlen)
{
	struct vswd_dp *dp = calloc(1, sizeof(*dp));

	if (dp == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	dp->mp = rte_pktmbuf_pool_create("vsw_mbufs", cfg->mbufs, 256, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (dp->mp == NULL) {
		snprintf(err, errlen, "cannot create a pool of %u mbufs: %s",
			 cfg->mbufs, rte_strerror(rte_errno));
		goto err_free;
	}
	dp->qsbr = vsw_pmd_qsbr_create(1);
	if (dp->qsbr == NULL) {
		snprintf(err, errlen, "cannot create the PMD quiescent-state"
			 " variable: %s", rte_strerror(rte_errno));
		goto err_ports;
	}
	if (create_ports(dp, cfg, loop, err, errlen) != 0 ||
	    plan_pmd(dp, err, errlen) != 0)
		goto err_ports;
	if (vsw_pmd_launch(&dp->pmd) != 0) {
		snprintf(err, errlen, "cannot launch the PMD on lcore %u",
			 dp->pmd.lcore);
		goto err_ports;
	}
	dp->running = true;
	return dp;

err_ports:
	for (unsigned int i = 0; i < dp->n_ports; i++)
		vsw_port_destroy(dp->ports[i]);
	rte_free(dp->qsbr);
	rte_mempool_free(dp->mp);
err_free:
	free(dp);
	return NULL;
}

static void
print_stats(const struct vswd_dp *dp)
{
	const struct vsw_pmd_stats *s = &dp->pmd.stats;

	for (unsigned int i = 0; i < dp->n_ports; i++) {
		struct vsw_port_stats rx, tx;

		vsw_port_stats_sum(dp->ports[i], &rx, &tx);
		printf("stats port=%s rx_packets=%" PRIu64 " rx_bytes=%" PRIu64
		       " tx_packets=%" PRIu64 " tx_bytes=%" PRIu64
		       " tx_drops=%" PRIu64 " rx_drops=%" PRIu64 "\n",
		       dp->ports[i]->name, rx.packets, rx.bytes, tx.packets,
		       tx.bytes, tx.drops, rx.drops);
		vsw_port_print_stats(dp->ports[i], stdout);
	}
	printf("stats pmd=%u packets=%" PRIu64 " busy_cycles=%" PRIu64
	       " idle_cycles=%" PRIu64 " cycles_per_packet=%.1f tsc_hz=%" PRIu64 "\n",
	       dp->pmd.lcore, s->packets, s->busy_cycles, s->idle_cycles,
	       s->packets ? (double)s->busy_cycles / (double)s->packets : 0.0,
	       rte_get_tsc_hz());
}

void
vswd_dp_stop(struct vswd_dp *dp)
{
	if (dp == NULL)
		return;
	if (dp->running)
		vsw_pmd_stop(&dp->pmd);
	print_stats(dp);
	for (unsigned int i = 0; i < dp->n_ports; i++)
		vsw_port_destroy(dp->ports[i]);
	rte_free(dp->qsbr);
	rte_mempool_free(dp->mp);
	free(dp);
}
