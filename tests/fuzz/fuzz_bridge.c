/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/switch: a bridge of mock ports with VLAN memberships from the input
 * (lib/port parses them), fed bursts of fuzzer-made frames, with FDB
 * learning, static entries, flushes, ageing and members leaving and
 * joining in between. The PMD is a struct vsw_pmd driven by hand, as in
 * tests/unit/test_bridge.c: no thread, no RCU.
 *
 * Input: u8 ports (2..8), per port u8 VLAN mode (0 all, 1 access: u16 VID,
 * 2 trunk: u8 items, each u16 first + u8 span), u8 FDB limit (0: the
 * default), u8 ageing seconds; then operations (fb_run()).
 *
 * Every frame sent is checked against bridge_model.h: never back to its
 * ingress port, only to members that carry its VLAN, byte for byte in the
 * form that port wants (tags pushed, popped or kept), group destinations
 * to exactly the VLAN's other members, unicast to one port or flooded. The
 * FDB must name a learned source's ingress port (or nothing: full) unless
 * a static entry says otherwise, count the static entries the harness
 * added, and never hold more than its limit. Every mbuf comes back, and
 * no DPDK heap memory stays allocated after the bridge is destroyed.
 */
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "bridge_model.h"
#include "fuzz_dpdk.h"
#include "mock_port.h"
#include "vsw_bridge.h"
#include "vsw_fdb.h"
#include "vsw_pmd.h"
#include "vsw_port.h"

#define POOL_N 4095
#define MAX_PORTS 8
#define MAX_STATICS 16
#define MAX_OPS 64
#define NOW0 1000

struct fb {
	struct fz in;
	struct vsw_bridge *br;
	struct vsw_fdb *fdb;
	uint32_t max_entries;
	unsigned int nports;
	struct vsw_port *port[MAX_PORTS];
	bool member[MAX_PORTS];
	unsigned int nstatic;
	struct { uint64_t key; uint16_t port; } statics[MAX_STATICS];
	unsigned int nframes;
	unsigned int ingress; /* port index of the burst */
	struct bm_frame exp[VSW_PMD_BURST];
	unsigned int seen[VSW_PMD_BURST];
};

static struct rte_mempool *pool;
static struct vsw_pmd pmd;
static bool verbose;
static struct vsw_fdb_entry dump[VSW_FDB_DEFAULT_MAX];

static const uint8_t macs[8][6] = {
	{ 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 }, { 2, 0, 0, 0, 0, 3 },
	{ 2, 0, 0, 0, 0, 4 }, { 2, 0, 0, 0, 0, 5 },
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 1, 0, 0x5e, 0, 0, 1 },
	{ 0, 0, 0, 0, 0, 0 },
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	verbose = getenv("VSW_FUZZ_VERBOSE") != NULL;
	fzd_eal_init((*argv)[0]);
	vsw_port_register(&mock_ops);
	pool = fzd_pool("fuzz_bridge", POOL_N);
	vsw_pmd_init(&pmd, 0, 0, NULL);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

/* "fzmock:", "fzmock:vlan=N" or "fzmock:trunk=A,B-C,..." from the input. */
static void
port_spec(struct fz *in, char *spec, size_t len)
{
	uint8_t mode = fz_u8(in) % 3;
	int off = snprintf(spec, len, "fzmock:");

	if (mode == 1) {
		snprintf(spec + off, len - off, "vlan=%u", fz_u16(in) % 4200);
	} else if (mode == 2) {
		unsigned int items = fz_u8(in) % 4 + 1;

		off += snprintf(spec + off, len - off, "trunk=");
		for (unsigned int i = 0; i < items; i++) {
			unsigned int a = fz_u16(in) % 4200, span = fz_u8(in);

			off += snprintf(spec + off, len - off, i ? ",%u" : "%u", a);
			if (span != 0)
				off += snprintf(spec + off, len - off, "-%u", a + span);
		}
	}
}

static void
fb_setup(struct fb *b)
{
	char spec[128], name[16], err[256];
	struct vsw_port_env env = { .mp = pool, .n_pmds = 1 };
	struct vsw_bridge_conf conf = { .name = "fzbr", .n_pmds = 1, .mp = pool };

	b->nports = fz_u8(&b->in) % (MAX_PORTS - 1) + 2;
	for (unsigned int i = 0; i < b->nports; i++) {
		port_spec(&b->in, spec, sizeof(spec));
		snprintf(name, sizeof(name), "p%u", i);
		b->port[i] = vsw_port_create(name, spec, &env, err, sizeof(err));
	}
	/* Small tables mostly: flushes, ageing and dumps walk all of it. */
	conf.max_entries = fz_u8(&b->in);
	conf.max_entries = conf.max_entries == 0xff ? 0 : conf.max_entries + 1;
	conf.aging_sec = fz_u8(&b->in);
	b->max_entries = conf.max_entries ? conf.max_entries : VSW_FDB_DEFAULT_MAX;
	b->br = vsw_bridge_create(&conf);
	FZ_CHECK(b->br != NULL);
	b->fdb = vsw_bridge_fdb(b->br);
	for (unsigned int i = 0; i < b->nports; i++)
		if (b->port[i] != NULL)
			b->member[i] = vsw_bridge_port_add(b->br, b->port[i]) == 0;
	pmd.now = NOW0;
}

static void
fb_teardown(struct fb *b)
{
	for (unsigned int i = 0; i < b->nports; i++) {
		if (b->port[i] == NULL)
			continue;
		if (b->member[i])
			FZ_CHECK(vsw_bridge_port_del(b->br, b->port[i]) == 0);
		vsw_port_destroy(b->port[i]);
	}
	vsw_bridge_destroy(b->br);
}

/* ------------------------------------------------------------------ */
/* Frames                                                              */

static void
put_mac(struct fz *in, uint8_t *dst)
{
	uint8_t sel = fz_u8(in);

	if (sel == 0xff)
		fz_bytes(in, dst, 6);
	else
		memcpy(dst, macs[sel % 8], 6);
}

/* The tags after the MACs for tag mode @p mode. @return bytes written. */
static uint32_t
put_tags(struct fz *in, uint8_t mode, uint8_t *p)
{
	switch (mode) {
	case 1: /* 802.1Q */
		p[0] = 0x81, p[1] = 0x00;
		fz_bytes(in, p + 2, 2);
		return 4;
	case 2: /* priority tag (VID 0) around an 802.1Q tag */
		p[0] = 0x81, p[1] = 0x00, p[2] = (uint8_t)(fz_u8(in) << 5), p[3] = 0;
		p[4] = 0x81, p[5] = 0x00;
		fz_bytes(in, p + 6, 2);
		return 8;
	case 3: /* any EtherType */
		fz_bytes(in, p, 2);
		return 2;
	}
	return 0;
}

/*
 * Frame @p idx of a burst: u8 flags (bit 0 a NIC stripped its tag: u16
 * TCI; bits 1-2 put_tags() mode; bit 3 a runt: u8 length; bits 4-7
 * segment size), destination and source (u8 index into macs[], 0xff: six
 * bytes follow), u8 payload length / 6. NICs strip tags of real frames
 * only: a runt's flag is ignored.
 */
static struct rte_mbuf *
frame(struct fb *b, unsigned int idx)
{
	uint8_t f[BM_FRAME_MAX], fl = fz_u8(&b->in);
	uint16_t tci = (fl & 1) ? fz_u16(&b->in) : 0;
	uint32_t len = 12, pay;
	bool stripped;
	struct rte_mbuf *m;

	put_mac(&b->in, f);
	put_mac(&b->in, f + 6);
	len += put_tags(&b->in, (fl >> 1) & 3, f + len);
	f[len++] = 0x08;
	f[len++] = 0x00;
	pay = 6u * fz_u8(&b->in);
	memset(f + len, (uint8_t)idx, pay);
	len += pay;
	if (fl & 8)
		len = fz_u8(&b->in) % 20;
	stripped = (fl & 1) && len >= RTE_ETHER_HDR_LEN;
	m = fzd_pkt(pool, len, f, len, fl >> 4);
	FZ_CHECK(m != NULL);
	if (stripped) {
		m->ol_flags |= RTE_MBUF_F_RX_VLAN_STRIPPED;
		m->vlan_tci = tci;
	}
	m->hash.usr = idx; /* copies of flooded frames keep it */
	bm_expect(&b->exp[idx], f, len, m->data_len, stripped, tci,
		  &b->port[b->ingress]->vlan);
	if (!b->member[b->ingress])
		b->exp[idx].drop = true;
	return m;
}

/* ------------------------------------------------------------------ */
/* Checks                                                              */

/* Members but the ingress port that carry VLAN @p vlan. */
static unsigned int
flood_size(const struct fb *b, uint16_t vlan)
{
	unsigned int n = 0;

	for (unsigned int j = 0; j < b->nports; j++)
		if (j != b->ingress && b->member[j] &&
		    bm_vlan_out(&b->port[j]->vlan, vlan) != BM_NONE)
			n++;
	return n;
}

/* A frame port @p j was given. */
static void
delivery_check(struct fb *b, unsigned int j, const struct rte_mbuf *m)
{
	static uint8_t buf[BM_FRAME_MAX + 8];
	const struct bm_frame *e;
	const uint8_t *want, *got;
	uint32_t len;

	FZ_CHECK(m->hash.usr < b->nframes);
	e = &b->exp[m->hash.usr];
	FZ_CHECK(!e->drop);
	FZ_CHECK(j != b->ingress && b->member[j]);
	switch (bm_vlan_out(&b->port[j]->vlan, e->vlan)) {
	case BM_UNTAGGED:
		want = e->untagged;
		len = e->ulen;
		break;
	case BM_TAGGED:
		want = e->tagged;
		len = e->tlen;
		break;
	default:
		FZ_CHECK(!"sent to a port off the frame's VLAN");
		return;
	}
	fzd_chain_check(m);
	FZ_CHECK(m->pkt_len == len);
	got = rte_pktmbuf_read(m, 0, len, buf);
	FZ_CHECK(got != NULL && memcmp(got, want, len) == 0);
	b->seen[m->hash.usr]++;
}

/* Group destinations reach the whole VLAN, unicast one port or all. */
static void
fanout_check(const struct fb *b)
{
	for (unsigned int i = 0; i < b->nframes; i++) {
		const struct bm_frame *e = &b->exp[i];
		unsigned int all = e->drop ? 0 : flood_size(b, e->vlan);

		if (e->drop)
			FZ_CHECK(b->seen[i] == 0);
		else if (e->dst[0] & 1)
			FZ_CHECK(b->seen[i] == all);
		else
			FZ_CHECK(b->seen[i] <= 1 || b->seen[i] == all);
	}
}

static int
static_port(const struct fb *b, uint64_t key)
{
	for (unsigned int i = 0; i < b->nstatic; i++)
		if (b->statics[i].key == key)
			return b->statics[i].port;
	return -1;
}

/* Learned sources point at the ingress port, statics where they were put. */
static void
fdb_check(const struct fb *b)
{
	struct vsw_fdb_info info;

	for (unsigned int i = 0; i < b->nframes; i++) {
		const struct bm_frame *e = &b->exp[i];
		uint64_t key;
		int got, st;

		if (e->drop)
			continue;
		key = vsw_fdb_key((const struct rte_ether_addr *)e->src, e->vlan);
		got = vsw_fdb_lookup(b->fdb, key);
		st = static_port(b, key);
		if (st >= 0)
			FZ_CHECK(got == st);
		else
			FZ_CHECK(got == b->port[b->ingress]->id ||
				 got == VSW_FDB_NO_PORT);
	}
	vsw_fdb_info(b->fdb, &info);
	FZ_CHECK(info.entries <= b->max_entries);
	FZ_CHECK(info.statics == b->nstatic);
	FZ_CHECK(vsw_fdb_dump(b->fdb, dump, RTE_DIM(dump), pmd.now) ==
		 RTE_MIN(info.entries, (uint32_t)RTE_DIM(dump)));
}

/* ------------------------------------------------------------------ */
/* Operations                                                          */

enum fb_op {
	OP_BURST,    /* u8 ingress port, u8 frames - 1, frames (frame()) */
	OP_TICK,     /* u8 seconds pass, then ageing */
	OP_LEAVE,    /* u8 port leaves the bridge (its FDB entries flushed) */
	OP_JOIN,     /* u8 port joins */
	OP_STATIC,   /* MAC (put_mac()), u16 VLAN, u8 port: a static entry */
	OP_DEL,      /* MAC, u16 VLAN: delete the entry */
	OP_FLUSH,    /* u8 port (past the last: all), u8 statics too */
	OP_AGING,    /* u8 ageing seconds */
	OP__MAX,
};

/* VSW_FUZZ_VERBOSE: where each frame of a burst went (seed checks). */
static void
burst_print(const struct fb *b)
{
	fprintf(stderr, "fb: port %u:", b->ingress);
	for (unsigned int i = 0; i < b->nframes; i++)
		fprintf(stderr, " %s/%u", b->exp[i].drop ? "drop" : "ok",
			b->seen[i]);
	fprintf(stderr, "\n");
}

static void
op_burst(struct fb *b)
{
	struct rte_mbuf *pkts[VSW_PMD_BURST];
	struct vsw_pmd_rxq rq;

	b->ingress = fz_u8(&b->in) % b->nports;
	b->nframes = fz_u8(&b->in) % VSW_PMD_BURST + 1;
	if (b->port[b->ingress] == NULL)
		return;
	for (unsigned int i = 0; i < b->nframes; i++)
		pkts[i] = frame(b, i);
	memset(b->seen, 0, sizeof(b->seen));
	rq = (struct vsw_pmd_rxq){ .port = b->port[b->ingress], .fwd_arg = b->br };
	vsw_bridge_input(&pmd, &rq, pkts, (uint16_t)b->nframes);
	vsw_pmd_tx_flush(&pmd);
	for (unsigned int j = 0; j < b->nports; j++) {
		struct mock *mk = b->port[j] ? b->port[j]->priv : NULL;

		for (unsigned int k = 0; mk != NULL && k < mk->n; k++)
			delivery_check(b, j, mk->cap[k]);
		if (mk != NULL)
			mock_drain(b->port[j]);
	}
	fanout_check(b);
	fdb_check(b);
	FZ_CHECK(rte_mempool_avail_count(pool) == POOL_N);
	if (verbose)
		burst_print(b);
}

/* The harness's statics lose those of @p port (or all: -1). */
static void
statics_forget(struct fb *b, int port)
{
	for (unsigned int i = 0; i < b->nstatic;)
		if (port < 0 || b->statics[i].port == port)
			b->statics[i] = b->statics[--b->nstatic];
		else
			i++;
}

static void
statics_set(struct fb *b, uint64_t key, uint16_t port)
{
	for (unsigned int i = 0; i < b->nstatic; i++) {
		if (b->statics[i].key == key) {
			b->statics[i].port = port;
			return;
		}
	}
	b->statics[b->nstatic].key = key;
	b->statics[b->nstatic++].port = port;
}

static uint64_t
key_arg(struct fb *b)
{
	struct rte_ether_addr mac;

	put_mac(&b->in, mac.addr_bytes);
	return vsw_fdb_key(&mac, fz_u16(&b->in) & 0xfff);
}

static void
op_static(struct fb *b)
{
	uint64_t key = key_arg(b);
	struct vsw_port *p = b->port[fz_u8(&b->in) % b->nports];

	if (p == NULL || b->nstatic == MAX_STATICS)
		return;
	if (vsw_fdb_add_static(b->fdb, key, p->id) == 0)
		statics_set(b, key, p->id);
}

static void
op_del(struct fb *b)
{
	uint64_t key = key_arg(b);
	bool is_static = static_port(b, key) >= 0;
	int rc = vsw_fdb_del(b->fdb, key);

	FZ_CHECK(!is_static || rc == 0);
	if (is_static)
		for (unsigned int i = 0; i < b->nstatic; i++)
			if (b->statics[i].key == key)
				b->statics[i] = b->statics[--b->nstatic];
}

static void
op_flush(struct fb *b)
{
	unsigned int j = fz_u8(&b->in) % (b->nports + 1);
	bool statics = fz_u8(&b->in) & 1;
	int port = j < b->nports && b->port[j] ? b->port[j]->id : VSW_FDB_NO_PORT;

	if (j < b->nports && b->port[j] == NULL)
		return;
	vsw_fdb_flush(b->fdb, port, statics);
	if (statics)
		statics_forget(b, port);
}

static void
op_member(struct fb *b, bool join)
{
	unsigned int j = fz_u8(&b->in) % b->nports;
	struct vsw_port *p = b->port[j];

	if (p == NULL || b->member[j] == join)
		return;
	if (join) {
		FZ_CHECK(vsw_bridge_port_add(b->br, p) == 0);
	} else {
		FZ_CHECK(vsw_bridge_port_del(b->br, p) == 0);
		statics_forget(b, p->id); /* flushed, statics too */
	}
	b->member[j] = join;
	FZ_CHECK(vsw_bridge_has_port(b->br, p) == join);
}

static void
fb_run(struct fb *b)
{
	for (int i = 0; i < MAX_OPS && fz_left(&b->in) > 0; i++) {
		switch (fz_u8(&b->in) % OP__MAX) {
		case OP_BURST:
			op_burst(b);
			break;
		case OP_TICK:
			pmd.now += fz_u8(&b->in);
			vsw_fdb_age(b->fdb, pmd.now);
			break;
		case OP_LEAVE:
			op_member(b, false);
			break;
		case OP_JOIN:
			op_member(b, true);
			break;
		case OP_STATIC:
			op_static(b);
			break;
		case OP_DEL:
			op_del(b);
			break;
		case OP_FLUSH:
			op_flush(b);
			break;
		case OP_AGING:
			vsw_fdb_set_aging(b->fdb, fz_u8(&b->in));
			break;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fb state;
	struct fb *b = &state;
	size_t heap = fzd_heap_used();

	memset(b, 0, sizeof(*b));
	b->in = (struct fz){ data, size };
	fb_setup(b);
	fb_run(b);
	fb_teardown(b);
	FZ_CHECK(rte_mempool_avail_count(pool) == POOL_N);
	FZ_CHECK(fzd_heap_used() == heap);
	return 0;
}
