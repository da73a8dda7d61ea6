/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_VDPA_H
#define VSW_VDPA_H

/**
 * @file
 * vDPA devices: NICs that run virtio rings themselves.
 *
 * Introduction
 * ------------
 * A vDPA device takes over a vhost-user device's data path. vsw keeps the
 * control plane (the socket, negotiation, the message validator, the
 * memory table: lib/vhost) and hands the device what a virtio device
 * needs: the negotiated features, the guest memory, and per queue its
 * size, rings, start position, kick and call eventfds. The device reads
 * and writes the rings in guest memory the way a DMA engine does, takes
 * the guest's kicks (its doorbell page, mapped into the guest as a host
 * notifier, or the kick eventfd) and interrupts the guest through the
 * call eventfd. The guest keeps its standard virtio-net driver.
 *
 * A driver (drivers/vdpa/NAME) fills a struct vsw_vdpa_ops and registers
 * it by name from a constructor; the vdpa port type creates devices by
 * that name (`driver=NAME`).
 *
 * Details
 * -------
 * Life of a device, every call on the control thread:
 *
 *     create ........................ caps() answers what it offers
 *     set_mem (memory table)          no queue runs across a change: the
 *     queue_start(q, ring) ...        caller stops them all first
 *     queue_stop(q) -> position       (the answer to GET_VRING_BASE)
 *     destroy
 *
 * A started queue belongs to the device until queue_stop() returns: vsw
 * touches neither its ring nor its descriptors, nor the guest memory the
 * device was given, in between. queue_stop() returns only once the device
 * has stopped reading and writing the ring (its last used entries
 * published), so the position it returns is exact: the next owner (the
 * device again, or vsw's own data path after a hand-over) continues
 * there, and no descriptor is lost or completed twice.
 *
 * Drivers may run threads of their own (drivers/vdpa/sw polls from one);
 * the ops are never called from them. Counters (queue_stats) are read
 * while the device writes them: each 64-bit field is atomic, the set is
 * not a consistent cut.
 *
 * Ownership: the device keeps nothing it was given past the call that
 * gave it, except what the contract says it holds until a later call:
 * the memory table until the next set_mem or destroy (the mappings stay
 * valid, the fds stay open that long); the kick and call fds of a queue
 * until its queue_stop. It must not close them.
 *
 * Usage
 * -----
 *     struct vsw_vdpa_dev *d = vsw_vdpa_create("sw", &conf, err, len);
 *     vsw_vdpa_set_mem(d, &mem);
 *     vsw_vdpa_queue_start(d, 0, &ring);  ...  base = vsw_vdpa_queue_stop(d, 0);
 *     vsw_vdpa_destroy(d);
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsw_vring.h"

struct vsw_port;
struct vsw_vdpa_dev;

#define VSW_VDPA_MAX_QP 8
#define VSW_VDPA_MAX_QUEUES (2 * VSW_VDPA_MAX_QP)
#define VSW_VDPA_NAME_MAX 32

/** What a device can do. */
struct vsw_vdpa_caps {
	uint64_t features;          /**< virtio feature bits it offers */
	uint16_t max_queue_pairs;
	/** It has a doorbell page per queue that can be mapped into the
	 * guest (host notifiers). */
	bool host_notifier;
};

/** One guest memory region, as the device may want it: by GPA for DMA
 * (fd + offset) and by our address for a software device. */
struct vsw_vdpa_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t hva;        /**< where vsw mapped it */
	int fd;              /**< the front-end's file, open while held */
	uint64_t fd_offset;  /**< of gpa in fd */
};

struct vsw_vdpa_mem {
	uint32_t nregions;
	struct vsw_vdpa_region regions[VSW_MEM_MAX_REGIONS];
};

/** A queue to run. Ring areas are guest physical addresses. */
struct vsw_vdpa_ring {
	uint64_t features;   /**< negotiated virtio features */
	uint16_t size;
	uint64_t desc;       /**< descriptor table / ring */
	uint64_t driver;     /**< split: avail ring; packed: driver area */
	uint64_t device;     /**< split: used ring; packed: device area */
	/** start position, SET_VRING_BASE's encoding (vsw_vring_config) */
	uint32_t base;
	int kickfd;          /**< -1: none (the device polls) */
	int callfd;          /**< -1: none (no interrupts) */
	/** the guest sees the doorbell page (host notifier mapped) */
	bool doorbell_mapped;
};

/** Per-queue counters (queue 2n: guest receive, 2n+1: guest transmit). */
struct vsw_vdpa_qstats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t drops;        /**< no guest buffer / wire refused / bad */
	uint64_t doorbells;    /**< writes seen on the doorbell page */
	uint64_t kicks;        /**< counts read from the kick eventfd */
	uint64_t interrupts;   /**< calls made */
	uint64_t interrupts_suppressed; /**< the guest said it wanted none */
	enum vsw_vring_err broken;
};

/** The device's virtio-net config space. */
struct vsw_vdpa_netcfg {
	uint8_t mac[6];
	bool has_mac;
	uint16_t mtu;
	bool link_up;
};

/** What the vdpa port gives a new device. */
struct vsw_vdpa_conf {
	const char *name;            /**< for logs */
	uint16_t queue_pairs;        /**< 1..VSW_VDPA_MAX_QP */
	/** its wire (uplink), a port of its own; the device owns its
	 * queues while queues run (vsw's data path leaves it alone) */
	struct vsw_port *wire;
	/** driver options (key=value,...), NULL: none */
	const char *args;
};

/**
 * Operations of a vDPA driver. Every member runs on the control thread.
 * Those returning int return 0 or -errno; on failure they leave the
 * device as it was and write a reason to @p err.
 */
struct vsw_vdpa_ops {
	const char *name;  /**< driver=NAME */
	/** Size of the driver's private area (dev->priv). */
	size_t priv_size;
	/** Set up @p dev (priv zeroed) from @p conf. */
	int (*create)(struct vsw_vdpa_dev *dev, const struct vsw_vdpa_conf *conf,
		      char *err, size_t errlen);
	/** Stop everything and release what create took. */
	void (*destroy)(struct vsw_vdpa_dev *dev);
	void (*caps)(const struct vsw_vdpa_dev *dev, struct vsw_vdpa_caps *caps);
	/** Take the memory table (no queue running). */
	int (*set_mem)(struct vsw_vdpa_dev *dev, const struct vsw_vdpa_mem *mem,
		       char *err, size_t errlen);
	/** Start queue @p q from ring->base; the ring then belongs to the
	 * device (see Details). */
	int (*queue_start)(struct vsw_vdpa_dev *dev, uint16_t q,
			   const struct vsw_vdpa_ring *ring, char *err,
			   size_t errlen);
	/** Stop queue @p q: the device no longer touches its ring once this
	 * returns. @return the position (SET_VRING_BASE encoding). */
	uint32_t (*queue_stop)(struct vsw_vdpa_dev *dev, uint16_t q);
	/**
	 * Optional: the doorbell page of queue @p q, for a host notifier:
	 * @p fd to mmap (still the device's), @p offset and @p size (a page).
	 * @return 0, or -ENOTSUP.
	 */
	int (*doorbell)(const struct vsw_vdpa_dev *dev, uint16_t q, int *fd,
			uint64_t *offset, uint64_t *size);
	void (*netcfg)(const struct vsw_vdpa_dev *dev, struct vsw_vdpa_netcfg *cfg);
	void (*queue_stats)(const struct vsw_vdpa_dev *dev, uint16_t q,
			    struct vsw_vdpa_qstats *st);
	/** Optional: "key=value ..." describing the device (threads, cpus). */
	void (*describe)(const struct vsw_vdpa_dev *dev, char *buf, size_t len);
};

/** A device: the framework's part; drivers use priv. */
struct vsw_vdpa_dev {
	const struct vsw_vdpa_ops *ops;
	char name[VSW_VDPA_NAME_MAX];
	uint16_t queue_pairs;
	/** bit q: queue q runs on the device */
	uint32_t running;
	void *priv;
};

/** Register a driver (from a constructor). */
void vsw_vdpa_register(const struct vsw_vdpa_ops *ops);

/** The registered driver called @p name, or NULL. */
const struct vsw_vdpa_ops *vsw_vdpa_driver(const char *name);

/** "sw, ..." into @p buf. */
void vsw_vdpa_drivers(char *buf, size_t len);

/**
 * A device of driver @p driver. @return it, or NULL with a reason in
 * @p err (unknown driver: the message lists the known ones).
 */
struct vsw_vdpa_dev *vsw_vdpa_create(const char *driver,
				     const struct vsw_vdpa_conf *conf,
				     char *err, size_t errlen);

/** Stop every running queue and free @p dev (NULL ignored). */
void vsw_vdpa_destroy(struct vsw_vdpa_dev *dev);

int vsw_vdpa_set_mem(struct vsw_vdpa_dev *dev, const struct vsw_vdpa_mem *mem,
		     char *err, size_t errlen);
int vsw_vdpa_queue_start(struct vsw_vdpa_dev *dev, uint16_t q,
			 const struct vsw_vdpa_ring *ring, char *err,
			 size_t errlen);
/** @return the position, or @p fallback when @p q was not running. */
uint32_t vsw_vdpa_queue_stop(struct vsw_vdpa_dev *dev, uint16_t q,
			     uint32_t fallback);
bool vsw_vdpa_queue_running(const struct vsw_vdpa_dev *dev, uint16_t q);

#endif /* VSW_VDPA_H */
