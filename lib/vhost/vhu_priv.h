/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_VHU_PRIV_H
#define VSW_VHU_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include <rte_log.h>

#include "vhu_msg.h"
#include "vsw_guard.h"
#include "vsw_lock.h"
#include "vsw_vhost.h"
#include "vsw_unix.h"
#include "vsw_vring.h"

extern int vsw_vhost_logtype;

/*
 * Every control-path message of a device goes through its rate limiter
 * (vhu_log.c): a front-end that reconnects or misbehaves in a loop cannot
 * flood the journal.
 */
#define VHU_LOG(level, dev, fmt, ...) \
	vhu_log((dev), RTE_LOG_##level, fmt, ##__VA_ARGS__)

/** Messages a device may log at once, then VHU_LOG_PER_SEC a second. */
#define VHU_LOG_BURST 64
#define VHU_LOG_PER_SEC 2

/** Token bucket of a device's log messages (control thread). */
struct vhu_logrl {
	uint64_t last_ms;     /**< last refill */
	uint32_t tokens;
	uint32_t suppressed;  /**< dropped since the last summary */
	uint64_t suppressed_total;
};

#define VHU_MAX_QUEUES (2 * VSW_VHOST_MAX_QP)
/** Replies buffered for a front-end that does not read them. */
#define VHU_OUT_MAX 16384

/** One mapped region of guest memory. */
struct vhu_map {
	void *addr;
	size_t len;
	int fd;              /**< the region's file (held for vDPA), or -1 */
	uint64_t fd_offset;  /**< of the region's first byte in fd */
};

/**
 * A virtqueue. The PMD reads ready (acquire) and, only when it is true,
 * ring and callfd; the control thread changes those only after
 * queue_quiesce() (ready false, every PMD quiescent since).
 */
struct vhu_queue {
	bool ready;
	/* PMD sets it when a call blocked (guard watchdog); the control
	 * thread then drops the connection and clears it on reset. */
	bool call_blocked;
	int callfd;
	struct vsw_vring ring;
	/* Coalescing (guest rx), PMD only: packets since the last call
	 * check, and the TSC of the first of them. */
	uint32_t co_pending;
	uint64_t co_first;
	/* Guest rx when dev->tx_queues > 1 (two tx queues may land on
	 * it): taken around each burst and flush. */
	struct vsw_spinlock tx_lock;
	uint64_t tx_contended;  /**< under tx_lock */
	/* Control thread only. */
	int kickfd;
	int errfd;
	uint32_t num;
	uint32_t base;  /**< SET_VRING_BASE num (packed: with wrap bits) */
	bool has_num;
	bool has_addr;
	bool started;  /**< kick fd received, no GET_VRING_BASE since */
	bool enabled;  /**< SET_VRING_ENABLE */
	struct vhu_vring_addr addr;
	enum vsw_vring_err reported; /**< broken reason already logged */
	struct vsw_vring_stats stats_base; /**< counters of earlier inits */
	uint64_t kicks;  /**< read from kickfd on the tick */
	bool ring_saved; /**< queue_stop_all(): nothing to save */
	bool offloaded;  /**< runs on dev->off, not on the PMDs */
	bool notifier;   /**< a host notifier was sent for it */
};

/** A front-end connection with its partial-message state. */
struct vhu_conn {
	int fd;
	uint64_t opened_ms;     /**< connected at (monotonic) */
	uint64_t msg_start_ms;  /**< first byte of the current message */
	bool greeted;           /**< a whole message arrived */
	uint32_t have;          /**< bytes of msg (header + payload) read */
	struct vhu_msg msg;     /**< message being assembled */
	uint32_t out_len;       /**< reply bytes not yet sent */
	uint8_t out[VHU_OUT_MAX];
};

struct vsw_vhost_dev {
	char name[64];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool server;
	bool connect_failed_logged;
	bool stopping;           /**< being destroyed: do not reconnect */
	uint16_t nr_queues;
	struct vsw_loop *loop;
	int listen_fd;
	struct vsw_unix_perm perm;  /**< server socket file */
	struct vsw_unix_file file;  /**< the one we bound */
	uint32_t handshake_ms;   /**< deadline for a first / each message */
	struct vhu_conn *conn;
	struct vhu_logrl logrl;

	/* vDPA (vhu_offload.c): who runs the rings when not the PMDs. */
	const struct vsw_vhost_offload_ops *off;
	void *off_arg;
	uint64_t features_mask;     /**< what the device can run; ~0: all */
	uint64_t offered_protocol;  /**< protocol features offered */
	int backend_fd;             /**< SET_BACKEND_REQ_FD channel, or -1 */
	bool link_up;               /**< as last told by dev->off */

	uint64_t features;
	uint64_t protocol_features;
	bool features_set;

	/* virtio-net config space (vhu_netcfg.c) */
	uint8_t mac[6];
	bool has_mac;
	uint16_t mtu;

	/* Ready guest receive pairs, rebuilt by the control thread after
	 * every message; read by the PMD without a lock (a stale pick finds
	 * its queue stopped and sends nothing). */
	uint16_t n_rx_pairs;
	uint8_t rx_pairs[VSW_VHOST_MAX_QP];
	uint16_t tx_queues;      /**< transmit queue numbers in use */
	uint64_t co_cycles;      /**< coalescing: TSC cycles, 0 = off */
	uint32_t co_pkts;        /**< coalescing: packets, 0 = no limit */

	struct rte_rcu_qsbr *qsbr; /**< PMD threads, or NULL */

	/* Read by bursts: changed only with every queue quiesced. */
	struct vsw_mem mem;
	struct vhu_map maps[VSW_MEM_MAX_REGIONS];

	struct vhu_queue q[VHU_MAX_QUEUES];
};

/** What one message handler sees and answers. */
struct hctx {
	struct vsw_vhost_dev *dev;
	struct vhu_msg *msg;
	union vhu_payload reply;
	uint32_t reply_size;
	char why[256];
};

/* vhu_log.c: rate-limited control-path logging. */
__attribute__((format(printf, 3, 4)))
void vhu_log(struct vsw_vhost_dev *dev, uint32_t level, const char *fmt, ...);
/** On the tick: report what the limiter suppressed, once it may. */
void vhu_log_tick(struct vsw_vhost_dev *dev);

/* vhu_conn.c: framing, fd passing, non-blocking replies. */
struct vhu_conn *vhu_conn_open(struct vsw_vhost_dev *dev, int fd);
void vhu_conn_close(struct vsw_vhost_dev *dev, const char *why);
int vhu_conn_reply(struct vsw_vhost_dev *dev, const struct vhu_hdr *req,
		   const void *payload, uint32_t size);
/** On the tick: close a connection past its handshake or message
 * deadline. */
void vhu_conn_tick(struct vsw_vhost_dev *dev);

/* vhu_dev.c: message handlers and device state. */
void vhu_dev_handle(struct vsw_vhost_dev *dev, struct vhu_msg *msg);
void vhu_dev_reset(struct vsw_vhost_dev *dev);
void vhu_dev_tick(struct vsw_vhost_dev *dev);
/** Stop every queue (PMD or device), keeping positions. */
void vhu_dev_stop_all(struct vsw_vhost_dev *dev);
/** (Re)start every queue that is ready to run. @return 0 or -EINVAL. */
int vhu_dev_refresh_all(struct hctx *h);
void vhu_dev_rx_pairs_update(struct vsw_vhost_dev *dev);
uint64_t vhu_dev_offered_features(const struct vsw_vhost_dev *dev);
/** Record why the handler fails (logged, connection closed). @return -EINVAL */
__attribute__((format(printf, 2, 3)))
int vhu_fail(struct hctx *h, const char *fmt, ...);
/** Reply with one u64. @return 0 */
int vhu_reply_u64(struct hctx *h, uint64_t v);

/* vhu_netcfg.c: the virtio-net device configuration (MTU, MAC, status). */
int vhu_h_net_set_mtu(struct hctx *h);
int vhu_h_get_config(struct hctx *h);
int vhu_h_set_config(struct hctx *h);

/* vhu_fd.c: the front-end's eventfds, never blocking us. */
/** 0 when @p fd is an eventfd; else -EBADF. @p what: what it is. */
int vhu_fd_check_eventfd(int fd, char *what, size_t len);

/* vhu_fault.c: recover from a guest memory file that shrank (SIGBUS). */
/** Watch the mapping [addr, addr + len). @return 0, -ENOSPC or -errno. */
int vhu_fault_register(void *addr, size_t len);
/** Stop watching the mapping at @p addr (before munmap). */
void vhu_fault_unregister(void *addr);
/** Did an access to the mapping at @p addr fault? *@p where: where. */
bool vhu_fault_check(const void *addr, uintptr_t *where);

/* vhu_offload.c: rings run by a device (vDPA) instead of the PMDs. */
/** Start queue @p qi on dev->off (it is set up and enabled). */
int vhu_offload_start(struct hctx *h, uint16_t qi);
/** Stop offloaded queue @p q: its position into q->base. */
void vhu_offload_stop(struct vsw_vhost_dev *dev, uint16_t qi);
/** Hand the current memory table to dev->off. @return 0 or -errno. */
int vhu_offload_mem(struct hctx *h);
/** On the tick: link status changes to the front-end. */
void vhu_offload_tick(struct vsw_vhost_dev *dev);

/* vhu_backend.c: the back-end channel (SET_BACKEND_REQ_FD). */
int vhu_h_set_backend_req_fd(struct hctx *h);
/** Send back-end request @p req, with @p fd (or -1), not waiting.
 * @return 0 or -errno. */
int vhu_backend_send(struct vsw_vhost_dev *dev, uint32_t req,
		     const void *payload, uint32_t size, int fd);
void vhu_backend_close(struct vsw_vhost_dev *dev);

/* vhu_mem.c: guest memory table. */
int vhu_mem_map(struct vsw_vhost_dev *dev, const struct vhu_memory *m,
		int *fds, struct vsw_mem *mem, struct vhu_map *maps);
void vhu_mem_unmap(struct vhu_map *maps, uint32_t n);

/* vhu_socket.c: listening and reconnecting sockets. */
int vhu_socket_start(struct vsw_vhost_dev *dev);
void vhu_socket_stop(struct vsw_vhost_dev *dev);
void vhu_socket_disconnected(struct vsw_vhost_dev *dev);

#endif /* VSW_VHU_PRIV_H */
