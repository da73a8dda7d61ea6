/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_VRING_H
#define VSW_VRING_H

/**
 * @file
 * vsw virtqueue engine.
 *
 * Introduction
 * ------------
 * This library walks virtqueues that live in guest memory: it turns the
 * buffers a driver offers into mbufs (dequeue, guest tx) and copies mbufs
 * into the buffers a driver offers for receiving (enqueue, guest rx). It
 * knows nothing of sockets, threads or logging: the vhost-user layer above
 * maps guest memory, fills a struct vsw_mem and hands each ring's host
 * addresses to vsw_vring_init(); the port driver above polls the bursts and
 * writes the call eventfd when vsw_vring_need_call() says so.
 *
 * Details
 * -------
 * - Split virtqueues (VIRTIO 1.3 section 2.7). Indices are free-running
 *   uint16_t masked with size - 1.
 * - Packed virtqueues (VIRTIO 1.3 section 2.8), chosen per ring at init with
 *   VSW_VRING_F_PACKED. Positions run 0..size-1 with a wrap counter each for
 *   the avail and the used side; any size 1..32768. The public burst
 *   functions branch once per call into the split or packed engine.
 * - Everything read from guest memory is hostile: an avail index that jumps
 *   by more than the ring size, a descriptor index or (packed) buffer id
 *   outside the ring, a chain longer than the ring, a nested or misaligned
 *   indirect table, a buffer outside guest memory or flowing the wrong way
 *   marks the ring broken.
 *   Broken is sticky: every later burst returns 0 until the ring is
 *   re-initialised. Each descriptor is copied once into local memory before
 *   it is used (no double fetch).
 * - Used entries are staged and published once per burst with a single
 *   release store: of used->idx (split), or of the flags of the first used
 *   descriptor of the batch, written after all the others (packed).
 *
 * Usage
 * -----
 * One thread at a time may call the burst functions of a ring; the caller
 * (lib/vhost) serialises them against re-initialisation with its queue
 * access lock.
 */

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_ring.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

struct rte_mbuf;
struct rte_mempool;

/** Largest burst the engine handles in one call. */
#define VSW_VRING_BURST 32
/** Largest number of guest memory regions (vhost-user limit). */
#define VSW_MEM_MAX_REGIONS 8
/** Largest ring size (VIRTIO 1.3 2.7 and 2.8: queue size <= 32768). */
#define VSW_VRING_MAX_SIZE 32768

/** One mapped region of guest memory. */
struct vsw_mem_region {
	uint64_t gpa;  /**< guest physical address of the first byte */
	uint64_t size; /**< length in bytes, > 0 */
	uint64_t qva;  /**< front-end (QEMU) virtual address of the first byte */
	uint64_t hva;  /**< our address of the first byte */
};

/** Guest memory table. Built by lib/vhost, read by the engine. */
struct vsw_mem {
	uint32_t nregions;
	struct vsw_mem_region regions[VSW_MEM_MAX_REGIONS];
};

/**
 * Translate guest physical address @p gpa.
 *
 * @param len  in: bytes wanted; out: bytes contiguous in our mapping from
 *             the returned address (<= the input, > 0 on success).
 * @param hint last-hit region index, read and updated; any value is safe.
 * @return host address, or NULL when @p gpa lies in no region.
 */
static __rte_always_inline void *
vsw_mem_gpa_map(const struct vsw_mem *mem, uint64_t gpa, uint64_t *len,
		uint32_t *hint)
{
	uint32_t i = *hint;

	if (unlikely(i >= mem->nregions ||
		     gpa - mem->regions[i].gpa >= mem->regions[i].size)) {
		for (i = 0; i < mem->nregions; i++)
			if (gpa - mem->regions[i].gpa < mem->regions[i].size)
				break;
		if (i == mem->nregions)
			return NULL;
		*hint = i;
	}

	const struct vsw_mem_region *r = &mem->regions[i];
	uint64_t off = gpa - r->gpa;

	if (*len > r->size - off)
		*len = r->size - off;
	return (void *)(uintptr_t)(r->hva + off);
}

/**
 * Translate [gpa, gpa + len) that must lie inside one region.
 * @return host address, or NULL (also for len == 0 or overflow).
 */
void *vsw_mem_gpa_to_hva(const struct vsw_mem *mem, uint64_t gpa, uint64_t len,
			 uint32_t *hint);

/**
 * Translate a front-end virtual address range [qva, qva + len) that must
 * lie inside one region (ring addresses in SET_VRING_ADDR are front-end
 * virtual addresses, vhost-user.rst "A vring address description").
 * @return host address, or NULL.
 */
void *vsw_mem_qva_to_hva(const struct vsw_mem *mem, uint64_t qva, uint64_t len);

/** Why a ring was marked broken (sticky). 0 means healthy. */
enum vsw_vring_err {
	VSW_VRING_OK = 0,
	VSW_VRING_E_AVAIL_IDX,   /**< avail->idx moved by more than size */
	VSW_VRING_E_DESC_IDX,    /**< head or next index >= size */
	VSW_VRING_E_CHAIN_LEN,   /**< chain longer than ring (loop) */
	VSW_VRING_E_INDIRECT,    /**< bad indirect table (len, nesting, NEXT) */
	VSW_VRING_E_ADDR,        /**< buffer not inside guest memory */
	VSW_VRING_E_DIRECTION,   /**< write-only buffer in tx / read-only in rx */
	VSW_VRING_E_HEADER,      /**< chain too short for the virtio-net header */
	VSW_VRING_E__MAX,
};

/** Human-readable reason for @p err. Never NULL. */
const char *vsw_vring_strerror(enum vsw_vring_err err);

/** Per-ring counters, owned by the polling thread. */
struct vsw_vring_stats {
	uint64_t packets;      /**< packets dequeued / enqueued */
	uint64_t bytes;        /**< payload bytes (virtio-net header excluded) */
	uint64_t drop_no_buf;  /**< enqueue: no guest buffer or too small */
	uint64_t drop_no_mbuf; /**< dequeue: mempool empty */
	uint64_t drop_bad;     /**< packets lost because the ring broke, or
				    oversized (tx) */
	uint64_t drop_bad_hdr; /**< tx: inconsistent virtio-net header */
	uint64_t offload_sw;   /**< rx: packets finished in software
				    (checksum, segmentation; counted by
				    the caller of the enqueue) */
	uint64_t drop_offload; /**< rx: could not be finished in software */
	uint64_t calls;        /**< vsw_vring_need_call() returned true */
	uint64_t calls_suppressed; /**< ... returned false after new used */
};

/** Every field of struct vsw_vring_stats, for code that walks them all. */
#define VSW_VRING_STATS(X) \
	X(packets) X(bytes) X(drop_no_buf) X(drop_no_mbuf) X(drop_bad) \
	X(drop_bad_hdr) X(offload_sw) X(drop_offload) X(calls) \
	X(calls_suppressed)

#define VSW_VRING_STATS_COUNT_(f) + 1
_Static_assert(sizeof(struct vsw_vring_stats) ==
	       sizeof(uint64_t) * (0 VSW_VRING_STATS(VSW_VRING_STATS_COUNT_)),
	       "VSW_VRING_STATS lists every counter");

/** Engine feature flags, derived from negotiated virtio features. */
#define VSW_VRING_F_EVENT_IDX (1u << 0) /**< VIRTIO_RING_F_EVENT_IDX */
#define VSW_VRING_F_MRG_RXBUF (1u << 1) /**< VIRTIO_NET_F_MRG_RXBUF */
#define VSW_VRING_F_INDIRECT  (1u << 2) /**< VIRTIO_RING_F_INDIRECT_DESC */
#define VSW_VRING_F_PACKED    (1u << 3) /**< VIRTIO_F_RING_PACKED */

/**
 * What vsw_vring_init() needs. All pointers are host addresses.
 *
 * In vhost-user, SET_VRING_ADDR's desc/avail/used addresses are the
 * descriptor table / avail ring / used ring of a split ring and the
 * descriptor ring / driver area / device area of a packed one.
 *
 * @c base is SET_VRING_BASE's num. Split: the next avail index (bits 0-15).
 * Packed: bits 0-14 the next avail position, bit 15 the avail wrap counter,
 * bits 16-31 the same for the used side (QEMU sends them, DPDK's
 * virtio-user does not); when bits 16-31 are zero the used side starts
 * where the avail side does. A fresh packed ring is 0x8000 (wrap 1).
 */
struct vsw_vring_config {
	struct vring_desc *desc;   /**< split: 16-byte aligned, size entries */
	struct vring_avail *avail; /**< split: 2-byte aligned, with used_event */
	struct vring_used *used;   /**< split: 4-byte aligned, with avail_event */
	/** packed: descriptor ring, 16-byte aligned, size entries */
	struct vring_packed_desc *desc_packed;
	/** packed: driver event suppression (driver area), 4-byte aligned */
	struct vring_packed_desc_event *driver_event;
	/** packed: device event suppression (device area), 4-byte aligned */
	struct vring_packed_desc_event *device_event;
	const struct vsw_mem *mem; /**< must outlive the ring's use */
	uint16_t size;  /**< split: power of two 1..32768; packed: 1..32768 */
	uint32_t base;  /**< SET_VRING_BASE num, see above */
	uint32_t flags; /**< VSW_VRING_F_* */
	uint8_t hdr_len; /**< virtio-net header: 10 or 12 bytes */
	/** VSW_NET_OFF_* the driver may ask of us on tx (CSUM, HOST_TSO*) */
	uint8_t tx_offloads;
	/** VSW_NET_OFF_* the driver takes on rx (GUEST_CSUM, GUEST_TSO*) */
	uint8_t rx_offloads;
};

/**
 * Fill @p cfg's flags, hdr_len, tx_offloads and rx_offloads from the
 * negotiated virtio-net @p features (packed, EVENT_IDX, MRG_RXBUF,
 * INDIRECT_DESC; CSUM/HOST_TSO*, GUEST_CSUM/GUEST_TSO*; VERSION_1).
 */
void vsw_vring_config_features(struct vsw_vring_config *cfg, uint64_t features);

/** VIRTIO_F_RING_PACKED in @p features. */
bool vsw_vring_features_packed(uint64_t features);

/** A staged packed used entry: buffer id, bytes written, descriptors. */
struct vsw_vring_used_packed {
	uint16_t id;
	uint16_t count; /**< ring descriptors the buffer occupied */
	uint32_t len;
};

/** Entries staged per ring before they are written to the ring. */
#define VSW_VRING_SHADOW 512

/** A split or packed virtqueue. Hot fields first. */
struct vsw_vring {
	union {
		struct vring_desc *desc;               /**< split */
		struct vring_packed_desc *desc_packed; /**< packed */
	};
	union {
		struct vring_avail *avail;                    /**< split */
		struct vring_packed_desc_event *driver_event; /**< packed */
	};
	union {
		struct vring_used *used;                      /**< split */
		struct vring_packed_desc_event *device_event; /**< packed */
	};
	const struct vsw_mem *mem;
	uint32_t mem_hint;
	uint16_t size;
	uint16_t mask;           /**< split: size - 1 */
	/** next avail entry to consume (split: free-running; packed: 0..size-1) */
	uint16_t last_avail_idx;
	uint16_t last_used_idx;  /**< next used entry to write (same) */
	uint16_t signalled_used; /**< split: used idx at the last call */
	bool signalled_used_valid;
	bool avail_wrap;         /**< packed: avail wrap counter */
	bool used_wrap;          /**< packed: used wrap counter */
	uint8_t hdr_len;
	uint8_t tx_off;          /**< VSW_NET_OFF_* accepted on dequeue */
	uint8_t rx_off;          /**< VSW_NET_OFF_* expressed on enqueue */
	uint32_t flags;
	/** packed: descriptors used since the last need_call answer (<= size) */
	uint32_t used_unsignalled;
	/** packed: packets moved by the 4-descriptor fast path */
	uint64_t batched;
	enum vsw_vring_err broken;
	struct vsw_vring_stats stats;
	/** used entries staged during a burst, published at its end */
	union {
		struct vring_used_elem shadow[VSW_VRING_SHADOW];
		struct vsw_vring_used_packed shadow_packed[VSW_VRING_SHADOW];
	};
	uint16_t nr_shadow;
};

/**
 * Initialise @p vr from @p cfg. Checks size and alignment. Split:
 * resynchronises with the ring when used->idx disagrees with cfg->base
 * (in-flight buffers of a previous owner are then lost, as in DPDK and
 * Linux). Packed: takes both positions from cfg->base (a position >= size
 * is -EINVAL); nothing in the ring says otherwise.
 * @return 0 or -EINVAL.
 */
int vsw_vring_init(struct vsw_vring *vr, const struct vsw_vring_config *cfg);

/**
 * Ask the driver not to kick (poll mode). Split: VRING_USED_F_NO_NOTIFY, and
 * with EVENT_IDX an avail_event left behind (VIRTIO 1.3 2.7.10). Packed:
 * device event suppression flags = RING_EVENT_FLAGS_DISABLE (2.8.10).
 */
void vsw_vring_disable_kicks(struct vsw_vring *vr);

/**
 * Has the driver made a buffer available that was not consumed yet? A
 * look, nothing consumed (a device deciding whether to pull packets it
 * could not place from its wire). Broken rings answer false.
 */
bool vsw_vring_pending(const struct vsw_vring *vr);

/**
 * Ask the driver to kick for the next buffer it makes available (a device
 * that sleeps until a doorbell): split, clear VRING_USED_F_NO_NOTIFY and
 * with EVENT_IDX put avail_event at the next entry to consume; packed,
 * device event suppression ENABLE. Then, after a full fence, look again:
 * a buffer made available before the driver could see the request gets
 * no kick.
 * @return true when a buffer is available already: process it rather
 * than wait for a kick.
 */
bool vsw_vring_enable_kicks(struct vsw_vring *vr);

/**
 * Dequeue up to @p n (<= VSW_VRING_BURST) packets the driver offered on
 * this (guest tx) ring into mbufs from @p mp; packets larger than one mbuf
 * become chains. With tx_offloads the virtio-net header becomes mbuf
 * offload flags (lib/net); a header that asks for what was not negotiated
 * or is inconsistent drops its packet (drop_bad_hdr). Without tx_offloads
 * the header is not read. Used entries are published before return.
 * @return number of mbufs written to @p pkts (caller owns them).
 */
uint16_t vsw_vring_dequeue_burst(struct vsw_vring *vr, struct rte_mempool *mp,
				 struct rte_mbuf **pkts, uint16_t n);

/**
 * Copy up to @p n (<= VSW_VRING_BURST) packets into buffers the driver
 * offered on this (guest rx) ring, in order. With MRG_RXBUF a packet may
 * span several chains (num_buffers set; packed: at most VSW_VRING_SHADOW
 * buffers). A packet that finds no room is counted in drop_no_buf and
 * skipped. The virtio-net header carries the mbuf offload flags that
 * rx_offloads allows; the caller finishes the others in software first
 * (vsw_net_tx_fixup()), else they are not expressed. Used entries are
 * published before return.
 * @return number of packets delivered. The caller keeps ownership of all
 * @p n mbufs (they were copied) and frees them.
 */
uint16_t vsw_vring_enqueue_burst(struct vsw_vring *vr,
				 struct rte_mbuf *const *pkts, uint16_t n);

/**
 * After a burst that published used entries: does the driver want an
 * interrupt? Split: VRING_AVAIL_F_NO_INTERRUPT, or used_event with
 * EVENT_IDX (VIRTIO 1.3 2.7.10). Packed: the driver event suppression
 * structure, ENABLE / DISABLE / DESC (off_wrap, EVENT_IDX only; 2.8.10).
 * Records the answer so each call covers everything published so far. The
 * caller writes the call eventfd when true.
 */
bool vsw_vring_need_call(struct vsw_vring *vr);

/**
 * The answer to GET_VRING_BASE, in vsw_vring_config.base's encoding. Split:
 * the next avail index. Packed: avail position | avail wrap << 15 |
 * (used position | used wrap << 15) << 16.
 */
static inline uint32_t
vsw_vring_get_base(const struct vsw_vring *vr)
{
	if (vr->flags & VSW_VRING_F_PACKED)
		return (uint32_t)vr->last_avail_idx |
		       (uint32_t)vr->avail_wrap << 15 |
		       ((uint32_t)vr->last_used_idx |
			(uint32_t)vr->used_wrap << 15) << 16;
	return vr->last_avail_idx;
}

#endif /* VSW_VRING_H */
