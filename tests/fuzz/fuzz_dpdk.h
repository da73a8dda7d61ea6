/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_FUZZ_DPDK_H
#define VSW_FUZZ_DPDK_H

/*
 * DPDK for the fuzz targets that move packets: EAL set up once from
 * LLVMFuzzerInitialize(), mbuf pools whose fill level is exact (no
 * per-lcore cache, so "every mbuf came back" is a plain comparison),
 * packets built from the input, and the checks every mbuf chain a
 * library hands back must pass.
 */

#include <sched.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "fuzz.h"

/*
 * EAL without hugepages, devices, telemetry or shared files, on one
 * lcore. EAL pins the calling thread to that lcore's CPU: give the
 * fuzzer back every CPU it had, so that two fuzzers started at once do
 * not share one core. Logs are off unless VSW_FUZZ_LOG is set (lib/vhost
 * logs every message at INFO, which would be most of the run time).
 */
static inline void
fzd_eal_init(const char *prog)
{
	char prefix[64];
	cpu_set_t cpus;
	char *argv[] = {
		(char *)prog, (char *)"--no-huge", (char *)"-m", (char *)"64",
		(char *)"--no-pci", (char *)"--no-shconf", (char *)"--no-telemetry",
		(char *)"-l", (char *)"0", prefix,
		(char *)"--log-level=lib.eal:error", NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	bool have_cpus = sched_getaffinity(0, sizeof(cpus), &cpus) == 0;

	snprintf(prefix, sizeof(prefix), "--file-prefix=vswfuzz%d", (int)getpid());
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		abort();
	}
	if (have_cpus)
		sched_setaffinity(0, sizeof(cpus), &cpus);
	if (getenv("VSW_FUZZ_LOG") == NULL)
		rte_log_set_global_level(RTE_LOG_CRIT);
}

/* A pool of @p n 2 KB mbufs (what vswd uses), without a cache. */
static inline struct rte_mempool *
fzd_pool(const char *name, unsigned int n)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create(name, n, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);

	if (mp == NULL) {
		fprintf(stderr, "cannot create mbuf pool %s\n", name);
		abort();
	}
	return mp;
}

/*
 * Bytes allocated from DPDK's heap (rte_malloc), which LeakSanitizer does
 * not see: a target compares it before and after each input.
 */
static inline size_t
fzd_heap_used(void)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats(0, &st) != 0)
		abort();
	return st.heap_allocsz_bytes;
}

/* Check @p m's chain bookkeeping. @return its number of segments. */
static inline uint32_t
fzd_chain_check(const struct rte_mbuf *m)
{
	uint32_t len = 0, segs = 0;

	for (const struct rte_mbuf *s = m; s != NULL; s = s->next) {
		FZ_CHECK((uint32_t)s->data_off + s->data_len <= s->buf_len);
		len += s->data_len;
		segs++;
		FZ_CHECK(segs <= UINT16_MAX);
	}
	FZ_CHECK(len == m->pkt_len);
	FZ_CHECK(segs == m->nb_segs);
	return segs;
}

/* Segments of a chain, without checks (for accounting). */
static inline uint32_t
fzd_segs(const struct rte_mbuf *m)
{
	uint32_t n = 0;

	for (; m != NULL; m = m->next)
		n++;
	return n;
}

/*
 * A packet of @p len bytes: the first @p dlen from @p data, then filler. Segments are full mbufs when @p seg is 0, else @p seg * 16
 * bytes each (chains as a NIC with small buffers or a guest's descriptor
 * chain produce them). @return NULL when the pool ran dry (nothing kept).
 */
static inline struct rte_mbuf *
fzd_pkt(struct rte_mempool *mp, uint32_t len, const uint8_t *data,
	size_t dlen, uint8_t seg)
{
	struct rte_mbuf *head = rte_pktmbuf_alloc(mp), *last = head;
	uint32_t off = 0;

	if (head == NULL)
		return NULL;
	while (off < len) {
		uint32_t room = rte_pktmbuf_tailroom(last);
		uint32_t k = len - off;
		uint8_t *p;

		if (seg != 0 && k > seg * 16u)
			k = seg * 16u;
		if (room == 0 || (seg != 0 && last->data_len > 0)) {
			struct rte_mbuf *s = rte_pktmbuf_alloc(mp);

			if (s == NULL || head->nb_segs == UINT16_MAX) {
				rte_pktmbuf_free(s);
				rte_pktmbuf_free(head);
				return NULL;
			}
			last->next = s;
			last = s;
			head->nb_segs++;
			room = rte_pktmbuf_tailroom(last);
		}
		if (k > room)
			k = room;
		p = rte_pktmbuf_mtod_offset(last, uint8_t *, last->data_len);
		if (off < dlen) {
			uint32_t c = RTE_MIN(k, (uint32_t)(dlen - off));

			memcpy(p, data + off, c);
			memset(p + c, (uint8_t)off, k - c);
		} else {
			memset(p, (uint8_t)off, k);
		}
		last->data_len = (uint16_t)(last->data_len + k);
		head->pkt_len += k;
		off += k;
	}
	return head;
}

#endif /* VSW_FUZZ_DPDK_H */
