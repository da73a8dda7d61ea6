/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Run-time control of the data path: ports, cross-connects, PMDs and
 * their rx queues. Each method is a thin adapter from JSON-RPC params to
 * a lib/dp operation or query; results are JSON the way vswctl renders
 * them (arrays of flat objects are tables).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mempool.h>

#include "config_priv.h"
#include "ctl_priv.h"
#include "vsw_dp.h"
#include "vsw_rpc.h"

#define MAX_RXQ (VSW_PORT_MAX * VSW_PORT_MAX_QUEUES)

/* "stats <what> port=P k=v ..." lines a driver prints -> JSON objects. */
static json_t *
driver_records(const struct vsw_port *port)
{
	json_t *arr = json_array();
	char *buf = NULL, *save = NULL;
	size_t len = 0;
	FILE *f;

	if (port->ops->print_stats == NULL || (f = open_memstream(&buf, &len)) == NULL)
		return arr;
	port->ops->print_stats(port, f);
	fclose(f);
	for (char *line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		json_t *rec = json_object();
		char *s2 = NULL, *tok = strtok_r(line, " ", &s2);

		tok = strtok_r(NULL, " ", &s2); /* after "stats" */
		if (tok != NULL)
			json_object_set_new(rec, "record", json_string(tok));
		while ((tok = strtok_r(NULL, " ", &s2)) != NULL) {
			char *eq = strchr(tok, '='), *end;
			unsigned long long v;

			if (eq == NULL)
				continue;
			*eq = '\0';
			v = strtoull(eq + 1, &end, 10);
			json_object_set_new(rec, tok, *end == '\0' && end != eq + 1 ?
					    json_integer((json_int_t)v) :
					    json_string(eq + 1));
		}
		json_array_append_new(arr, rec);
	}
	free(buf);
	return arr;
}

static json_t *
port_row(const struct vsw_dp *dp, const struct vsw_port *p)
{
	struct vsw_port_stats rx, tx;
	char att[64], vlan[VSW_CTL_VLAN_TEXT];

	vsw_port_stats_sum(p, &rx, &tx);
	vsw_dp_port_attachment(dp, p, att, sizeof(att));
	vsw_port_vlan_format(&p->vlan, vlan, sizeof(vlan));
	return json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:I, s:I, s:I, s:I}",
			 "port", p->name, "type", p->ops->type,
			 "rxq", p->nb_rxq, "txq", p->nb_txq,
			 "vlan", vlan[0] ? vlan : "all", "attached", att,
			 "rx_packets", (json_int_t)rx.packets,
			 "tx_packets", (json_int_t)tx.packets,
			 "rx_drops", (json_int_t)rx.drops,
			 "tx_drops", (json_int_t)tx.drops);
}

static int
h_port_list(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	const struct vsw_dp *dp = arg;
	struct vsw_port *ports[VSW_PORT_MAX];
	unsigned int n = vsw_dp_ports(dp, ports, VSW_PORT_MAX);

	*result = json_array();
	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(*result, port_row(dp, ports[i]));
	return 0;
}

static int
need_port(const struct vsw_dp *dp, const json_t *params, size_t i,
	  struct vsw_port **port, char *err, size_t len)
{
	const char *name;

	if (vsw_rpc_param_str(params, i, "port", &name, err, len) != 0)
		return -EINVAL;
	*port = vsw_dp_port(dp, name);
	if (*port == NULL) {
		snprintf(err, len, "no port %s", name);
		return -ENOENT;
	}
	return 0;
}

static json_t *
queue_rows(const struct vsw_dp *dp, const struct vsw_port *p)
{
	static struct vsw_dp_rxq_info q[MAX_RXQ];
	unsigned int n = vsw_dp_rxqs(dp, q, MAX_RXQ);
	json_t *rows = json_array();

	for (unsigned int i = 0; i < n; i++) {
		const struct vsw_port_stats *s = &p->rx[q[i].qid];

		if (q[i].port != p)
			continue;
		json_array_append_new(rows, json_pack(
			"{s:s, s:i, s:i, s:I, s:I, s:I, s:I}", "dir", "rx",
			"q", q[i].qid, "pmd", q[i].pmd,
			"packets", (json_int_t)s->packets,
			"bytes", (json_int_t)s->bytes,
			"drops", (json_int_t)s->drops,
			"cycles", (json_int_t)s->cycles));
	}
	for (uint16_t t = 0; t < p->nb_txq; t++) {
		const struct vsw_port_stats *s = &p->tx[t];

		json_array_append_new(rows, json_pack(
			"{s:s, s:i, s:b, s:I, s:I, s:I, s:I}", "dir", "tx",
			"q", t, "shared", p->tx_shared,
			"packets", (json_int_t)s->packets,
			"bytes", (json_int_t)s->bytes,
			"drops", (json_int_t)s->drops,
			"contended", (json_int_t)s->contended));
	}
	return rows;
}

static int
h_port_show(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	const struct vsw_dp *dp = arg;
	struct vsw_port *p;
	char desc[256];
	int rc = need_port(dp, params, 0, &p, err, len);

	if (rc != 0)
		return rc;
	p->ops->describe(p, desc, sizeof(desc));
	*result = port_row(dp, p);
	json_object_set_new(*result, "description", json_string(desc));
	json_object_set_new(*result, "queues", queue_rows(dp, p));
	json_object_set_new(*result, "driver", driver_records(p));
	return 0;
}

static int
h_port_add(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	struct vsw_dp *dp = arg;
	const char *name, *spec;
	int rc;

	if (vsw_rpc_param_str(params, 0, "port", &name, err, len) != 0 ||
	    vsw_rpc_param_str(params, 1, "spec", &spec, err, len) != 0)
		return -EINVAL;
	if (!vsw_ctl_valid_name(name, err, len))
		return -EINVAL;
	rc = vsw_dp_port_add(dp, name, spec, err, len);
	if (rc != 0)
		return rc == -EINVAL ? -EIO : rc; /* spec errors: the command failed */
	*result = port_row(dp, vsw_dp_port(dp, name));
	return 0;
}

static int
h_port_del(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	const char *name;

	if (vsw_rpc_param_str(params, 0, "port", &name, err, len) != 0)
		return -EINVAL;
	return vsw_dp_port_del(arg, name, err, len);
}

static int
h_xconnect_add(void *arg, json_t *params, json_t **result, char *err,
	       size_t len)
{
	const char *a, *b;

	if (vsw_rpc_param_str(params, 0, "a", &a, err, len) != 0 ||
	    vsw_rpc_param_str(params, 1, "b", &b, err, len) != 0)
		return -EINVAL;
	return vsw_dp_xconnect_add(arg, a, b, err, len);
}

static int
h_xconnect_del(void *arg, json_t *params, json_t **result, char *err,
	       size_t len)
{
	const char *a;

	if (vsw_rpc_param_str(params, 0, "port", &a, err, len) != 0)
		return -EINVAL;
	return vsw_dp_xconnect_del(arg, a, err, len);
}

static int
h_pmd_stats(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	const struct vsw_dp *dp = arg;
	static struct vsw_dp_rxq_info q[MAX_RXQ];
	unsigned int n = vsw_dp_rxqs(dp, q, MAX_RXQ);

	*result = json_array();
	for (unsigned int i = 0; i < vsw_dp_n_pmds(dp); i++) {
		const struct vsw_pmd *pmd = vsw_dp_pmd(dp, i);
		uint64_t busy = __atomic_load_n(&pmd->stats.busy_cycles, __ATOMIC_RELAXED);
		uint64_t idle = __atomic_load_n(&pmd->stats.idle_cycles, __ATOMIC_RELAXED);
		uint64_t pkts = __atomic_load_n(&pmd->stats.packets, __ATOMIC_RELAXED);
		unsigned int rxqs = 0;

		for (unsigned int k = 0; k < n; k++)
			rxqs += q[k].pmd == (int)i;
		json_array_append_new(*result, json_pack(
			"{s:i, s:i, s:i, s:I, s:I, s:I, s:f, s:f}",
			"pmd", i, "lcore", pmd->lcore, "rxqs", rxqs,
			"packets", (json_int_t)pkts, "busy_cycles", (json_int_t)busy,
			"idle_cycles", (json_int_t)idle,
			"busy_pct", busy + idle ? 100.0 * (double)busy /
						  (double)(busy + idle) : 0.0,
			"cycles_per_packet", pkts ? (double)busy / (double)pkts : 0.0));
	}
	return 0;
}

/* The mbuf pool: in use = out of the pool and its per-lcore caches. */
static int
h_mempool_show(void *arg, json_t *params, json_t **result, char *err,
	       size_t len)
{
	const struct rte_mempool *mp = vsw_dp_mempool(arg);

	*result = json_pack("{s:s, s:I, s:I, s:I, s:I}", "name", mp->name,
			    "size", (json_int_t)mp->size,
			    "cache_size", (json_int_t)mp->cache_size,
			    "available", (json_int_t)rte_mempool_avail_count(mp),
			    "in_use", (json_int_t)rte_mempool_in_use_count(mp));
	return 0;
}

static int
h_pmd_rxq_show(void *arg, json_t *params, json_t **result, char *err,
	       size_t len)
{
	const struct vsw_dp *dp = arg;
	static struct vsw_dp_rxq_info q[MAX_RXQ];
	unsigned int n = vsw_dp_rxqs(dp, q, MAX_RXQ);
	uint64_t total[VSW_PMD_MAX] = { 0 };

	for (unsigned int i = 0; i < n; i++)
		if (q[i].pmd >= 0)
			total[q[i].pmd] += q[i].cycles;
	*result = json_array();
	for (unsigned int p = 0; p < vsw_dp_n_pmds(dp); p++) {
		for (unsigned int i = 0; i < n; i++) {
			if (q[i].pmd != (int)p)
				continue;
			json_array_append_new(*result, json_pack(
				"{s:i, s:i, s:s, s:i, s:b, s:I, s:I, s:f}",
				"pmd", p, "lcore", q[i].lcore, "port",
				q[i].port->name, "queue", q[i].qid,
				"pinned", q[i].pinned,
				"packets", (json_int_t)q[i].packets,
				"cycles", (json_int_t)q[i].cycles,
				"pmd_share_pct", total[p] ? 100.0 *
				(double)q[i].cycles / (double)total[p] : 0.0));
		}
	}
	return 0;
}

static int
h_pmd_rebalance(void *arg, json_t *params, json_t **result, char *err,
		size_t len)
{
	struct vsw_dp *dp = arg;
	enum vsw_pmd_assign mode = vsw_dp_assign_mode(dp);
	unsigned int moved;
	const char *s;
	int rc;

	if (vsw_rpc_nparams(params) > 0) {
		if (vsw_rpc_param_str(params, 0, "mode", &s, err, len) != 0)
			return -EINVAL;
		if (vsw_pmd_assign_parse(s, &mode) != 0) {
			snprintf(err, len, "mode '%s': expected roundrobin or cycles", s);
			return -EINVAL;
		}
	}
	rc = vsw_dp_rebalance(dp, mode, &moved, err, len);
	if (rc != 0)
		return rc;
	*result = json_pack("{s:s, s:i}", "mode", vsw_pmd_assign_name(mode),
			    "moved", moved);
	return 0;
}

static int
h_pmd_rxq_pin(void *arg, json_t *params, json_t **result, char *err,
	      size_t len)
{
	struct vsw_dp *dp = arg;
	const char *port, *pmd;
	uint64_t q, p = 0;

	if (vsw_rpc_param_str(params, 0, "port", &port, err, len) != 0 ||
	    vsw_rpc_param_uint(params, 1, "queue", 0, VSW_PORT_MAX_QUEUES - 1, &q,
			       err, len) != 0 ||
	    vsw_rpc_param_str(params, 2, "pmd", &pmd, err, len) != 0)
		return -EINVAL;
	if (strcmp(pmd, "none") != 0 &&
	    vsw_rpc_parse_uint("pmd", pmd, 0, vsw_dp_n_pmds(dp) - 1, &p, err,
			       len) != 0)
		return -EINVAL;
	return vsw_dp_rxq_pin(dp, port, (unsigned int)q,
			      strcmp(pmd, "none") == 0 ? -1 : (int)p, err, len);
}

static int
h_port_vdpa(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	struct vsw_dp *dp = arg;
	const char *port, *mode;
	int rc;

	if (vsw_rpc_param_str(params, 0, "port", &port, err, len) != 0 ||
	    vsw_rpc_param_str(params, 1, "mode", &mode, err, len) != 0)
		return -EINVAL;
	if (strcmp(mode, "on") != 0 && strcmp(mode, "off") != 0) {
		snprintf(err, len, "mode '%s': on (the device runs the rings) or"
			 " off (vsw's data path does)", mode);
		return -EINVAL;
	}
	rc = vsw_dp_port_offload(dp, port, strcmp(mode, "on") == 0, err, len);
	if (rc == 0)
		*result = json_pack("{s:s, s:s}", "port", port, "vdpa", mode);
	return rc;
}

/* One vDPA port: mode, description, the device's records. */
static json_t *
vdpa_record(const struct vsw_dp *dp, const struct vsw_port *p, bool full)
{
	char desc[256];
	json_t *recs = driver_records(p), *o, *dev = NULL;
	size_t i;

	p->ops->describe(p, desc, sizeof(desc));
	json_array_foreach(recs, i, o)
		if (strcmp(json_string_value(json_object_get(o, "record")), "vdpa") == 0)
			dev = o;
	o = json_pack("{s:s, s:s, s:s, s:O?}", "port", p->name, "mode",
		      p->parked ? "offload" : "software", "description", desc,
		      "device", dev);
	if (full)
		json_object_set(o, "records", recs);
	json_decref(recs);
	return o;
}

static int
h_vdpa_list(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	const struct vsw_dp *dp = arg;
	struct vsw_port *ports[VSW_PORT_MAX];
	unsigned int n = vsw_dp_ports(dp, ports, VSW_PORT_MAX);

	*result = json_array();
	for (unsigned int i = 0; i < n; i++)
		if (ports[i]->ops->offload != NULL)
			json_array_append_new(*result, vdpa_record(dp, ports[i], false));
	return 0;
}

static int
h_vdpa_show(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	const struct vsw_dp *dp = arg;
	const struct vsw_port *p;
	const char *name;

	if (vsw_rpc_param_str(params, 0, "port", &name, err, len) != 0)
		return -EINVAL;
	p = vsw_dp_port(dp, name);
	if (p == NULL || p->ops->offload == NULL) {
		snprintf(err, len, p == NULL ? "no port %s" : "port %s is not a"
			 " vDPA port", name);
		return -ENOENT;
	}
	*result = vdpa_record(dp, p, true);
	return 0;
}

static const struct vsw_rpc_method methods[] = {
	{ "port-list", "port-list", "ports with their queues, VLANs, attachment"
	  " and counters", 0, 0, h_port_list, NULL },
	{ "port-show", "port-show PORT", "one port: description, per-queue and"
	  " driver counters", 1, 1, h_port_show, NULL },
	{ "port-add", "port-add PORT SPEC", "create a port (SPEC as --port takes"
	  " it), attached to nothing", 2, 2, h_port_add, NULL },
	{ "port-del", "port-del PORT", "detach and destroy a port", 1, 1,
	  h_port_del, NULL },
	{ "xconnect-add", "xconnect-add A B", "forward A to B and back (A A:"
	  " reflect)", 2, 2, h_xconnect_add, NULL },
	{ "xconnect-del", "xconnect-del PORT", "undo PORT's cross-connect", 1, 1,
	  h_xconnect_del, NULL },
	{ "port-vdpa", "port-vdpa PORT on|off", "move a vDPA port's rings to"
	  " its device (on) or to vsw's data path (off), at their positions",
	  2, 2, h_port_vdpa, NULL },
	{ "vdpa-list", "vdpa-list", "vDPA ports: mode, device, description",
	  0, 0, h_vdpa_list, NULL },
	{ "vdpa-show", "vdpa-show PORT", "a vDPA port: mode, device, per-queue"
	  " counters", 1, 1, h_vdpa_show, NULL },
	{ "mempool-show", "mempool-show", "the mbuf pool: size, available,"
	  " in use", 0, 0, h_mempool_show, NULL },
	{ "pmd-stats-show", "pmd-stats-show", "per PMD: rx queues, packets, busy"
	  " and idle cycles, cycles per packet", 0, 0, h_pmd_stats, NULL },
	{ "pmd-rxq-show", "pmd-rxq-show", "which PMD polls which rx queue, with"
	  " the cycles each used since the last assignment", 0, 0,
	  h_pmd_rxq_show, NULL },
	{ "pmd-rebalance", "pmd-rebalance [roundrobin|cycles]", "re-assign the"
	  " unpinned rx queues (default: the current mode)", 0, 1,
	  h_pmd_rebalance, NULL },
	{ "pmd-rxq-pin", "pmd-rxq-pin PORT QUEUE PMD|none", "keep an rx queue on"
	  " a PMD (none: unpin)", 3, 3, h_pmd_rxq_pin, NULL },
};

bool
vsw_ctl_valid_name(const char *name, char *err, size_t errlen)
{
	if (vsw_config_valid_name(name, strlen(name)))
		return true;
	snprintf(err, errlen, "name '%s' must be 1-%d characters of"
		 " [A-Za-z0-9._-]", name, VSW_CONFIG_NAME_MAX - 1);
	return false;
}

int
vsw_ctl_register(struct vsw_rpc *rpc, const struct vsw_rpc_method *ms,
		 unsigned int n, struct vsw_dp *dp, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < n; i++) {
		struct vsw_rpc_method m = ms[i];
		int rc;

		m.arg = dp;
		rc = vsw_rpc_register(rpc, &m);
		if (rc != 0) {
			snprintf(err, errlen, "cannot register %s: %s", m.name,
				 strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int
vsw_ctl_register_dp(struct vsw_rpc *rpc, struct vsw_dp *dp, char *err,
		    size_t errlen)
{
	int rc = vsw_ctl_register(rpc, methods, RTE_DIM(methods), dp, err, errlen);

	return rc != 0 ? rc : vsw_ctl_register_bridge(rpc, dp, err, errlen);
}
