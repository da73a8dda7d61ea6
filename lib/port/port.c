/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vsw_port.h"

#define PORT_MAX_TYPES 8

static const struct vsw_port_ops *port_types[PORT_MAX_TYPES];
static unsigned int n_port_types;
/* Port ids in use (control thread only). */
static bool id_used[VSW_PORT_MAX];

void
vsw_port_register(const struct vsw_port_ops *ops)
{
	if (n_port_types < PORT_MAX_TYPES)
		port_types[n_port_types++] = ops;
}

static const struct vsw_port_ops *
find_type(const char *type, size_t len)
{
	for (unsigned int i = 0; i < n_port_types; i++)
		if (strlen(port_types[i]->type) == len &&
		    memcmp(port_types[i]->type, type, len) == 0)
			return port_types[i];
	return NULL;
}

static void
list_types(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n_port_types && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", port_types[i]->type);
}

static int
alloc_id(void)
{
	for (int i = 0; i < VSW_PORT_MAX; i++) {
		if (!id_used[i]) {
			id_used[i] = true;
			return i;
		}
	}
	return -1;
}

/* PMD p sends on tx queue p modulo their number; shared when fewer. */
static void
map_txqs(struct vsw_port *port, uint16_t n_pmds)
{
	if (port->nb_txq == 0)
		return;
	for (uint16_t p = 0; p < VSW_PORT_MAX_PMDS; p++)
		port->txq_of[p] = (uint8_t)(p % port->nb_txq);
	port->tx_shared = n_pmds > port->nb_txq;
	for (uint16_t q = 0; q < VSW_PORT_MAX_QUEUES; q++)
		vsw_spinlock_init(&port->txlock[q]);
}

/* The port layer's own keys: VLAN membership. */
static int
take_port_keys(struct vsw_port *port, struct vsw_port_args *args, char *err,
	       size_t errlen)
{
	const char *vlan = vsw_port_arg_str(args, "vlan");
	const char *trunk = vsw_port_arg_str(args, "trunk");

	return vsw_port_vlan_parse(&port->vlan, vlan, trunk, err, errlen);
}

/* The type of @p spec and its option list. @return ops, or NULL. */
static const struct vsw_port_ops *
split_spec(const char *spec, const char **opts, char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	size_t tlen = colon ? (size_t)(colon - spec) : strlen(spec);
	const struct vsw_port_ops *ops = find_type(spec, tlen);
	char types[128];

	*opts = colon ? colon + 1 : "";
	if (ops == NULL) {
		list_types(types, sizeof(types));
		snprintf(err, errlen, "unknown type '%.*s' (known: %s)", (int)tlen,
			 spec, types);
	}
	return ops;
}

int
vsw_port_spec_check(const char *spec, char *err, size_t errlen)
{
	struct vsw_port_args args;
	struct vsw_port_vlan vlan;
	const char *opts;

	if (split_spec(spec, &opts, err, errlen) == NULL ||
	    vsw_port_args_parse(opts, &args, err, errlen) != 0)
		return -EINVAL;
	return vsw_port_vlan_parse(&vlan, vsw_port_arg_str(&args, "vlan"),
				   vsw_port_arg_str(&args, "trunk"), err, errlen);
}

struct vsw_port *
vsw_port_create(const char *name, const char *spec,
		const struct vsw_port_env *env, char *err, size_t errlen)
{
	struct vsw_port_args args;
	const struct vsw_port_ops *ops;
	struct vsw_port *port;
	const char *unused, *opts;
	char why[256];
	int id;

	ops = split_spec(spec, &opts, why, sizeof(why));
	if (ops == NULL) {
		snprintf(err, errlen, "port %s: %s", name, why);
		return NULL;
	}
	if (vsw_port_args_parse(opts, &args, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "port %s (%s): %s", name, ops->type, why);
		return NULL;
	}
	port = calloc(1, sizeof(*port));
	if (port == NULL) {
		snprintf(err, errlen, "port %s: out of memory", name);
		return NULL;
	}
	port->ops = ops;
	snprintf(port->name, sizeof(port->name), "%s", name);
	if (take_port_keys(port, &args, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "port %s: %s", name, why);
		goto err_free;
	}
	if (ops->create(port, &args, env, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "port %s (%s): %s", name, ops->type, why);
		goto err_free;
	}
	unused = vsw_port_args_unused(&args);
	if (unused != NULL) {
		snprintf(err, errlen, "port %s: unknown option '%s' for type %s",
			 name, unused, ops->type);
		goto err_destroy;
	}
	id = alloc_id();
	if (id < 0) {
		snprintf(err, errlen, "port %s: more than %d ports", name,
			 VSW_PORT_MAX);
		goto err_destroy;
	}
	port->id = (uint16_t)id;
	map_txqs(port, env->n_pmds ? env->n_pmds : 1);
	return port;

err_destroy:
	ops->destroy(port);
err_free:
	free(port);
	return NULL;
}

void
vsw_port_destroy(struct vsw_port *port)
{
	if (port == NULL)
		return;
	port->ops->destroy(port);
	id_used[port->id] = false;
	free(port);
}

void
vsw_port_stats_sum(const struct vsw_port *port, struct vsw_port_stats *rx,
		   struct vsw_port_stats *tx)
{
	memset(rx, 0, sizeof(*rx));
	memset(tx, 0, sizeof(*tx));
	for (unsigned int q = 0; q < VSW_PORT_MAX_QUEUES; q++) {
		rx->packets += port->rx[q].packets;
		rx->bytes += port->rx[q].bytes;
		rx->drops += port->rx[q].drops;
		tx->packets += port->tx[q].packets;
		tx->bytes += port->tx[q].bytes;
		tx->drops += port->tx[q].drops;
	}
	if (port->ops->device_stats != NULL)
		port->ops->device_stats(port, rx, tx);
}

void
vsw_port_print_stats(const struct vsw_port *port, FILE *f)
{
	for (unsigned int q = 0; q < port->nb_rxq; q++)
		fprintf(f, "stats rxq port=%s q=%u packets=%" PRIu64 " bytes=%"
			PRIu64 " drops=%" PRIu64 " cycles=%" PRIu64 "\n", port->name,
			q, port->rx[q].packets, port->rx[q].bytes,
			port->rx[q].drops, port->rx[q].cycles);
	for (unsigned int q = 0; q < port->nb_txq && q < VSW_PORT_MAX_QUEUES; q++)
		fprintf(f, "stats txq port=%s q=%u packets=%" PRIu64 " bytes=%"
			PRIu64 " drops=%" PRIu64 " shared=%d contended=%" PRIu64 "\n",
			port->name, q, port->tx[q].packets, port->tx[q].bytes,
			port->tx[q].drops, port->tx_shared, port->tx[q].contended);
	if (port->ops->print_stats != NULL)
		port->ops->print_stats(port, f);
}
