/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's JSON-RPC server, driven by vsw_loop_run_once()
 * here, against raw client sockets: framing, JSON-RPC errors, argument
 * checks before handlers, hostile clients, the socket file.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include <jansson.h>
#include <rte_errno.h>

#include "rpc_priv.h" /* stall_s: the reaper's patience */
#include "unit.h"
#include "vsw_loop.h"
#include "vsw_rpc.h"

#define WAIT_MS 3000

static struct vsw_loop *loop;
static struct vsw_rpc *rpc;
static char path[100];
static char err[512];
static int calls; /* handler runs */

struct tclient {
	int fd;
	size_t len;
	char buf[1 << 16];
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* echo TEXT [MORE]: returns TEXT. */
static int
h_echo(void *arg, json_t *params, json_t **result, char *e, size_t elen)
{
	const char *s;

	calls++;
	if (vsw_rpc_param_str(params, 0, "text", &s, e, elen) != 0)
		return -EINVAL;
	*result = json_string(s);
	return 0;
}

/* fail einval|eio|quiet */
static int
h_fail(void *arg, json_t *params, json_t **result, char *e, size_t elen)
{
	const char *how;

	calls++;
	*result = json_string("must be released");
	if (vsw_rpc_param_str(params, 0, "how", &how, e, elen) != 0)
		return -EINVAL;
	if (strcmp(how, "einval") == 0) {
		snprintf(e, elen, "bad thing");
		return -EINVAL;
	}
	if (strcmp(how, "eio") == 0)
		snprintf(e, elen, "disk on fire");
	return -EIO;
}

/* num N: N in 1..100, positional string or integer, or {"n": N}. */
static int
h_num(void *arg, json_t *params, json_t **result, char *e, size_t elen)
{
	uint64_t n;

	if (vsw_rpc_param_uint(params, 0, "n", 1, 100, &n, e, elen) != 0)
		return -EINVAL;
	*result = json_pack("{s:I, s:s}", "n", (json_int_t)n, "z", "last");
	return 0;
}

static const struct vsw_rpc_method test_methods[] = {
	{ "echo", "echo TEXT [MORE]", "return TEXT", 1, 2, h_echo, NULL },
	{ "fail", "fail HOW", "fail as told", 1, 1, h_fail, NULL },
	{ "num", "num N", "a number in 1..100", 0, VSW_RPC_ARGS_ANY, h_num, NULL },
};

static int
start(void)
{
	vsw_rpc_destroy(rpc); /* what a failed test left */
	rpc = vsw_rpc_create(loop, path, err, sizeof(err));
	if (rpc == NULL) {
		fprintf(stderr, "  vsw_rpc_create: %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < RTE_DIM(test_methods); i++)
		if (vsw_rpc_register(rpc, &test_methods[i]) != 0)
			return -1;
	return 0;
}

static void
stop(void)
{
	vsw_rpc_destroy(rpc);
	rpc = NULL;
}

static void
pump(void)
{
	vsw_loop_run_once(loop, 1);
}

static int
tc_open(struct tclient *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(c, 0, offsetof(struct tclient, buf));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return -1;
	pump(); /* accept */
	return 0;
}

static void
tc_close(struct tclient *c)
{
	close(c->fd);
	c->fd = -1;
	pump();
}

/* Send everything, running the server while the socket is full. */
static int
tc_send(struct tclient *c, const void *data, size_t len)
{
	const char *p = data;
	uint64_t end = now_ms() + WAIT_MS;

	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno != EAGAIN || now_ms() > end)
				return -errno;
			pump();
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
	pump();
	return 0;
}

static int
tc_sends(struct tclient *c, const char *s)
{
	return tc_send(c, s, strlen(s));
}

/* Next reply line, parsed; NULL on timeout, EOF or bad JSON. */
static json_t *
tc_reply(struct tclient *c)
{
	uint64_t end = now_ms() + WAIT_MS;

	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);

		if (nl != NULL) {
			size_t n = (size_t)(nl - c->buf);
			json_t *j = json_loadb(c->buf, n, 0, NULL);

			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return j;
		}
		if (now_ms() > end || c->len == sizeof(c->buf))
			return NULL;
		pump();
		ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len,
				 MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN))
			return NULL;
		if (r > 0)
			c->len += (size_t)r;
	}
}

/* True once the server has closed: EOF or reset, after any data. */
static bool
tc_closed(struct tclient *c)
{
	uint64_t end = now_ms() + WAIT_MS;
	char junk[4096];

	while (now_ms() < end) {
		ssize_t r;

		pump();
		r = recv(c->fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN))
			return true;
	}
	return false;
}

/* Nothing arrives within a short while. */
static bool
tc_silent(struct tclient *c)
{
	char b;

	for (int i = 0; i < 50; i++)
		pump();
	return c->len == 0 && recv(c->fd, &b, 1, MSG_DONTWAIT) < 0 &&
	       errno == EAGAIN;
}

static long long
reply_code(const json_t *r)
{
	return json_integer_value(json_object_get(json_object_get(r, "error"),
						  "code"));
}

static const char *
reply_msg(const json_t *r)
{
	const char *m = json_string_value(json_object_get(json_object_get(r,
						"error"), "message"));
	return m ? m : "";
}

/* Send @p req, expect an error with @p code; @return 0 or -1. */
static int
expect_error(struct tclient *c, const char *req, int code, const char *msg_part)
{
	json_t *r;
	int ok;

	if (tc_sends(c, req) != 0 || (r = tc_reply(c)) == NULL) {
		fprintf(stderr, "  no reply to %s", req);
		return -1;
	}
	ok = reply_code(r) == code && strstr(reply_msg(r), msg_part) != NULL &&
	     json_object_get(r, "result") == NULL &&
	     json_is_string(json_object_get(r, "jsonrpc"));
	if (!ok) {
		char *s = json_dumps(r, 0);

		fprintf(stderr, "  %s -> %s (want %d '%s')\n", req, s, code, msg_part);
		free(s);
	}
	json_decref(r);
	return ok ? 0 : -1;
}

static int
test_request_response(void)
{
	struct tclient c;
	json_t *r, *res;

	UNIT_CHECK_EQ(start(), 0);
	UNIT_CHECK_EQ(tc_open(&c), 0);
	UNIT_CHECK_EQ(tc_sends(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\","
			       "\"params\":[\"hi\"]}\n"), 0);
	r = tc_reply(&c);
	UNIT_CHECK(r != NULL);
	UNIT_CHECK(strcmp(json_string_value(json_object_get(r, "jsonrpc")), "2.0") == 0);
	UNIT_CHECK_EQ(json_integer_value(json_object_get(r, "id")), 1);
	UNIT_CHECK(strcmp(json_string_value(json_object_get(r, "result")), "hi") == 0);
	UNIT_CHECK(json_object_get(r, "error") == NULL);
	json_decref(r);

	UNIT_CHECK_EQ(tc_sends(&c, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"version\"}\n"), 0);
	r = tc_reply(&c);
	res = json_object_get(r, "result");
	UNIT_CHECK(json_is_string(json_object_get(res, "vsw")));
	UNIT_CHECK(strstr(json_string_value(json_object_get(res, "dpdk")), "DPDK") != NULL);
	json_decref(r);

	/* help: every method, sorted, with usage and help. */
	UNIT_CHECK_EQ(tc_sends(&c, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"help\"}\n"), 0);
	r = tc_reply(&c);
	res = json_object_get(r, "result");
	UNIT_CHECK_EQ(json_array_size(res), 5);
	for (size_t i = 0; i + 1 < json_array_size(res); i++)
		UNIT_CHECK(strcmp(json_string_value(json_object_get(json_array_get(res, i), "method")),
				  json_string_value(json_object_get(json_array_get(res, i + 1), "method"))) < 0);
	UNIT_CHECK(strcmp(json_string_value(json_object_get(json_array_get(res, 0), "usage")),
			  "echo TEXT [MORE]") == 0);
	UNIT_CHECK(json_is_string(json_object_get(json_array_get(res, 0), "help")));
	json_decref(r);

	/* Key order of a result is the handler's. */
	UNIT_CHECK_EQ(tc_sends(&c, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"num\",\"params\":[\"7\"]}\n"), 0);
	r = tc_reply(&c); /* parsed: the order is checked below, raw */
	UNIT_CHECK(r != NULL);
	json_decref(r);
	UNIT_CHECK_EQ(tc_sends(&c, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"num\",\"params\":[\"7\"]}\n"), 0);
	for (int i = 0; i < 50 && memchr(c.buf, '\n', c.len) == NULL; i++) {
		ssize_t n;

		pump();
		n = recv(c.fd, c.buf + c.len, sizeof(c.buf) - c.len, MSG_DONTWAIT);
		if (n > 0)
			c.len += (size_t)n;
	}
	c.buf[c.len] = '\0';
	UNIT_CHECK(strstr(c.buf, "\"result\":{\"n\":7,\"z\":\"last\"}") != NULL);
	tc_close(&c);
	stop();
	return 0;
}

static int
test_id_echo(void)
{
	static const char *const ids[] = { "7", "-3", "\"abc\"", "\"\"", "null", "2.5" };
	struct tclient c;
	char req[256];

	UNIT_CHECK_EQ(start(), 0);
	UNIT_CHECK_EQ(tc_open(&c), 0);
	for (size_t i = 0; i < RTE_DIM(ids); i++) {
		json_t *r, *want = json_loads(ids[i], JSON_DECODE_ANY, NULL);

		snprintf(req, sizeof(req), "{\"id\":%s,\"jsonrpc\":\"2.0\","
			 "\"method\":\"echo\",\"params\":[\"x\"]}\n", ids[i]);
		UNIT_CHECK_EQ(tc_sends(&c, req), 0);
		r = tc_reply(&c);
		UNIT_CHECK(r != NULL);
		UNIT_CHECK(json_equal(json_object_get(r, "id"), want));
		UNIT_CHECK(json_is_string(json_object_get(r, "result")));
		json_decref(r);
		json_decref(want);
	}
	tc_close(&c);
	stop();
	return 0;
}

static int
test_notification(void)
{
	struct tclient c;
	json_t *r;

	UNIT_CHECK_EQ(start(), 0);
	UNIT_CHECK_EQ(tc_open(&c), 0);
	calls = 0;
	/* Run, but no reply: neither for success nor for errors. */
	UNIT_CHECK_EQ(tc_sends(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"n\"]}\n"
			       "{\"jsonrpc\":\"2.0\",\"method\":\"nosuch\"}\n"
			       "{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"params\":[\"eio\"]}\n"), 0);
	UNIT_CHECK(tc_silent(&c));
	UNIT_CHECK_EQ(calls, 2);
	UNIT_CHECK_EQ(tc_sends(&c, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"echo\",\"params\":[\"r\"]}\n"), 0);
	r = tc_reply(&c);
	UNIT_CHECK_EQ(json_integer_value(json_object_get(r, "id")), 9);
	json_decref(r);
	tc_close(&c);
	stop();
	return 0;
}

static int
test_two_in_one_write(void)
{
	struct tclient c;
	json_t *r1, *r2;

	UNIT_CHECK_EQ(start(), 0);
	UNIT_CHECK_EQ(tc_open(&c), 0);
	UNIT_CHECK_EQ(tc_sends(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"a\"]}\n"
			       "\n  \r\n"
			       "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\",\"params\":[\"b\"]}\r\n"), 0);
	r1 = tc_reply(&c);
	r2 = tc_reply(&c);
	UNIT_CHECK(r1 != NULL && r2 != NULL);
	UNIT_CHECK_EQ(json_integer_value(json_object_get(r1, "id")), 1);
	UNIT_CHECK(strcmp(json_string_value(json_object_get(r1, "result")), "a") == 0);
	UNIT_CHECK_EQ(json_integer_value(json_object_get(r2, "id")), 2);
	UNIT_CHECK(strcmp(json_string_value(json_object_get(r2, "result")), "b") == 0);
	json_decref(r1);
	json_decref(r2);
	UNIT_CHECK(tc_silent(&c)); /* blank lines are no requests */

	/* More than one wake-up's worth in one write: all answered, in order. */
	{
		static char many[200 * 80];
		size_t n = 0;

		for (int i = 0; i < 200; i++)
			n += (size_t)snprintf(many + n, sizeof(many) - n,
				"{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"echo\",\"params\":[\"x\"]}\n", i);
		UNIT_CHECK_EQ(tc_send(&c, many, n), 0);
		for (int i = 0; i < 200; i++) {
			json_t *r = tc_reply(&c);

			UNIT_CHECK(r != NULL);
			UNIT_CHECK_EQ(json_integer_value(json_object_get(r, "id")), i);
			json_decref(r);
		}
	}
	tc_close(&c);
	stop();
	return 0;
}

static int
test_byte_by_byte(void)
{
	static const char req[] =
		"{\"jsonrpc\":\"2.0\",\"id\":\"slow\",\"method\":\"echo\",\"params\":[\"drip\"]}\n";
	struct tclient c;
	json_t *r;

	UNIT_CHECK_EQ(start(), 0);
	UNIT_CHECK_EQ(tc_open(&c), 0);
	calls = 0;
	for (size_t i = 0; i + 1 < sizeof(req) - 1; i++) {
		UNIT_CHECK_EQ(tc_send(&c, &req[i], 1), 0);
		pump();
	}
	UNIT_CHECK(tc_silent(&c));
	UNIT_CHECK_EQ(calls, 0);
	UNIT_CHECK_EQ(tc_send(&c, "\n", 1), 0);
	r = tc_reply(&c);
	UNIT_CHECK(r != NULL);
	UNIT_CHECK(strcmp(json_string_value(json_object_get(r, "id")), "slow") == 0);
	UNIT_CHECK(strcmp(json_string_value(json_object_get(r, "result")), "drip") == 0);
	json_decref(r);
	tc_close(&c);
	stop();
	return 0;
}

static int
test_invalid_requests(void)
{
	struct tclient c;

	UNIT_CHECK_EQ(start(), 0);
	UNIT_CHECK_EQ(tc_open(&c), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\n",
				   VSW_RPC_PARSE_ERROR, "parse error"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1} trailing\n",
				   VSW_RPC_PARSE_ERROR, "parse error"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "42\n", VSW_RPC_INVALID_REQUEST, "object"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "\"help\"\n", VSW_RPC_INVALID_REQUEST, "object"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"help\"}]\n",
				   VSW_RPC_INVALID_REQUEST, "batch"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1}\n",
				   VSW_RPC_INVALID_REQUEST, "method"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}\n",
				   VSW_RPC_INVALID_REQUEST, "method"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"help\"}\n",
				   VSW_RPC_INVALID_REQUEST, "jsonrpc"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"id\":1,\"method\":\"help\"}\n",
				   VSW_RPC_INVALID_REQUEST, "jsonrpc"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"help\"}\n",
				   VSW_RPC_INVALID_REQUEST, "id"), 0);
	/* Invalid requests are answered even without an id. */
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\"}\n",
				   VSW_RPC_INVALID_REQUEST, "method"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\","
				   "\"params\":\"x\"}\n", VSW_RPC_INVALID_PARAMS, "params"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nosuch\"}\n",
				   VSW_RPC_METHOD_NOT_FOUND, "nosuch"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"help\"}\n",
				   VSW_RPC_PARSE_ERROR, "duplicate"), 0);
	/* Still serving the same client. */
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"help\","
				   "\"params\":[\"nosuch\"]}\n", VSW_RPC_INVALID_PARAMS,
				   "unknown method 'nosuch'"), 0);
	tc_close(&c);
	stop();
	return 0;
}

static int
test_arg_count(void)
{
	struct tclient c;
	json_t *r;

	UNIT_CHECK_EQ(start(), 0);
	UNIT_CHECK_EQ(tc_open(&c), 0);
	calls = 0;
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"}\n",
				   VSW_RPC_INVALID_PARAMS, "usage: echo TEXT [MORE]"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\","
				   "\"params\":[]}\n", VSW_RPC_INVALID_PARAMS, "usage: echo"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\","
				   "\"params\":[\"a\",\"b\",\"c\"]}\n", VSW_RPC_INVALID_PARAMS,
				   "usage: echo"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"version\","
				   "\"params\":[\"x\"]}\n", VSW_RPC_INVALID_PARAMS,
				   "usage: version"), 0);
	UNIT_CHECK_EQ(calls, 0); /* the handler never ran */
	UNIT_CHECK_EQ(tc_sends(&c, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\","
			       "\"params\":[\"a\",\"b\"]}\n"), 0);
	r = tc_reply(&c);
	UNIT_CHECK(strcmp(json_string_value(json_object_get(r, "result")), "a") == 0);
	json_decref(r);
	UNIT_CHECK_EQ(calls, 1);
	/* Named params reach the handler uncounted. */
	UNIT_CHECK_EQ(tc_sends(&c, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"echo\","
			       "\"params\":{\"text\":\"named\"}}\n"), 0);
	r = tc_reply(&c);
	UNIT_CHECK(strcmp(json_string_value(json_object_get(r, "result")), "named") == 0);
	json_decref(r);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"echo\","
				   "\"params\":{}}\n", VSW_RPC_INVALID_PARAMS,
				   "missing argument text"), 0);
	tc_close(&c);
	stop();
	return 0;
}

static int
test_handler_errors(void)
{
	struct tclient c;
	char want[128];

	UNIT_CHECK_EQ(start(), 0);
	UNIT_CHECK_EQ(tc_open(&c), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fail\","
				   "\"params\":[\"einval\"]}\n", VSW_RPC_INVALID_PARAMS,
				   "bad thing"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fail\","
				   "\"params\":[\"eio\"]}\n", VSW_RPC_COMMAND_FAILED,
				   "disk on fire"), 0);
	snprintf(want, sizeof(want), "fail: %s", strerror(EIO));
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fail\","
				   "\"params\":[\"quiet\"]}\n", VSW_RPC_COMMAND_FAILED, want), 0);
	/* The unsigned helper: range and wording. */
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"num\","
				   "\"params\":[\"0\"]}\n", VSW_RPC_INVALID_PARAMS,
				   "n '0': expected a number in 1..100"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"num\","
				   "\"params\":[\"12x\"]}\n", VSW_RPC_INVALID_PARAMS, "n '12x'"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"num\","
				   "\"params\":[\"-1\"]}\n", VSW_RPC_INVALID_PARAMS, "n '-1'"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"num\","
				   "\"params\":[101]}\n", VSW_RPC_INVALID_PARAMS, "1..100"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"num\"}\n",
				   VSW_RPC_INVALID_PARAMS, "missing argument n"), 0);
	UNIT_CHECK_EQ(expect_error(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"num\","
				   "\"params\":{\"n\":true}}\n", VSW_RPC_INVALID_PARAMS,
				   "n: expected a number"), 0);
	tc_close(&c);
	stop();
	return 0;
}

/* A request that is not served yet keeps answering: @return 0 or -1. */
static int
still_serves(struct tclient *c)
{
	json_t *r;
	int ok;

	if (tc_sends(c, "{\"jsonrpc\":\"2.0\",\"id\":\"ok\",\"method\":\"echo\","
		     "\"params\":[\"alive\"]}\n") != 0)
		return -1;
	r = tc_reply(c);
	ok = r != NULL && json_is_string(json_object_get(r, "result"));
	json_decref(r);
	return ok ? 0 : -1;
}

static int
test_oversized(void)
{
	static char junk[VSW_RPC_REQUEST_MAX + 4096];
	struct tclient bad, good;
	json_t *r;

	UNIT_CHECK_EQ(start(), 0);
	UNIT_CHECK_EQ(tc_open(&good), 0);
	UNIT_CHECK_EQ(tc_open(&bad), 0);
	UNIT_CHECK_EQ(still_serves(&good), 0);
	/* Exactly the limit is fine (a parse error, not a close). */
	memset(junk, ' ', VSW_RPC_REQUEST_MAX);
	memcpy(junk + VSW_RPC_REQUEST_MAX - 2, "[]", 2);
	junk[VSW_RPC_REQUEST_MAX] = '\n';
	UNIT_CHECK_EQ(tc_send(&bad, junk, VSW_RPC_REQUEST_MAX + 1), 0);
	r = tc_reply(&bad);
	UNIT_CHECK_EQ(reply_code(r), VSW_RPC_INVALID_REQUEST); /* a batch */
	json_decref(r);
	/* One byte more, no newline: an error, then the close. */
	memset(junk, 'x', sizeof(junk));
	UNIT_CHECK_EQ(tc_send(&bad, junk, VSW_RPC_REQUEST_MAX + 1), 0);
	UNIT_CHECK_EQ(still_serves(&good), 0);
	r = tc_reply(&bad);
	UNIT_CHECK(r != NULL);
	UNIT_CHECK_EQ(reply_code(r), VSW_RPC_INVALID_REQUEST);
	UNIT_CHECK(strstr(reply_msg(r), "longer than 65536") != NULL);
	UNIT_CHECK(json_is_null(json_object_get(r, "id")));
	json_decref(r);
	UNIT_CHECK(tc_closed(&bad));
	UNIT_CHECK_EQ(still_serves(&good), 0);
	close(bad.fd);
	tc_close(&good);
	stop();
	return 0;
}

static int
test_never_reads(void)
{
	static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"version\"}\n";
	struct tclient flood, good;
	bool closed = false;
	size_t sent = 0;

	UNIT_CHECK_EQ(start(), 0);
	UNIT_CHECK_EQ(tc_open(&flood), 0);
	UNIT_CHECK_EQ(tc_open(&good), 0);
	/* ~90 byte replies: the 1 MiB bound is passed after ~12000. */
	for (int i = 0; i < 100000 && !closed; i++) {
		ssize_t n = send(flood.fd, req, sizeof(req) - 1,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno != EAGAIN)
			closed = true;
		else if (n > 0)
			sent += (size_t)n;
		pump();
		if (i % 1000 == 0)
			UNIT_CHECK_EQ(still_serves(&good), 0);
	}
	UNIT_CHECK(closed);
	UNIT_CHECK(sent / (sizeof(req) - 1) > 1000);
	UNIT_CHECK(tc_closed(&flood));
	UNIT_CHECK_EQ(still_serves(&good), 0);
	close(flood.fd);
	tc_close(&good);
	stop();
	return 0;
}

static int
test_eof_after_request(void)
{
	struct tclient c;
	json_t *r;

	UNIT_CHECK_EQ(start(), 0);
	UNIT_CHECK_EQ(tc_open(&c), 0);
	/* The last request lacks its newline: served at EOF. */
	UNIT_CHECK_EQ(tc_sends(&c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"a\"]}\n"
			       "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\",\"params\":[\"b\"]}"), 0);
	UNIT_CHECK_EQ(shutdown(c.fd, SHUT_WR), 0);
	r = tc_reply(&c);
	UNIT_CHECK_EQ(json_integer_value(json_object_get(r, "id")), 1);
	json_decref(r);
	r = tc_reply(&c);
	UNIT_CHECK_EQ(json_integer_value(json_object_get(r, "id")), 2);
	json_decref(r);
	UNIT_CHECK(tc_closed(&c));
	close(c.fd);
	stop();
	return 0;
}

static int
test_stalled_reaped(void)
{
	struct tclient half, unread, idle;
	uint64_t end;
	char b;

	UNIT_CHECK_EQ(start(), 0);
	rpc->stall_s = 1;
	UNIT_CHECK_EQ(tc_open(&half), 0);
	UNIT_CHECK_EQ(tc_open(&unread), 0);
	UNIT_CHECK_EQ(tc_open(&idle), 0);
	UNIT_CHECK_EQ(still_serves(&idle), 0);
	UNIT_CHECK_EQ(tc_sends(&half, "{\"jsonrpc\":\"2.0\",\"id\":1,\"meth"), 0);
	/* Replies it never reads: more than the socket buffer takes, less
	 * than VSW_RPC_OUTPUT_MAX (~450 bytes each). */
	for (int i = 0; i < 1200; i++)
		UNIT_CHECK_EQ(tc_sends(&unread, "{\"jsonrpc\":\"2.0\",\"id\":1,"
				       "\"method\":\"help\"}\n"), 0);
	/* The loop ticks once a second: 1 s without progress, then a tick. */
	end = now_ms() + 2500;
	while (now_ms() < end)
		vsw_loop_run_once(loop, 50);
	UNIT_CHECK(tc_closed(&half));
	UNIT_CHECK(tc_closed(&unread));
	/* A client with nothing pending may stay idle. */
	UNIT_CHECK(recv(idle.fd, &b, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN);
	UNIT_CHECK_EQ(still_serves(&idle), 0);
	close(half.fd);
	close(unread.fd);
	tc_close(&idle);
	stop();
	return 0;
}

static int
test_socket_file(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct tclient c, c2;
	struct vsw_rpc *second;
	struct stat st;
	int fd;

	stop(); /* what a failed test left */
	/* A stale socket (its server gone) is replaced. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	UNIT_CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	close(fd);
	UNIT_CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode));
	UNIT_CHECK_EQ(start(), 0);
	UNIT_CHECK_EQ(tc_open(&c), 0);
	UNIT_CHECK_EQ(still_serves(&c), 0);

	/* A live one is not; the first server keeps serving. */
	second = vsw_rpc_create(loop, path, err, sizeof(err));
	UNIT_CHECK(second == NULL);
	UNIT_CHECK_EQ(rte_errno, EADDRINUSE);
	UNIT_CHECK(strstr(err, "in use (another process accepts on it)") != NULL);
	UNIT_CHECK(strstr(err, path) != NULL);
	UNIT_CHECK_EQ(still_serves(&c), 0);
	UNIT_CHECK_EQ(tc_open(&c2), 0);
	UNIT_CHECK_EQ(still_serves(&c2), 0);
	tc_close(&c2);

	/* Destroy closes clients and removes the file. */
	stop();
	UNIT_CHECK(tc_closed(&c));
	close(c.fd);
	UNIT_CHECK(stat(path, &st) != 0 && errno == ENOENT);

	/* Anything but a socket is left alone. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	UNIT_CHECK(fd >= 0);
	close(fd);
	UNIT_CHECK(vsw_rpc_create(loop, path, err, sizeof(err)) == NULL);
	UNIT_CHECK(strstr(err, "not a socket") != NULL);
	UNIT_CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));
	unlink(path);
	UNIT_CHECK(vsw_rpc_create(loop, "/nonexistent-dir/x.ctl", err, sizeof(err)) == NULL);
	UNIT_CHECK(strstr(err, "/nonexistent-dir/x.ctl") != NULL);
	return 0;
}

static int
test_register(void)
{
	struct vsw_rpc_method m = test_methods[0];

	UNIT_CHECK_EQ(start(), 0);
	UNIT_CHECK_EQ(vsw_rpc_register(rpc, &m), -EEXIST);
	UNIT_CHECK_EQ(vsw_rpc_register(rpc, &(struct vsw_rpc_method){
		"x", "x", "x", 2, 1, h_echo, NULL }), -EINVAL);
	UNIT_CHECK_EQ(vsw_rpc_register(rpc, &(struct vsw_rpc_method){
		"x", "x", "x", 0, 1, NULL, NULL }), -EINVAL);
	UNIT_CHECK_EQ(vsw_rpc_unregister(rpc, "echo"), 0);
	UNIT_CHECK_EQ(vsw_rpc_unregister(rpc, "echo"), -ENOENT);
	UNIT_CHECK_EQ(vsw_rpc_register(rpc, &m), 0);
	UNIT_CHECK(strcmp(vsw_rpc_path(rpc), path) == 0);
	stop();
	return 0;
}

int
main(void)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_request_response),
		UNIT_TEST(test_id_echo),
		UNIT_TEST(test_notification),
		UNIT_TEST(test_two_in_one_write),
		UNIT_TEST(test_byte_by_byte),
		UNIT_TEST(test_invalid_requests),
		UNIT_TEST(test_arg_count),
		UNIT_TEST(test_handler_errors),
		UNIT_TEST(test_oversized),
		UNIT_TEST(test_never_reads),
		UNIT_TEST(test_eof_after_request),
		UNIT_TEST(test_stalled_reaped),
		UNIT_TEST(test_socket_file),
		UNIT_TEST(test_register),
	};
	int rc;

	snprintf(path, sizeof(path), "/tmp/vsw-test-rpc-%d.ctl", (int)getpid());
	unlink(path);
	loop = vsw_loop_create();
	if (loop == NULL)
		return 1;
	rc = unit_main("rpc", tests, RTE_DIM(tests));
	vsw_rpc_destroy(rpc); /* a failed test may leave it */
	vsw_loop_destroy(loop);
	unlink(path);
	return rc;
}
