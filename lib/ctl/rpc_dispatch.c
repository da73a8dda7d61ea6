/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a request line means: JSON-RPC 2.0 checks, the method table, the
 * argument-count check before any handler runs, error mapping, the
 * built-in methods and the argument helpers handlers use.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_version.h>

#include "rpc_priv.h"

#ifndef VSW_VERSION
#define VSW_VERSION "unknown"
#endif

/* A JSON string of @p s; bytes that are not valid UTF-8 become '?'
 * (a message may quote a truncated argument). */
static json_t *
msg_string(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j != NULL)
		return j;
	copy = strdup(s);
	if (copy == NULL)
		return NULL;
	for (char *p = copy; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *
error_reply(json_t *id, int code, const char *msg)
{
	return json_pack("{s:s, s:O?, s:{s:i, s:o}}", "jsonrpc", "2.0",
			 "id", id, "error", "code", code, "message",
			 msg_string(msg));
}

void
rpc_send_error(struct rpc_client *c, json_t *id, int code, const char *msg)
{
	json_t *reply = error_reply(id, code, msg);

	if (reply == NULL || rpc_client_send(c, reply) != 0)
		rpc_client_fail(c, "out of memory for a reply");
	json_decref(reply);
}

__attribute__((format(printf, 3, 4)))
static json_t *
error_replyf(json_t *id, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return error_reply(id, code, msg);
}

static int
method_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct vsw_rpc_method *)elem)->name);
}

static const struct vsw_rpc_method *
find_method(const struct vsw_rpc *rpc, const char *name)
{
	if (rpc->n_methods == 0)
		return NULL; /* bsearch() wants a table */
	return bsearch(name, rpc->methods, rpc->n_methods,
		       sizeof(rpc->methods[0]), method_cmp);
}

/* Run @p m (a copy: the handler may change the table) on checked params. */
static json_t *
call_method(const struct vsw_rpc_method m, json_t *params, json_t *id)
{
	json_t *result = NULL, *reply;
	char err[512] = "";
	int rc;

	if (json_is_array(params) &&
	    (json_array_size(params) < m.min_args ||
	     json_array_size(params) > m.max_args))
		return error_replyf(id, VSW_RPC_INVALID_PARAMS,
				    "wrong number of arguments; usage: %s",
				    m.usage);
	rc = m.fn(m.arg, params, &result, err, sizeof(err));
	if (rc != 0) {
		json_decref(result);
		if (err[0] == '\0')
			snprintf(err, sizeof(err), "%s: %s", m.name, strerror(-rc));
		return error_reply(id, rc == -EINVAL ? VSW_RPC_INVALID_PARAMS :
				   VSW_RPC_COMMAND_FAILED, err);
	}
	reply = json_pack("{s:s, s:O?, s:o}", "jsonrpc", "2.0", "id", id,
			  "result", result != NULL ? result : json_null());
	return reply != NULL ? reply :
	       error_reply(id, VSW_RPC_INTERNAL_ERROR, "out of memory");
}

/* The reply to a parsed request (NULL: none, for a notification). */
static json_t *
dispatch(struct vsw_rpc *rpc, json_t *req)
{
	const struct vsw_rpc_method *m;
	json_t *id, *v, *params, *reply;
	const char *name;

	if (json_is_array(req))
		return error_reply(NULL, VSW_RPC_INVALID_REQUEST,
				   "batch requests are not supported");
	if (!json_is_object(req))
		return error_reply(NULL, VSW_RPC_INVALID_REQUEST,
				   "a request is a JSON object");
	id = json_object_get(req, "id");
	if (id != NULL && !json_is_string(id) && !json_is_number(id) &&
	    !json_is_null(id))
		return error_reply(NULL, VSW_RPC_INVALID_REQUEST,
				   "\"id\" must be a number, a string or null");
	v = json_object_get(req, "jsonrpc");
	if (!json_is_string(v) || strcmp(json_string_value(v), "2.0") != 0)
		return error_reply(id, VSW_RPC_INVALID_REQUEST,
				   "\"jsonrpc\" must be \"2.0\"");
	v = json_object_get(req, "method");
	if (!json_is_string(v))
		return error_reply(id, VSW_RPC_INVALID_REQUEST,
				   "\"method\" must be a string");
	name = json_string_value(v);
	params = json_object_get(req, "params");
	m = find_method(rpc, name);
	if (m == NULL) {
		reply = error_replyf(id, VSW_RPC_METHOD_NOT_FOUND,
				     "unknown method '%.64s'", name);
	} else if (params == NULL) {
		params = json_array(); /* absent: no positional arguments */
		reply = params == NULL ?
			error_reply(id, VSW_RPC_INTERNAL_ERROR, "out of memory") :
			call_method(*m, params, id);
		json_decref(params);
	} else if (!json_is_array(params) && !json_is_object(params)) {
		reply = error_reply(id, VSW_RPC_INVALID_PARAMS,
				    "\"params\" must be an array or an object");
	} else {
		reply = call_method(*m, params, id);
	}
	if (id == NULL) { /* a notification: no reply, whatever happened */
		json_decref(reply);
		return NULL;
	}
	return reply;
}

bool
rpc_serve_line(struct rpc_client *c, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *req, *reply;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
			   line[len - 1] == '\t'))
		len--;
	if (len == 0)
		return false;
	if (rpc_out_pending(c) > VSW_RPC_OUTPUT_MAX) {
		rpc_client_fail(c, "does not read its replies");
		return true;
	}
	req = json_loadb(line, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
			 &jerr);
	if (req == NULL) {
		reply = error_replyf(NULL, VSW_RPC_PARSE_ERROR,
				     "parse error at byte %d: %s", jerr.position,
				     jerr.text);
	} else {
		reply = dispatch(c->rpc, req);
	}
	if (reply != NULL && rpc_client_send(c, reply) != 0)
		rpc_send_error(c, json_object_get(reply, "id"),
			       VSW_RPC_INTERNAL_ERROR, "cannot encode the result");
	else if (reply == NULL && req == NULL)
		rpc_client_fail(c, "out of memory for a reply");
	json_decref(reply);
	json_decref(req);
	return true;
}

int
vsw_rpc_register(struct vsw_rpc *rpc, const struct vsw_rpc_method *m)
{
	size_t i;

	if (m->name == NULL || m->name[0] == '\0' || m->usage == NULL ||
	    m->help == NULL || m->fn == NULL || m->min_args > m->max_args)
		return -EINVAL;
	if (find_method(rpc, m->name) != NULL)
		return -EEXIST;
	if (rpc->n_methods == rpc->cap_methods) {
		size_t cap = rpc->cap_methods ? 2 * rpc->cap_methods : 16;
		struct vsw_rpc_method *p = realloc(rpc->methods, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		rpc->methods = p;
		rpc->cap_methods = cap;
	}
	for (i = rpc->n_methods; i > 0; i--) {
		if (strcmp(rpc->methods[i - 1].name, m->name) < 0)
			break;
		rpc->methods[i] = rpc->methods[i - 1];
	}
	rpc->methods[i] = *m;
	rpc->n_methods++;
	return 0;
}

int
vsw_rpc_unregister(struct vsw_rpc *rpc, const char *name)
{
	const struct vsw_rpc_method *m = find_method(rpc, name);
	size_t i;

	if (m == NULL)
		return -ENOENT;
	i = (size_t)(m - rpc->methods);
	memmove(&rpc->methods[i], &rpc->methods[i + 1],
		(rpc->n_methods - i - 1) * sizeof(rpc->methods[0]));
	rpc->n_methods--;
	return 0;
}

void
rpc_free_methods(struct vsw_rpc *rpc)
{
	free(rpc->methods);
	rpc->methods = NULL;
	rpc->n_methods = rpc->cap_methods = 0;
}

static json_t *
method_json(const struct vsw_rpc_method *m)
{
	return json_pack("{s:s, s:s, s:s}", "method", m->name, "usage", m->usage,
			 "help", m->help);
}

static int
h_help(void *arg, json_t *params, json_t **result, char *err, size_t errlen)
{
	const struct vsw_rpc *rpc = arg;
	const struct vsw_rpc_method *m;
	const char *name = NULL;
	json_t *list = json_array();

	if (list == NULL)
		return -ENOMEM;
	*result = list;
	if ((vsw_rpc_nparams(params) > 0 || json_object_get(params, "method")) &&
	    vsw_rpc_param_str(params, 0, "method", &name, err, errlen) != 0)
		return -EINVAL;
	if (name != NULL) {
		m = find_method(rpc, name);
		if (m == NULL) {
			snprintf(err, errlen, "unknown method '%.64s'", name);
			return -EINVAL;
		}
		return json_array_append_new(list, method_json(m)) == 0 ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i < rpc->n_methods; i++)
		if (json_array_append_new(list, method_json(&rpc->methods[i])) != 0)
			return -ENOMEM;
	return 0;
}

static int
h_version(void *arg, json_t *params, json_t **result, char *err, size_t errlen)
{
	*result = json_pack("{s:s, s:s}", "vsw", VSW_VERSION, "dpdk", rte_version());
	return *result != NULL ? 0 : -ENOMEM;
}

int
rpc_register_builtins(struct vsw_rpc *rpc, char *err, size_t errlen)
{
	const struct vsw_rpc_method builtins[] = {
		{ "help", "help [METHOD]",
		  "list the methods, or describe one", 0, 1, h_help, rpc },
		{ "version", "version", "vsw and DPDK versions", 0, 0,
		  h_version, NULL },
	};

	for (size_t i = 0; i < RTE_DIM(builtins); i++) {
		int rc = vsw_rpc_register(rpc, &builtins[i]);

		if (rc != 0) {
			snprintf(err, errlen, "control socket: method %s: %s",
				 builtins[i].name, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

size_t
vsw_rpc_nparams(const json_t *params)
{
	return json_is_array(params) ? json_array_size(params) : 0;
}

static const json_t *
param(const json_t *params, size_t i, const char *name)
{
	if (json_is_array(params))
		return json_array_get(params, i);
	if (json_is_object(params))
		return json_object_get(params, name);
	return NULL;
}

int
vsw_rpc_param_str(const json_t *params, size_t i, const char *name,
		  const char **out, char *err, size_t errlen)
{
	const json_t *v = param(params, i, name);

	if (v == NULL) {
		snprintf(err, errlen, "missing argument %s", name);
		return -EINVAL;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "%s must be a string", name);
		return -EINVAL;
	}
	*out = json_string_value(v);
	return 0;
}

int
vsw_rpc_parse_uint(const char *name, const char *s, uint64_t min,
		   uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	unsigned long long x;
	char *end;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || x < min ||
	    x > max) {
		snprintf(err, errlen, "%s '%.32s': expected a number in %" PRIu64
			 "..%" PRIu64, name, s, min, max);
		return -EINVAL;
	}
	*out = x;
	return 0;
}

int
vsw_rpc_param_uint(const json_t *params, size_t i, const char *name,
		   uint64_t min, uint64_t max, uint64_t *out, char *err,
		   size_t errlen)
{
	const json_t *v = param(params, i, name);
	json_int_t x;

	if (json_is_string(v))
		return vsw_rpc_parse_uint(name, json_string_value(v), min, max,
					  out, err, errlen);
	if (v == NULL) {
		snprintf(err, errlen, "missing argument %s", name);
		return -EINVAL;
	}
	x = json_is_integer(v) ? json_integer_value(v) : -1;
	if (x < 0 || (uint64_t)x < min || (uint64_t)x > max) {
		snprintf(err, errlen, "%s: expected a number in %" PRIu64 "..%"
			 PRIu64, name, min, max);
		return -EINVAL;
	}
	*out = (uint64_t)x;
	return 0;
}
