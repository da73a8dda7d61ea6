/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest memory translation for the control path (ring addresses, indirect
 * tables): a whole range must lie inside one region. The hot path uses the
 * inline vsw_mem_gpa_map() piecewise instead.
 */
#include <stddef.h>

#include "vsw_vring.h"

void *
vsw_mem_gpa_to_hva(const struct vsw_mem *mem, uint64_t gpa, uint64_t len,
		   uint32_t *hint)
{
	uint32_t local = 0;
	uint64_t got = len;
	void *p;

	/* [gpa, gpa + len) must not wrap: gpa + len - 1 is the last byte. */
	if (len == 0 || gpa + (len - 1) < gpa)
		return NULL;
	p = vsw_mem_gpa_map(mem, gpa, &got, hint != NULL ? hint : &local);
	if (p == NULL || got != len)
		return NULL;
	return p;
}

void *
vsw_mem_qva_to_hva(const struct vsw_mem *mem, uint64_t qva, uint64_t len)
{
	if (len == 0 || qva + (len - 1) < qva)
		return NULL;
	for (uint32_t i = 0; i < mem->nregions && i < VSW_MEM_MAX_REGIONS; i++) {
		const struct vsw_mem_region *r = &mem->regions[i];
		uint64_t off = qva - r->qva;

		/* off < size also rejects qva below the region (off wraps). */
		if (off < r->size && len <= r->size - off)
			return (void *)(uintptr_t)(r->hva + off);
	}
	return NULL;
}
