/* SPDX-License-Identifier: BSD-3-Clause */
/* The data-path model: ports, cross-connects, bridges; PMD life cycle. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp_priv.h"
#include "vsw_loop.h"

static void
dp_tick(void *arg)
{
	struct vsw_dp *dp = arg;

	for (unsigned int i = 0; i < dp->n_bridges; i++)
		vsw_bridge_tick(dp->bridges[i]);
}

static int
check_lcores(const struct vsw_dp_conf *conf, char *err, size_t errlen)
{
	if (conf->n_pmds == 0 || conf->n_pmds > VSW_PMD_MAX) {
		snprintf(err, errlen, "%u PMDs: 1..%d are possible", conf->n_pmds,
			 VSW_PMD_MAX);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < conf->n_pmds; i++) {
		unsigned int l = conf->lcores[i];

		if (l >= RTE_MAX_LCORE || !rte_lcore_is_enabled(l) ||
		    l == rte_get_main_lcore()) {
			snprintf(err, errlen, "PMD lcore %u is not a worker lcore"
				 " EAL was given (-l/--lcores; the main lcore %u"
				 " runs control)", l, rte_get_main_lcore());
			return -EINVAL;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (conf->lcores[j] == l) {
				snprintf(err, errlen, "PMD lcore %u given twice", l);
				return -EINVAL;
			}
		}
	}
	return 0;
}

struct vsw_dp *
vsw_dp_create(const struct vsw_dp_conf *conf, char *err, size_t errlen)
{
	struct vsw_dp *dp;

	if (check_lcores(conf, err, errlen) != 0)
		return NULL;
	dp = calloc(1, sizeof(*dp));
	if (dp == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	dp->loop = conf->loop;
	dp->assign = conf->assign;
	dp->n_pmds = conf->n_pmds;
	dp->mp = rte_pktmbuf_pool_create("vsw_mbufs", conf->mbufs, 256, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (dp->mp == NULL) {
		snprintf(err, errlen, "cannot create a pool of %u mbufs: %s",
			 conf->mbufs, rte_strerror(rte_errno));
		goto err_free;
	}
	dp->qsbr = vsw_pmd_qsbr_create(dp->n_pmds);
	dp->pmds = rte_zmalloc("vsw_pmds", dp->n_pmds * sizeof(dp->pmds[0]),
			       RTE_CACHE_LINE_SIZE);
	if (dp->qsbr == NULL || dp->pmds == NULL) {
		snprintf(err, errlen, "cannot allocate the PMDs: %s",
			 rte_strerror(rte_errno));
		goto err_mem;
	}
	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		vsw_pmd_init(&dp->pmds[i], conf->lcores[i], (uint16_t)i, dp->qsbr);
		if (vsw_pmd_launch(&dp->pmds[i]) != 0) {
			snprintf(err, errlen, "cannot launch a PMD on lcore %u",
				 conf->lcores[i]);
			goto err_pmds;
		}
	}
	if (vsw_loop_add_tick(dp->loop, dp_tick, dp) != 0) {
		snprintf(err, errlen, "cannot register the ageing tick");
		goto err_pmds;
	}
	return dp;

err_pmds:
	for (unsigned int i = 0; i < dp->n_pmds; i++)
		vsw_pmd_stop(&dp->pmds[i]);
err_mem:
	rte_free(dp->pmds);
	rte_free(dp->qsbr);
	rte_mempool_free(dp->mp);
err_free:
	free(dp);
	return NULL;
}

struct dp_port *
dp_port_find(const struct vsw_dp *dp, const char *name)
{
	for (unsigned int i = 0; i < VSW_PORT_MAX; i++)
		if (dp->ports[i] != NULL && strcmp(dp->ports[i]->port->name, name) == 0)
			return dp->ports[i];
	return NULL;
}

static int
bridge_index(const struct vsw_dp *dp, const char *name)
{
	for (unsigned int i = 0; i < dp->n_bridges; i++)
		if (strcmp(vsw_bridge_name(dp->bridges[i]), name) == 0)
			return (int)i;
	return -1;
}

/* The port its driver made with @p dpp (a vDPA port's wire), listed. */
static int
add_companion(struct vsw_dp *dp, struct dp_port *dpp, char *err, size_t errlen)
{
	struct vsw_port *c;
	struct dp_port *dpc;

	if (dpp->port->ops->companion == NULL ||
	    (c = dpp->port->ops->companion(dpp->port)) == NULL)
		return 0;
	if (dp_port_find(dp, c->name) != NULL || bridge_index(dp, c->name) >= 0) {
		snprintf(err, errlen, "port %s: its companion's name %s is taken",
			 dpp->port->name, c->name);
		return -EEXIST;
	}
	dpc = calloc(1, sizeof(*dpc));
	if (dpc == NULL) {
		snprintf(err, errlen, "port %s: out of memory", c->name);
		return -ENOMEM;
	}
	memset(dpc->pin, -1, sizeof(dpc->pin));
	dpc->port = c;
	dpc->owner = dpp;
	dpp->companion = dpc;
	/* Cross-connected to start with: a vDPA port's software relay to
	 * its wire when its rings are not on the device. */
	dpp->peer = dpc;
	dpc->peer = dpp;
	dp_place(dp, dpc);
	dp->ports[c->id] = dpc;
	return 0;
}

/* Take @p dpp and its companion out of the model's port table. */
static void
unlist(struct vsw_dp *dp, struct dp_port *dpp)
{
	dp->ports[dpp->port->id] = NULL;
	if (dpp->companion != NULL)
		dp->ports[dpp->companion->port->id] = NULL;
}

int
vsw_dp_port_add(struct vsw_dp *dp, const char *name, const char *spec,
		char *err, size_t errlen)
{
	struct vsw_port_env env = {
		.loop = dp->loop, .mp = dp->mp, .qsbr = dp->qsbr,
		.n_pmds = (uint16_t)dp->n_pmds,
	};
	struct dp_port *dpp;
	int rc;

	if (dp_port_find(dp, name) != NULL) {
		snprintf(err, errlen, "port %s exists already", name);
		return -EEXIST;
	}
	if (bridge_index(dp, name) >= 0) {
		snprintf(err, errlen, "%s is a bridge's name", name);
		return -EEXIST;
	}
	dpp = calloc(1, sizeof(*dpp));
	if (dpp == NULL) {
		snprintf(err, errlen, "port %s: out of memory", name);
		return -ENOMEM;
	}
	memset(dpp->pin, -1, sizeof(dpp->pin));
	dpp->port = vsw_port_create(name, spec, &env, err, errlen);
	if (dpp->port == NULL) {
		free(dpp);
		return -EINVAL;
	}
	rc = add_companion(dp, dpp, err, errlen);
	if (rc != 0) {
		vsw_port_destroy(dpp->port);
		free(dpp);
		return rc;
	}
	dp_place(dp, dpp);
	dp->ports[dpp->port->id] = dpp;
	rc = dp_reload(dp);
	if (rc != 0) {
		unlist(dp, dpp);
		vsw_port_destroy(dpp->port);
		free(dpp->companion);
		free(dpp);
		snprintf(err, errlen, "port %s: out of memory for poll lists", name);
	}
	return rc;
}

/* Take @p dpp out of its bridge or cross-connect (model and tables). */
static int
detach(struct vsw_dp *dp, struct dp_port *dpp, char *err, size_t errlen)
{
	if (dpp->bridge != NULL) {
		int rc = vsw_bridge_port_del(dpp->bridge, dpp->port);

		if (rc != 0) {
			snprintf(err, errlen, "port %s: cannot leave bridge %s: %s",
				 dpp->port->name, vsw_bridge_name(dpp->bridge),
				 strerror(-rc));
			return rc;
		}
		dpp->bridge = NULL;
	}
	if (dpp->peer != NULL) {
		dpp->peer->peer = NULL;
		dpp->peer = NULL;
	}
	return 0;
}

int
vsw_dp_port_del(struct vsw_dp *dp, const char *name, char *err, size_t errlen)
{
	struct dp_port *dpp = dp_port_find(dp, name);
	int rc;

	if (dpp == NULL) {
		snprintf(err, errlen, "no port %s", name);
		return -ENOENT;
	}
	if (dpp->owner != NULL) {
		snprintf(err, errlen, "port %s belongs to port %s: delete that one",
			 name, dpp->owner->port->name);
		return -EBUSY;
	}
	rc = detach(dp, dpp, err, errlen);
	if (rc == 0 && dpp->companion != NULL)
		rc = detach(dp, dpp->companion, err, errlen);
	if (rc != 0)
		return rc;
	unlist(dp, dpp);
	rc = dp_reload(dp);
	if (rc != 0) {
		/* detached, still polled */
		dp->ports[dpp->port->id] = dpp;
		if (dpp->companion != NULL)
			dp->ports[dpp->companion->port->id] = dpp->companion;
		snprintf(err, errlen, "port %s: out of memory for poll lists", name);
		return rc;
	}
	/* dp_reload() waited: no PMD polls the ports or sends to them. The
	 * driver destroys its companion. */
	vsw_port_destroy(dpp->port);
	free(dpp->companion);
	free(dpp);
	return 0;
}

/* Park or unpark @p dpp and its companion; the reload waits a grace
 * period. @return 0 or -ENOMEM. */
static int
park(struct vsw_dp *dp, struct dp_port *dpp, bool on)
{
	__atomic_store_n(&dpp->port->parked, on, __ATOMIC_RELEASE);
	if (dpp->companion != NULL)
		__atomic_store_n(&dpp->companion->port->parked, on,
				 __ATOMIC_RELEASE);
	return dp_reload(dp);
}

int
vsw_dp_port_offload(struct vsw_dp *dp, const char *name, bool on, char *err,
		    size_t errlen)
{
	struct dp_port *dpp = dp_port_find(dp, name);
	int rc;

	if (dpp == NULL || dpp->port->ops->offload == NULL) {
		snprintf(err, errlen, dpp == NULL ? "no port %s" :
			 "port %s has no device to offload to", name);
		return dpp == NULL ? -ENOENT : -ENOTSUP;
	}
	if (on == dpp->port->parked)
		return 0;
	if (on) {
		/* Nobody may touch the queues the device is about to take. */
		rc = park(dp, dpp, true);
		if (rc == 0)
			rc = dpp->port->ops->offload(dpp->port, true, err, errlen);
		if (rc != 0)
			park(dp, dpp, false);
		return rc;
	}
	rc = dpp->port->ops->offload(dpp->port, false, err, errlen);
	if (rc == 0 && park(dp, dpp, false) != 0) {
		snprintf(err, errlen, "port %s: out of memory for poll lists", name);
		return -ENOMEM;
	}
	return rc;
}

static int
attached_elsewhere(const struct dp_port *dpp, char *err, size_t errlen)
{
	if (dpp->peer != NULL) {
		snprintf(err, errlen, "port %s is cross-connected with %s",
			 dpp->port->name, dpp->peer->port->name);
		return -EBUSY;
	}
	if (dpp->bridge != NULL) {
		snprintf(err, errlen, "port %s is on bridge %s", dpp->port->name,
			 vsw_bridge_name(dpp->bridge));
		return -EBUSY;
	}
	return 0;
}

static struct dp_port *
need_port(const struct vsw_dp *dp, const char *name, char *err, size_t errlen)
{
	struct dp_port *dpp = dp_port_find(dp, name);

	if (dpp == NULL)
		snprintf(err, errlen, "no port %s", name);
	return dpp;
}

int
vsw_dp_xconnect_add(struct vsw_dp *dp, const char *a, const char *b,
		    char *err, size_t errlen)
{
	struct dp_port *pa = need_port(dp, a, err, errlen);
	struct dp_port *pb = pa ? need_port(dp, b, err, errlen) : NULL;
	int rc;

	if (pa == NULL || pb == NULL)
		return -ENOENT;
	if (attached_elsewhere(pa, err, errlen) ||
	    attached_elsewhere(pb, err, errlen))
		return -EBUSY;
	pa->peer = pb;
	pb->peer = pa;
	rc = dp_reload(dp);
	if (rc != 0) {
		pa->peer = pb->peer = NULL;
		snprintf(err, errlen, "out of memory for poll lists");
	}
	return rc;
}

int
vsw_dp_xconnect_del(struct vsw_dp *dp, const char *a, char *err, size_t errlen)
{
	struct dp_port *pa = need_port(dp, a, err, errlen);
	struct dp_port *pb;
	int rc;

	if (pa == NULL)
		return -ENOENT;
	if (pa->peer == NULL) {
		snprintf(err, errlen, "port %s is not cross-connected", a);
		return -ENOENT;
	}
	pb = pa->peer;
	pa->peer = pb->peer = NULL;
	rc = dp_reload(dp);
	if (rc != 0) {
		pa->peer = pb;
		pb->peer = pa;
		snprintf(err, errlen, "out of memory for poll lists");
	}
	return rc;
}

int
vsw_dp_bridge_add(struct vsw_dp *dp, const char *name,
		  const struct vsw_dp_bridge_opts *opts, char *err, size_t errlen)
{
	struct vsw_bridge_conf bc = {
		.name = name,
		.max_entries = opts ? opts->max_entries : 0,
		.aging_sec = opts && opts->aging_set ? opts->aging_sec
						     : VSW_FDB_DEFAULT_AGING,
		.n_pmds = (uint16_t)dp->n_pmds,
		.qsbr = dp->qsbr,
		.mp = dp->mp,
	};
	struct vsw_bridge *br;

	if (bridge_index(dp, name) >= 0 || dp_port_find(dp, name) != NULL) {
		snprintf(err, errlen, "%s exists already (a bridge or port)", name);
		return -EEXIST;
	}
	if (dp->n_bridges == VSW_DP_MAX_BRIDGES) {
		snprintf(err, errlen, "more than %d bridges", VSW_DP_MAX_BRIDGES);
		return -ENOSPC;
	}
	if (bc.max_entries > VSW_FDB_MAX_MAX) {
		snprintf(err, errlen, "bridge %s: max-entries %u: at most %u",
			 name, bc.max_entries, VSW_FDB_MAX_MAX);
		return -EINVAL;
	}
	br = vsw_bridge_create(&bc);
	if (br == NULL) {
		snprintf(err, errlen, "bridge %s: %s", name, rte_strerror(rte_errno));
		return -rte_errno;
	}
	dp->bridges[dp->n_bridges++] = br;
	return 0;
}

/* Bridge @p bridge and port @p port, both existing. @return 0 or -ENOENT. */
static int
need_bridge_port(const struct vsw_dp *dp, const char *bridge, const char *port,
		 struct vsw_bridge **br, struct dp_port **dpp, char *err,
		 size_t errlen)
{
	int bi = bridge_index(dp, bridge);

	if (bi < 0) {
		snprintf(err, errlen, "no bridge %s", bridge);
		return -ENOENT;
	}
	*br = dp->bridges[bi];
	*dpp = need_port(dp, port, err, errlen);
	return *dpp != NULL ? 0 : -ENOENT;
}

int
vsw_dp_bridge_port_add(struct vsw_dp *dp, const char *bridge, const char *port,
		       char *err, size_t errlen)
{
	struct vsw_bridge *br;
	struct dp_port *dpp;
	int rc;

	rc = need_bridge_port(dp, bridge, port, &br, &dpp, err, errlen);
	if (rc != 0)
		return rc;
	rc = attached_elsewhere(dpp, err, errlen);
	if (rc != 0)
		return rc;
	rc = vsw_bridge_port_add(br, dpp->port);
	if (rc != 0) {
		snprintf(err, errlen, "bridge %s: cannot add %s: %s", bridge, port,
			 strerror(-rc));
		return rc;
	}
	dpp->bridge = br;
	rc = dp_reload(dp);
	if (rc != 0) {
		vsw_bridge_port_del(dpp->bridge, dpp->port);
		dpp->bridge = NULL;
		snprintf(err, errlen, "out of memory for poll lists");
	}
	return rc;
}

int
vsw_dp_bridge_port_del(struct vsw_dp *dp, const char *bridge, const char *port,
		       char *err, size_t errlen)
{
	struct vsw_bridge *br;
	struct dp_port *dpp;
	int rc;

	rc = need_bridge_port(dp, bridge, port, &br, &dpp, err, errlen);
	if (rc != 0)
		return rc;
	if (dpp->bridge != br) {
		snprintf(err, errlen, "port %s is not on bridge %s", port, bridge);
		return -ENOENT;
	}
	rc = detach(dp, dpp, err, errlen);
	if (rc != 0)
		return rc;
	/* Its rx queues still point at the bridge, which drops what a
	 * non-member sends, until the reload. */
	rc = dp_reload(dp);
	if (rc != 0)
		snprintf(err, errlen, "out of memory for poll lists (port %s"
			 " left the bridge; its traffic is dropped)", port);
	return rc;
}

int
vsw_dp_bridge_del(struct vsw_dp *dp, const char *name, char *err, size_t errlen)
{
	int bi = bridge_index(dp, name);
	struct vsw_bridge *br;
	int rc;

	if (bi < 0) {
		snprintf(err, errlen, "no bridge %s", name);
		return -ENOENT;
	}
	br = dp->bridges[bi];
	for (unsigned int i = 0; i < VSW_PORT_MAX; i++) {
		struct dp_port *dpp = dp->ports[i];

		if (dpp != NULL && dpp->bridge == br &&
		    (rc = detach(dp, dpp, err, errlen)) != 0)
			return rc;
	}
	rc = dp_reload(dp);
	if (rc != 0) {
		snprintf(err, errlen, "out of memory for poll lists");
		return rc;
	}
	/* No poll list points at it any more (dp_reload waited). */
	dp->bridges[bi] = dp->bridges[--dp->n_bridges];
	vsw_bridge_destroy(br);
	return 0;
}

void
vsw_dp_destroy(struct vsw_dp *dp)
{
	if (dp == NULL)
		return;
	vsw_loop_del_tick(dp->loop, dp_tick, dp);
	for (unsigned int i = 0; i < dp->n_pmds; i++)
		vsw_pmd_stop(&dp->pmds[i]);
	for (unsigned int i = 0; i < dp->n_pmds; i++)
		vsw_pmd_plist_free(vsw_pmd_publish(&dp->pmds[i], NULL));
	for (unsigned int i = 0; i < VSW_PORT_MAX; i++) {
		if (dp->ports[i] != NULL && dp->ports[i]->bridge != NULL)
			vsw_bridge_port_del(dp->ports[i]->bridge, dp->ports[i]->port);
	}
	/* Owners destroy their companions (the driver's); then the rest. */
	for (unsigned int i = 0; i < VSW_PORT_MAX; i++) {
		struct dp_port *dpp = dp->ports[i];

		if (dpp == NULL || dpp->owner != NULL)
			continue;
		vsw_port_destroy(dpp->port);
		free(dpp->companion);
		free(dpp);
	}
	for (unsigned int i = 0; i < dp->n_bridges; i++)
		vsw_bridge_destroy(dp->bridges[i]);
	rte_free(dp->pmds);
	rte_free(dp->qsbr);
	rte_mempool_free(dp->mp);
	free(dp);
}
