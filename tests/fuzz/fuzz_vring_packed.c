/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/vring, packed rings: tx dequeue and rx enqueue over guest memory
 * the fuzzer writes (harness and input format: fuzz_vring.h,
 * fuzz_vring.c). The ring size is 1 + selector % 4096: packed rings need
 * not be powers of two.
 */
#include "fuzz_vring.h"

static uint16_t
packed_size(uint16_t sel)
{
	return (uint16_t)(1 + sel % 4096);
}

/* Descriptor ring, driver and device event suppression areas. */
static bool
packed_place(struct fv *v, const uint32_t off[3])
{
	v->cfg.desc_packed = fv_region0(v, off[0], 16 * (uint64_t)v->cfg.size);
	v->cfg.driver_event = fv_region0(v, off[1], 4);
	v->cfg.device_event = fv_region0(v, off[2], 4);
	return v->cfg.desc_packed != NULL && v->cfg.driver_event != NULL &&
	       v->cfg.device_event != NULL;
}

/* A position on the two laps a wrap counter tells apart. */
static uint32_t
lap_pos(uint16_t idx, bool wrap, uint16_t size)
{
	return idx + (wrap ? 0u : size);
}

/*
 * Positions stay inside the ring; every descriptor a burst consumes it
 * also returns, so the used position keeps its distance to the avail
 * position (set by SET_VRING_BASE, 0 unless the front-end sent both
 * halves); the counter of unsignalled used descriptors never passes the
 * ring size; a broken ring does not move.
 */
static void
packed_check(const struct fv *v, const struct fv_snap *s)
{
	const struct vsw_vring *vr = &v->vr;
	uint32_t two = 2u * vr->size;
	uint32_t before = (lap_pos(s->last_avail, s->avail_wrap, vr->size) + two -
			   lap_pos(s->last_used, s->used_wrap, vr->size)) % two;
	uint32_t after = (lap_pos(vr->last_avail_idx, vr->avail_wrap, vr->size) +
			  two - lap_pos(vr->last_used_idx, vr->used_wrap, vr->size)) % two;

	FZ_CHECK(vr->last_avail_idx < vr->size && vr->last_used_idx < vr->size);
	FZ_CHECK(vr->used_unsignalled <= vr->size);
	if (s->broken != VSW_VRING_OK) {
		FZ_CHECK(vr->last_avail_idx == s->last_avail &&
			 vr->avail_wrap == s->avail_wrap &&
			 vr->last_used_idx == s->last_used &&
			 vr->used_wrap == s->used_wrap);
		return;
	}
	FZ_CHECK(after == before);
}

static const struct fv_layout packed = {
	.flags = VSW_VRING_F_PACKED,
	.align = { 16, 4, 4 },
	.size = packed_size,
	.place = packed_place,
	.check = packed_check,
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fv_init((*argv)[0]);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fv_one(&packed, data, size);
}
