/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/vring, split rings: tx dequeue and rx enqueue over guest memory the
 * fuzzer writes (harness and input format: fuzz_vring.h, fuzz_vring.c).
 * The ring size is 1 << (selector % 13), 1..4096 entries.
 */
#include "fuzz_vring.h"

static uint16_t
split_size(uint16_t sel)
{
	return (uint16_t)(1u << (sel % 13));
}

/* Descriptor table, avail ring + used_event, used ring + avail_event. */
static bool
split_place(struct fv *v, const uint32_t off[3])
{
	uint64_t n = v->cfg.size;

	v->cfg.desc = fv_region0(v, off[0], 16 * n);
	v->cfg.avail = fv_region0(v, off[1], 6 + 2 * n);
	v->cfg.used = fv_region0(v, off[2], 6 + 8 * n);
	return v->cfg.desc != NULL && v->cfg.avail != NULL && v->cfg.used != NULL;
}

/*
 * A burst takes at most the chains the driver offered (none when it
 * offered more than the ring holds: that breaks the ring), returns each
 * chain it takes with one used entry, publishes them all (used->idx, the
 * last store of the burst), and a broken ring does not move.
 */
static void
split_check(const struct fv *v, const struct fv_snap *s)
{
	const struct vsw_vring *vr = &v->vr;
	uint16_t offered = (uint16_t)(s->avail_idx - s->last_avail);
	uint16_t taken = (uint16_t)(vr->last_avail_idx - s->last_avail);

	if (s->broken != VSW_VRING_OK) {
		FZ_CHECK(taken == 0 && vr->last_used_idx == s->last_used);
		return;
	}
	FZ_CHECK(offered <= vr->size ? taken <= offered : taken == 0);
	FZ_CHECK(vr->last_used_idx == vr->last_avail_idx);
	if (taken > 0)
		FZ_CHECK(__atomic_load_n(&vr->used->idx, __ATOMIC_RELAXED) ==
			 vr->last_used_idx);
}

static const struct fv_layout split = {
	.flags = 0,
	.align = { 16, 2, 4 },
	.size = split_size,
	.place = split_place,
	.check = split_check,
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
	return fv_one(&split, data, size);
}
