/* SPDX-License-Identifier: BSD-3-Clause */
/* A port's VLAN membership from its spec: vlan=N (access), trunk=list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsw_port.h"

static int
parse_vid(const char *s, const char **end, uint16_t *vid)
{
	char *e;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno != 0 || v < 1 || v > VSW_VLAN_MAX - 1)
		return -EINVAL;
	*vid = (uint16_t)v;
	*end = e;
	return 0;
}

/* "N,M,A-B" into the trunk bitmap. */
static int
parse_trunks(struct vsw_port_vlan *v, const char *s, char *err, size_t errlen)
{
	const char *p = s;

	for (;;) {
		uint16_t lo, hi;

		if (parse_vid(p, &p, &lo) != 0)
			goto bad;
		hi = lo;
		if (*p == '-' && (parse_vid(p + 1, &p, &hi) != 0 || hi < lo))
			goto bad;
		for (unsigned int vid = lo; vid <= hi; vid++)
			v->trunks[vid / 64] |= 1ull << (vid % 64);
		if (*p != ',')
			break;
		p++;
	}
	if (*p == '\0')
		return 0;
bad:
	snprintf(err, errlen, "option 'trunk': '%s' is not a list of VLANs"
		 " 1..%d (N,M,A-B)", s, VSW_VLAN_MAX - 1);
	return -EINVAL;
}

int
vsw_port_vlan_parse(struct vsw_port_vlan *v, const char *vlan,
		    const char *trunk, char *err, size_t errlen)
{
	const char *end;

	memset(v, 0, sizeof(*v));
	if (vlan != NULL && trunk != NULL) {
		snprintf(err, errlen, "options 'vlan' (access port) and 'trunk'"
			 " exclude each other");
		return -EINVAL;
	}
	if (vlan != NULL) {
		if (parse_vid(vlan, &end, &v->tag) != 0 || *end != '\0') {
			snprintf(err, errlen, "option 'vlan': '%s' is not a VLAN"
				 " 1..%d", vlan, VSW_VLAN_MAX - 1);
			return -EINVAL;
		}
		v->mode = VSW_PORT_VLAN_ACCESS;
		return 0;
	}
	if (trunk != NULL) {
		v->mode = VSW_PORT_VLAN_TRUNK;
		return parse_trunks(v, trunk, err, errlen);
	}
	v->mode = VSW_PORT_VLAN_ALL;
	return 0;
}

void
vsw_port_vlan_format(const struct vsw_port_vlan *v, char *buf, size_t len)
{
	size_t off;

	buf[0] = '\0';
	if (v->mode == VSW_PORT_VLAN_ACCESS) {
		snprintf(buf, len, "vlan=%u", v->tag);
		return;
	}
	if (v->mode != VSW_PORT_VLAN_TRUNK)
		return;
	off = (size_t)snprintf(buf, len, "trunk=");
	for (unsigned int vid = 1; vid < VSW_VLAN_MAX && off < len; vid++) {
		unsigned int last = vid;

		if (!vsw_port_vlan_trunks(v, (uint16_t)vid))
			continue;
		while (last + 1 < VSW_VLAN_MAX &&
		       vsw_port_vlan_trunks(v, (uint16_t)(last + 1)))
			last++;
		off += (size_t)snprintf(buf + off, len - off,
					last > vid ? "%s%u-%u" : "%s%u",
					buf[off - 1] == '=' ? "" : ",", vid, last);
		vid = last;
	}
}
