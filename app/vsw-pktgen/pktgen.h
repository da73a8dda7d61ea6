/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_PKTGEN_H
#define VSW_PKTGEN_H

/*
 * vsw-pktgen: a DPDK traffic generator and verifier on any ethdev port.
 *
 * Every generated frame is Ethernet + IPv4 + UDP carrying a probe: a
 * magic, the flow number, a per-flow sequence number and the TSC when it
 * was sent. What comes back is matched per flow: loss, reordering,
 * duplicates and latency (TSC at receive minus TSC in the probe; both
 * taken by this process).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#define PG_MAX_FLOWS 1024 /* < 65536: 16 bits on the wire */
#define PG_BURST_MAX 64
#define PG_MAX_PORTS 4
#define PG_MAGIC 0x5653u     /* "VS" */
#define PG_HDR_LEN 42        /* Ethernet 14 + IPv4 20 + UDP 8 */
#define PG_MIN_FRAME 60      /* without FCS: a 64-byte frame on the wire */

enum pg_mode {
	PG_TXRX,     /* send probes and verify what comes back */
	PG_TXONLY,   /* send probes */
	PG_RXONLY,   /* verify probes sent by someone else */
	PG_LOOPBACK, /* send back what arrives, MACs swapped */
};

struct pg_opts {
	enum pg_mode mode;
	/* Every port sends its own flows and receives whatever arrives
	 * (two ports: the two guests of a VM-to-VM test, both ways). */
	uint16_t ports[PG_MAX_PORTS];
	uint16_t nports;
	uint32_t size;        /* frame size with FCS; 0: IMIX 7:4:1 64/570/1518 */
	uint32_t flows;       /* per port */
	/* Destination MAC: dst_mac, or with dst_peer the source MAC of the
	 * same flow of the next port (two ports through a learning bridge:
	 * each sends to MACs the other one sends from). */
	bool dst_peer;
	struct rte_ether_addr dst_mac;
	double rate;          /* packets per second, all ports together;
				 0: as fast as possible */
	double duration;      /* seconds of measurement */
	double warmup;        /* seconds sent before measuring (not counted) */
	uint32_t burst;
	const char *json;     /* write results here */
	bool progress;
	double interval;      /* seconds between "interval" lines; 0: none */
	/* RFC 2544-style search for the highest rate with loss <= loss */
	bool search;
	double loss;          /* allowed loss fraction (0: NDR) */
	double precision;     /* stop when (hi - lo) / hi below this */
	double trial;         /* seconds per trial */
	uint32_t max_trials;
};

/*
 * The probe after the UDP header: 18 bytes, so that it fits a 64-byte
 * frame (60 without FCS, 42 of headers). In memory the sequence number is
 * 48 bits (wraps after 2.8e14 packets).
 */
struct pg_probe_wire {
	uint16_t magic;
	uint16_t flow;
	uint16_t seq_hi;
	uint32_t seq_lo;
	uint64_t tsc;
} __attribute__((packed));
_Static_assert(sizeof(struct pg_probe_wire) == 18, "probe fits a 64 B frame");

/* A probe as read. */
struct pg_probe {
	uint32_t flow;
	uint64_t seq;
	uint64_t tsc;
};

/* pkt.c: frames */
/** Addressing of every frame pg_build() makes (before the first). */
void pg_pkt_init(const struct pg_opts *o);
uint32_t pg_frame_len(const struct pg_opts *o, uint64_t n);
int pg_build(struct rte_mbuf *m, uint32_t flow, uint64_t seq, uint32_t len,
	     uint64_t tsc);
/** The probe of a received frame into @p p. @return 0, or -1: none. */
int pg_probe_of(struct rte_mbuf *m, struct pg_probe *p);
void pg_swap_macs(struct rte_mbuf *m);

/* stats.c: per-flow receive state and latency */
struct pg_flow_rx {
	uint64_t next;     /* highest seq seen + 1 */
	uint64_t window;   /* bit i: seq next - 1 - i seen */
	uint64_t packets;  /* distinct probes received */
	uint64_t reordered;
	uint64_t duplicates;
};

#define PG_HIST_BUCKETS (64 * 16)

struct pg_stats {
	uint64_t tx_packets, tx_bytes;
	uint64_t rx_packets, rx_bytes;   /* everything received */
	uint64_t rx_probes;              /* distinct probes (loss = sent - this) */
	uint64_t rx_foreign;             /* frames without our probe */
	uint64_t reordered, duplicates;
	uint64_t lat_min, lat_max, lat_sum, lat_n; /* nanoseconds */
	uint64_t hist[PG_HIST_BUCKETS];
	uint64_t sent_per_flow[PG_MAX_FLOWS];
	struct pg_flow_rx flow[PG_MAX_FLOWS];
};

void pg_stats_reset(struct pg_stats *s);
void pg_stats_rx(struct pg_stats *s, const struct pg_probe *p, uint64_t lat_ns);
/** Latency at quantile @p q (0..1) in nanoseconds (bucket upper bound). */
uint64_t pg_stats_quantile(const struct pg_stats *s, double q);
/**
 * The latency histogram of @p now minus that of @p before into @p d
 * (lat_n, hist, lat_max as the top bucket's bound): an interval's.
 */
void pg_stats_hist_delta(const struct pg_stats *now,
			 const struct pg_stats *before, struct pg_stats *d);

/* run.c: one trial at a rate */
struct pg_result {
	double rate_asked;   /* pps, 0 = unlimited */
	double seconds;
	uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes, rx_probes;
	uint64_t lost, reordered, duplicates, foreign;
	double tx_pps, rx_pps, rx_gbps, loss_ratio;
	uint64_t lat_min, lat_p50, lat_p99, lat_p999, lat_max;
	double lat_avg;
};

/* measured: the trial that counts (--progress and --interval lines) */
int pg_trial(const struct pg_opts *o, struct rte_mempool *mp, double rate,
	     double seconds, bool measured, struct pg_result *r);
void pg_loopback(const struct pg_opts *o);

/* search.c: @return 0 (best filled), 1 (no rate passed), -1 (stopped) */
int pg_search(const struct pg_opts *o, struct rte_mempool *mp, FILE *json,
	      struct pg_result *best);

/* report.c */
void pg_print_result(FILE *f, const char *label, const struct pg_result *r);
void pg_json_result(FILE *f, const struct pg_result *r);

/* set by the signal handler: stop what is running */
extern volatile bool pg_quit;

#endif /* VSW_PKTGEN_H */
