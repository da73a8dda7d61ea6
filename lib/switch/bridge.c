/* SPDX-License-Identifier: BSD-3-Clause */
/* Bridges: creation, members (RCU-published tables), counters, ageing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "bridge_priv.h"

static struct br_ports *
ports_alloc(unsigned int n)
{
	struct br_ports *bp = calloc(1, sizeof(*bp) + n * sizeof(bp->p[0]));

	if (bp != NULL)
		memset(bp->idx_of, -1, sizeof(bp->idx_of));
	return bp;
}

static void
ports_index(struct br_ports *bp)
{
	memset(bp->idx_of, -1, sizeof(bp->idx_of));
	for (unsigned int i = 0; i < bp->n; i++)
		bp->idx_of[bp->p[i].port->id] = (int8_t)i;
}

/* Publish @p bp, then free the table it replaces once no PMD reads it. */
static void
ports_publish(struct vsw_bridge *br, struct br_ports *bp)
{
	/* Pairs with the acquire load in vsw_bridge_input(). */
	struct br_ports *old = __atomic_exchange_n(&br->ports, bp,
						   __ATOMIC_ACQ_REL);

	vsw_pmd_synchronize(br->qsbr);
	free(old);
}

struct vsw_bridge *
vsw_bridge_create(const struct vsw_bridge_conf *conf)
{
	char zname[64];
	struct vsw_bridge *br;
	struct vsw_fdb_conf fc = {
		.name = zname,
		.max_entries = conf->max_entries ? conf->max_entries
						 : VSW_FDB_DEFAULT_MAX,
		.aging_sec = conf->aging_sec,
		.qsbr = conf->qsbr,
		.socket_id = SOCKET_ID_ANY,
	};

	if (conf->name == NULL || strlen(conf->name) >= VSW_BRIDGE_NAME_MAX ||
	    conf->n_pmds == 0 || conf->n_pmds > VSW_PMD_MAX || conf->mp == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	br = calloc(1, sizeof(*br));
	if (br == NULL)
		goto err_nomem;
	snprintf(br->name, sizeof(br->name), "%s", conf->name);
	br->n_pmds = conf->n_pmds;
	br->qsbr = conf->qsbr;
	br->mp = conf->mp;
	br->stats = rte_zmalloc("vsw_bridge_stats", (size_t)conf->n_pmds *
				VSW_PORT_MAX * sizeof(br->stats[0]),
				RTE_CACHE_LINE_SIZE);
	br->ports = ports_alloc(0);
	if (br->stats == NULL || br->ports == NULL)
		goto err_free;
	snprintf(zname, sizeof(zname), "vsw_fdb_%s", conf->name);
	br->fdb = vsw_fdb_create(&fc);
	if (br->fdb == NULL)
		goto err_free; /* rte_errno set */
	return br;

err_free:
	free(br->ports);
	rte_free(br->stats);
	free(br);
	return NULL;
err_nomem:
	rte_errno = ENOMEM;
	return NULL;
}

void
vsw_bridge_destroy(struct vsw_bridge *br)
{
	if (br == NULL)
		return;
	vsw_fdb_free(br->fdb);
	free(br->ports);
	rte_free(br->stats);
	free(br);
}

const char *
vsw_bridge_name(const struct vsw_bridge *br)
{
	return br->name;
}

int
vsw_bridge_port_add(struct vsw_bridge *br, struct vsw_port *port)
{
	const struct br_ports *cur = br->ports;
	struct br_ports *bp;

	if (cur->idx_of[port->id] >= 0)
		return -EEXIST;
	bp = ports_alloc(cur->n + 1);
	if (bp == NULL)
		return -ENOMEM;
	memcpy(bp->p, cur->p, cur->n * sizeof(cur->p[0]));
	bp->p[cur->n] = (struct br_port){ .port = port, .vlan = port->vlan };
	bp->n = cur->n + 1;
	ports_index(bp);
	/* No PMD counts for this port on this bridge yet: its rx queues do
	 * not point here, and it is no destination. */
	for (uint16_t p = 0; p < br->n_pmds; p++)
		memset(br_stats(br, p, port->id), 0, sizeof(br->stats[0]));
	ports_publish(br, bp);
	return 0;
}

int
vsw_bridge_port_del(struct vsw_bridge *br, struct vsw_port *port)
{
	const struct br_ports *cur = br->ports;
	int idx = cur->idx_of[port->id];
	struct br_ports *bp;

	if (idx < 0)
		return -ENOENT;
	bp = ports_alloc(cur->n - 1);
	if (bp == NULL)
		return -ENOMEM;
	memcpy(bp->p, cur->p, (size_t)idx * sizeof(cur->p[0]));
	memcpy(bp->p + idx, cur->p + idx + 1,
	       (cur->n - (unsigned int)idx - 1) * sizeof(cur->p[0]));
	bp->n = cur->n - 1;
	ports_index(bp);
	ports_publish(br, bp);
	/* After the grace period: no PMD reads the old table any more, so
	 * none can learn the port again. An FDB answer read before the flush
	 * is checked against the new table (forward()) and dropped. */
	vsw_fdb_flush(br->fdb, port->id, true);
	return 0;
}

unsigned int
vsw_bridge_ports(const struct vsw_bridge *br, struct vsw_port **out,
		 unsigned int max)
{
	unsigned int n = RTE_MIN(br->ports->n, max);

	for (unsigned int i = 0; i < n; i++)
		out[i] = br->ports->p[i].port;
	return n;
}

bool
vsw_bridge_has_port(const struct vsw_bridge *br, const struct vsw_port *port)
{
	return br->ports->idx_of[port->id] >= 0;
}

struct vsw_fdb *
vsw_bridge_fdb(const struct vsw_bridge *br)
{
	return br->fdb;
}

void
vsw_bridge_tick(struct vsw_bridge *br)
{
	vsw_fdb_age(br->fdb, vsw_pmd_clock());
}

void
vsw_bridge_port_stats(const struct vsw_bridge *br, const struct vsw_port *port,
		      struct vsw_bridge_port_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (uint16_t p = 0; p < br->n_pmds; p++) {
		const struct vsw_bridge_port_stats *s = br_stats(br, p, port->id);

#define SUM_(f, d) out->f += __atomic_load_n(&s->f, __ATOMIC_RELAXED);
		VSW_BRIDGE_STATS(SUM_)
#undef SUM_
	}
}
