/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/vhost: a front-end's stream of vhost-user messages through the
 * connection's framing (vhu_conn.c), the validator (vhu_msg.c) and the
 * handlers (vhu_dev.c, vhu_mem.c, vhu_netcfg.c), on a device of a
 * vsw_loop; then the data path on whatever queues the stream started.
 *
 * Input: a device (u8 queue pairs - 1, u8 options: bit 0 a MAC, bit 1 two
 * transmit queues, bit 2 coalescing; u16 MTU), then messages:
 *
 *   u8  request    bits 0-4: row of the message table (known[]), or 19-31:
 *                  a u32 request id follows
 *   u8  how        bit 0 NEED_REPLY; bit 1 a raw header (u32 flags, u32
 *                  size follow); bit 2 u8 descriptor count follows; bit 3
 *                  sent in two pieces (u8 length of the first); bit 4 run
 *                  the data path after it; bit 5 reconnect first
 *   u16 length, payload (at most the largest message)
 *   descriptors    SET_MEM_TABLE: one memfd per region, each u32 file
 *                  size (at most 1 MiB), u32 offset, u16 length, bytes
 *                  written there; SET_VRING_KICK/CALL/ERR: an eventfd
 *                  unless the no-fd bit is set; others none. With bit 2,
 *                  that many (memfds for SET_MEM_TABLE, eventfds else).
 *
 * The data path dequeues a burst from every queue pair, enqueues it back
 * (offloads the guest asked for are finished in software when it cannot
 * take them), then the control tick runs. Checked: replies (vhu_frontend.h),
 * mbuf chains and the pool, and that destroying the device leaves no
 * descriptor open, no guest memory mapped and nothing allocated.
 */
#include <dirent.h>
#include <inttypes.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "fuzz_dpdk.h"
#include "vhu_frontend.h"
#include "vsw_loop.h"
#include "vsw_vhost.h"

#define POOL_N 4095
#define MAX_MSGS 128
#define MAX_RECONNECTS 4
#define MEMFD_MAX (1u << 20)
#define MEMFD_NAME "vswfz"

static const uint32_t known[] = {
#define VHU_ID(id, nm, k, f, r, s) id,
	VHU_REQUESTS(VHU_ID)
#undef VHU_ID
};

struct fm {
	struct fz in;
	struct vsw_vhost_dev *dev;
	uint16_t qps;
	uint16_t txqs;
	unsigned int reconnects;
	struct fe fe;
};

static struct rte_mempool *pool;
static struct vsw_loop *loop;
static bool verbose; /* VSW_FUZZ_VERBOSE: queue states (seed checks) */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Guest memory mapped by lib/vhost and not unmapped yet. The target links
 * with -Wl,--wrap=mmap64,--wrap=munmap (tests/fuzz/meson.build): the static
 * libraries' calls come here; DPDK's shared libraries keep theirs.
 */
#define MAPS_MAX 64

static struct { void *addr; size_t len; } maps[MAPS_MAX];
static unsigned int nmaps;

void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __wrap_munmap(void *addr, size_t len);

void *
__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = __real_mmap64(addr, len, prot, flags, fd, off);

	if (p != MAP_FAILED && fd >= 0) {
		FZ_CHECK(nmaps < MAPS_MAX);
		maps[nmaps].addr = p;
		maps[nmaps++].len = len;
	}
	return p;
}

int
__wrap_munmap(void *addr, size_t len)
{
	for (unsigned int i = 0; i < nmaps; i++) {
		if (maps[i].addr == addr) {
			FZ_CHECK(maps[i].len == len); /* all of it, once */
			maps[i] = maps[--nmaps];
			break;
		}
	}
	return __real_munmap(addr, len);
}


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	verbose = getenv("VSW_FUZZ_VERBOSE") != NULL;
	fzd_eal_init((*argv)[0]);
	pool = fzd_pool("fuzz_vhu", POOL_N);
	loop = vsw_loop_create();
	FZ_CHECK(loop != NULL);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Descriptors the front-end passes                                    */

/* A memfd region: u32 file size, u32 offset, u16 length, the bytes. */
static int
memfd_from(struct fz *in)
{
	uint32_t size = fz_u32(in) % (MEMFD_MAX + 1), off = fz_u32(in);
	size_t len = fz_u16(in);
	const uint8_t *src = fz_take(in, &len);
	int fd = memfd_create(MEMFD_NAME, MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, size) != 0)
		abort();
	if (size > 0) {
		off %= size;
		len = RTE_MIN(len, (size_t)(size - off));
		if (len > 0 && pwrite(fd, src, len, off) != (ssize_t)len)
			abort();
	}
	return fd;
}

/* How many descriptors a message carries when well-formed. */
static unsigned int
natural_fds(uint32_t request, const void *payload, uint32_t size)
{
	const struct vhu_msg_desc *d = vsw_vhu_msg_desc(request);
	uint64_t v = 0;

	if (d == NULL || (d->kind != VHU_P_MEM && d->kind != VHU_P_VRING_FD))
		return 0;
	memcpy(&v, payload, sizeof(v)); /* nregions, or index | no-fd bit */
	if (d->kind == VHU_P_MEM)
		return RTE_MIN((uint32_t)v, (uint32_t)VHU_MAX_FDS);
	return (v & VHU_VRING_NOFD_MASK) ? 0 : 1;
}

static void
fds_make(struct fz *in, uint32_t request, int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		fds[i] = request == VHU_SET_MEM_TABLE ? memfd_from(in) :
			 eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		FZ_CHECK(fds[i] >= 0);
	}
}

/* ------------------------------------------------------------------ */
/* Running the back-end                                                */

/* Let the loop handle everything pending, then read the replies. */
static void
pump(struct fm *m)
{
	for (int i = 0; i < 64 && vsw_loop_run_once(loop, 0) > 0; i++)
		fe_drain(&m->fe);
	fe_drain(&m->fe);
}

/* Disconnect (when still connected) and connect a new front-end. */
static void
reconnect(struct fm *m)
{
	if (m->reconnects++ == MAX_RECONNECTS)
		return;
	fe_close(&m->fe);
	pump(m); /* the back-end sees the end of file and resets */
	FZ_CHECK(!vsw_vhost_connected(m->dev));
	fe_connect(&m->fe, m->dev);
}

static void
queues_print(const struct fm *m)
{
	fprintf(stderr, "fm: connected %d replies %u maps %u:",
		vsw_vhost_connected(m->dev), m->fe.replies, nmaps);
	for (uint16_t q = 0; q < 2 * m->qps; q++) {
		struct vsw_vhost_queue_info qi;

		vsw_vhost_queue_info(m->dev, q, &qi);
		fprintf(stderr, " q%u %s%s %" PRIu64 "p %s", q, qi.ready ? "ready" : "-",
			qi.packed ? "/packed" : "", qi.stats.packets,
			vsw_vring_strerror(qi.broken));
	}
	fprintf(stderr, "\n");
}

/* A burst from every queue pair, looped back to the guest. */
static void
data_path(struct fm *m)
{
	for (uint16_t qp = 0; qp < m->qps; qp++) {
		struct rte_mbuf *pkts[VSW_VRING_BURST];
		uint16_t n = vsw_vhost_dequeue_burst(m->dev, qp, pool, pkts,
						     VSW_VRING_BURST);
		uint64_t bytes = 0;
		uint16_t sent;

		FZ_CHECK(n <= VSW_VRING_BURST);
		for (uint16_t i = 0; i < n; i++)
			fzd_chain_check(pkts[i]);
		sent = vsw_vhost_enqueue_burst(m->dev, qp % m->txqs, pkts, n, &bytes);
		FZ_CHECK(sent <= n);
		if (vsw_vhost_coalescing(m->dev))
			vsw_vhost_flush(m->dev, qp % m->txqs);
		rte_pktmbuf_free_bulk(pkts, n);
		FZ_CHECK(rte_mempool_avail_count(pool) == POOL_N);
	}
	vhu_dev_tick(m->dev); /* kicks, broken rings: the error eventfd */
	if (verbose)
		queues_print(m);
}

/* ------------------------------------------------------------------ */
/* Messages                                                            */

/* Send one message from the input. @return false: nothing left to do. */
static bool
message(struct fm *m)
{
	struct { struct vhu_hdr hdr; union vhu_payload p; } __attribute__((packed)) msg;
	uint8_t sel = fz_u8(&m->in) % 32, how = fz_u8(&m->in);
	uint32_t req = sel < RTE_DIM(known) ? known[sel] : fz_u32(&m->in);
	size_t len = fz_u16(&m->in) % (VHU_MAX_PAYLOAD + 1), first = 0;
	int fds[VHU_MAX_FDS + 1];
	unsigned int nfds;
	bool ok;

	if (how & 0x20)
		reconnect(m);
	msg.hdr = (struct vhu_hdr){ req, VHU_VERSION | ((how & 1) ? VHU_FLAG_NEED_REPLY : 0),
				    (uint32_t)len };
	if (how & 0x02) {
		msg.hdr.flags = fz_u32(&m->in);
		msg.hdr.size = fz_u32(&m->in);
		m->fe.desync |= msg.hdr.size != len;
	}
	memset(&msg.p, 0, sizeof(msg.p));
	fz_bytes(&m->in, &msg.p, len);
	nfds = natural_fds(req, &msg.p, (uint32_t)len);
	if (how & 0x04)
		nfds = fz_u8(&m->in) % (VHU_MAX_FDS + 2);
	if (how & 0x08)
		first = fz_u8(&m->in) % (VHU_HDR_SIZE + len + 1);
	fds_make(&m->in, req, fds, nfds);
	len += VHU_HDR_SIZE;
	if (first > 0 && first < len) {
		ok = fe_send(&m->fe, &msg, first, fds, nfds);
		pump(m); /* half a message waits in the connection */
		ok = ok && fe_send(&m->fe, (uint8_t *)&msg + first, len - first,
				   NULL, 0);
	} else {
		ok = fe_send(&m->fe, &msg, len, fds, nfds);
	}
	for (unsigned int i = 0; i < nfds; i++)
		close(fds[i]); /* the back-end has its own copies */
	if (ok)
		fe_sent(&m->fe, req);
	pump(m);
	if (how & 0x10)
		data_path(m);
	return fz_left(&m->in) > 0 && (vsw_vhost_connected(m->dev) ||
				       m->reconnects < MAX_RECONNECTS);
}

/* ------------------------------------------------------------------ */
/* What an input may leave behind: nothing                             */

static unsigned int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	FZ_CHECK(d != NULL);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static struct vsw_vhost_dev *
device(struct fm *m)
{
	uint8_t opt, mac[6] = { 2, 0, 0, 0xf2, 0x22, 1 };
	struct vsw_vhost_conf conf = {
		.name = "fz",
		.path = "/nonexistent/vsw-fuzz.sock", /* a client that waits */
		.server = false,
	};

	conf.queue_pairs = fz_u8(&m->in) % VSW_VHOST_MAX_QP + 1;
	opt = fz_u8(&m->in);
	conf.mac = (opt & 1) ? mac : NULL;
	conf.tx_queues = (opt & 2) ? 2 : 1;
	/* Coalescing by packets; the time limit (1 s) never comes. */
	conf.coalesce_usecs = (opt & 4) ? 1000000 : 0;
	conf.coalesce_pkts = (opt & 4) ? 2 : 0;
	conf.mtu = fz_u16(&m->in);
	m->qps = conf.queue_pairs;
	m->txqs = conf.tx_queues;
	return vsw_vhost_create(&conf, loop);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fm state;
	struct fm *m = &state;
	unsigned int fds = open_fds();

	memset(m, 0, offsetof(struct fm, fe));
	m->fe.replies = 0;
	m->in = (struct fz){ data, size };
	m->dev = device(m);
	FZ_CHECK(m->dev != NULL);
	if (fe_connect(&m->fe, m->dev))
		for (int i = 0; i < MAX_MSGS && message(m); i++)
			;
	data_path(m);
	vsw_vhost_destroy(m->dev);
	fe_close(&m->fe);
	FZ_CHECK(rte_mempool_avail_count(pool) == POOL_N);
	FZ_CHECK(open_fds() == fds);
	FZ_CHECK(nmaps == 0); /* no guest memory left mapped */
	return 0;
}
