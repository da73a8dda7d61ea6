/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/ctl's JSON-RPC server: the input is what a client sends, cut into
 * lines at '\n' as the server's framing does (the last line served at end
 * of input), each handed to rpc_serve_line() of a client that has no
 * socket: replies pile up in its output buffer, which the harness reads
 * back after every line. The methods are the built-ins (help, version)
 * and those of tests/unit/test_rpc.c, plus reg/unreg, which change the
 * method table from inside a handler.
 *
 * Checked, from JSON-RPC 2.0 and vsw_rpc.h rather than from the code:
 * every reply is one JSON object with "jsonrpc": "2.0", the request's id
 * (null when there was none to take) and exactly one of result and error
 * (an integer code of the documented set and a string message); a request
 * with a usable id gets exactly one reply, a valid notification none, a
 * line that is not JSON a parse error; handlers run only with an argument
 * count inside their bounds; echo returns its text; help lists the
 * methods sorted by name, whatever was registered and unregistered.
 */
#include <errno.h>

#include <jansson.h>

#include "fuzz.h"
#include "rpc_priv.h"
#include "vsw_rpc.h"

#define MAX_REG 8

static char reg_names[MAX_REG][16]; /* names reg made, valid until freed */
static unsigned int n_reg;

/* A handler must never run outside its method's argument bounds. */
static void
arity_check(const json_t *params, size_t min, size_t max)
{
	FZ_CHECK(json_is_array(params) || json_is_object(params));
	if (json_is_array(params))
		FZ_CHECK(json_array_size(params) >= min &&
			 json_array_size(params) <= max);
}

/* echo TEXT [MORE]: returns TEXT. */
static int
h_echo(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	const char *s;

	arity_check(params, 1, 2);
	if (vsw_rpc_param_str(params, 0, "text", &s, err, len) != 0)
		return -EINVAL;
	*result = json_string(s);
	return 0;
}

/* fail einval|eio|other: fails, leaving a result to release. */
static int
h_fail(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	const char *how;

	arity_check(params, 1, 1);
	*result = json_string("must be released");
	if (vsw_rpc_param_str(params, 0, "how", &how, err, len) != 0)
		return -EINVAL;
	if (strcmp(how, "einval") == 0)
		return -EINVAL;
	if (strcmp(how, "eio") == 0)
		snprintf(err, len, "disk on fire");
	return -EIO;
}

/* num N: N in 1..100, a string or an integer. */
static int
h_num(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	uint64_t n;

	if (vsw_rpc_param_uint(params, 0, "n", 1, 100, &n, err, len) != 0)
		return -EINVAL;
	FZ_CHECK(n >= 1 && n <= 100);
	*result = json_pack("{s:I}", "n", (json_int_t)n);
	return 0;
}

/* reg NAME: register method NAME (an echo) on the server, arg. */
static int
h_reg(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	struct vsw_rpc_method m = {
		NULL, "NAME TEXT [MORE]", "registered by reg", 1, 2, h_echo, NULL,
	};
	const char *name;

	arity_check(params, 1, 1);
	if (vsw_rpc_param_str(params, 0, "name", &name, err, len) != 0)
		return -EINVAL;
	if (n_reg == MAX_REG)
		return -ENOSPC;
	snprintf(reg_names[n_reg], sizeof(reg_names[0]), "%s", name);
	m.name = reg_names[n_reg++];
	return vsw_rpc_register(arg, &m);
}

/* unreg NAME: remove method NAME, whichever (this one too). */
static int
h_unreg(void *arg, json_t *params, json_t **result, char *err, size_t len)
{
	const char *name;

	arity_check(params, 1, 1);
	if (vsw_rpc_param_str(params, 0, "name", &name, err, len) != 0)
		return -EINVAL;
	return vsw_rpc_unregister(arg, name);
}

/* A server without a socket: the built-ins and the methods above. */
static struct vsw_rpc *
server(void)
{
	const struct vsw_rpc_method methods[] = {
		{ "echo", "echo TEXT [MORE]", "return TEXT", 1, 2, h_echo, NULL },
		{ "fail", "fail HOW", "fail as told", 1, 1, h_fail, NULL },
		{ "num", "num N", "a number in 1..100", 0, VSW_RPC_ARGS_ANY,
		  h_num, NULL },
		{ "reg", "reg NAME", "add a method", 1, 1, h_reg, NULL },
		{ "unreg", "unreg NAME", "remove a method", 1, 1, h_unreg, NULL },
	};
	struct vsw_rpc *rpc = calloc(1, sizeof(*rpc));
	char err[256];

	FZ_CHECK(rpc != NULL);
	snprintf(rpc->path, sizeof(rpc->path), "fuzz");
	rpc->listen_fd = -1;
	rpc->log_budget = 0; /* client warnings are counted, not logged */
	FZ_CHECK(rpc_register_builtins(rpc, err, sizeof(err)) == 0);
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		struct vsw_rpc_method m = methods[i];

		if (m.fn == h_reg || m.fn == h_unreg)
			m.arg = rpc;
		FZ_CHECK(vsw_rpc_register(rpc, &m) == 0);
	}
	n_reg = 0;
	return rpc;
}

/* ------------------------------------------------------------------ */
/* What the client should get back                                     */

/* What one request line calls for. */
struct expect {
	int want;      /* replies: -1 none, 0 one with id null, 1 one with id */
	json_t *id;    /* the request's id when want is 1 */
	json_t *req;   /* the request, when it is a JSON object */
};

static void
expect_line(const char *line, size_t len, struct expect *x)
{
	json_t *v;

	*x = (struct expect){ .want = 0 };
	if (len == 0) {
		x->want = -1; /* a blank line is no request */
		return;
	}
	x->req = json_loadb(line, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
			    NULL);
	if (!json_is_object(x->req))
		return; /* parse error, batch, or not a request: id null */
	v = json_object_get(x->req, "id");
	if (v != NULL && (json_is_string(v) || json_is_number(v) ||
			  json_is_null(v))) {
		x->id = v;
		x->want = 1;
	} else if (v == NULL) {
		/* A notification, if it is a request at all (JSON-RPC 2.0
		 * section 5: an invalid request is answered, id null). */
		v = json_object_get(x->req, "jsonrpc");
		if (json_is_string(v) && strcmp(json_string_value(v), "2.0") == 0 &&
		    json_is_string(json_object_get(x->req, "method")))
			x->want = -1;
	}
}

static const int codes[] = {
	VSW_RPC_PARSE_ERROR, VSW_RPC_INVALID_REQUEST, VSW_RPC_METHOD_NOT_FOUND,
	VSW_RPC_INVALID_PARAMS, VSW_RPC_INTERNAL_ERROR, VSW_RPC_COMMAND_FAILED,
};

static void
error_check(const json_t *e)
{
	json_int_t code;
	bool known = false;

	FZ_CHECK(json_is_object(e) && json_object_size(e) == 2);
	FZ_CHECK(json_is_integer(json_object_get(e, "code")));
	FZ_CHECK(json_is_string(json_object_get(e, "message")));
	code = json_integer_value(json_object_get(e, "code"));
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		known |= code == codes[i];
	FZ_CHECK(known);
}

/* help's result: methods sorted by name, each once. */
static void
help_check(const json_t *list)
{
	const char *prev = NULL;
	size_t i;
	json_t *m;

	FZ_CHECK(json_is_array(list));
	json_array_foreach(list, i, m) {
		const char *name = json_string_value(json_object_get(m, "method"));

		FZ_CHECK(name != NULL);
		FZ_CHECK(prev == NULL || strcmp(prev, name) < 0);
		prev = name;
	}
}

/* echo's result is its text. */
static void
echo_check(const json_t *req, const json_t *result)
{
	const json_t *p = json_object_get(req, "params");
	const json_t *text = json_is_array(p) ? json_array_get(p, 0) :
			     json_object_get(p, "text");

	FZ_CHECK(json_equal(result, text));
}

static void
reply_check(const json_t *r, const struct expect *x)
{
	const json_t *id = json_object_get(r, "id");
	const json_t *result = json_object_get(r, "result");
	const json_t *error = json_object_get(r, "error");
	const char *method;

	FZ_CHECK(json_is_object(r) && json_object_size(r) == 3);
	FZ_CHECK(json_is_string(json_object_get(r, "jsonrpc")) &&
		 strcmp(json_string_value(json_object_get(r, "jsonrpc")), "2.0") == 0);
	FZ_CHECK(id != NULL && (x->want == 1 ? json_equal(id, x->id) :
				json_is_null(id)));
	FZ_CHECK((result != NULL) != (error != NULL));
	if (error != NULL) {
		error_check(error);
		return;
	}
	method = json_string_value(json_object_get(x->req, "method"));
	FZ_CHECK(method != NULL);
	if (strcmp(method, "help") == 0)
		help_check(result);
	else if (strcmp(method, "echo") == 0)
		echo_check(x->req, result);
}

/* Serve one line (without its newline) and read back what it got. */
static void
serve(struct rpc_client *c, const char *line, size_t len)
{
	const char *p, *end;
	struct expect x;
	size_t trimmed = len;
	unsigned int n = 0;

	while (trimmed > 0 && (line[trimmed - 1] == '\r' ||
			       line[trimmed - 1] == ' ' || line[trimmed - 1] == '\t'))
		trimmed--;
	expect_line(line, trimmed, &x);
	FZ_CHECK(rpc_serve_line(c, line, len) == (trimmed > 0));
	p = end = NULL;
	if (c->out != NULL) { /* no reply yet: no buffer */
		p = c->out + c->out_off;
		end = c->out + c->out_len;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_t *r;

		FZ_CHECK(nl != NULL); /* every reply ends its line */
		r = json_loadb(p, (size_t)(nl - p), 0, NULL);
		FZ_CHECK(r != NULL);
		reply_check(r, &x);
		json_decref(r);
		n++;
		p = nl + 1;
	}
	FZ_CHECK(n == (x.want < 0 ? 0u : 1u));
	c->out_off = c->out_len = 0; /* the client read them */
	json_decref(x.req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vsw_rpc *rpc = server();
	struct rpc_client c = { .rpc = rpc, .fd = -1, .id = 1 };
	const char *in = (const char *)data;
	size_t off = 0;

	/* Lines as the server frames them; the last one at end of input. */
	while (off < size && c.why == NULL) {
		const char *nl = memchr(in + off, '\n', size - off);
		size_t len = nl != NULL ? (size_t)(nl - (in + off)) : size - off;

		if (len <= VSW_RPC_REQUEST_MAX) /* longer: refused unread */
			serve(&c, in + off, len);
		off += len + (nl != NULL);
	}
	free(c.out);
	rpc_free_methods(rpc);
	free(rpc);
	return 0;
}
