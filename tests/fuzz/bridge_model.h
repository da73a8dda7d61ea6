/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_FUZZ_BRIDGE_MODEL_H
#define VSW_FUZZ_BRIDGE_MODEL_H

/*
 * What fuzz_bridge expects of one frame, written from the rules in
 * vsw_port.h and vsw_bridge.h rather than from lib/switch's code, so that
 * the two can disagree:
 * - a tag a NIC stripped (RX_VLAN_STRIPPED) is put back first;
 * - dropped: runts (first segment shorter than the Ethernet, or tagged
 *   Ethernet + 802.1Q, header), multicast or all-zero sources, VID 4095,
 *   frames whose VLAN the ingress port does not carry;
 * - VLAN in: ALL takes untagged (and priority-tagged, VID 0) frames as
 *   VLAN 0 and tagged ones as their VID; ACCESS N takes untagged and
 *   priority-tagged frames as VLAN N; TRUNK takes tagged frames of its
 *   list. A priority tag is removed;
 * - VLAN out: ALL sends VLAN 0 untagged and others tagged; ACCESS N sends
 *   VLAN N untagged; TRUNK sends its listed VLANs (not 0) tagged;
 * - a frame that keeps its tag keeps it as it came (priority bits too);
 *   one that gains a tag (a priority-tagged one too: its tag was
 *   removed) gets VID = its VLAN, priority 0.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vsw_port.h"

#define BM_FRAME_MAX 1600

/* A frame as it should leave a port. */
enum bm_form { BM_NONE, BM_UNTAGGED, BM_TAGGED };

struct bm_frame {
	bool drop;             /* the bridge must not send it anywhere */
	uint16_t vlan;
	uint8_t dst[6];
	uint8_t src[6];
	uint32_t ulen, tlen;
	uint8_t untagged[BM_FRAME_MAX + 8]; /* without any outer 802.1Q tag */
	uint8_t tagged[BM_FRAME_MAX + 8];   /* with one */
};

static inline bool
bm_trunks(const struct vsw_port_vlan *v, uint16_t vid)
{
	return vid < VSW_VLAN_MAX && ((v->trunks[vid / 64] >> (vid % 64)) & 1);
}

/* The VLAN of a frame arriving on @p v, or -1 (dropped). */
static inline int
bm_vlan_in(const struct vsw_port_vlan *v, bool tagged, uint16_t vid)
{
	bool prio = tagged && vid == 0;

	if (tagged && vid == 0xfff)
		return -1;
	switch (v->mode) {
	case VSW_PORT_VLAN_ACCESS:
		return !tagged || prio ? v->tag : -1;
	case VSW_PORT_VLAN_TRUNK:
		return tagged && !prio && bm_trunks(v, vid) ? vid : -1;
	default:
		return tagged && !prio ? vid : 0;
	}
}

static inline enum bm_form
bm_vlan_out(const struct vsw_port_vlan *v, uint16_t vlan)
{
	switch (v->mode) {
	case VSW_PORT_VLAN_ACCESS:
		return vlan == v->tag ? BM_UNTAGGED : BM_NONE;
	case VSW_PORT_VLAN_TRUNK:
		return vlan != 0 && bm_trunks(v, vlan) ? BM_TAGGED : BM_NONE;
	default:
		return vlan == 0 ? BM_UNTAGGED : BM_TAGGED;
	}
}

/*
 * Expect frame @p f (@p len bytes, @p seg0 of them in the first segment;
 * @p stripped: a NIC took tag @p tci off) arriving on a port with
 * membership @p v.
 */
static inline void
bm_expect(struct bm_frame *e, const uint8_t *f, uint32_t len, uint32_t seg0,
	  bool stripped, uint16_t tci, const struct vsw_port_vlan *v)
{
	static const uint8_t zero[6];
	uint8_t o[BM_FRAME_MAX + 4];
	const uint8_t tag[4] = { 0x81, 0x00, (uint8_t)(tci >> 8), (uint8_t)tci };
	bool tagged, keep; /* keep: tagged, and not just priority-tagged */
	int vlan;

	memset(e, 0, offsetof(struct bm_frame, untagged));
	if (stripped && seg0 >= 12) {
		memcpy(o, f, 12);
		memcpy(o + 12, tag, 4);
		memcpy(o + 16, f + 12, len - 12);
		len += 4;
		seg0 += 4;
	} else {
		memcpy(o, f, len);
	}
	tagged = seg0 >= 14 && o[12] == 0x81 && o[13] == 0x00;
	keep = tagged && ((o[14] << 8 | o[15]) & 0xfff) != 0;
	e->drop = seg0 < 14 || (tagged && seg0 < 18) || (o[6] & 1) ||
		  memcmp(o + 6, zero, 6) == 0;
	vlan = e->drop ? -1 : bm_vlan_in(v, tagged, (o[14] << 8 | o[15]) & 0xfff);
	if (vlan < 0) {
		e->drop = true;
		return;
	}
	e->vlan = (uint16_t)vlan;
	memcpy(e->dst, o, 6);
	memcpy(e->src, o + 6, 6);
	/* untagged: without the outer tag; tagged: as it came, or with one */
	e->ulen = tagged ? len - 4 : len;
	memcpy(e->untagged, o, 12);
	memcpy(e->untagged + 12, o + (tagged ? 16 : 12), e->ulen - 12);
	e->tlen = e->ulen + 4;
	memcpy(e->tagged, e->untagged, 12);
	e->tagged[12] = 0x81;
	e->tagged[13] = 0x00;
	e->tagged[14] = (uint8_t)(vlan >> 8);
	e->tagged[15] = (uint8_t)vlan;
	if (keep)
		memcpy(e->tagged + 14, o + 14, 2); /* priority bits kept */
	memcpy(e->tagged + 16, e->untagged + 12, e->ulen - 12);
}

#endif /* VSW_FUZZ_BRIDGE_MODEL_H */
