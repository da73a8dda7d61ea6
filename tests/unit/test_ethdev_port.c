/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port driver "ethdev" against DPDK's net_null: hot-plug, destroy and
 * plug again in one process, errors, and what tx_burst does with packets
 * that are too big, ask for offloads (net_null has none) or are chains
 * (net_null takes no MULTI_SEGS).
 */
#include <stdio.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "unit.h"
#include "vsw_port.h"

static char err[512];
static struct rte_mempool *mp;

static struct vsw_port *
make(const char *name, const char *spec, uint16_t n_pmds)
{
	struct vsw_port_env env = { .mp = mp, .n_pmds = n_pmds };

	err[0] = '\0';
	return vsw_port_create(name, spec, &env, err, sizeof(err));
}

/* The driver's "stats ethdev" line. */
static void
ethdev_stats(const struct vsw_port *p, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");

	buf[0] = '\0';
	if (f == NULL)
		return;
	p->ops->print_stats(p, f);
	fclose(f);
}

static int
test_create_destroy_create(void)
{
	struct vsw_port *p;
	char desc[256];

	for (int round = 0; round < 3; round++) {
		p = make("e0", "ethdev:queues=2,devargs=net_null0,size=64", 1);
		if (p == NULL)
			fprintf(stderr, "  round %d: %s\n", round, err);
		UNIT_CHECK(p != NULL);
		UNIT_CHECK_EQ(p->nb_rxq, 2);
		UNIT_CHECK_EQ(p->nb_txq, 1);
		p->ops->describe(p, desc, sizeof(desc));
		UNIT_CHECK(strstr(desc, "net_null0") != NULL);
		UNIT_CHECK(strstr(desc, "mtu 1500") != NULL);
		vsw_port_destroy(p);
	}
	return 0;
}

static int
test_txq_per_pmd(void)
{
	struct vsw_port *p = make("e0", "ethdev:devargs=net_null0", 3);

	UNIT_CHECK(p != NULL);
	UNIT_CHECK_EQ(p->nb_txq, 3);
	UNIT_CHECK(!p->tx_shared);
	vsw_port_destroy(p);
	return 0;
}

static int
test_in_use(void)
{
	struct vsw_port *a = make("e0", "ethdev:devargs=net_null1", 1);
	struct vsw_port *b;

	UNIT_CHECK(a != NULL);
	b = make("e1", "ethdev:devargs=net_null1", 1);
	UNIT_CHECK(b == NULL);
	UNIT_CHECK(strstr(err, "e1") != NULL);
	UNIT_CHECK(strstr(err, "in use by vsw port e0") != NULL);
	vsw_port_destroy(a);
	/* Free again once e0 is gone. */
	b = make("e1", "ethdev:devargs=net_null1", 1);
	UNIT_CHECK(b != NULL);
	vsw_port_destroy(b);
	return 0;
}

static int
test_errors(void)
{
	static const struct {
		const char *spec;
		const char *want;
	} cases[] = {
		{ "ethdev:", "option 'devargs'" },
		{ "ethdev:queues=2", "option 'devargs'" },
		{ "ethdev:devargs=net_nosuchdriver0", "no DPDK bus or driver" },
		{ "ethdev:queues=9,devargs=net_null2", "option 'queues'" },
		{ "ethdev:mtu=10,devargs=net_null2", "option 'mtu'" },
		{ "ethdev:promisc=2,devargs=net_null2", "option 'promisc'" },
		{ "ethdev:pci=0000:3b:00.0,devargs=net_null2", "exclude" },
		{ "ethdev:pci=nonsense", "not a PCI address" },
		{ "ethdev:colour=red,devargs=net_null2", "'colour'" },
	};

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct vsw_port *p = make("bad", cases[i].spec, 1);

		if (p != NULL || strstr(err, cases[i].want) == NULL ||
		    strstr(err, "bad") == NULL)
			fprintf(stderr, "  %s: %s\n", cases[i].spec, err);
		UNIT_CHECK(p == NULL);
		UNIT_CHECK(strstr(err, cases[i].want) != NULL);
	}
	/* Nothing left behind: the same device can be had. */
	struct vsw_port *p = make("ok", "ethdev:devargs=net_null2", 1);

	UNIT_CHECK(p != NULL);
	vsw_port_destroy(p);
	return 0;
}

static struct rte_mbuf *
frame(uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *d;

	if (m == NULL)
		return NULL;
	d = rte_pktmbuf_append(m, (uint16_t)len);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(d, 0, len);
	d[12] = 0x88; /* local experimental ethertype */
	d[13] = (char)0xb5;
	return m;
}

/* Ethernet + IPv4 + TCP with @p payload bytes, TX flags as vsw sets them. */
static struct rte_mbuf *
tcp_frame(uint32_t payload, uint16_t mss)
{
	uint32_t hl = 14 + 20 + 20, first = RTE_MIN(payload, 1000u);
	struct rte_mbuf *m = frame(hl + first);
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;

	if (m == NULL)
		return NULL;
	/* A super-frame is a chain, as from a guest. */
	for (uint32_t left = payload - first; left > 0;) {
		uint32_t k = RTE_MIN(left, 1000u);
		struct rte_mbuf *s = frame(k);

		if (s == NULL || rte_pktmbuf_chain(m, s) != 0) {
			rte_pktmbuf_free(s);
			rte_pktmbuf_free(m);
			return NULL;
		}
		left -= k;
	}
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	tcp = (struct rte_tcp_hdr *)(ip + 1);
	rte_pktmbuf_mtod(m, uint8_t *)[12] = 0x08;
	rte_pktmbuf_mtod(m, uint8_t *)[13] = 0x00;
	ip->version_ihl = 0x45;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + 20 + payload));
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tcp->data_off = 5 << 4;
	tcp->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	tcp->cksum = rte_ipv4_phdr_cksum(ip, 0);
	m->l2_len = 14;
	m->l3_len = 20;
	m->l4_len = 20;
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
	if (mss != 0) {
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		m->tso_segsz = mss;
	}
	return m;
}

static int
test_tx(void)
{
	struct vsw_port *p = make("e0", "ethdev:devargs=net_null3", 1);
	struct rte_mbuf *pkts[8], *tail;
	unsigned int avail = 0;
	uint64_t bytes = 0;
	char line[1024];
	uint16_t sent;

	UNIT_CHECK(p != NULL);
	avail = rte_mempool_avail_count(mp);
	pkts[0] = frame(60);
	pkts[1] = frame(1514);            /* MTU + header: fits */
	pkts[2] = frame(1515);            /* one byte too many */
	pkts[3] = frame(1518);            /* tagged below: fits */
	pkts[4] = tcp_frame(1000, 0);     /* checksum in software */
	pkts[5] = tcp_frame(3000, 1000);  /* 3 segments in software */
	pkts[6] = frame(100);             /* + 100 chained: linearized */
	pkts[7] = tcp_frame(3000, 1470);  /* segments of 1524 B: too big */
	for (int i = 0; i < 8; i++)
		UNIT_CHECK(pkts[i] != NULL);
	rte_pktmbuf_mtod(pkts[3], uint8_t *)[12] = 0x81;
	rte_pktmbuf_mtod(pkts[3], uint8_t *)[13] = 0x00;
	tail = frame(100);
	UNIT_CHECK(tail != NULL);
	UNIT_CHECK_EQ(rte_pktmbuf_chain(pkts[6], tail), 0);
	sent = p->ops->tx_burst(p, 0, pkts, 8, &bytes);
	UNIT_CHECK_EQ(sent, 6);
	UNIT_CHECK_EQ(bytes, 60 + 1514 + 1518 + 1054 + (3 * 1000 + 3 * 54) + 200);
	/* Every mbuf went back to the pool, sent or not. */
	UNIT_CHECK_EQ(rte_mempool_avail_count(mp), avail);
	ethdev_stats(p, line, sizeof(line));
	if (strstr(line, "too_big=2 offload_sw=2 drop_offload=0") == NULL)
		fprintf(stderr, "  %s", line);
	UNIT_CHECK(strstr(line, "stats ethdev port=e0 device=net_null3") != NULL);
	UNIT_CHECK(strstr(line, "too_big=2 offload_sw=2 drop_offload=0") != NULL);
	UNIT_CHECK(strstr(line, "opackets=8 ") != NULL); /* 5 + 3 segments */
	vsw_port_destroy(p);
	return 0;
}

/* net_tap takes checksums and TSO: they go to the device as they are. */
static int
test_tx_offloaded(void)
{
	struct vsw_port *p = make("e0", "ethdev:devargs=net_tap0,iface=vswut0", 1);
	struct rte_mbuf *pkts[2];
	uint64_t bytes = 0;
	char desc[256], line[1024];

	if (p == NULL) {
		printf("  skipped: no net_tap here (%s)\n", err);
		return 0;
	}
	p->ops->describe(p, desc, sizeof(desc));
	UNIT_CHECK(strstr(desc, "offloads csum tso4 tso6") != NULL);
	pkts[0] = tcp_frame(1000, 0);
	pkts[1] = tcp_frame(3000, 1000);
	UNIT_CHECK(pkts[0] != NULL && pkts[1] != NULL);
	UNIT_CHECK_EQ(p->ops->tx_burst(p, 0, pkts, 2, &bytes), 2);
	UNIT_CHECK_EQ(bytes, 1054 + 3054);
	ethdev_stats(p, line, sizeof(line));
	if (strstr(line, "too_big=0 offload_sw=0 drop_offload=0") == NULL)
		fprintf(stderr, "  %s", line);
	UNIT_CHECK(strstr(line, "too_big=0 offload_sw=0 drop_offload=0") != NULL);
	vsw_port_destroy(p);
	return 0;
}

static int
test_rx(void)
{
	struct vsw_port *p = make("e0", "ethdev:devargs=net_null4,size=128", 1);
	struct rte_mbuf *pkts[32];
	uint16_t got;

	UNIT_CHECK(p != NULL);
	got = p->ops->rx_burst(p, 0, pkts, 32);
	UNIT_CHECK_EQ(got, 32);
	UNIT_CHECK_EQ(pkts[0]->pkt_len, 128);
	rte_pktmbuf_free_bulk(pkts, got);
	vsw_port_destroy(p);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_create_destroy_create),
		UNIT_TEST(test_txq_per_pmd),
		UNIT_TEST(test_in_use),
		UNIT_TEST(test_errors),
		UNIT_TEST(test_tx),
		UNIT_TEST(test_tx_offloaded),
		UNIT_TEST(test_rx),
	};

	if (unit_eal_init(argv[0]) != 0)
		return 1;
	mp = rte_pktmbuf_pool_create("test_mbufs", 2048, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL) {
		fprintf(stderr, "no mempool\n");
		return 1;
	}
	return unit_main("ethdev_port", tests, RTE_DIM(tests));
}
