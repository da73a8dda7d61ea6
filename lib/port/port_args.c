/* SPDX-License-Identifier: BSD-3-Clause */
/* "key=value,key=value" option lists of port specs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vsw_port.h"

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
		size_t vlen = eq ? len - klen - 1 : 0;

		if (args->n == VSW_PORT_ARGS_MAX) {
			snprintf(err, errlen, "more than %d options", VSW_PORT_ARGS_MAX);
			return -EINVAL;
		}
		if (eq == NULL || klen == 0 || klen >= sizeof(args->kv[0].key) ||
		    vlen >= sizeof(args->kv[0].val)) {
			snprintf(err, errlen, "malformed option '%.*s' (want key=value)",
				 (int)len, s);
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
		memcpy(args->kv[args->n].val, eq + 1, vlen);
		args->n++;
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
