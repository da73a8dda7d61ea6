/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw-pktgen [EAL options] -- [options]
 *
 * Generate and verify traffic on ethdev port --port (any device EAL
 * probes: --vdev net_virtio_user0,path=..., net_af_packet, net_pcap,
 * net_memif, net_ring...). See --help.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "pktgen.h"

#define NB_DESC 1024
#define NB_MBUFS 16383

volatile bool pg_quit;

static const char *const mode_names[] = {
	[PG_TXRX] = "txrx", [PG_TXONLY] = "txonly", [PG_RXONLY] = "rxonly",
	[PG_LOOPBACK] = "loopback",
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: vsw-pktgen [EAL options] -- [options]\n"
"  --mode txrx|txonly|rxonly|loopback  txrx: send probes, verify what comes\n"
"                         back (default); loopback: send back what arrives,\n"
"                         MACs swapped (a guest reflecting traffic)\n"
"  --port N[,N...]        ethdev ports (default 0); each sends its own\n"
"                         flows and receives whatever arrives, so two ports\n"
"                         are the two guests of a VM-to-VM test\n"
"  --size N|imix          frame size with FCS, 64..9018, or IMIX 7:4:1 of\n"
"                         64/570/1518 (default 64)\n"
"  --flows N              flows per port: source IP/port/MAC vary (default 1;\n"
"                         at most %d over all ports)\n"
"  --dst-mac MAC|peer     destination MAC (default 02:00:00:00:00:02); peer:\n"
"                         each port sends flow k to the source MAC of flow\n"
"                         k of the next port (a learning bridge learns them)\n"
"  --rate PPS             packets per second over all ports, 0 = as fast as\n"
"                         possible\n"
"  --duration S           seconds measured (default 10; loopback: 0 = until\n"
"                         SIGINT)\n"
"  --warmup S             seconds sent before measuring (default 1)\n"
"  --burst N              packets per burst, 1..%d (default 32)\n"
"  --search               find the highest rate losing at most --loss\n"
"  --loss F               allowed loss fraction for --search (default 0:\n"
"                         no-drop rate)\n"
"  --precision F          --search stops at (hi - lo) / hi < F (default 0.02)\n"
"  --trial S              seconds per --search trial (default 2)\n"
"  --json FILE            write the results as JSON\n"
"  --progress             a line per second while running\n"
"  --interval S           every S seconds of the measurement, an \"interval\n"
"                         {json}\" line on stdout: counters so far and that\n"
"                         interval's latency percentiles (soak tests)\n",
		PG_MAX_FLOWS, PG_BURST_MAX);
}

static int
parse_num(const char *opt, const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "vsw-pktgen: --%s: '%s' is not a number in %g..%g\n",
			opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_ports(const char *s, struct pg_opts *o)
{
	char buf[128], *save = NULL, *tok;
	double v;

	snprintf(buf, sizeof(buf), "%s", s);
	o->nports = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->nports == PG_MAX_PORTS) {
			fprintf(stderr, "vsw-pktgen: --port: more than %d ports\n",
				PG_MAX_PORTS);
			return -1;
		}
		if (parse_num("port", tok, 0, RTE_MAX_ETHPORTS - 1, &v) != 0)
			return -1;
		o->ports[o->nports++] = (uint16_t)v;
	}
	return o->nports > 0 ? 0 : -1;
}

static int
parse_mode(const char *s, enum pg_mode *m)
{
	for (unsigned int i = 0; i < RTE_DIM(mode_names); i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*m = (enum pg_mode)i;
			return 0;
		}
	fprintf(stderr, "vsw-pktgen: --mode: '%s' is not txrx, txonly, rxonly"
		" or loopback\n", s);
	return -1;
}

static int
parse_opts(int argc, char **argv, struct pg_opts *o)
{
	static const struct option longopts[] = {
		{ "mode", 1, 0, 'm' }, { "port", 1, 0, 'p' }, { "size", 1, 0, 's' },
		{ "flows", 1, 0, 'f' }, { "rate", 1, 0, 'r' },
		{ "duration", 1, 0, 'd' }, { "warmup", 1, 0, 'w' },
		{ "burst", 1, 0, 'b' }, { "search", 0, 0, 'S' },
		{ "loss", 1, 0, 'l' }, { "precision", 1, 0, 'P' },
		{ "trial", 1, 0, 't' }, { "json", 1, 0, 'j' },
		{ "progress", 0, 0, 'g' }, { "dst-mac", 1, 0, 'D' },
		{ "interval", 1, 0, 'i' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	double v;
	int c;

	*o = (struct pg_opts){ .mode = PG_TXRX, .nports = 1, .size = 64, .flows = 1,
			       .duration = 10, .warmup = 1, .burst = 32,
			       .precision = 0.02, .trial = 2, .max_trials = 20,
			       .dst_mac = { { 2, 0, 0, 0, 0, 2 } } };
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		const char *name = longopts[0].name;

		for (const struct option *l = longopts; l->name; l++)
			if (l->val == c)
				name = l->name;
		switch (c) {
		case 'm':
			if (parse_mode(optarg, &o->mode) != 0)
				return -1;
			break;
		case 's':
			if (strcmp(optarg, "imix") == 0) {
				o->size = 0;
				break;
			}
			if (parse_num(name, optarg, 64, 9018, &v) != 0)
				return -1;
			o->size = (uint32_t)v;
			break;
		case 'p':
			if (parse_ports(optarg, o) != 0)
				return -1;
			break;
		case 'f': case 'b':
			if (parse_num(name, optarg, 1,
				      c == 'f' ? PG_MAX_FLOWS : PG_BURST_MAX, &v) != 0)
				return -1;
			if (c == 'f')
				o->flows = (uint32_t)v;
			else
				o->burst = (uint32_t)v;
			break;
		case 'r': case 'd': case 'w': case 't': case 'l': case 'P':
		case 'i':
			if (parse_num(name, optarg, 0, c == 'r' ? 1e9 : c == 'l' ||
				      c == 'P' ? 1 : 1e6, &v) != 0)
				return -1;
			*(c == 'r' ? &o->rate : c == 'd' ? &o->duration :
			  c == 'w' ? &o->warmup : c == 't' ? &o->trial :
			  c == 'l' ? &o->loss : c == 'i' ? &o->interval :
			  &o->precision) = v;
			break;
		case 'S':
			o->search = true;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'g':
			o->progress = true;
			break;
		case 'D':
			o->dst_peer = strcmp(optarg, "peer") == 0;
			if (!o->dst_peer &&
			    rte_ether_unformat_addr(optarg, &o->dst_mac) != 0) {
				fprintf(stderr, "vsw-pktgen: --dst-mac: '%s' is not"
					" a MAC address or 'peer'\n", optarg);
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vsw-pktgen: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->flows * o->nports > PG_MAX_FLOWS) {
		fprintf(stderr, "vsw-pktgen: --flows %u x %u ports: more than %d"
			" flows\n", o->flows, o->nports, PG_MAX_FLOWS);
		return -1;
	}
	if (o->search && o->mode != PG_TXRX) {
		fprintf(stderr, "vsw-pktgen: --search needs --mode txrx\n");
		return -1;
	}
	if (o->duration <= 0 && o->mode != PG_LOOPBACK) {
		fprintf(stderr, "vsw-pktgen: --duration must be above 0\n");
		return -1;
	}
	return 0;
}

static int
port_start(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	int rc;

	if (!rte_eth_dev_is_valid_port(port)) {
		fprintf(stderr, "vsw-pktgen: no ethdev port %u (%u probed: give the"
			" device with EAL --vdev or -a)\n", port,
			rte_eth_dev_count_avail());
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, NB_DESC, rte_socket_id(),
					    NULL, mp);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, NB_DESC, rte_socket_id(),
					    NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0) {
		fprintf(stderr, "vsw-pktgen: port %u: cannot start: %s\n", port,
			rte_strerror(-rc));
		return -1;
	}
	rte_eth_promiscuous_enable(port); /* not every PMD has it */
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	pg_quit = true;
}

static int
run(const struct pg_opts *o, struct rte_mempool *mp, FILE *json)
{
	struct pg_result r;
	int rc;

	if (o->mode == PG_LOOPBACK) {
		pg_loopback(o);
		return 0;
	}
	if (o->warmup > 0 && pg_trial(o, mp, o->rate, o->warmup, false, &r) != 0)
		return 1;
	if (json != NULL) {
		char size[16] = "\"imix\"";

		if (o->size != 0)
			snprintf(size, sizeof(size), "%u", o->size);
		fprintf(json, "{\"mode\": \"%s\", \"ports\": %u, \"size\": %s, "
			"\"flows\": %u, \"search\": %s, \"loss_allowed\": %g, "
			"\"trials\": [\n", mode_names[o->mode], o->nports, size,
			o->flows, o->search ? "true" : "false", o->loss);
	}
	if (o->search) {
		rc = pg_search(o, mp, json, &r);
		if (rc < 0)
			return 1;
		if (rc > 0)
			printf("search: no rate tried met loss <= %g\n", o->loss);
		else
			pg_print_result(stdout, o->loss > 0 ? "PDR" : "NDR", &r);
	} else {
		if (pg_trial(o, mp, o->rate, o->duration, true, &r) != 0)
			return 1;
		pg_print_result(stdout, "result", &r);
	}
	if (json != NULL) {
		fputs("null],\n\"result\": ", json);
		pg_json_result(json, &r);
		fputs("}\n", json);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	struct pg_opts o;
	FILE *json = NULL;
	int n, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "vsw-pktgen: EAL: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	argv[n] = argv[0];
	if (parse_opts(argc - n, argv + n, &o) != 0)
		return 2;
	pg_pkt_init(&o);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* 2 KB buffers, as guests use; one frame per mbuf for jumbo sizes */
	mp = rte_pktmbuf_pool_create("pg_mbufs", NB_MBUFS, 256, 0,
				     (uint16_t)RTE_MAX((uint32_t)RTE_MBUF_DEFAULT_BUF_SIZE,
						       o.size + RTE_PKTMBUF_HEADROOM),
				     rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "vsw-pktgen: mempool: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	for (unsigned int i = 0; i < o.nports; i++)
		if (port_start(o.ports[i], mp) != 0)
			return 2;
	if (o.json != NULL && (json = fopen(o.json, "w")) == NULL) {
		fprintf(stderr, "vsw-pktgen: --json %s: %s\n", o.json, strerror(errno));
		return 2;
	}
	rc = run(&o, mp, json);
	if (json != NULL)
		fclose(json);
	for (unsigned int i = 0; i < o.nports; i++) {
		rte_eth_dev_stop(o.ports[i]);
		rte_eth_dev_close(o.ports[i]);
	}
	rte_eal_cleanup();
	return rc;
}
