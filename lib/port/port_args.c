/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "key=value,key=value" option lists of port specs.
 *
 * Two rules let values hold commas, as the forms users write do:
 * - an item without '=' continues the value before it: "trunk=10,20,30"
 *   is one option, trunk = "10,20,30";
 * - a key in greedy_keys (devargs; a vdpa port's wire) takes the rest of
 *   the spec as its value:
 *   "queues=2,devargs=net_af_packet0,iface=veth0" gives devargs =
 *   "net_af_packet0,iface=veth0" (DPDK devargs have commas of their own).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vsw_port.h"

static const char *const greedy_keys[] = { "devargs", "wire" };

static bool
is_greedy(const char *key, size_t klen)
{
	for (unsigned int i = 0; i < RTE_DIM(greedy_keys); i++)
		if (strlen(greedy_keys[i]) == klen &&
		    memcmp(greedy_keys[i], key, klen) == 0)
			return true;
	return false;
}

/* Append ",item" to the last value. */
static int
continue_value(struct vsw_port_args *args, const char *s, size_t len,
	       char *err, size_t errlen)
{
	char *val;
	size_t have;

	if (args->n == 0) {
		snprintf(err, errlen, "malformed option '%.*s' (want key=value)",
			 (int)len, s);
		return -EINVAL;
	}
	val = args->kv[args->n - 1].val;
	have = strlen(val);
	if (have + 1 + len >= sizeof(args->kv[0].val)) {
		snprintf(err, errlen, "option '%s': value longer than %zu bytes",
			 args->kv[args->n - 1].key, sizeof(args->kv[0].val) - 1);
		return -EINVAL;
	}
	val[have] = ',';
	memcpy(val + have + 1, s, len);
	val[have + 1 + len] = '\0';
	return 0;
}

static int
add_option(struct vsw_port_args *args, const char *s, size_t klen,
	   const char *v, size_t vlen, char *err, size_t errlen)
{
	if (args->n == VSW_PORT_ARGS_MAX) {
		snprintf(err, errlen, "more than %d options", VSW_PORT_ARGS_MAX);
		return -EINVAL;
	}
	if (klen == 0 || klen >= sizeof(args->kv[0].key) ||
	    vlen >= sizeof(args->kv[0].val)) {
		snprintf(err, errlen, "malformed option '%.*s=%.*s' (want key=value,"
			 " keys up to %zu and values up to %zu bytes)", (int)klen, s,
			 (int)RTE_MIN(vlen, 64u), v, sizeof(args->kv[0].key) - 1,
			 sizeof(args->kv[0].val) - 1);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < args->n; i++) {
		if (strlen(args->kv[i].key) == klen &&
		    memcmp(args->kv[i].key, s, klen) == 0) {
			snprintf(err, errlen, "option '%.*s' given twice",
				 (int)klen, s);
			return -EINVAL;
		}
	}
	memcpy(args->kv[args->n].key, s, klen);
	memcpy(args->kv[args->n].val, v, vlen);
	args->n++;
	return 0;
}

int
vsw_port_args_parse(const char *s, struct vsw_port_args *args, char *err,
		    size_t errlen)
{
	memset(args, 0, sizeof(*args));
	while (*s != '\0') {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *eq = memchr(s, '=', len);
		size_t klen = eq ? (size_t)(eq - s) : len;
		int rc;

		if (eq == NULL) {
			rc = continue_value(args, s, len, err, errlen);
		} else if (is_greedy(s, klen)) {
			len = strlen(s);
			rc = add_option(args, s, klen, eq + 1, len - klen - 1,
					err, errlen);
			end = NULL;
		} else {
			rc = add_option(args, s, klen, eq + 1, len - klen - 1,
					err, errlen);
		}
		if (rc != 0)
			return rc;
		s += len + (end ? 1 : 0);
	}
	return 0;
}

const char *
vsw_port_arg_str(struct vsw_port_args *args, const char *key)
{
	for (unsigned int i = 0; i < args->n; i++) {
		if (strcmp(args->kv[i].key, key) == 0) {
			args->kv[i].used = true;
			return args->kv[i].val;
		}
	}
	return NULL;
}

int
vsw_port_arg_uint(struct vsw_port_args *args, const char *key,
		  unsigned long min, unsigned long max, unsigned long def,
		  unsigned long *out, char *err, size_t errlen)
{
	const char *v = vsw_port_arg_str(args, key);
	char *end;
	unsigned long x;

	if (v == NULL) {
		*out = def;
		return 0;
	}
	errno = 0;
	x = strtoul(v, &end, 0);
	if (*v == '\0' || *v == '-' || *end != '\0' || errno != 0 ||
	    x < min || x > max) {
		snprintf(err, errlen, "option '%s': '%s' is not a number in %lu..%lu",
			 key, v, min, max);
		return -EINVAL;
	}
	*out = x;
	return 0;
}

const char *
vsw_port_args_unused(const struct vsw_port_args *args)
{
	for (unsigned int i = 0; i < args->n; i++)
		if (!args->kv[i].used)
			return args->kv[i].key;
	return NULL;
}
