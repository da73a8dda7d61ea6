/* SPDX-License-Identifier: BSD-3-Clause */
/* Which PMD polls which rx queue, and publishing the poll lists. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>


#include "dp_priv.h"

#define DP_MAX_RXQ (VSW_PORT_MAX * VSW_PORT_MAX_QUEUES)

void
dp_synchronize(const struct vsw_dp *dp)
{
	vsw_pmd_synchronize(dp->qsbr);
}

static void
fwd_of(const struct dp_port *dpp, vsw_pmd_fwd_fn *fn, void **arg)
{
	if (dpp->peer != NULL) {
		*fn = vsw_pmd_fwd_port;
		*arg = dpp->peer->port;
	} else if (dpp->bridge != NULL) {
		*fn = vsw_bridge_input;
		*arg = dpp->bridge;
	} else {
		*fn = vsw_pmd_fwd_drop;
		*arg = NULL;
	}
}

/* PMD index polling (port id, q) in the published lists, or -1. */
static void
current_owners(const struct vsw_dp *dp,
	       int8_t owner[VSW_PORT_MAX][VSW_PORT_MAX_QUEUES])
{
	memset(owner, -1, VSW_PORT_MAX * VSW_PORT_MAX_QUEUES);
	for (unsigned int p = 0; p < dp->n_pmds; p++) {
		const struct vsw_pmd_plist *pl = vsw_pmd_plist_get(&dp->pmds[p]);

		for (unsigned int i = 0; pl != NULL && i < pl->n_rxq; i++)
			owner[pl->rxq[i].port->id][pl->rxq[i].qid] = (int8_t)p;
	}
}

/*
 * PMD @p p's list from the model. With @p owner, leave out the queues
 * another PMD polls now (*@p held says whether any was).
 */
static struct vsw_pmd_plist *
build_list(const struct vsw_dp *dp, unsigned int p,
	   int8_t (*owner)[VSW_PORT_MAX_QUEUES], bool *held)
{
	struct vsw_pmd_plist *pl = vsw_pmd_plist_alloc(DP_MAX_RXQ);

	if (pl == NULL)
		return NULL;
	for (unsigned int id = 0; id < VSW_PORT_MAX; id++) {
		const struct dp_port *dpp = dp->ports[id];

		/* A parked port's queues are its device's (vDPA). */
		if (dpp == NULL || __atomic_load_n(&dpp->port->parked,
						   __ATOMIC_RELAXED))
			continue;
		if (dpp->port->tx_flush)
			pl->flush[pl->n_flush++] = dpp->port;
		for (uint16_t q = 0; q < dpp->port->nb_rxq; q++) {
			struct vsw_pmd_rxq *e;

			if (dpp->pmd_of[q] != (int)p)
				continue;
			if (owner != NULL && owner[id][q] >= 0 &&
			    owner[id][q] != (int)p) {
				*held = true;
				continue;
			}
			e = &pl->rxq[pl->n_rxq++];
			e->port = dpp->port;
			e->qid = q;
			fwd_of(dpp, &e->fwd, &e->fwd_arg);
		}
	}
	return pl;
}

/* Publish @p lists on every PMD, wait, free what they replaced. */
static void
publish_all(struct vsw_dp *dp, struct vsw_pmd_plist **lists)
{
	struct vsw_pmd_plist *old[VSW_PMD_MAX];

	for (unsigned int p = 0; p < dp->n_pmds; p++)
		old[p] = vsw_pmd_publish(&dp->pmds[p], lists[p]);
	dp_synchronize(dp);
	for (unsigned int p = 0; p < dp->n_pmds; p++)
		vsw_pmd_plist_free(old[p]);
}

static void
free_lists(struct vsw_pmd_plist **lists, unsigned int n)
{
	for (unsigned int p = 0; p < n; p++)
		vsw_pmd_plist_free(lists[p]);
}

int
dp_reload(struct vsw_dp *dp)
{
	static int8_t owner[VSW_PORT_MAX][VSW_PORT_MAX_QUEUES];
	struct vsw_pmd_plist *mid[VSW_PMD_MAX] = { NULL };
	struct vsw_pmd_plist *want[VSW_PMD_MAX] = { NULL };
	bool moving = false;

	current_owners(dp, owner);
	for (unsigned int p = 0; p < dp->n_pmds; p++) {
		mid[p] = build_list(dp, p, owner, &moving);
		want[p] = build_list(dp, p, NULL, NULL);
		if (mid[p] == NULL || want[p] == NULL) {
			free_lists(mid, dp->n_pmds);
			free_lists(want, dp->n_pmds);
			return -ENOMEM;
		}
	}
	/* A queue changing PMD: out of its old PMD's list first (mid has it
	 * nowhere), into the new one's only after the grace period. */
	if (moving)
		publish_all(dp, mid);
	else
		free_lists(mid, dp->n_pmds);
	publish_all(dp, want);
	return 0;
}

/* Every rx queue of the model, flattened, with what assignment needs. */
struct rxq_set {
	unsigned int n;
	struct dp_port *dpp[DP_MAX_RXQ];
	uint16_t q[DP_MAX_RXQ];
	uint64_t load[DP_MAX_RXQ];
	int pin[DP_MAX_RXQ];
	int out[DP_MAX_RXQ];
};

static void
rxq_set_add(struct rxq_set *s, struct dp_port *dpp, uint16_t q, int pin)
{
	const struct vsw_port_stats *st = &dpp->port->rx[q];
	uint64_t cycles = __atomic_load_n(&st->cycles, __ATOMIC_RELAXED);

	s->dpp[s->n] = dpp;
	s->q[s->n] = q;
	s->load[s->n] = cycles - dpp->cycles_mark[q];
	s->pin[s->n] = pin;
	s->n++;
}

static void
mark(struct dp_port *dpp, uint16_t q)
{
	const struct vsw_port_stats *st = &dpp->port->rx[q];

	dpp->cycles_mark[q] = __atomic_load_n(&st->cycles, __ATOMIC_RELAXED);
	dpp->packets_mark[q] = __atomic_load_n(&st->packets, __ATOMIC_RELAXED);
}

void
dp_place(struct vsw_dp *dp, struct dp_port *dpp)
{
	static struct rxq_set s;

	s.n = 0;
	/* Queues placed already stay where they are ... */
	for (unsigned int id = 0; id < VSW_PORT_MAX; id++) {
		struct dp_port *o = dp->ports[id];

		for (uint16_t q = 0; o != NULL && q < o->port->nb_rxq; q++)
			rxq_set_add(&s, o, q, o->pmd_of[q]);
	}
	/* ... and the new port's go to the least loaded PMDs. */
	for (uint16_t q = 0; q < dpp->port->nb_rxq; q++) {
		mark(dpp, q);
		rxq_set_add(&s, dpp, q, dpp->pin[q]);
	}
	vsw_pmd_assign(dp->assign, dp->n_pmds, s.n, s.load, s.pin, s.out);
	for (unsigned int i = 0; i < s.n; i++)
		if (s.dpp[i] == dpp)
			dpp->pmd_of[s.q[i]] = (int8_t)s.out[i];
}

int
vsw_dp_rebalance(struct vsw_dp *dp, enum vsw_pmd_assign mode,
		 unsigned int *moved, char *err, size_t errlen)
{
	static struct rxq_set s;
	int8_t before[DP_MAX_RXQ];
	int rc;

	s.n = 0;
	for (unsigned int id = 0; id < VSW_PORT_MAX; id++) {
		struct dp_port *o = dp->ports[id];

		for (uint16_t q = 0; o != NULL && q < o->port->nb_rxq; q++)
			rxq_set_add(&s, o, q, o->pin[q]);
	}
	vsw_pmd_assign(mode, dp->n_pmds, s.n, s.load, s.pin, s.out);
	*moved = 0;
	for (unsigned int i = 0; i < s.n; i++) {
		before[i] = s.dpp[i]->pmd_of[s.q[i]];
		*moved += before[i] != s.out[i];
		s.dpp[i]->pmd_of[s.q[i]] = (int8_t)s.out[i];
	}
	rc = dp_reload(dp);
	if (rc != 0) {
		for (unsigned int i = 0; i < s.n; i++)
			s.dpp[i]->pmd_of[s.q[i]] = before[i];
		*moved = 0;
		snprintf(err, errlen, "out of memory for poll lists");
		return rc;
	}
	dp->assign = mode;
	/* The next rebalance measures from here. */
	for (unsigned int i = 0; i < s.n; i++)
		mark(s.dpp[i], s.q[i]);
	return 0;
}

int
vsw_dp_rxq_pin(struct vsw_dp *dp, const char *port, unsigned int q, int pmd,
	       char *err, size_t errlen)
{
	struct dp_port *dpp = dp_port_find(dp, port);
	int8_t before;
	int rc;

	if (dpp == NULL) {
		snprintf(err, errlen, "no port %s", port);
		return -ENOENT;
	}
	if (q >= dpp->port->nb_rxq) {
		snprintf(err, errlen, "port %s has rx queues 0..%u, not %u", port,
			 dpp->port->nb_rxq - 1u, q);
		return -EINVAL;
	}
	if (pmd < -1 || pmd >= (int)dp->n_pmds) {
		snprintf(err, errlen, "PMD %d: PMDs are 0..%u", pmd, dp->n_pmds - 1);
		return -EINVAL;
	}
	dpp->pin[q] = (int8_t)pmd;
	if (pmd < 0)
		return 0; /* stays where it is until the next rebalance */
	before = dpp->pmd_of[q];
	dpp->pmd_of[q] = (int8_t)pmd;
	rc = dp_reload(dp);
	if (rc != 0) {
		dpp->pmd_of[q] = before;
		dpp->pin[q] = -1;
		snprintf(err, errlen, "out of memory for poll lists");
		return rc;
	}
	mark(dpp, (uint16_t)q);
	return 0;
}
