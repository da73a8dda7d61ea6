/* SPDX-License-Identifier: BSD-3-Clause */
/* What show commands and the exit report read. Control thread only. */
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>

#include "dp_priv.h"
#include "vsw_fdb.h"

struct vsw_port *
vsw_dp_port(const struct vsw_dp *dp, const char *name)
{
	struct dp_port *dpp = dp_port_find(dp, name);

	return dpp != NULL ? dpp->port : NULL;
}

unsigned int
vsw_dp_ports(const struct vsw_dp *dp, struct vsw_port **out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < VSW_PORT_MAX && n < max; i++)
		if (dp->ports[i] != NULL)
			out[n++] = dp->ports[i]->port;
	return n;
}

void
vsw_dp_port_attachment(const struct vsw_dp *dp, const struct vsw_port *port,
		       char *buf, size_t len)
{
	const struct dp_port *dpp = dp->ports[port->id];

	if (dpp != NULL && dpp->peer != NULL)
		snprintf(buf, len, "xconnect %s", dpp->peer->port->name);
	else if (dpp != NULL && dpp->bridge != NULL)
		snprintf(buf, len, "bridge %s", vsw_bridge_name(dpp->bridge));
	else
		snprintf(buf, len, "none");
}

struct vsw_bridge *
vsw_dp_bridge(const struct vsw_dp *dp, const char *name)
{
	for (unsigned int i = 0; i < dp->n_bridges; i++)
		if (strcmp(vsw_bridge_name(dp->bridges[i]), name) == 0)
			return dp->bridges[i];
	return NULL;
}

unsigned int
vsw_dp_bridges(const struct vsw_dp *dp, struct vsw_bridge **out,
	       unsigned int max)
{
	unsigned int n = RTE_MIN(dp->n_bridges, max);

	memcpy(out, dp->bridges, n * sizeof(out[0]));
	return n;
}

unsigned int
vsw_dp_rxqs(const struct vsw_dp *dp, struct vsw_dp_rxq_info *out,
	    unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int id = 0; id < VSW_PORT_MAX; id++) {
		const struct dp_port *dpp = dp->ports[id];

		for (uint16_t q = 0; dpp != NULL && q < dpp->port->nb_rxq &&
		     n < max; q++) {
			const struct vsw_port_stats *st = &dpp->port->rx[q];
			/* A parked port's queues are its device's. */
			bool parked = dpp->port->parked;

			out[n++] = (struct vsw_dp_rxq_info){
				.port = dpp->port,
				.qid = q,
				.pmd = parked ? -1 : dpp->pmd_of[q],
				.lcore = parked ? 0 : dp->pmds[dpp->pmd_of[q]].lcore,
				.pinned = dpp->pin[q] >= 0,
				.cycles = __atomic_load_n(&st->cycles,
						__ATOMIC_RELAXED) - dpp->cycles_mark[q],
				.packets = __atomic_load_n(&st->packets,
						__ATOMIC_RELAXED) - dpp->packets_mark[q],
			};
		}
	}
	return n;
}

unsigned int
vsw_dp_n_pmds(const struct vsw_dp *dp)
{
	return dp->n_pmds;
}

const struct rte_mempool *
vsw_dp_mempool(const struct vsw_dp *dp)
{
	return dp->mp;
}

const struct vsw_pmd *
vsw_dp_pmd(const struct vsw_dp *dp, unsigned int i)
{
	return i < dp->n_pmds ? &dp->pmds[i] : NULL;
}

enum vsw_pmd_assign
vsw_dp_assign_mode(const struct vsw_dp *dp)
{
	return dp->assign;
}

static void
print_port(const struct vsw_port *port, FILE *f)
{
	struct vsw_port_stats rx, tx;

	vsw_port_stats_sum(port, &rx, &tx);
	fprintf(f, "stats port=%s rx_packets=%" PRIu64 " rx_bytes=%" PRIu64
		" tx_packets=%" PRIu64 " tx_bytes=%" PRIu64 " tx_drops=%" PRIu64
		" rx_drops=%" PRIu64 "\n", port->name, rx.packets, rx.bytes,
		tx.packets, tx.bytes, tx.drops, rx.drops);
	vsw_port_print_stats(port, f);
}

static void
print_bridge(const struct vsw_bridge *br, FILE *f)
{
	struct vsw_port *ports[VSW_PORT_MAX];
	unsigned int n = vsw_bridge_ports(br, ports, VSW_PORT_MAX);
	struct vsw_fdb_info fi;

	vsw_fdb_info(vsw_bridge_fdb(br), &fi);
	fprintf(f, "stats bridge=%s ports=%u fdb_entries=%u fdb_static=%u"
		" fdb_max=%u aging=%u\n", vsw_bridge_name(br), n, fi.entries,
		fi.statics, fi.max_entries, fi.aging_sec);
	for (unsigned int i = 0; i < n; i++) {
		struct vsw_bridge_port_stats s;

		vsw_bridge_port_stats(br, ports[i], &s);
		fprintf(f, "stats bridge-port bridge=%s port=%s",
			vsw_bridge_name(br), ports[i]->name);
#define PRINT_(x, d) fprintf(f, " " #x "=%" PRIu64, s.x);
		VSW_BRIDGE_STATS(PRINT_)
#undef PRINT_
		fputc('\n', f);
	}
}

void
vsw_dp_print_stats(const struct vsw_dp *dp, FILE *f)
{
	for (unsigned int i = 0; i < VSW_PORT_MAX; i++)
		if (dp->ports[i] != NULL)
			print_port(dp->ports[i]->port, f);
	for (unsigned int i = 0; i < dp->n_bridges; i++)
		print_bridge(dp->bridges[i], f);
	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		const struct vsw_pmd_stats *s = &dp->pmds[i].stats;

		fprintf(f, "stats pmd=%u id=%u packets=%" PRIu64 " busy_cycles=%"
			PRIu64 " idle_cycles=%" PRIu64 " cycles_per_packet=%.1f"
			" tsc_hz=%" PRIu64 "\n", dp->pmds[i].lcore, i, s->packets,
			s->busy_cycles, s->idle_cycles,
			s->packets ? (double)s->busy_cycles / (double)s->packets
				   : 0.0, rte_get_tsc_hz());
	}
}
