/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_FUZZ_VRING_H
#define VSW_FUZZ_VRING_H

/*
 * The harness the split and packed ring fuzzers share (fuzz_vring.c): a
 * hostile guest written by the fuzzer, and a PMD that runs bursts on it.
 *
 * Input (all integers little-endian):
 *
 *   u8  features   bit 0 INDIRECT, 1 MRG_RXBUF, 2 EVENT_IDX, 3 12-byte
 *                  header (else 10), 4 a second region, 5 the second
 *                  region not contiguous in guest-physical space
 *   u8  offloads   bits 0-2 tx (VSW_NET_OFF_*), bits 3-5 rx
 *   u16 size       ring size selector (the layout maps it)
 *   u32 base       SET_VRING_BASE num
 *   u16 r0, r1     region sizes in 16-byte units (+1), at most 256 KiB
 *   u32 gpa0       guest-physical address of region 0
 *   u16 gap        pages between the regions (feature bit 5)
 *   u16 off[3]     ring offsets in region 0, in units of each part's
 *                  alignment: desc (16), avail / driver area, used /
 *                  device area
 *   u16 len0, len0 bytes   region 0's first bytes (the rest is zero)
 *   u16 len1, len1 bytes   region 1's (with feature bit 4)
 *   ops...         until the input ends, see fv_run() in fuzz_vring.c
 *
 * Regions are separate heap blocks of exactly their size, so AddressSanitizer
 * sees any access past a region's end.
 */

#include <stdbool.h>
#include <stdint.h>

#include "fuzz_dpdk.h"
#include "vsw_vring.h"

#define FV_HELD_MAX 64

/* Ring indices before a burst, for the layout's invariants. */
struct fv_snap {
	uint16_t last_avail;
	uint16_t last_used;
	bool avail_wrap;
	bool used_wrap;
	uint16_t avail_idx;  /* split: avail->idx as the burst will read it */
	enum vsw_vring_err broken;
	struct vsw_vring_stats stats;
};

struct fv;

/* What differs between split and packed rings. */
struct fv_layout {
	uint32_t flags;                      /* VSW_VRING_F_PACKED or 0 */
	uint16_t align[3];                   /* units of off[] */
	uint16_t (*size)(uint16_t sel);
	/* Point v->cfg at the rings; false when they do not fit region 0. */
	bool (*place)(struct fv *v, const uint32_t off[3]);
	/* Invariants of the ring's indices across one burst. */
	void (*check)(const struct fv *v, const struct fv_snap *before);
};

struct fv {
	const struct fv_layout *lay;
	struct fz in;
	struct vsw_mem mem;
	uint8_t *host[2];
	struct vsw_vring_config cfg;
	struct vsw_vring vr;
	struct rte_mbuf *held[FV_HELD_MAX]; /* dequeued, still ours */
	unsigned int nheld;
};

/* LLVMFuzzerInitialize() of both targets. */
void fv_init(const char *prog);

/* LLVMFuzzerTestOneInput() of both targets. */
int fv_one(const struct fv_layout *lay, const uint8_t *data, size_t size);

/* Host address of [@p off, @p off + @p len) of region 0, or NULL. */
void *fv_region0(const struct fv *v, uint64_t off, uint64_t len);

#endif /* VSW_FUZZ_VRING_H */
