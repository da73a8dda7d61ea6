/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "vhu_msg.h"

static const struct vhu_msg_desc msg_table[VHU_REQUEST_MAX] = {
#define VHU_ROW(id, nm, k, f, r, s) \
	[id] = { .name = #nm, .kind = k, .fds = f, .own_reply = r, .stop_queues = s },
	VHU_REQUESTS(VHU_ROW)
#undef VHU_ROW
};

const struct vhu_msg_desc *
vsw_vhu_msg_desc(uint32_t id)
{
	if (id >= VHU_REQUEST_MAX || msg_table[id].name == NULL)
		return NULL;
	return &msg_table[id];
}

const char *
vsw_vhu_msg_name(uint32_t id)
{
	const struct vhu_msg_desc *d = vsw_vhu_msg_desc(id);

	return d != NULL ? d->name : "UNKNOWN";
}

__attribute__((format(printf, 3, 4)))
static int
reject(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

static uint32_t
max_size(enum vhu_payload_kind kind)
{
	switch (kind) {
	case VHU_P_NONE:
	case VHU_P_U64:
	case VHU_P_STATE:
	case VHU_P_VRING_FD:
		return sizeof(uint64_t);
	case VHU_P_ADDR:
		return sizeof(struct vhu_vring_addr);
	case VHU_P_MEM:
		return sizeof(struct vhu_memory);
	case VHU_P_CONFIG:
		return sizeof(struct vhu_config);
	}
	return 0;
}

int
vsw_vhu_hdr_validate(const struct vhu_hdr *hdr, char *why, size_t whylen)
{
	const struct vhu_msg_desc *d = vsw_vhu_msg_desc(hdr->request);

	if ((hdr->flags & VHU_FLAG_VERSION_MASK) != VHU_VERSION)
		return reject(why, whylen, "request %u: bad version %u in flags 0x%x",
			      hdr->request, hdr->flags & VHU_FLAG_VERSION_MASK,
			      hdr->flags);
	if (hdr->flags & VHU_FLAG_REPLY)
		return reject(why, whylen, "request %u: reply flag set on a request",
			      hdr->request);
	if (d == NULL)
		return reject(why, whylen, "unsupported request %u", hdr->request);
	if (hdr->size > max_size(d->kind))
		return reject(why, whylen, "%s: payload size %u exceeds %u",
			      d->name, hdr->size, max_size(d->kind));
	return 0;
}

static int
validate_mem(const struct vhu_msg *msg, char *why, size_t whylen)
{
	const struct vhu_memory *m = &msg->payload.memory;
	uint32_t want;

	if (msg->hdr.size < 8)
		return reject(why, whylen, "SET_MEM_TABLE: payload size %u < 8",
			      msg->hdr.size);
	if (m->nregions == 0 || m->nregions > VHU_MAX_REGIONS)
		return reject(why, whylen, "SET_MEM_TABLE: %u regions (1..%u)",
			      m->nregions, VHU_MAX_REGIONS);
	want = 8 + m->nregions * (uint32_t)sizeof(struct vhu_region);
	if (msg->hdr.size < want)
		return reject(why, whylen, "SET_MEM_TABLE: size %u too short for %u regions",
			      msg->hdr.size, m->nregions);
	if (msg->nfds != m->nregions)
		return reject(why, whylen, "SET_MEM_TABLE: %u fds for %u regions",
			      msg->nfds, m->nregions);
	for (uint32_t i = 0; i < m->nregions; i++) {
		const struct vhu_region *r = &m->regions[i];

		if (r->size == 0)
			return reject(why, whylen, "SET_MEM_TABLE: region %u has size 0", i);
		if (r->gpa + r->size < r->gpa || r->uaddr + r->size < r->uaddr ||
		    r->mmap_offset + r->size < r->mmap_offset)
			return reject(why, whylen,
				      "SET_MEM_TABLE: region %u overflows 64 bits (gpa 0x%" PRIx64
				      " uaddr 0x%" PRIx64 " offset 0x%" PRIx64 " size 0x%" PRIx64 ")",
				      i, r->gpa, r->uaddr, r->mmap_offset, r->size);
		for (uint32_t j = 0; j < i; j++) {
			const struct vhu_region *o = &m->regions[j];

			if (r->gpa < o->gpa + o->size && o->gpa < r->gpa + r->size)
				return reject(why, whylen,
					      "SET_MEM_TABLE: regions %u and %u overlap in guest memory",
					      j, i);
		}
	}
	return 0;
}

static int
validate_vring_fd(const struct vhu_msg *msg, const char *name, uint32_t nr_queues,
		  char *why, size_t whylen)
{
	uint64_t v = msg->payload.u64;
	uint32_t idx = v & VHU_VRING_IDX_MASK;
	bool nofd = (v & VHU_VRING_NOFD_MASK) != 0;

	if (v & ~(uint64_t)(VHU_VRING_IDX_MASK | VHU_VRING_NOFD_MASK))
		return reject(why, whylen, "%s: unknown bits in 0x%" PRIx64, name, v);
	if (idx >= nr_queues)
		return reject(why, whylen, "%s: queue %u out of range (%u queues)",
			      name, idx, nr_queues);
	if (msg->nfds != (nofd ? 0u : 1u))
		return reject(why, whylen, "%s: queue %u: %u fds with no-fd flag %s",
			      name, idx, msg->nfds, nofd ? "set" : "clear");
	return 0;
}

/* vhost-user.rst GET_CONFIG / SET_CONFIG: the size field matches the
 * payload, and offset + size stays inside the 256-byte space. */
static int
validate_config(const struct vhu_msg *msg, const char *name, char *why,
		size_t whylen)
{
	const struct vhu_config *c = &msg->payload.config;
	uint32_t size = msg->hdr.size;

	if (size < VHU_CONFIG_HDR)
		return reject(why, whylen, "%s: payload size %u, below %u", name,
			      size, VHU_CONFIG_HDR);
	if (c->size != size - VHU_CONFIG_HDR)
		return reject(why, whylen, "%s: size field %u, payload carries %u",
			      name, c->size, size - VHU_CONFIG_HDR);
	if ((uint64_t)c->offset + c->size > VHU_CONFIG_SPACE)
		return reject(why, whylen, "%s: offset %u + size %u past the %u-byte"
			      " config space", name, c->offset, c->size,
			      VHU_CONFIG_SPACE);
	return 0;
}

int
vsw_vhu_msg_validate(const struct vhu_msg *msg, uint32_t nr_queues,
		     char *why, size_t whylen)
{
	const struct vhu_msg_desc *d = vsw_vhu_msg_desc(msg->hdr.request);
	uint32_t size = msg->hdr.size;
	int rc = vsw_vhu_hdr_validate(&msg->hdr, why, whylen);

	if (rc != 0)
		return rc;
	if (d->fds >= 0 && msg->nfds != (unsigned int)d->fds)
		return reject(why, whylen, "%s: %u fds, expected %d",
			      d->name, msg->nfds, d->fds);
	switch (d->kind) {
	case VHU_P_NONE:
		if (size != 0 && size != sizeof(uint64_t))
			return reject(why, whylen, "%s: payload size %u", d->name, size);
		return 0;
	case VHU_P_U64:
		if (size != sizeof(uint64_t))
			return reject(why, whylen, "%s: payload size %u, expected 8",
				      d->name, size);
		return 0;
	case VHU_P_STATE:
	case VHU_P_ADDR:
		if (size != max_size(d->kind))
			return reject(why, whylen, "%s: payload size %u, expected %u",
				      d->name, size, max_size(d->kind));
		/* index is the first u32 of both shapes */
		if (msg->payload.state.index >= nr_queues)
			return reject(why, whylen, "%s: queue %u out of range (%u queues)",
				      d->name, msg->payload.state.index, nr_queues);
		return 0;
	case VHU_P_VRING_FD:
		if (size != sizeof(uint64_t))
			return reject(why, whylen, "%s: payload size %u, expected 8",
				      d->name, size);
		return validate_vring_fd(msg, d->name, nr_queues, why, whylen);
	case VHU_P_MEM:
		return validate_mem(msg, why, whylen);
	case VHU_P_CONFIG:
		return validate_config(msg, d->name, why, whylen);
	}
	return reject(why, whylen, "%s: no validator", d->name);
}
