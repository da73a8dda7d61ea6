/* SPDX-License-Identifier: BSD-3-Clause */
/* Run-time control of bridges and their FDBs. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>

#include "ctl_priv.h"
#include "vsw_dp.h"
#include "vsw_fdb.h"
#include "vsw_rpc.h"

static int
need_bridge(const struct vsw_dp *dp, const json_t *params,
	    struct vsw_bridge **br, char *err, size_t len)
{
	const char *name;

	if (vsw_rpc_param_str(params, 0, "bridge", &name, err, len) != 0)
		return -EINVAL;
	*br = vsw_dp_bridge(dp, name);
	if (*br == NULL) {
		snprintf(err, len, "no bridge %s", name);
		return -ENOENT;
	}
	return 0;
}

static json_t *
bridge_row(const struct vsw_bridge *br)
{
	struct vsw_port *ports[VSW_PORT_MAX];
	unsigned int n = vsw_bridge_ports(br, ports, VSW_PORT_MAX);
	struct vsw_fdb_info fi;
	char names[VSW_PORT_MAX * VSW_PORT_NAME_MAX] = "";
	size_t off = 0;

	vsw_fdb_info(vsw_bridge_fdb(br), &fi);
	for (unsigned int i = 0; i < n && off < sizeof(names); i++)
		off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s",
					i ? "," : "", ports[i]->name);
	return json_pack("{s:s, s:s, s:i, s:i, s:i, s:i}", "bridge",
			 vsw_bridge_name(br), "ports", names,
			 "fdb_entries", fi.entries, "fdb_static", fi.statics,
			 "fdb_max", fi.max_entries, "aging", fi.aging_sec);
}

static int
h_bridge_list(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	struct vsw_bridge *brs[VSW_DP_MAX_BRIDGES];
	unsigned int n = vsw_dp_bridges(arg, brs, VSW_DP_MAX_BRIDGES);

	*result = json_array();
	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(*result, bridge_row(brs[i]));
	return 0;
}

static json_t *
member_row(const struct vsw_bridge *br, const struct vsw_port *p)
{
	struct vsw_bridge_port_stats s;
	char vlan[VSW_CTL_VLAN_TEXT];
	json_t *row;

	vsw_bridge_port_stats(br, p, &s);
	vsw_port_vlan_format(&p->vlan, vlan, sizeof(vlan));
	row = json_pack("{s:s, s:s}", "port", p->name, "vlan", vlan[0] ? vlan : "all");
#define ADD_(f, d) json_object_set_new(row, #f, json_integer((json_int_t)s.f));
	VSW_BRIDGE_STATS(ADD_)
#undef ADD_
	return row;
}

static int
h_bridge_show(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	struct vsw_port *ports[VSW_PORT_MAX];
	struct vsw_bridge *br;
	unsigned int n;
	json_t *rows;
	int rc = need_bridge(arg, params, &br, err, len);

	if (rc != 0)
		return rc;
	n = vsw_bridge_ports(br, ports, VSW_PORT_MAX);
	*result = bridge_row(br);
	rows = json_array();
	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(rows, member_row(br, ports[i]));
	json_object_set_new(*result, "members", rows);
	return 0;
}

/* Options "aging=S" and "max-entries=N" from params 1.. */
static int
bridge_opts(const json_t *params, struct vsw_dp_bridge_opts *o, char *err,
	    size_t len)
{
	for (size_t i = 1; i < vsw_rpc_nparams(params); i++) {
		const char *s, *eq;
		uint64_t v;

		if (vsw_rpc_param_str(params, i, "option", &s, err, len) != 0)
			return -EINVAL;
		eq = strchr(s, '=');
		if (eq != NULL && strncmp(s, "aging=", 6) == 0) {
			if (vsw_rpc_parse_uint("aging", eq + 1, 0, 1000000, &v, err,
					       len) != 0)
				return -EINVAL;
			o->aging_sec = (uint32_t)v;
			o->aging_set = true;
		} else if (eq != NULL && strncmp(s, "max-entries=", 12) == 0) {
			if (vsw_rpc_parse_uint("max-entries", eq + 1, 1,
					       VSW_FDB_MAX_MAX, &v, err, len) != 0)
				return -EINVAL;
			o->max_entries = (uint32_t)v;
		} else {
			snprintf(err, len, "option '%s': expected aging=S or"
				 " max-entries=N", s);
			return -EINVAL;
		}
	}
	return 0;
}

static int
h_bridge_add(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	struct vsw_dp_bridge_opts o = { 0 };
	const char *name;

	if (vsw_rpc_param_str(params, 0, "bridge", &name, err, len) != 0 ||
	    !vsw_ctl_valid_name(name, err, len) ||
	    bridge_opts(params, &o, err, len) != 0)
		return -EINVAL;
	return vsw_dp_bridge_add(arg, name, &o, err, len);
}

static int
h_bridge_del(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	const char *name;

	if (vsw_rpc_param_str(params, 0, "bridge", &name, err, len) != 0)
		return -EINVAL;
	return vsw_dp_bridge_del(arg, name, err, len);
}

static int
h_bridge_port(void *arg, json_t *params, char *err, size_t len, bool add)
{
	const char *br, *port;

	if (vsw_rpc_param_str(params, 0, "bridge", &br, err, len) != 0 ||
	    vsw_rpc_param_str(params, 1, "port", &port, err, len) != 0)
		return -EINVAL;
	return add ? vsw_dp_bridge_port_add(arg, br, port, err, len)
		   : vsw_dp_bridge_port_del(arg, br, port, err, len);
}

static int
h_bridge_port_add(void *arg, json_t *params, json_t **result, char *err,
		  size_t len)
{
	return h_bridge_port(arg, params, err, len, true);
}

static int
h_bridge_port_del(void *arg, json_t *params, json_t **result, char *err,
		  size_t len)
{
	return h_bridge_port(arg, params, err, len, false);
}

static int
h_bridge_set_aging(void *arg, json_t *params, json_t **result, char *err,
		   size_t len)
{
	struct vsw_bridge *br;
	uint64_t secs;
	int rc = need_bridge(arg, params, &br, err, len);

	if (rc != 0)
		return rc;
	if (vsw_rpc_param_uint(params, 1, "seconds", 0, 1000000, &secs, err,
			       len) != 0)
		return -EINVAL;
	vsw_fdb_set_aging(vsw_bridge_fdb(br), (uint32_t)secs);
	return 0;
}

/* Name of port id @p id among the bridge's members, or NULL. */
static const char *
member_name(struct vsw_port *const *ports, unsigned int n, uint16_t id)
{
	for (unsigned int i = 0; i < n; i++)
		if (ports[i]->id == id)
			return ports[i]->name;
	return NULL;
}

static int
h_fdb_show(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	struct vsw_port *ports[VSW_PORT_MAX];
	struct vsw_fdb_entry *e;
	struct vsw_fdb_info fi;
	struct vsw_bridge *br;
	unsigned int n, np;
	int rc = need_bridge(arg, params, &br, err, len);

	if (rc != 0)
		return rc;
	vsw_fdb_info(vsw_bridge_fdb(br), &fi);
	e = calloc(fi.max_entries + 1u, sizeof(*e));
	if (e == NULL) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	n = vsw_fdb_dump(vsw_bridge_fdb(br), e, fi.max_entries + 1u,
			 vsw_pmd_clock());
	np = vsw_bridge_ports(br, ports, VSW_PORT_MAX);
	*result = json_array();
	for (unsigned int i = 0; i < n; i++) {
		struct rte_ether_addr mac;
		char macs[RTE_ETHER_ADDR_FMT_SIZE], id[16];
		const char *pname = member_name(ports, np, e[i].port);
		uint16_t vlan;

		vsw_fdb_key_split(e[i].key, &mac, &vlan);
		/* Lower case, as ip(8) and Open vSwitch print MACs. */
		snprintf(macs, sizeof(macs), RTE_ETHER_ADDR_PRT_FMT,
			 RTE_ETHER_ADDR_BYTES(&mac));
		for (char *c = macs; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		snprintf(id, sizeof(id), "(id %u)", e[i].port);
		json_array_append_new(*result, json_pack(
			"{s:i, s:s, s:s, s:i, s:b}", "vlan", vlan, "mac", macs,
			"port", pname ? pname : id, "age", e[i].age,
			"static", e[i].is_static));
	}
	free(e);
	return 0;
}

/* MAC (param @p i) and VLAN (param @p i + 1, optional) as an FDB key. */
static int
fdb_key_arg(const json_t *params, size_t i, bool vlan_required, uint64_t *key,
	    char *err, size_t len)
{
	struct rte_ether_addr mac;
	const char *s;
	uint64_t vlan = 0;

	if (vsw_rpc_param_str(params, i, "mac", &s, err, len) != 0)
		return -EINVAL;
	if (rte_ether_unformat_addr(s, &mac) != 0 ||
	    !rte_is_unicast_ether_addr(&mac) || rte_is_zero_ether_addr(&mac)) {
		snprintf(err, len, "mac '%s': expected a unicast MAC address", s);
		return -EINVAL;
	}
	if ((vlan_required || vsw_rpc_nparams(params) > i + 1) &&
	    vsw_rpc_param_uint(params, i + 1, "vlan", 0, VSW_VLAN_MAX - 1, &vlan,
			       err, len) != 0)
		return -EINVAL;
	*key = vsw_fdb_key(&mac, (uint16_t)vlan);
	return 0;
}

static int
h_fdb_add(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	struct vsw_bridge *br;
	struct vsw_port *port;
	const char *pname;
	uint64_t key;
	int rc = need_bridge(arg, params, &br, err, len);

	if (rc != 0)
		return rc;
	if (fdb_key_arg(params, 1, true, &key, err, len) != 0 ||
	    vsw_rpc_param_str(params, 3, "port", &pname, err, len) != 0)
		return -EINVAL;
	port = vsw_dp_port(arg, pname);
	if (port == NULL || !vsw_bridge_has_port(br, port)) {
		snprintf(err, len, "port %s is not on bridge %s", pname,
			 vsw_bridge_name(br));
		return -EINVAL;
	}
	rc = vsw_fdb_add_static(vsw_bridge_fdb(br), key, port->id);
	if (rc != 0)
		snprintf(err, len, "bridge %s: cannot add the entry: %s",
			 vsw_bridge_name(br), rc == -ENOSPC ? "FDB full"
							    : strerror(-rc));
	return rc;
}

static int
h_fdb_del(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	struct vsw_bridge *br;
	uint64_t key;
	int rc = need_bridge(arg, params, &br, err, len);

	if (rc != 0)
		return rc;
	if (fdb_key_arg(params, 1, false, &key, err, len) != 0)
		return -EINVAL;
	rc = vsw_fdb_del(vsw_bridge_fdb(br), key);
	if (rc != 0)
		snprintf(err, len, "bridge %s: no such FDB entry",
			 vsw_bridge_name(br));
	return rc;
}

static int
h_fdb_flush(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	struct vsw_bridge *br;
	struct vsw_port *port = NULL;
	const char *pname;
	unsigned int n;
	int rc = need_bridge(arg, params, &br, err, len);

	if (rc != 0)
		return rc;
	if (vsw_rpc_nparams(params) > 1) {
		if (vsw_rpc_param_str(params, 1, "port", &pname, err, len) != 0)
			return -EINVAL;
		port = vsw_dp_port(arg, pname);
		if (port == NULL) {
			snprintf(err, len, "no port %s", pname);
			return -ENOENT;
		}
	}
	/* Learned entries only: static ones are configuration. */
	n = vsw_fdb_flush(vsw_bridge_fdb(br), port ? port->id : VSW_FDB_NO_PORT,
			  false);
	*result = json_pack("{s:i}", "flushed", n);
	return 0;
}

static const struct vsw_rpc_method methods[] = {
	{ "bridge-list", "bridge-list", "bridges with their ports and FDB size",
	  0, 0, h_bridge_list, NULL },
	{ "bridge-show", "bridge-show BRIDGE", "a bridge and its members'"
	  " counters (unicast, flooded, learned, drops by reason)", 1, 1,
	  h_bridge_show, NULL },
	{ "bridge-add", "bridge-add BRIDGE [aging=S] [max-entries=N]", "create"
	  " a bridge", 1, 3, h_bridge_add, NULL },
	{ "bridge-del", "bridge-del BRIDGE", "remove a bridge (its ports stay,"
	  " attached to nothing)", 1, 1, h_bridge_del, NULL },
	{ "bridge-port-add", "bridge-port-add BRIDGE PORT", "put a port on a"
	  " bridge, with the VLANs of its spec", 2, 2, h_bridge_port_add, NULL },
	{ "bridge-port-del", "bridge-port-del BRIDGE PORT", "take a port off a"
	  " bridge (its FDB entries go)", 2, 2, h_bridge_port_del, NULL },
	{ "bridge-set-aging", "bridge-set-aging BRIDGE SECONDS", "FDB ageing"
	  " time (0: never)", 2, 2, h_bridge_set_aging, NULL },
	{ "fdb-show", "fdb-show BRIDGE", "the FDB: VLAN, MAC, port, age", 1, 1,
	  h_fdb_show, NULL },
	{ "fdb-add", "fdb-add BRIDGE MAC VLAN PORT", "a static FDB entry", 4, 4,
	  h_fdb_add, NULL },
	{ "fdb-del", "fdb-del BRIDGE MAC [VLAN]", "remove an FDB entry", 2, 3,
	  h_fdb_del, NULL },
	{ "fdb-flush", "fdb-flush BRIDGE [PORT]", "forget learned entries (of"
	  " one port)", 1, 2, h_fdb_flush, NULL },
};

int
vsw_ctl_register_bridge(struct vsw_rpc *rpc, struct vsw_dp *dp, char *err,
			size_t errlen)
{
	return vsw_ctl_register(rpc, methods, RTE_DIM(methods), dp, err, errlen);
}
