/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net device behind a vhost-user socket: features, memory
 * table, virtqueue state, and one handler per request. Messages arrive
 * here already validated against their row of VHU_REQUESTS.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_rcu_qsbr.h>

#include "vsw_loop.h"
#include "vsw_net.h"
#include "vhu_priv.h"

RTE_LOG_REGISTER(vsw_vhost_logtype, vsw.lib.vhost, INFO);

#ifndef VIRTIO_F_IN_ORDER
#define VIRTIO_F_IN_ORDER 35
#endif
#ifndef VIRTIO_F_RING_PACKED
#define VIRTIO_F_RING_PACKED 34
#endif

#define BIT(n) (1ULL << (n))

static const uint64_t offered_features =
	BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM) |
	BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO6) |
	BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO6) |
	BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_ANY_LAYOUT) |
	BIT(VIRTIO_NET_F_MRG_RXBUF) | BIT(VIRTIO_RING_F_INDIRECT_DESC) |
	BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_F_IN_ORDER) |
	BIT(VIRTIO_F_RING_PACKED) | BIT(VIRTIO_NET_F_MQ) |
	BIT(VHU_F_PROTOCOL_FEATURES);

static const uint64_t offered_protocol_features =
	BIT(VHU_PROTOCOL_F_MQ) | BIT(VHU_PROTOCOL_F_REPLY_ACK) |
	BIT(VHU_PROTOCOL_F_NET_MTU) | BIT(VHU_PROTOCOL_F_CONFIG);

/*
 * STATUS and MTU describe our config space; MAC when we have one. A
 * vDPA port offers only what its device can run too.
 */
uint64_t
vhu_dev_offered_features(const struct vsw_vhost_dev *dev)
{
	return (offered_features & dev->features_mask) |
	       BIT(VHU_F_PROTOCOL_FEATURES) | BIT(VIRTIO_NET_F_STATUS) |
	       BIT(VIRTIO_NET_F_MTU) | (dev->has_mac ? BIT(VIRTIO_NET_F_MAC) : 0);
}

int
vhu_fail(struct hctx *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->why, sizeof(h->why), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Wait until every PMD thread passed a quiescent state (between bursts). */
static void
sync_pmds(struct vsw_vhost_dev *dev)
{
	if (dev->qsbr != NULL)
		rte_rcu_qsbr_synchronize(dev->qsbr, RTE_QSBR_THRID_INVALID);
}

static bool
queue_enabled(const struct vsw_vhost_dev *dev, const struct vhu_queue *q)
{
	/* vhost-user.rst "Ring states": without PROTOCOL_FEATURES a started
	 * ring is enabled; with it, rings wait for SET_VRING_ENABLE. */
	if (!(dev->features & BIT(VHU_F_PROTOCOL_FEATURES)))
		return true;
	return q->enabled;
}

static bool
is_packed(const struct vsw_vhost_dev *dev)
{
	return (dev->features & BIT(VIRTIO_F_RING_PACKED)) != 0;
}

static void
stats_add(struct vsw_vring_stats *to, const struct vsw_vring_stats *s)
{
#define ADD_(f) to->f += s->f;
	VSW_VRING_STATS(ADD_)
#undef ADD_
}

/* After quiescing: keep the position, fold the ring counters into
 * stats_base (vsw_vring_init() zeroes them). */
static void
queue_save(struct vhu_queue *q)
{
	q->base = vsw_vring_get_base(&q->ring);
	stats_add(&q->stats_base, &q->ring.stats);
	memset(&q->ring.stats, 0, sizeof(q->ring.stats));
}

/*
 * Stop the queue: no PMD is inside a burst on it once this returns, so
 * its ring, callfd and the memory table may change. The ring keeps its
 * position (between bursts every consumed entry is published).
 */
static void
queue_stop(struct vsw_vhost_dev *dev, struct vhu_queue *q)
{
	if (q->offloaded) {
		vhu_offload_stop(dev, (uint16_t)(q - dev->q));
		return;
	}
	if (!q->ready)
		return;
	__atomic_store_n(&q->ready, false, __ATOMIC_RELEASE);
	sync_pmds(dev);
	queue_save(q);
}

/* Stop every queue, waiting for the PMDs once. */
void
vhu_dev_stop_all(struct vsw_vhost_dev *dev)
{
	bool any = false;

	for (uint16_t i = 0; i < dev->nr_queues; i++) {
		if (dev->q[i].offloaded)
			vhu_offload_stop(dev, i);
		if (dev->q[i].ready) {
			__atomic_store_n(&dev->q[i].ready, false, __ATOMIC_RELEASE);
			dev->q[i].ring_saved = false;
			any = true;
		} else {
			dev->q[i].ring_saved = true;
		}
	}
	if (!any)
		return;
	sync_pmds(dev);
	for (uint16_t i = 0; i < dev->nr_queues; i++)
		if (!dev->q[i].ring_saved)
			queue_save(&dev->q[i]);
}

/*
 * Translate the ring addresses of SET_VRING_ADDR (front-end virtual
 * addresses) into @p cfg. For packed rings the three fields carry the
 * descriptor ring, driver area and device area (vhost-user.rst "A vring
 * address description"; VIRTIO 1.3 2.8.10). @return 0 or -EINVAL.
 */
static int
queue_translate(const struct vsw_vhost_dev *dev, const struct vhu_queue *q,
		struct vsw_vring_config *cfg)
{
	const struct vsw_mem *m = &dev->mem;
	uint64_t n = q->num;

	if (is_packed(dev)) {
		cfg->desc_packed = vsw_mem_qva_to_hva(m, q->addr.desc, 16 * n);
		cfg->driver_event = vsw_mem_qva_to_hva(m, q->addr.avail, 4);
		cfg->device_event = vsw_mem_qva_to_hva(m, q->addr.used, 4);
		return cfg->desc_packed && cfg->driver_event && cfg->device_event ?
		       0 : -EINVAL;
	}
	cfg->desc = vsw_mem_qva_to_hva(m, q->addr.desc, 16 * n);
	cfg->avail = vsw_mem_qva_to_hva(m, q->addr.avail, 6 + 2 * n);
	cfg->used = vsw_mem_qva_to_hva(m, q->addr.used, 6 + 8 * n);
	return cfg->desc && cfg->avail && cfg->used ? 0 : -EINVAL;
}

/*
 * (Re)start queue @p qi if everything it needs is there, translating its
 * ring addresses through the current memory table. A running queue is
 * restarted where it stood (between bursts every consumed entry is
 * published, so nothing is lost).
 */
static int
queue_refresh(struct hctx *h, uint16_t qi)
{
	struct vsw_vhost_dev *dev = h->dev;
	struct vhu_queue *q = &dev->q[qi];
	struct vsw_vring_config cfg;
	uint64_t n = q->num;

	queue_stop(dev, q);
	if (dev->mem.nregions == 0 || !q->has_num || !q->has_addr ||
	    !q->started || !queue_enabled(dev, q))
		return 0;
	if (dev->off != NULL)
		return vhu_offload_start(h, qi);
	cfg = (struct vsw_vring_config){
		.mem = &dev->mem,
		.size = (uint16_t)n,
		.base = q->base,
	};
	vsw_vring_config_features(&cfg, dev->features);
	if (queue_translate(dev, q, &cfg) != 0)
		return vhu_fail(h, "queue %u: %s ring (desc 0x%" PRIx64 " avail/driver 0x%"
			    PRIx64 " used/device 0x%" PRIx64 ", %" PRIu64 " entries)"
			    " is not inside guest memory", qi,
			    is_packed(dev) ? "packed" : "split", q->addr.desc,
			    q->addr.avail, q->addr.used, n);
	if (vsw_vring_init(&q->ring, &cfg) != 0)
		return vhu_fail(h, "queue %u: ring addresses misaligned or base 0x%x"
			    " outside the ring", qi, q->base);
	vsw_vring_disable_kicks(&q->ring);
	q->reported = VSW_VRING_OK;
	/* Publishes the initialised ring to the PMD's acquire load. */
	__atomic_store_n(&q->ready, true, __ATOMIC_RELEASE);
	VHU_LOG(INFO, dev, "queue %u running: %s, %u entries from base 0x%x", qi,
		is_packed(dev) ? "packed" : "split", q->num,
		vsw_vring_get_base(&q->ring));
	return 0;
}

int
vhu_dev_refresh_all(struct hctx *h)
{
	for (uint16_t i = 0; i < h->dev->nr_queues; i++) {
		int rc = queue_refresh(h, i);

		if (rc != 0)
			return rc;
	}
	return 0;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Forget the front-end. Caller stopped every queue. */
static void
reset_stopped(struct vsw_vhost_dev *dev)
{
	for (uint16_t i = 0; i < dev->nr_queues; i++) {
		struct vhu_queue *q = &dev->q[i];

		close_fd(&q->callfd);
		close_fd(&q->kickfd);
		close_fd(&q->errfd);
		q->num = 0;
		q->base = 0;
		q->has_num = q->has_addr = q->started = q->enabled = false;
		q->call_blocked = false;
		q->notifier = false;
	}
	vhu_mem_unmap(dev->maps, dev->mem.nregions);
	dev->mem.nregions = 0;
	vhu_backend_close(dev);
	dev->features = 0;
	dev->protocol_features = 0;
	dev->features_set = false;
}

/* The guest receive pairs the PMD may send on: ready ones, in order. */
void
vhu_dev_rx_pairs_update(struct vsw_vhost_dev *dev)
{
	uint16_t n = 0;

	for (uint16_t p = 0; p < dev->nr_queues / 2; p++)
		if (dev->q[2 * p].ready)
			dev->rx_pairs[n++] = (uint8_t)p;
	__atomic_store_n(&dev->n_rx_pairs, n, __ATOMIC_RELEASE);
}

void
vhu_dev_reset(struct vsw_vhost_dev *dev)
{
	vhu_dev_stop_all(dev);
	reset_stopped(dev);
	vhu_dev_rx_pairs_update(dev);
}

/* --- handlers: return 0, or -errno with h->why set --- */

int
vhu_reply_u64(struct hctx *h, uint64_t v)
{
	h->reply.u64 = v;
	h->reply_size = sizeof(uint64_t);
	return 0;
}

/* Refuse a SET_*FEATURES value with bits that were not offered. */
static int
check_offered(struct hctx *h, uint64_t offered)
{
	uint64_t f = h->msg->payload.u64;

	if (f & ~offered)
		return vhu_fail(h, "%s: 0x%" PRIx64 " has bits not offered (0x%" PRIx64 ")",
			    vsw_vhu_msg_name(h->msg->hdr.request), f, f & ~offered);
	return 0;
}

static int
h_get_features(struct hctx *h)
{
	return vhu_reply_u64(h, vhu_dev_offered_features(h->dev));
}

static int
h_set_features(struct hctx *h)
{
	uint64_t f = h->msg->payload.u64;

	if (check_offered(h, vhu_dev_offered_features(h->dev)) != 0)
		return -EINVAL;
	h->dev->features = f;
	h->dev->features_set = true;
	VHU_LOG(INFO, h->dev, "features 0x%" PRIx64, f);
	return vhu_dev_refresh_all(h);
}

static int
h_set_owner(struct hctx *h)
{
	return 0;
}

static int
h_reset_owner(struct hctx *h)
{
	reset_stopped(h->dev);
	return 0;
}

static int
h_set_mem_table(struct hctx *h)
{
	struct vsw_vhost_dev *dev = h->dev;
	struct vsw_mem mem = { 0 };
	struct vhu_map maps[VSW_MEM_MAX_REGIONS];
	struct vhu_map old[VSW_MEM_MAX_REGIONS];
	uint32_t old_n = dev->mem.nregions;
	int rc;

	for (unsigned int i = 0; i < RTE_DIM(maps); i++)
		maps[i] = (struct vhu_map){ NULL, 0, -1, 0 };
	/* Every queue is stopped (locked) while the table changes. */
	rc = vhu_mem_map(dev, &h->msg->payload.memory, h->msg->fds, &mem, maps);
	if (rc != 0)
		return vhu_fail(h, "SET_MEM_TABLE refused (see above)");
	memcpy(old, dev->maps, sizeof(old));
	dev->mem = mem;
	memcpy(dev->maps, maps, sizeof(maps));
	rc = dev->off != NULL ? vhu_offload_mem(h) : 0;
	if (rc == 0)
		rc = vhu_dev_refresh_all(h);
	vhu_mem_unmap(old, old_n);
	return rc;
}

static struct vhu_queue *
msg_queue(struct hctx *h)
{
	return &h->dev->q[h->msg->payload.state.index];
}

static int
h_set_vring_num(struct hctx *h)
{
	struct vhu_queue *q = msg_queue(h);
	uint32_t num = h->msg->payload.state.num;
	int rc;

	/* VIRTIO 1.3 2.7: split sizes are powers of two; 2.8: packed need not be. */
	if (num == 0 || num > VSW_VRING_MAX_SIZE ||
	    (!is_packed(h->dev) && !rte_is_power_of_2(num)))
		return vhu_fail(h, "SET_VRING_NUM: queue %u: size %u is not %s in 1..%u",
			    h->msg->payload.state.index, num,
			    is_packed(h->dev) ? "a size" : "a power of two",
			    VSW_VRING_MAX_SIZE);
	queue_stop(h->dev, q);
	q->num = num;
	q->has_num = true;
	rc = queue_refresh(h, (uint16_t)h->msg->payload.state.index);
	return rc;
}

static int
h_set_vring_addr(struct hctx *h)
{
	const struct vhu_vring_addr *a = &h->msg->payload.addr;
	struct vhu_queue *q = &h->dev->q[a->index];
	int rc;

	if (a->flags != 0)
		return vhu_fail(h, "SET_VRING_ADDR: queue %u: flags 0x%x (dirty logging"
			    " was not offered)", a->index, a->flags);
	queue_stop(h->dev, q);
	q->addr = *a;
	q->has_addr = true;
	rc = queue_refresh(h, (uint16_t)a->index);
	return rc;
}

static int
h_set_vring_base(struct hctx *h)
{
	struct vhu_queue *q = msg_queue(h);
	uint32_t num = h->msg->payload.state.num;
	int rc;

	/* Split: a 16-bit avail index. Packed: avail index | wrap << 15, and
	 * the same for used in bits 16-31 (checked against the ring size when
	 * the ring starts). */
	if (!is_packed(h->dev) && num > UINT16_MAX)
		return vhu_fail(h, "SET_VRING_BASE: queue %u: base %u > 65535",
			    h->msg->payload.state.index, num);
	queue_stop(h->dev, q);
	q->base = num;
	rc = queue_refresh(h, (uint16_t)h->msg->payload.state.index);
	return rc;
}

static int
h_get_vring_base(struct hctx *h)
{
	uint32_t idx = h->msg->payload.state.index;
	struct vhu_queue *q = &h->dev->q[idx];

	/* vhost-user.rst "Ring states": GET_VRING_BASE stops the ring. */
	queue_stop(h->dev, q);
	q->started = false;
	close_fd(&q->kickfd);
	h->reply.state = (struct vhu_vring_state){ idx, q->base };
	h->reply_size = sizeof(h->reply.state);
	VHU_LOG(INFO, h->dev, "queue %u stopped at base 0x%x", idx, q->base);
	return 0;
}

/*
 * Take the fd of a SET_VRING_KICK/CALL/ERR message into *@p fd (-1 for
 * "no fd"). Only an eventfd is taken (vhu_fd.c). @return 0 or -EINVAL.
 */
static int
take_vring_fd(struct hctx *h, int *fd)
{
	char what[80];

	*fd = -1;
	if (h->msg->nfds == 0)
		return 0;
	if (vhu_fd_check_eventfd(h->msg->fds[0], what, sizeof(what)) != 0)
		return vhu_fail(h, "%s: queue %u: the fd is %s, not an eventfd",
				vsw_vhu_msg_name(h->msg->hdr.request),
				(unsigned int)(h->msg->payload.u64 &
					       VHU_VRING_IDX_MASK), what);
	*fd = h->msg->fds[0];
	h->msg->fds[0] = -1;
	return 0;
}

static int
h_set_vring_kick(struct hctx *h)
{
	uint16_t idx = h->msg->payload.u64 & VHU_VRING_IDX_MASK;
	struct vhu_queue *q = &h->dev->q[idx];
	int fd;

	if (take_vring_fd(h, &fd) != 0)
		return -EINVAL;
	queue_stop(h->dev, q); /* a device may be reading the old fd */
	close_fd(&q->kickfd);
	q->kickfd = fd;
	q->started = true;
	return queue_refresh(h, idx);
}

static int
h_set_vring_call(struct hctx *h)
{
	struct vhu_queue *q = &h->dev->q[h->msg->payload.u64 & VHU_VRING_IDX_MASK];
	int old = q->callfd, fd;
	bool offloaded = q->offloaded;

	if (take_vring_fd(h, &fd) != 0)
		return -EINVAL;
	if (offloaded) /* the device writes the old fd until it stops */
		queue_stop(h->dev, q);
	/* A burst may be writing the old fd: close it once none can be. */
	__atomic_store_n(&q->callfd, fd, __ATOMIC_RELAXED);
	if (old >= 0) {
		sync_pmds(h->dev);
		close(old);
	}
	return offloaded ? queue_refresh(h, (uint16_t)(q - h->dev->q)) : 0;
}

static int
h_set_vring_err(struct hctx *h)
{
	struct vhu_queue *q = &h->dev->q[h->msg->payload.u64 & VHU_VRING_IDX_MASK];
	int fd;

	if (take_vring_fd(h, &fd) != 0)
		return -EINVAL;
	close_fd(&q->errfd);
	q->errfd = fd;
	return 0;
}

static int
h_get_protocol_features(struct hctx *h)
{
	return vhu_reply_u64(h, h->dev->offered_protocol);
}

static int
h_set_protocol_features(struct hctx *h)
{
	if (check_offered(h, h->dev->offered_protocol) != 0)
		return -EINVAL;
	h->dev->protocol_features = h->msg->payload.u64;
	return 0;
}

static int
h_get_queue_num(struct hctx *h)
{
	return vhu_reply_u64(h, h->dev->nr_queues / 2);
}

static int
h_set_vring_enable(struct hctx *h)
{
	struct vhu_queue *q = msg_queue(h);
	uint32_t num = h->msg->payload.state.num;
	int rc;

	if (num > 1)
		return vhu_fail(h, "SET_VRING_ENABLE: queue %u: value %u is not 0 or 1",
			    h->msg->payload.state.index, num);
	q->enabled = num == 1;
	rc = queue_refresh(h, (uint16_t)h->msg->payload.state.index);
	return rc;
}

typedef int (*vhu_handler)(struct hctx *h);

static const vhu_handler handlers[VHU_REQUEST_MAX] = {
	[VHU_GET_FEATURES] = h_get_features,
	[VHU_SET_FEATURES] = h_set_features,
	[VHU_SET_OWNER] = h_set_owner,
	[VHU_RESET_OWNER] = h_reset_owner,
	[VHU_SET_MEM_TABLE] = h_set_mem_table,
	[VHU_SET_VRING_NUM] = h_set_vring_num,
	[VHU_SET_VRING_ADDR] = h_set_vring_addr,
	[VHU_SET_VRING_BASE] = h_set_vring_base,
	[VHU_GET_VRING_BASE] = h_get_vring_base,
	[VHU_SET_VRING_KICK] = h_set_vring_kick,
	[VHU_SET_VRING_CALL] = h_set_vring_call,
	[VHU_SET_VRING_ERR] = h_set_vring_err,
	[VHU_GET_PROTOCOL_FEATURES] = h_get_protocol_features,
	[VHU_SET_PROTOCOL_FEATURES] = h_set_protocol_features,
	[VHU_GET_QUEUE_NUM] = h_get_queue_num,
	[VHU_SET_VRING_ENABLE] = h_set_vring_enable,
	[VHU_NET_SET_MTU] = vhu_h_net_set_mtu,
	[VHU_SET_BACKEND_REQ_FD] = vhu_h_set_backend_req_fd,
	[VHU_GET_CONFIG] = vhu_h_get_config,
	[VHU_SET_CONFIG] = vhu_h_set_config,
};

static int
send_replies(struct hctx *h, const struct vhu_msg_desc *d, int rc)
{
	const struct vhu_hdr *req = &h->msg->hdr;

	if (d->own_reply) {
		if (rc != 0)
			return 0;
		return vhu_conn_reply(h->dev, req, &h->reply, h->reply_size);
	}
	/* vhost-user.rst "REPLY_ACK": 0 for success, non-zero for failure. */
	if ((req->flags & VHU_FLAG_NEED_REPLY) &&
	    (h->dev->protocol_features & BIT(VHU_PROTOCOL_F_REPLY_ACK))) {
		uint64_t ack = rc != 0;

		return vhu_conn_reply(h->dev, req, &ack, sizeof(ack));
	}
	return 0;
}

void
vhu_dev_handle(struct vsw_vhost_dev *dev, struct vhu_msg *msg)
{
	struct hctx h = { .dev = dev, .msg = msg };
	const struct vhu_msg_desc *d;
	int rc;

	if (vsw_vhu_msg_validate(msg, dev->nr_queues, h.why, sizeof(h.why)) != 0) {
		vhu_conn_close(dev, h.why);
		return;
	}
	d = vsw_vhu_msg_desc(msg->hdr.request);
	VHU_LOG(DEBUG, dev, "%s size %u fds %u", d->name, msg->hdr.size, msg->nfds);
	if (d->stop_queues)
		vhu_dev_stop_all(dev);
	rc = handlers[msg->hdr.request](&h);
	vhu_dev_rx_pairs_update(dev);
	if (send_replies(&h, d, rc) != 0) {
		vhu_conn_close(dev, "front-end does not read its replies");
		return;
	}
	if (rc != 0)
		vhu_conn_close(dev, h.why);
}

/* Kicks since the last tick: an eventfd read returns the count of writes. */
static void
count_kicks(struct vhu_queue *q)
{
	if (q->kickfd >= 0)
		q->kicks += vsw_guard_drain(q->kickfd);
}

/*
 * Log a newly broken ring once and raise its error eventfd.
 * @return 0, or -EINTR when the error eventfd blocked.
 */
static int
report_broken(struct vsw_vhost_dev *dev, uint16_t i, struct vhu_queue *q)
{
	enum vsw_vring_err err;

	if (!q->ready)
		return 0;
	err = __atomic_load_n(&q->ring.broken, __ATOMIC_RELAXED);
	if (err == VSW_VRING_OK || err == q->reported)
		return 0;
	q->reported = err;
	VHU_LOG(ERR, dev, "queue %u broken: %s; the queue stays stopped until"
		" the front-end resets it", i, vsw_vring_strerror(err));
	return q->errfd >= 0 && vsw_guard_signal(q->errfd) == -EINTR ? -EINTR : 0;
}

/* A region whose file shrank (SIGBUS, vhu_fault.c): drop the front-end. */
static void
check_memory(struct vsw_vhost_dev *dev)
{
	char why[200];
	uintptr_t at;

	for (uint32_t i = 0; i < dev->mem.nregions && dev->conn != NULL; i++) {
		if (!vhu_fault_check(dev->maps[i].addr, &at))
			continue;
		snprintf(why, sizeof(why), "guest memory region %u: its file"
			 " shrank under us (an access at offset 0x%" PRIxPTR
			 " faulted; the region reads zeros now): the front-end"
			 " truncated it", i, at - (uintptr_t)dev->maps[i].addr);
		vhu_conn_close(dev, why);
	}
}

/* Count kicks, report broken rings; drop a front-end whose eventfds block
 * or whose memory went away. */
void
vhu_dev_tick(struct vsw_vhost_dev *dev)
{
	char why[160];

	check_memory(dev);
	vhu_offload_tick(dev);
	for (uint16_t i = 0; i < dev->nr_queues && dev->conn != NULL; i++) {
		struct vhu_queue *q = &dev->q[i];
		const char *fd = NULL;

		if (!q->offloaded) /* the device drains its kick fds */
			count_kicks(q);
		if (__atomic_load_n(&q->call_blocked, __ATOMIC_RELAXED))
			fd = "call";
		else if (report_broken(dev, i, q) != 0)
			fd = "error";
		if (fd == NULL)
			continue;
		snprintf(why, sizeof(why), "queue %u: its %s eventfd blocked (the"
			 " front-end cleared O_NONBLOCK and filled it)", i, fd);
		vhu_conn_close(dev, why);
	}
}

bool
vsw_vhost_connected(const struct vsw_vhost_dev *dev)
{
	return dev->conn != NULL;
}

struct vsw_vhost_dev *
vsw_vhost_create(const struct vsw_vhost_conf *conf, struct vsw_loop *loop)
{
	struct vsw_vhost_dev *dev;
	int rc;

	if (conf->queue_pairs == 0 || conf->queue_pairs > VSW_VHOST_MAX_QP ||
	    strlen(conf->path) >= sizeof(dev->path)) {
		rte_errno = EINVAL;
		return NULL;
	}
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	snprintf(dev->name, sizeof(dev->name), "%s", conf->name);
	if (conf->mac != NULL) {
		memcpy(dev->mac, conf->mac, sizeof(dev->mac));
		dev->has_mac = true;
	}
	dev->mtu = conf->mtu != 0 ? conf->mtu : 1500;
	dev->co_cycles = conf->coalesce_usecs * rte_get_tsc_hz() / 1000000;
	if (conf->coalesce_usecs != 0 && dev->co_cycles == 0)
		dev->co_cycles = 1;
	dev->co_pkts = conf->coalesce_pkts;
	dev->tx_queues = conf->tx_queues != 0 ? conf->tx_queues : 1;
	dev->qsbr = conf->qsbr;
	snprintf(dev->path, sizeof(dev->path), "%s", conf->path);
	dev->server = conf->server;
	dev->perm = conf->perm != NULL ? *conf->perm : (struct vsw_unix_perm){
		VSW_UNIX_MODE_DEFAULT, -1, -1 };
	dev->handshake_ms = conf->handshake_ms != 0 ? conf->handshake_ms :
			    VSW_VHOST_HANDSHAKE_MS;
	dev->features_mask = conf->features_mask != 0 ? conf->features_mask :
			      UINT64_MAX;
	dev->offered_protocol = offered_protocol_features |
		(conf->host_notifier ? BIT(VHU_PROTOCOL_F_BACKEND_REQ) |
		 BIT(VHU_PROTOCOL_F_BACKEND_SEND_FD) |
		 BIT(VHU_PROTOCOL_F_HOST_NOTIFIER) : 0);
	dev->backend_fd = -1;
	dev->link_up = true;
	dev->nr_queues = 2 * conf->queue_pairs;
	dev->loop = loop;
	dev->listen_fd = -1;
	for (uint16_t i = 0; i < VHU_MAX_QUEUES; i++) {
		dev->q[i].callfd = dev->q[i].kickfd = dev->q[i].errfd = -1;
		vsw_spinlock_init(&dev->q[i].tx_lock);
	}
	rc = vhu_socket_start(dev);
	if (rc != 0) {
		free(dev);
		rte_errno = -rc;
		return NULL;
	}
	return dev;
}

void
vsw_vhost_destroy(struct vsw_vhost_dev *dev)
{
	if (dev == NULL)
		return;
	vhu_socket_stop(dev);
	vhu_conn_close(dev, "shutting down");
	vhu_dev_reset(dev);
	free(dev);
}
