/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vDPA driver "sw": the control side of the software NIC (sw_vdpa.h).
 *
 *   vdpa:...,driver=sw[,cpu=N]
 *
 * cpu: the CPU the device thread is pinned to (default: the host's last
 * online CPU; on a 2-core host, the PMD's core: a PMD with no port to
 * poll sleeps, and a port whose rings the device runs is not the PMD's).
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "sw_vdpa.h"
#include "vsw_port.h"

#define SW_MBUFS 8191

static struct sw_vdpa *
sw_of(const struct vsw_vdpa_dev *dev)
{
	return dev->priv;
}

/* cpu=N from the driver options, else the host's last online CPU (the
 * control thread itself is pinned to the main lcore's). */
static int
parse_cpu(const char *args, int *cpu, char *err, size_t errlen)
{
	const char *c = args != NULL ? strstr(args, "cpu=") : NULL;

	if (c != NULL) {
		char *end;
		long v = strtol(c + 4, &end, 10);

		if (end == c + 4 || (*end != '\0' && *end != ',') || v < 0 ||
		    v >= CPU_SETSIZE) {
			snprintf(err, errlen, "option 'cpu': a CPU number");
			return -EINVAL;
		}
		*cpu = (int)v;
		return 0;
	}
	*cpu = get_nprocs() - 1;
	return 0;
}

/* A page per queue, the doorbell word at its start, nobody's yet. */
static int
doorbells_create(struct sw_vdpa *sw, uint16_t nq, char *err, size_t errlen)
{
	size_t len;

	sw->page = (size_t)sysconf(_SC_PAGESIZE);
	len = sw->page * nq;
	sw->bell_fd = memfd_create("vsw-vdpa-doorbells", MFD_CLOEXEC);
	if (sw->bell_fd < 0 || ftruncate(sw->bell_fd, (off_t)len) != 0) {
		snprintf(err, errlen, "doorbell pages: %s", strerror(errno));
		goto err_close;
	}
	sw->bells = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 sw->bell_fd, 0);
	if (sw->bells == MAP_FAILED) {
		snprintf(err, errlen, "doorbell pages: mmap: %s", strerror(errno));
		sw->bells = NULL;
		goto err_close;
	}
	for (uint16_t q = 0; q < nq; q++)
		*(uint32_t *)(void *)(sw->bells + q * sw->page) = SW_BELL_IDLE;
	return 0;

err_close:
	if (sw->bell_fd >= 0)
		close(sw->bell_fd);
	sw->bell_fd = -1;
	return -errno;
}

static int
thread_start(struct sw_vdpa *sw, char *err, size_t errlen)
{
	char tname[16];
	int rc = pthread_create(&sw->thread, NULL, sw_vdpa_main, sw);

	if (rc != 0) {
		snprintf(err, errlen, "device thread: %s", strerror(rc));
		return -rc;
	}
	snprintf(tname, sizeof(tname), "vdpa-%.10s", sw->name);
	pthread_setname_np(sw->thread, tname);
	if (sw->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(sw->cpu, &set);
		pthread_setaffinity_np(sw->thread, sizeof(set), &set);
	}
	return 0;
}

static int
sw_create(struct vsw_vdpa_dev *dev, const struct vsw_vdpa_conf *conf,
	  char *err, size_t errlen)
{
	struct sw_vdpa *sw = sw_of(dev);
	char pool[RTE_MEMPOOL_NAMESIZE];

	if (conf->wire == NULL) {
		snprintf(err, errlen, "the sw device needs a wire");
		return -EINVAL;
	}
	snprintf(sw->name, sizeof(sw->name), "%s", conf->name);
	sw->queue_pairs = conf->queue_pairs;
	sw->wire = conf->wire;
	sw->bell_fd = -1;
	sw->wake_fd = -1;
	for (uint16_t q = 0; q < VSW_VDPA_MAX_QUEUES; q++)
		sw->q[q].kickfd = sw->q[q].callfd = -1;
	if (parse_cpu(conf->args, &sw->cpu, err, errlen) != 0)
		return -EINVAL;
	snprintf(pool, sizeof(pool), "vdpa-%.20s", conf->name);
	sw->mp = rte_pktmbuf_pool_create(pool, SW_MBUFS, 256, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (sw->mp == NULL) {
		snprintf(err, errlen, "mbuf pool: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	sw->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (sw->wake_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto err_free;
	}
	if (doorbells_create(sw, 2 * sw->queue_pairs, err, errlen) != 0 ||
	    thread_start(sw, err, errlen) != 0)
		goto err_free;
	return 0;

err_free:
	if (sw->wake_fd >= 0)
		close(sw->wake_fd);
	if (sw->bells != NULL)
		munmap(sw->bells, sw->page * 2 * sw->queue_pairs);
	if (sw->bell_fd >= 0)
		close(sw->bell_fd);
	rte_mempool_free(sw->mp);
	return -EINVAL;
}

static void
sw_destroy(struct vsw_vdpa_dev *dev)
{
	struct sw_vdpa *sw = sw_of(dev);

	__atomic_store_n(&sw->quit, true, __ATOMIC_RELEASE);
	sw_vdpa_wake(sw);
	pthread_join(sw->thread, NULL);
	close(sw->wake_fd);
	munmap(sw->bells, sw->page * 2 * sw->queue_pairs);
	close(sw->bell_fd);
	rte_mempool_free(sw->mp);
}

/* What vsw's own ring engine runs: the NIC runs the same (lib/vring). */
static void
sw_caps(const struct vsw_vdpa_dev *dev, struct vsw_vdpa_caps *caps)
{
	*caps = (struct vsw_vdpa_caps){
		.features = UINT64_MAX,
		.max_queue_pairs = VSW_VDPA_MAX_QP,
		.host_notifier = true,
	};
}

static int
sw_set_mem(struct vsw_vdpa_dev *dev, const struct vsw_vdpa_mem *mem,
	   char *err, size_t errlen)
{
	struct sw_vdpa *sw = sw_of(dev);

	sw->mem.nregions = mem->nregions;
	for (uint32_t i = 0; i < mem->nregions; i++)
		sw->mem.regions[i] = (struct vsw_mem_region){
			.gpa = mem->regions[i].gpa, .size = mem->regions[i].size,
			.qva = mem->regions[i].hva, .hva = mem->regions[i].hva,
		};
	return 0;
}

/* The ring's areas in our memory: the DMA engine's address lookup. */
static int
ring_config(struct sw_vdpa *sw, const struct vsw_vdpa_ring *r,
	    struct vsw_vring_config *cfg)
{
	uint64_t n = r->size;

	*cfg = (struct vsw_vring_config){
		.mem = &sw->mem, .size = r->size, .base = r->base,
	};
	vsw_vring_config_features(cfg, r->features);
	if (cfg->flags & VSW_VRING_F_PACKED) {
		cfg->desc_packed = vsw_mem_gpa_to_hva(&sw->mem, r->desc, 16 * n, NULL);
		cfg->driver_event = vsw_mem_gpa_to_hva(&sw->mem, r->driver, 4, NULL);
		cfg->device_event = vsw_mem_gpa_to_hva(&sw->mem, r->device, 4, NULL);
		return cfg->desc_packed && cfg->driver_event && cfg->device_event ?
		       0 : -EINVAL;
	}
	cfg->desc = vsw_mem_gpa_to_hva(&sw->mem, r->desc, 16 * n, NULL);
	cfg->avail = vsw_mem_gpa_to_hva(&sw->mem, r->driver, 6 + 2 * n, NULL);
	cfg->used = vsw_mem_gpa_to_hva(&sw->mem, r->device, 6 + 8 * n, NULL);
	return cfg->desc && cfg->avail && cfg->used ? 0 : -EINVAL;
}

static int
sw_queue_start(struct vsw_vdpa_dev *dev, uint16_t qi,
	       const struct vsw_vdpa_ring *r, char *err, size_t errlen)
{
	struct sw_vdpa *sw = sw_of(dev);
	struct sw_queue *q = &sw->q[qi];
	struct vsw_vring_config cfg;

	if (ring_config(sw, r, &cfg) != 0) {
		snprintf(err, errlen, "queue %u: ring not inside guest memory", qi);
		return -EINVAL;
	}
	if (vsw_vring_init(&q->ring, &cfg) != 0) {
		snprintf(err, errlen, "queue %u: ring misaligned or base 0x%x"
			 " outside it", qi, r->base);
		return -EINVAL;
	}
	/* Kicks only where they are free for the guest: its transmit ring
	 * with the doorbell page mapped into it (counted, never needed). */
	if (qi % 2 == 1 && r->doorbell_mapped)
		vsw_vring_enable_kicks(&q->ring);
	else
		vsw_vring_disable_kicks(&q->ring);
	q->kickfd = r->kickfd;
	q->callfd = r->callfd;
	q->call_blocked = false;
	q->doorbell_mapped = r->doorbell_mapped;
	/* Release: the ring and fds above before the thread sees run. */
	__atomic_store_n(&q->run, true, __ATOMIC_RELEASE);
	sw_vdpa_wake(sw);
	return 0;
}

static uint32_t
sw_queue_stop(struct vsw_vdpa_dev *dev, uint16_t qi)
{
	struct sw_vdpa *sw = sw_of(dev);
	struct sw_queue *q = &sw->q[qi];

	__atomic_store_n(&q->run, false, __ATOMIC_RELEASE);
	sw_vdpa_quiesce(sw);
	q->kickfd = q->callfd = -1;
	return vsw_vring_get_base(&q->ring);
}

static int
sw_doorbell(const struct vsw_vdpa_dev *dev, uint16_t qi, int *fd,
	    uint64_t *offset, uint64_t *size)
{
	const struct sw_vdpa *sw = sw_of(dev);

	*fd = sw->bell_fd;
	*offset = qi * sw->page;
	*size = sw->page;
	return 0;
}

static void
sw_netcfg(const struct vsw_vdpa_dev *dev, struct vsw_vdpa_netcfg *cfg)
{
	const struct sw_vdpa *sw = sw_of(dev);

	*cfg = (struct vsw_vdpa_netcfg){
		.mtu = 1500,
		.link_up = sw->wire->ops->link_up == NULL ||
			   sw->wire->ops->link_up(sw->wire),
	};
}

static void
sw_queue_stats(const struct vsw_vdpa_dev *dev, uint16_t qi,
	       struct vsw_vdpa_qstats *st)
{
	const struct sw_queue *q = &sw_of(dev)->q[qi];
	const struct vsw_vring_stats *rs = &q->ring.stats;

#define LD_(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
	*st = (struct vsw_vdpa_qstats){
		.packets = LD_(rs->packets), .bytes = LD_(rs->bytes),
		.drops = LD_(q->drops) + LD_(rs->drop_no_buf) +
			 LD_(rs->drop_no_mbuf) + LD_(rs->drop_bad) +
			 LD_(rs->drop_bad_hdr),
		.doorbells = LD_(q->doorbells), .kicks = LD_(q->kicks),
		.interrupts = LD_(rs->calls),
		.interrupts_suppressed = LD_(rs->calls_suppressed),
		.broken = LD_(q->ring.broken),
	};
#undef LD_
}

static void
sw_describe(const struct vsw_vdpa_dev *dev, char *buf, size_t len)
{
	const struct sw_vdpa *sw = sw_of(dev);
	uint64_t pkts = __atomic_load_n(&sw->packets, __ATOMIC_RELAXED);
	uint64_t busy = __atomic_load_n(&sw->busy_cycles, __ATOMIC_RELAXED);

	snprintf(buf, len, "cpu=%d loops=%" PRIu64 " packets=%" PRIu64
		 " cycles_per_packet=%.1f", sw->cpu,
		 __atomic_load_n(&sw->loops, __ATOMIC_RELAXED), pkts,
		 pkts ? (double)busy / (double)pkts : 0.0);
}

static const struct vsw_vdpa_ops sw_ops = {
	.name = "sw",
	.priv_size = sizeof(struct sw_vdpa),
	.create = sw_create,
	.destroy = sw_destroy,
	.caps = sw_caps,
	.set_mem = sw_set_mem,
	.queue_start = sw_queue_start,
	.queue_stop = sw_queue_stop,
	.doorbell = sw_doorbell,
	.netcfg = sw_netcfg,
	.queue_stats = sw_queue_stats,
	.describe = sw_describe,
};

RTE_INIT(sw_vdpa_register)
{
	vsw_vdpa_register(&sw_ops);
}
