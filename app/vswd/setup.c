/* SPDX-License-Identifier: BSD-3-Clause */
/* vswd's start-up: the configuration applied to a new data path. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "vsw_dp.h"
#include "vswd.h"

/* PMD lcores: the configured ones, else every worker lcore. */
static int
pmd_lcores(const struct vsw_config *cfg, struct vsw_dp_conf *dc, char *err,
	   size_t errlen)
{
	unsigned int l;

	if (cfg->n_pmd_cores > 0) {
		dc->n_pmds = cfg->n_pmd_cores;
		memcpy(dc->lcores, cfg->pmd_cores, cfg->n_pmd_cores * sizeof(l));
		return 0;
	}
	RTE_LCORE_FOREACH_WORKER(l) {
		if (dc->n_pmds == VSW_PMD_MAX)
			break;
		dc->lcores[dc->n_pmds++] = l;
	}
	if (dc->n_pmds == 0) {
		snprintf(err, errlen, "no worker lcore: give EAL two lcores, e.g."
			 " -l 0,1 (the main lcore runs control, a worker polls)");
		return -EINVAL;
	}
	return 0;
}

static int
add_ports(struct vsw_dp *dp, const struct vsw_config *cfg, char *err,
	  size_t errlen)
{
	char desc[256];

	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct vsw_config_port *cp = &cfg->ports[i];
		struct vsw_port *p;

		if (vsw_dp_port_add(dp, cp->name, cp->spec, err, errlen) != 0)
			return -EINVAL;
		p = vsw_dp_port(dp, cp->name);
		p->ops->describe(p, desc, sizeof(desc));
		printf("vswd: port %s: %s\n", p->name, desc);
	}
	for (unsigned int i = 0; i < cfg->n_xconnects; i++) {
		const struct vsw_config_xconnect *x = &cfg->xconnects[i];

		if (vsw_dp_xconnect_add(dp, x->a, x->b, err, errlen) != 0)
			return -EINVAL;
		printf("vswd: xconnect %s <-> %s%s\n", x->a, x->b,
		       strcmp(x->a, x->b) == 0 ? " (loopback)" : "");
	}
	return 0;
}

static int
add_bridges(struct vsw_dp *dp, const struct vsw_config *cfg, char *err,
	    size_t errlen)
{
	for (unsigned int i = 0; i < cfg->n_bridges; i++) {
		const struct vsw_config_bridge *b = &cfg->bridges[i];
		struct vsw_dp_bridge_opts o = {
			.max_entries = b->max_entries,
			.aging_sec = b->aging,
			.aging_set = b->aging_set,
		};

		if (vsw_dp_bridge_add(dp, b->name, &o, err, errlen) != 0)
			return -EINVAL;
		printf("vswd: bridge %s:", b->name);
		for (unsigned int j = 0; j < b->n_ports; j++) {
			if (vsw_dp_bridge_port_add(dp, b->name, b->ports[j], err,
						   errlen) != 0) {
				printf("\n");
				return -EINVAL;
			}
			printf(" %s", b->ports[j]);
		}
		printf("\n");
	}
	return 0;
}

static void
print_assignment(const struct vsw_dp *dp)
{
	static struct vsw_dp_rxq_info q[VSW_PORT_MAX * VSW_PORT_MAX_QUEUES];
	unsigned int n = vsw_dp_rxqs(dp, q, RTE_DIM(q));

	for (unsigned int p = 0; p < vsw_dp_n_pmds(dp); p++) {
		printf("vswd: pmd %u on lcore %u polls", p, vsw_dp_pmd(dp, p)->lcore);
		for (unsigned int i = 0; i < n; i++)
			if (q[i].pmd == (int)p)
				printf(" %s/%u", q[i].port->name, q[i].qid);
		printf("\n");
	}
}

int
vswd_check(const struct vsw_config *cfg)
{
	char err[512];

	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		if (vsw_port_spec_check(cfg->ports[i].spec, err, sizeof(err)) != 0) {
			fprintf(stderr, "vswd: port %s: %s\n", cfg->ports[i].name, err);
			return 2;
		}
		printf("port %s: %s\n", cfg->ports[i].name, cfg->ports[i].spec);
	}
	for (unsigned int i = 0; i < cfg->n_xconnects; i++)
		printf("xconnect %s <-> %s\n", cfg->xconnects[i].a,
		       cfg->xconnects[i].b);
	for (unsigned int i = 0; i < cfg->n_bridges; i++) {
		const struct vsw_config_bridge *b = &cfg->bridges[i];

		printf("bridge %s:", b->name);
		for (unsigned int j = 0; j < b->n_ports; j++)
			printf(" %s", b->ports[j]);
		printf(" (aging %u s, max-entries %u)\n",
		       b->aging_set ? b->aging : VSW_FDB_DEFAULT_AGING,
		       b->max_entries ? b->max_entries : VSW_FDB_DEFAULT_MAX);
	}
	printf("pmd-cores:");
	for (unsigned int i = 0; i < cfg->n_pmd_cores; i++)
		printf(" %u", cfg->pmd_cores[i]);
	printf("%s\nrxq-assign: %s\nctl: %s\nconfiguration OK\n",
	       cfg->n_pmd_cores ? "" : " every worker lcore", cfg->rxq_assign,
	       cfg->ctl[0] ? cfg->ctl : "none");
	return 0;
}

struct vsw_dp *
vswd_start(const struct vsw_config *cfg, struct vsw_loop *loop, char *err,
	   size_t errlen)
{
	struct vsw_dp_conf dc = { .loop = loop, .mbufs = cfg->mbufs };
	struct vsw_dp *dp;

	if (vsw_pmd_assign_parse(cfg->rxq_assign, &dc.assign) != 0) {
		snprintf(err, errlen, "--rxq-assign '%s'", cfg->rxq_assign);
		return NULL;
	}
	if (pmd_lcores(cfg, &dc, err, errlen) != 0)
		return NULL;
	dp = vsw_dp_create(&dc, err, errlen);
	if (dp == NULL)
		return NULL;
	if (add_ports(dp, cfg, err, errlen) != 0 ||
	    add_bridges(dp, cfg, err, errlen) != 0) {
		vsw_dp_destroy(dp);
		return NULL;
	}
	print_assignment(dp);
	return dp;
}

void
vswd_stop(struct vsw_dp *dp)
{
	if (dp == NULL)
		return;
	vsw_dp_print_stats(dp, stdout);
	vsw_dp_destroy(dp);
}
