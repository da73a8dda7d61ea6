/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One trial: send paced probes for a while, verify what comes back, then
 * drain late arrivals. One lcore does both (the 2-core machines vsw is
 * measured on have one core for the generator).
 */
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "pktgen.h"

#define DRAIN_MS 200

static struct pg_stats st;
static struct pg_stats at_interval; /* st at the last "interval" line */
static uint64_t next_seq[PG_MAX_FLOWS];

/* Send up to @p want probes on port number @p pi (its n-th onwards).
 * @return how many left. */
static uint16_t
send_probes(const struct pg_opts *o, struct rte_mempool *mp, unsigned int pi,
	    uint16_t want, uint64_t n, uint64_t now)
{
	struct rte_mbuf *pkts[PG_BURST_MAX];
	uint32_t flows[PG_BURST_MAX], lens[PG_BURST_MAX];
	uint16_t built = 0, sent;

	if (rte_pktmbuf_alloc_bulk(mp, pkts, want) != 0)
		return 0;
	for (; built < want; built++) {
		uint32_t f = pi * o->flows + (uint32_t)((n + built) % o->flows);

		flows[built] = f;
		lens[built] = pg_frame_len(o, n + built);
		if (pg_build(pkts[built], f, next_seq[f]++, lens[built], now) != 0) {
			next_seq[f]--;
			break;
		}
	}
	sent = rte_eth_tx_burst(o->ports[pi], 0, pkts, built);
	for (uint16_t i = built; i-- > sent;)
		next_seq[flows[i]]--; /* not sent: the seq is free again */
	if (sent < want)
		rte_pktmbuf_free_bulk(&pkts[sent], want - sent);
	for (uint16_t i = 0; i < sent; i++) { /* the PMD owns pkts[i] now */
		st.sent_per_flow[flows[i]]++;
		st.tx_bytes += lens[i];
	}
	return sent;
}

static void
receive_port(const struct pg_opts *o, uint16_t port, uint64_t hz, bool count)
{
	struct rte_mbuf *pkts[PG_BURST_MAX];
	uint16_t n = rte_eth_rx_burst(port, 0, pkts, (uint16_t)o->burst);
	uint64_t now = rte_rdtsc();

	for (uint16_t i = 0; i < n && count; i++) {
		struct pg_probe p;

		st.rx_packets++;
		st.rx_bytes += pkts[i]->pkt_len;
		if (pg_probe_of(pkts[i], &p) != 0) {
			st.rx_foreign++;
			continue;
		}
		/* a probe from the future (another host's TSC): latency 0 */
		pg_stats_rx(&st, &p, now > p.tsc ? (now - p.tsc) * 1000000000ull / hz : 0);
	}
	if (n > 0)
		rte_pktmbuf_free_bulk(pkts, n);
}

static void
receive(const struct pg_opts *o, uint64_t hz, bool count)
{
	for (unsigned int i = 0; i < o->nports; i++)
		receive_port(o, o->ports[i], hz, count);
}

static void
progress(double t, uint64_t tx, uint64_t rx, uint64_t *last_tx,
	 uint64_t *last_rx, double dt)
{
	fprintf(stderr, "vsw-pktgen: %6.1f s  tx %8.3f Mpps  rx %8.3f Mpps  "
		"sent %" PRIu64 " received %" PRIu64 "\n", t,
		(double)(tx - *last_tx) / dt / 1e6,
		(double)(rx - *last_rx) / dt / 1e6, tx, rx);
	*last_tx = tx;
	*last_rx = rx;
}

static uint64_t
sent_total(const struct pg_opts *o)
{
	uint64_t sent = 0;

	for (uint32_t f = 0; f < o->flows * o->nports; f++)
		sent += st.sent_per_flow[f];
	return sent;
}

/*
 * One "interval {json}" line on stdout: the counters so far, "missing"
 * (sent minus distinct probes back: in flight or lost, final only at the
 * end) and the latency of this interval alone.
 */
static void
interval_line(const struct pg_opts *o, double t)
{
	static struct pg_stats d;
	uint64_t sent = sent_total(o);

	pg_stats_hist_delta(&st, &at_interval, &d);
	printf("interval {\"t\": %.1f, \"tx_packets\": %" PRIu64
	       ", \"rx_probes\": %" PRIu64 ", \"missing\": %" PRIu64
	       ", \"reordered\": %" PRIu64 ", \"duplicates\": %" PRIu64
	       ", \"lat_p50_ns\": %" PRIu64 ", \"lat_p99_ns\": %" PRIu64
	       ", \"lat_p999_ns\": %" PRIu64 ", \"lat_max_ns\": %" PRIu64 "}\n",
	       t, st.tx_packets, st.rx_probes,
	       sent > st.rx_probes ? sent - st.rx_probes : 0, st.reordered,
	       st.duplicates, pg_stats_quantile(&d, 0.5),
	       pg_stats_quantile(&d, 0.99), pg_stats_quantile(&d, 0.999),
	       d.lat_max);
	fflush(stdout);
	memcpy(at_interval.hist, st.hist, sizeof(st.hist));
	at_interval.lat_n = st.lat_n;
}

static void
fill_result(const struct pg_opts *o, double rate, double secs,
	    struct pg_result *r)
{
	uint64_t sent = sent_total(o);

	memset(r, 0, sizeof(*r));
	r->rate_asked = rate;
	r->seconds = secs;
	r->tx_packets = st.tx_packets;
	r->tx_bytes = st.tx_bytes;
	r->rx_packets = st.rx_packets;
	r->rx_bytes = st.rx_bytes;
	r->rx_probes = st.rx_probes;
	r->lost = o->mode == PG_TXRX && sent > st.rx_probes ? sent - st.rx_probes : 0;
	r->reordered = st.reordered;
	r->duplicates = st.duplicates;
	r->foreign = st.rx_foreign;
	r->tx_pps = (double)st.tx_packets / secs;
	r->rx_pps = (double)st.rx_packets / secs;
	/* on the wire: + FCS, preamble and inter-frame gap (24 bytes) */
	r->rx_gbps = ((double)st.rx_bytes + 24.0 * (double)st.rx_packets) * 8 /
		     secs / 1e9;
	r->loss_ratio = sent ? (double)r->lost / (double)sent : 0;
	if (st.lat_n > 0) {
		r->lat_min = st.lat_min;
		r->lat_max = st.lat_max;
		r->lat_avg = (double)st.lat_sum / (double)st.lat_n;
		r->lat_p50 = pg_stats_quantile(&st, 0.5);
		r->lat_p99 = pg_stats_quantile(&st, 0.99);
		r->lat_p999 = pg_stats_quantile(&st, 0.999);
	}
}

/* Receive and drop for @p ms (late packets of an earlier phase). */
static void
drain(const struct pg_opts *o, uint64_t hz, unsigned int ms, bool count)
{
	uint64_t end = rte_rdtsc() + hz * ms / 1000;

	while (rte_rdtsc() < end && !pg_quit)
		receive(o, hz, count);
}

int
pg_trial(const struct pg_opts *o, struct rte_mempool *mp, double rate,
	 double seconds, bool measured, struct pg_result *r)
{
	uint64_t hz = rte_get_tsc_hz(), start, end, n[PG_MAX_PORTS] = { 0 };
	uint64_t next_show, next_iv, iv = (uint64_t)(o->interval * (double)hz);
	uint64_t last_tx = 0, last_rx = 0;
	bool tx = o->mode != PG_RXONLY;
	bool show = measured && o->progress, intervals = measured && iv > 0;

	pg_stats_reset(&st);
	pg_stats_reset(&at_interval);
	memset(next_seq, 0, sizeof(next_seq));
	start = rte_rdtsc();
	end = start + (uint64_t)(seconds * (double)hz);
	next_show = start + hz;
	next_iv = start + iv;
	while (!pg_quit) {
		uint64_t now = rte_rdtsc();

		if (now >= end)
			break;
		for (unsigned int pi = 0; tx && pi < o->nports; pi++) {
			uint64_t want = o->burst;

			if (rate > 0) {
				double due = (double)(now - start) * rate /
					     o->nports / (double)hz;

				want = due > (double)n[pi] ?
				       (uint64_t)(due - (double)n[pi]) : 0;
				want = RTE_MIN(want, (uint64_t)o->burst);
			}
			if (want > 0) {
				uint16_t s = send_probes(o, mp, pi, (uint16_t)want,
							 n[pi], now);

				n[pi] += s;
				st.tx_packets += s;
			}
		}
		if (o->mode != PG_TXONLY)
			receive(o, hz, true);
		if (show && now >= next_show) {
			progress((double)(now - start) / (double)hz, st.tx_packets,
				 st.rx_packets, &last_tx, &last_rx, 1.0);
			next_show += hz;
		}
		if (intervals && now >= next_iv) {
			interval_line(o, (double)(now - start) / (double)hz);
			next_iv += iv;
		}
	}
	if (o->mode != PG_TXONLY)
		drain(o, hz, DRAIN_MS, true);
	fill_result(o, rate, seconds, r);
	drain(o, hz, 50, false); /* nothing of this trial reaches the next */
	return pg_quit ? -1 : 0;
}

void
pg_loopback(const struct pg_opts *o)
{
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc(), rx = 0, tx = 0;
	uint64_t end = start + (uint64_t)(o->duration * (double)hz);
	uint64_t next_show = start + hz, last_tx = 0, last_rx = 0;
	struct rte_mbuf *pkts[PG_BURST_MAX];

	for (unsigned int pi = 0; !pg_quit && (o->duration <= 0 || rte_rdtsc() < end);
	     pi = (pi + 1) % o->nports) {
		uint16_t port = o->ports[pi];
		uint16_t n = rte_eth_rx_burst(port, 0, pkts, (uint16_t)o->burst);
		uint16_t s;

		if (n > 0) {
			for (uint16_t i = 0; i < n; i++)
				pg_swap_macs(pkts[i]);
			s = rte_eth_tx_burst(port, 0, pkts, n);
			if (s < n)
				rte_pktmbuf_free_bulk(&pkts[s], n - s);
			rx += n;
			tx += s;
		}
		if (o->progress && rte_rdtsc() >= next_show) {
			progress((double)(rte_rdtsc() - start) / (double)hz, tx, rx,
				 &last_tx, &last_rx, 1.0);
			next_show += hz;
		}
	}
	printf("loopback: received %" PRIu64 " sent back %" PRIu64 "\n", rx, tx);
}
