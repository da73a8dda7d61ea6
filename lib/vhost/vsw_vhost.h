/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_VHOST_H
#define VSW_VHOST_H

/**
 * @file
 * vsw's native vhost-user back-end (virtio-net device).
 *
 * Introduction
 * ------------
 * A vsw_vhost_dev is one vhost-user socket, server or reconnecting client,
 * and the virtio-net device behind it: negotiated features, the guest
 * memory table and the virtqueues. Its control side runs on the control
 * thread's vsw_loop; its data side (the burst functions) runs on a PMD
 * thread.
 *
 * Details
 * -------
 * Queue 2n is the guest's receive queue of pair n (vsw enqueues into it),
 * queue 2n+1 its transmit queue (vsw dequeues from it). The data path
 * takes no lock: a burst runs only on a queue marked ready (one acquire
 * load). To change a queue, its fds or the memory table, the control
 * thread clears ready and waits until every PMD thread reported a
 * quiescent state (rte_rcu_qsbr) before it touches anything a burst reads
 * (vhost-user.rst "Ring states": the back-end stops a ring on
 * GET_VRING_BASE). A broken ring, a malformed message or a lost
 * connection affects this device only.
 *
 * Usage
 * -----
 * Control thread: vsw_vhost_create() then run the loop; vsw_vhost_destroy()
 * after the PMDs stopped polling the device. PMD thread: the burst
 * functions, for queue pairs it owns.
 */

#include <stdbool.h>
#include <stdint.h>

#include "vsw_vring.h"

struct rte_mbuf;
struct rte_mempool;
struct rte_rcu_qsbr;
struct vsw_loop;
struct vsw_unix_perm;
struct vsw_vhost_dev;

/** Largest number of queue pairs a device offers. */
#define VSW_VHOST_MAX_QP 8
/** Default deadline for a front-end's first message, and for each. */
#define VSW_VHOST_HANDSHAKE_MS 10000

/** Device configuration. */
struct vsw_vhost_conf {
	const char *name;     /**< port name, prefixed to every log */
	const char *path;     /**< unix socket path */
	bool server;          /**< listen (true) or connect and reconnect */
	uint16_t queue_pairs; /**< 1..VSW_VHOST_MAX_QP */
	/** MAC for the config space (VIRTIO_NET_F_MAC offered), or NULL */
	const uint8_t *mac;
	/** MTU for the config space until NET_SET_MTU says otherwise; 0:
	 * 1500 */
	uint16_t mtu;
	/**
	 * Interrupt coalescing on the guest's receive queues: a call waits
	 * until @c coalesce_pkts packets (0: no packet limit) or
	 * @c coalesce_usecs microseconds since the first uncalled packet.
	 * 0 usecs: off, a call follows every burst the guest asks it for.
	 */
	uint32_t coalesce_usecs;
	uint32_t coalesce_pkts;
	/**
	 * Quiescent-state variable of every thread that calls the data-path
	 * functions (they report a quiescent state between bursts). NULL:
	 * no such thread runs while the device lives.
	 */
	struct rte_rcu_qsbr *qsbr;
	/**
	 * Transmit queue numbers in use, 0..tx_queues-1, each by one thread
	 * at a time (0 is taken as 1). With more than one, two may land on
	 * one guest receive queue (the guest readied fewer), so the enqueue
	 * side locks each receive queue around its bursts.
	 */
	uint16_t tx_queues;
	/** Server socket file mode, owner and group; NULL: owner only
	 * (VSW_UNIX_MODE_DEFAULT). */
	const struct vsw_unix_perm *perm;
	/**
	 * A connected front-end must send its first message within this
	 * many milliseconds, and every message whole within as long of its
	 * first byte, or it is disconnected (a silent peer would hold a
	 * server port's only slot). 0: VSW_VHOST_HANDSHAKE_MS.
	 */
	uint32_t handshake_ms;
	/**
	 * vDPA: the virtio features the device can run (the offer is vsw's
	 * own and these); 0: no limit. Both sides must be able to run what
	 * was negotiated, since rings move between them.
	 */
	uint64_t features_mask;
	/** vDPA: offer the back-end channel and host notifiers
	 * (PROTOCOL_F_BACKEND_REQ, BACKEND_SEND_FD, HOST_NOTIFIER). */
	bool host_notifier;
};

/** A ring the front-end set up, for a device that runs it (vDPA). */
struct vsw_vhost_ring {
	uint64_t features;  /**< negotiated */
	uint16_t size;
	uint64_t desc;      /**< guest physical addresses of the three areas */
	uint64_t driver;
	uint64_t device;
	uint32_t base;      /**< SET_VRING_BASE encoding */
	int kickfd;         /**< still lib/vhost's: valid until queue_stop */
	int callfd;
	bool doorbell_mapped; /**< a host notifier was sent for it */
};

/** A region of guest memory, for a device that runs the rings. */
struct vsw_vhost_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t hva;
	int fd;             /**< lib/vhost's: open until the next table */
	uint64_t fd_offset;
};

/**
 * Who runs a device's rings in place of the PMDs: a vDPA device, through
 * the vdpa port. Every call on the control thread, from lib/vhost's
 * message handlers and vsw_vhost_set_offload(). A queue started with
 * queue_start() is the runner's until queue_stop() returns its position.
 */
struct vsw_vhost_offload_ops {
	/** The memory table (no queue runs). @return 0 or -errno. */
	int (*set_mem)(void *arg, const struct vsw_vhost_region *regions,
		       uint32_t n, char *err, size_t errlen);
	/** Run queue @p q from ring->base. @return 0 or -errno (the
	 * connection is then closed with the reason). */
	int (*queue_start)(void *arg, uint16_t q, const struct vsw_vhost_ring *ring,
			   char *err, size_t errlen);
	/** Stop queue @p q. @return its position. */
	uint32_t (*queue_stop)(void *arg, uint16_t q);
	/** Optional: queue @p q's doorbell page for a host notifier.
	 * @return 0 or -ENOTSUP. */
	int (*doorbell)(void *arg, uint16_t q, int *fd, uint64_t *offset,
			uint64_t *size);
	/** Optional: link status for the config space. */
	bool (*link_up)(void *arg);
};

/**
 * Move the rings to @p ops (offload) or, with NULL, back to the PMDs.
 * Every running queue stops where it stands and restarts on the other
 * side from that position: no descriptor is lost or completed twice. The
 * PMDs must no longer poll the device when @p ops is set (lib/dp parks
 * the port first). @return 0 or -errno with a reason in @p err; the
 * connection is closed on failure (the front-end starts afresh).
 */
int vsw_vhost_set_offload(struct vsw_vhost_dev *dev,
			  const struct vsw_vhost_offload_ops *ops, void *arg,
			  char *err, size_t errlen);

/** True while the rings are offloaded. */
bool vsw_vhost_offloaded(const struct vsw_vhost_dev *dev);

/**
 * Create the device and start listening or connecting on @p loop.
 * @return the device, or NULL with rte_errno set (a reason is logged).
 */
struct vsw_vhost_dev *vsw_vhost_create(const struct vsw_vhost_conf *conf,
				       struct vsw_loop *loop);

/**
 * Close the connection (the front-end sees a disconnect), unmap guest
 * memory, remove a server socket file and free the device. The caller must
 * have stopped every PMD that polls it.
 */
void vsw_vhost_destroy(struct vsw_vhost_dev *dev);

/** True while a front-end is connected. */
bool vsw_vhost_connected(const struct vsw_vhost_dev *dev);

/**
 * Data path: dequeue up to @p n packets the guest sent on queue pair @p qp.
 * Returns 0 when the queue is not running. The caller owns the mbufs.
 */
uint16_t vsw_vhost_dequeue_burst(struct vsw_vhost_dev *dev, uint16_t qp,
				 struct rte_mempool *mp, struct rte_mbuf **pkts,
				 uint16_t n);

/**
 * Data path: copy up to @p n packets to the guest and notify it if it
 * asked. Transmit queue @p txq (one per PMD) lands on the guest's ready
 * receive queue number txq modulo their count: pairs the guest disabled
 * or never started get nothing. Returns how many were delivered and adds
 * their length to *@p bytes; the caller keeps and frees all @p n mbufs.
 */
uint16_t vsw_vhost_enqueue_burst(struct vsw_vhost_dev *dev, uint16_t txq,
				 struct rte_mbuf *const *pkts, uint16_t n,
				 uint64_t *bytes);

/** True when the device coalesces calls: the PMD must call flush. */
bool vsw_vhost_coalescing(const struct vsw_vhost_dev *dev);

/**
 * Data path, by the PMD owning @p txq, once per loop iteration when
 * coalescing: make the call whose time has come.
 */
void vsw_vhost_flush(struct vsw_vhost_dev *dev, uint16_t txq);

/** Snapshot of one virtqueue for show commands and logs. */
struct vsw_vhost_queue_info {
	bool ready;
	bool enabled;         /**< SET_VRING_ENABLE (or implied) */
	bool packed;
	uint16_t size;
	enum vsw_vring_err broken;
	uint64_t kicks;       /**< kick eventfd counts read (1 s tick) */
	/** guest rx: bursts that waited for another tx queue sharing it */
	uint64_t tx_contended;
	struct vsw_vring_stats stats;
};

/** Snapshot of the device for show commands. */
struct vsw_vhost_info {
	bool connected;
	bool server;
	uint16_t queue_pairs;
	uint16_t mtu;               /**< NET_SET_MTU, else the configured one */
	uint8_t mac[6];
	bool has_mac;
	uint64_t features;          /**< negotiated (SET_FEATURES) */
	uint64_t protocol_features; /**< negotiated */
};

/** Fill @p info (control thread). */
void vsw_vhost_info(const struct vsw_vhost_dev *dev, struct vsw_vhost_info *info);

/** Fill @p info for virtqueue @p vq (control thread). @return 0 or -EINVAL. */
int vsw_vhost_queue_info(struct vsw_vhost_dev *dev, uint16_t vq,
			 struct vsw_vhost_queue_info *info);

#endif /* VSW_VHOST_H */
