/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The L2 bridge against mock ports: learning, flooding, VLAN access and
 * trunk ports (tags pushed and popped), drops by reason, MAC moves,
 * member removal, and mbuf accounting of shared (flooded) frames.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "unit.h"
#include "vsw_bridge.h"
#include "vsw_fdb.h"
#include "vsw_pmd.h"
#include "vsw_port.h"

#define MAX_CAP 256

/* A port that keeps what it is given to send. */
struct mock {
	unsigned int n;
	struct rte_mbuf *cap[MAX_CAP];
};

static int
mock_create(struct vsw_port *port, struct vsw_port_args *args,
	    const struct vsw_port_env *env, char *err, size_t errlen)
{
	port->priv = calloc(1, sizeof(struct mock));
	port->nb_rxq = 1;
	port->nb_txq = 1;
	return port->priv ? 0 : -ENOMEM;
}

static void
mock_destroy(struct vsw_port *port)
{
	struct mock *mk = port->priv;

	for (unsigned int i = 0; i < mk->n; i++)
		rte_pktmbuf_free(mk->cap[i]);
	free(mk);
}

static uint16_t
mock_rx(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	return 0;
}

static uint16_t
mock_tx(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts, uint16_t n,
	uint64_t *bytes)
{
	struct mock *mk = port->priv;

	for (uint16_t i = 0; i < n; i++) {
		*bytes += pkts[i]->pkt_len;
		if (mk->n < MAX_CAP)
			mk->cap[mk->n++] = pkts[i];
		else
			rte_pktmbuf_free(pkts[i]);
	}
	return n;
}

static void
mock_describe(const struct vsw_port *port, char *buf, size_t len)
{
	snprintf(buf, len, "mock");
}

static const struct vsw_port_ops mock_ops = {
	.type = "mock",
	.create = mock_create,
	.destroy = mock_destroy,
	.rx_burst = mock_rx,
	.tx_burst = mock_tx,
	.describe = mock_describe,
};

static struct rte_mempool *mp;
static struct vsw_pmd pmd;

static struct vsw_port *
mkport(const char *name, const char *spec)
{
	struct vsw_port_env env = { .mp = mp, .n_pmds = 1 };
	char err[256];
	struct vsw_port *p = vsw_port_create(name, spec, &env, err, sizeof(err));

	if (p == NULL)
		fprintf(stderr, "  %s: %s\n", name, err);
	return p;
}

static struct mock *
mk(struct vsw_port *p)
{
	return p->priv;
}

/* Free what a mock port captured. */
static void
drain(struct vsw_port *p)
{
	struct mock *m = mk(p);

	for (unsigned int i = 0; i < m->n; i++)
		rte_pktmbuf_free(m->cap[i]);
	m->n = 0;
}

/* Drain and take off @p br every port of @p ports, destroy them and it. */
static void
teardown(struct vsw_bridge *br, struct vsw_port **ports, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		drain(ports[i]);
		vsw_bridge_port_del(br, ports[i]);   /* -ENOENT for non-members */
		vsw_port_destroy(ports[i]);
	}
	vsw_bridge_destroy(br);
}

static struct vsw_bridge *
mkbridge(uint32_t max_entries)
{
	struct vsw_bridge_conf c = {
		.name = "br0", .max_entries = max_entries, .aging_sec = 10,
		.n_pmds = 1, .mp = mp,
	};

	return vsw_bridge_create(&c);
}

static const struct rte_ether_addr mac_a = { { 0x02, 0, 0, 0, 0, 0x0a } };
static const struct rte_ether_addr mac_b = { { 0x02, 0, 0, 0, 0, 0x0b } };
static const struct rte_ether_addr mac_c = { { 0x02, 0, 0, 0, 0, 0x0c } };
static const struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

/*
 * A frame dst <- src, 802.1Q-tagged with @p tci unless it is -1, of
 * @p len bytes (without tag) whose payload bytes are their offset.
 */
static struct rte_mbuf *
frame(const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
      int tci, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint16_t tag = tci >= 0 ? 4 : 0;
	uint8_t *p = m != NULL ?
		     (uint8_t *)rte_pktmbuf_append(m, len + tag) : NULL;

	if (p == NULL)
		abort(); /* the pool is sized for the tests */
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	if (tci >= 0) {
		p[12] = 0x81;
		p[13] = 0x00;
		p[14] = (uint8_t)(tci >> 8);
		p[15] = (uint8_t)tci;
	}
	p[12 + tag] = 0x08;
	p[13 + tag] = 0x00;
	for (uint16_t i = 14; i < len; i++)
		p[i + tag] = (uint8_t)i;
	return m;
}

/* The frame's VLAN tag's VID, or -1 when untagged; checks the payload. */
static int
vid_of(const struct rte_mbuf *m, uint16_t len)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	int tag = p[12] == 0x81 && p[13] == 0x00 ? 4 : 0;

	if (m->pkt_len != (uint32_t)(len + tag) || p[12 + tag] != 0x08)
		return -2;
	for (uint16_t i = 14; i < len; i++)
		if (p[i + tag] != (uint8_t)i)
			return -3;
	return tag ? ((p[14] << 8 | p[15]) & 0xfff) : -1;
}

/* Run one burst into the bridge from @p in and flush the PMD's buffers. */
static void
input(struct vsw_bridge *br, struct vsw_port *in, struct rte_mbuf **pkts,
      uint16_t n)
{
	struct vsw_pmd_rxq rq = { .port = in, .qid = 0, .fwd_arg = br };

	vsw_bridge_input(&pmd, &rq, pkts, n);
	vsw_pmd_tx_flush(&pmd);
}

static void
input1(struct vsw_bridge *br, struct vsw_port *in, struct rte_mbuf *m)
{
	input(br, in, &m, 1);
}

static int
test_learn_and_flood(void)
{
	struct vsw_bridge *br = mkbridge(0);
	struct vsw_port *a = mkport("a", "mock:"), *b = mkport("b", "mock:"),
			*c = mkport("c", "mock:");
	struct vsw_bridge_port_stats s;
	unsigned int avail = rte_mempool_avail_count(mp);

	UNIT_CHECK(br && a && b && c);
	UNIT_CHECK_EQ(vsw_bridge_port_add(br, a), 0);
	UNIT_CHECK_EQ(vsw_bridge_port_add(br, b), 0);
	UNIT_CHECK_EQ(vsw_bridge_port_add(br, c), 0);
	UNIT_CHECK_EQ(vsw_bridge_port_add(br, c), -EEXIST);
	/* Unknown destination: flooded to b and c, one shared mbuf. */
	input1(br, a, frame(&mac_b, &mac_a, -1, 100));
	UNIT_CHECK_EQ(mk(a)->n, 0);
	UNIT_CHECK_EQ(mk(b)->n, 1);
	UNIT_CHECK_EQ(mk(c)->n, 1);
	UNIT_CHECK(mk(b)->cap[0] == mk(c)->cap[0]);
	UNIT_CHECK_EQ(rte_mbuf_refcnt_read(mk(b)->cap[0]), 2);
	UNIT_CHECK_EQ(vid_of(mk(b)->cap[0], 100), -1);
	UNIT_CHECK_EQ(vsw_fdb_lookup(vsw_bridge_fdb(br), vsw_fdb_key(&mac_a, 0)),
		      a->id);
	/* The reply is unicast to a; b is learned. */
	input1(br, b, frame(&mac_a, &mac_b, -1, 100));
	UNIT_CHECK_EQ(mk(a)->n, 1);
	UNIT_CHECK_EQ(mk(c)->n, 1);
	/* Broadcast floods even when everything is learned. */
	input1(br, a, frame(&bcast, &mac_a, -1, 60));
	UNIT_CHECK_EQ(mk(b)->n, 2);
	UNIT_CHECK_EQ(mk(c)->n, 2);
	vsw_bridge_port_stats(br, a, &s);
	UNIT_CHECK_EQ(s.flooded, 2);
	UNIT_CHECK_EQ(s.learned, 1);
	vsw_bridge_port_stats(br, b, &s);
	UNIT_CHECK_EQ(s.unicast, 1);
	UNIT_CHECK_EQ(s.learned, 1);
	teardown(br, (struct vsw_port *[]){ a, b, c }, 3);
	/* Every shared mbuf came back exactly once. */
	UNIT_CHECK_EQ(rte_mempool_avail_count(mp), avail);
	return 0;
}

static int
test_vlans(void)
{
	struct vsw_bridge *br = mkbridge(0);
	struct vsw_port *a10 = mkport("a10", "mock:vlan=10");
	struct vsw_port *b10 = mkport("b10", "mock:vlan=10");
	struct vsw_port *c20 = mkport("c20", "mock:vlan=20");
	struct vsw_port *t = mkport("t", "mock:trunk=10,30");
	struct vsw_port *all = mkport("all", "mock:");
	struct vsw_port *ports[] = { a10, b10, c20, t, all };
	struct vsw_bridge_port_stats s;
	unsigned int avail = rte_mempool_avail_count(mp);

	UNIT_CHECK(br && a10 && b10 && c20 && t && all);
	for (unsigned int i = 0; i < RTE_DIM(ports); i++)
		UNIT_CHECK_EQ(vsw_bridge_port_add(br, ports[i]), 0);
	/* Untagged on access 10: to b10 untagged, to t tagged 10, to "all"
	 * tagged 10 (it carries every VLAN); never to c20. */
	input1(br, a10, frame(&bcast, &mac_a, -1, 80));
	UNIT_CHECK_EQ(mk(b10)->n, 1);
	UNIT_CHECK_EQ(mk(c20)->n, 0);
	UNIT_CHECK_EQ(mk(t)->n, 1);
	UNIT_CHECK_EQ(mk(all)->n, 1);
	UNIT_CHECK_EQ(vid_of(mk(b10)->cap[0], 80), -1);
	UNIT_CHECK_EQ(vid_of(mk(t)->cap[0], 80), 10);
	UNIT_CHECK_EQ(vid_of(mk(all)->cap[0], 80), 10);
	UNIT_CHECK(mk(t)->cap[0] == mk(all)->cap[0]);   /* one tagged copy */
	UNIT_CHECK(mk(t)->cap[0] != mk(b10)->cap[0]);
	/* Tagged 10 from the trunk to a10 (learned): popped. */
	input1(br, t, frame(&mac_a, &mac_c, 10, 90));
	UNIT_CHECK_EQ(mk(a10)->n, 1);
	UNIT_CHECK_EQ(vid_of(mk(a10)->cap[0], 90), -1);
	UNIT_CHECK_EQ(mk(b10)->n, 1);              /* unicast: not b10 */
	/* The same MAC on VLAN 20 is another entry (IVL): flooded, only to
	 * c20 and "all". */
	input1(br, t, frame(&mac_a, &mac_c, 20, 90)); /* 20 not on t: drop */
	vsw_bridge_port_stats(br, t, &s);
	UNIT_CHECK_EQ(s.drop_vlan, 1);
	input1(br, all, frame(&mac_a, &mac_c, 20, 90));
	UNIT_CHECK_EQ(mk(c20)->n, 1);
	UNIT_CHECK_EQ(vid_of(mk(c20)->cap[0], 90), -1);
	UNIT_CHECK_EQ(mk(a10)->n, 1);
	UNIT_CHECK_EQ(mk(t)->n, 1);
	/* Tagged frames on an access port, untagged on a trunk: dropped. */
	input1(br, a10, frame(&bcast, &mac_a, 10, 80));
	input1(br, t, frame(&bcast, &mac_c, -1, 80));
	vsw_bridge_port_stats(br, a10, &s);
	UNIT_CHECK_EQ(s.drop_vlan, 1);
	vsw_bridge_port_stats(br, t, &s);
	UNIT_CHECK_EQ(s.drop_vlan, 2);
	/* Priority-tagged (VID 0, PCP 5) on an access port is untagged. */
	input1(br, a10, frame(&bcast, &mac_a, 5 << 13, 70));
	UNIT_CHECK_EQ(mk(b10)->n, 2);
	UNIT_CHECK_EQ(vid_of(mk(b10)->cap[1], 70), -1);
	UNIT_CHECK_EQ(vid_of(mk(t)->cap[1], 70), 10);
	/* VID 4095 is reserved. */
	input1(br, all, frame(&bcast, &mac_c, 4095, 70));
	vsw_bridge_port_stats(br, all, &s);
	UNIT_CHECK_EQ(s.drop_vlan, 1);
	teardown(br, ports, RTE_DIM(ports));
	UNIT_CHECK_EQ(rte_mempool_avail_count(mp), avail);
	return 0;
}

static int
test_drops(void)
{
	struct vsw_bridge *br = mkbridge(0);
	struct vsw_port *a = mkport("a", "mock:"), *b = mkport("b", "mock:");
	struct vsw_port *out = mkport("out", "mock:");
	struct rte_mbuf *m;
	struct vsw_bridge_port_stats s;
	unsigned int avail = rte_mempool_avail_count(mp);

	UNIT_CHECK(br && a && b && out);
	vsw_bridge_port_add(br, a);
	vsw_bridge_port_add(br, b);
	/* Runts: 10 bytes; tagged with 16 bytes. */
	m = rte_pktmbuf_alloc(mp);
	memset(rte_pktmbuf_append(m, 10), 0xff, 10);
	input1(br, a, m);
	m = frame(&bcast, &mac_a, 10, 60);
	rte_pktmbuf_trim(m, m->pkt_len - 16);
	input1(br, a, m);
	/* Multicast and zero sources. */
	input1(br, a, frame(&mac_b, &bcast, -1, 60));
	input1(br, a, frame(&mac_b, &(struct rte_ether_addr){ { 0 } }, -1, 60));
	vsw_bridge_port_stats(br, a, &s);
	UNIT_CHECK_EQ(s.drop_runt, 2);
	UNIT_CHECK_EQ(s.drop_src, 2);
	UNIT_CHECK_EQ(mk(b)->n, 0);
	/* Destination learned on the ingress port: not sent back. */
	input1(br, a, frame(&bcast, &mac_a, -1, 60));
	input1(br, a, frame(&mac_c, &mac_b, -1, 60)); /* b's MAC on a */
	input1(br, a, frame(&mac_b, &mac_a, -1, 60));
	vsw_bridge_port_stats(br, a, &s);
	UNIT_CHECK_EQ(s.drop_same, 1);
	/* A port that is not a member sends: dropped. */
	input1(br, out, frame(&bcast, &mac_c, -1, 60));
	vsw_bridge_port_stats(br, out, &s);
	UNIT_CHECK_EQ(s.drop_not_member, 1);
	teardown(br, (struct vsw_port *[]){ a, b, out }, 3);
	UNIT_CHECK_EQ(rte_mempool_avail_count(mp), avail);
	return 0;
}

static int
test_move_and_remove(void)
{
	struct vsw_bridge *br = mkbridge(0);
	struct vsw_port *a = mkport("a", "mock:"), *b = mkport("b", "mock:"),
			*c = mkport("c", "mock:");
	struct vsw_fdb *fdb;
	struct vsw_bridge_port_stats s;
	struct vsw_port *members[4];

	UNIT_CHECK(br && a && b && c);
	fdb = vsw_bridge_fdb(br);
	vsw_bridge_port_add(br, a);
	vsw_bridge_port_add(br, b);
	vsw_bridge_port_add(br, c);
	input1(br, a, frame(&bcast, &mac_a, -1, 60));
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, vsw_fdb_key(&mac_a, 0)), a->id);
	/* mac_a shows up on c: moved. */
	input1(br, c, frame(&bcast, &mac_a, -1, 60));
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, vsw_fdb_key(&mac_a, 0)), c->id);
	vsw_bridge_port_stats(br, c, &s);
	UNIT_CHECK_EQ(s.moved, 1);
	drain(a);
	drain(b);
	/* Removing c flushes its entries: mac_a is unknown again, and c is
	 * no destination. */
	UNIT_CHECK_EQ(vsw_bridge_port_del(br, c), 0);
	UNIT_CHECK_EQ(vsw_bridge_port_del(br, c), -ENOENT);
	UNIT_CHECK(!vsw_bridge_has_port(br, c));
	UNIT_CHECK_EQ(vsw_bridge_ports(br, members, 4), 2);
	UNIT_CHECK_EQ(vsw_fdb_lookup(fdb, vsw_fdb_key(&mac_a, 0)), VSW_FDB_NO_PORT);
	drain(c);
	input1(br, b, frame(&mac_a, &mac_b, -1, 60));
	UNIT_CHECK_EQ(mk(a)->n, 1);   /* flooded to a only */
	UNIT_CHECK_EQ(mk(c)->n, 0);
	/* A static entry naming a port off the bridge: counted drop. */
	UNIT_CHECK_EQ(vsw_fdb_add_static(fdb, vsw_fdb_key(&mac_c, 0), c->id), 0);
	input1(br, b, frame(&mac_c, &mac_b, -1, 60));
	vsw_bridge_port_stats(br, b, &s);
	UNIT_CHECK_EQ(s.drop_no_port, 1);
	teardown(br, (struct vsw_port *[]){ a, b, c }, 3);
	return 0;
}

/* A flooded frame of several segments: every segment shared and freed. */
static int
test_flood_chained(void)
{
	struct vsw_bridge *br = mkbridge(0);
	struct vsw_port *a = mkport("a", "mock:"), *b = mkport("b", "mock:"),
			*c = mkport("c", "mock:"), *t = mkport("t", "mock:trunk=5");
	unsigned int avail = rte_mempool_avail_count(mp);
	struct rte_mbuf *m, *tail;

	UNIT_CHECK(br && a && b && c && t);
	vsw_bridge_port_add(br, a);
	vsw_bridge_port_add(br, b);
	vsw_bridge_port_add(br, c);
	m = frame(&bcast, &mac_a, -1, 200);
	tail = rte_pktmbuf_alloc(mp);
	memset(rte_pktmbuf_append(tail, 1000), 0x5a, 1000);
	UNIT_CHECK_EQ(rte_pktmbuf_chain(m, tail), 0);
	input1(br, a, m);
	UNIT_CHECK_EQ(rte_mbuf_refcnt_read(tail), 2);
	drain(b);
	UNIT_CHECK_EQ(rte_mbuf_refcnt_read(tail), 1);
	drain(c);
	UNIT_CHECK_EQ(rte_mempool_avail_count(mp), avail);
	/* Bursts: 32 broadcast frames from a, flooded to b and c. */
	{
		struct rte_mbuf *burst[VSW_PMD_BURST];

		for (unsigned int i = 0; i < VSW_PMD_BURST; i++)
			burst[i] = frame(&bcast, &mac_a, -1, 64);
		input(br, a, burst, VSW_PMD_BURST);
		UNIT_CHECK_EQ(mk(b)->n, VSW_PMD_BURST);
		UNIT_CHECK_EQ(mk(c)->n, VSW_PMD_BURST);
	}
	teardown(br, (struct vsw_port *[]){ a, b, c, t }, 4);
	UNIT_CHECK_EQ(rte_mempool_avail_count(mp), avail);
	return 0;
}

static int
test_fdb_limit(void)
{
	struct vsw_bridge *br = mkbridge(4);
	struct vsw_port *a = mkport("a", "mock:"), *b = mkport("b", "mock:");
	struct vsw_bridge_port_stats s;

	UNIT_CHECK(br && a && b);
	vsw_bridge_port_add(br, a);
	vsw_bridge_port_add(br, b);
	for (uint8_t i = 1; i <= 10; i++) {
		struct rte_ether_addr src = { { 0x02, 0, 0, 0, 1, i } };

		input1(br, a, frame(&bcast, &src, -1, 60));
	}
	vsw_bridge_port_stats(br, a, &s);
	UNIT_CHECK_EQ(s.learned, 4);
	UNIT_CHECK_EQ(s.fdb_full, 6);
	UNIT_CHECK_EQ(mk(b)->n, 10);   /* still forwarded */
	teardown(br, (struct vsw_port *[]){ a, b }, 2);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_learn_and_flood),
		UNIT_TEST(test_vlans),
		UNIT_TEST(test_drops),
		UNIT_TEST(test_move_and_remove),
		UNIT_TEST(test_flood_chained),
		UNIT_TEST(test_fdb_limit),
	};

	if (unit_eal_init(argv[0]) != 0)
		return 1;
	vsw_port_register(&mock_ops);
	mp = rte_pktmbuf_pool_create("test_bridge", 4095, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL)
		return 1;
	vsw_pmd_init(&pmd, 0, 0, NULL);
	pmd.now = 100;
	return unit_main("bridge", tests, RTE_DIM(tests));
}
