/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's server side: listening, per-client framing with
 * partial-input and bounded output buffers, and the stall reaper. What a
 * request means (checks, methods, built-ins) is rpc_dispatch.c.
 *
 * A client's life: accepted non-blocking; each wake-up either reads once
 * (only when no complete line is waiting) or serves up to
 * VSW_RPC_REQS_PER_WAKE waiting lines, then flushes what it can. A client
 * to close is marked (why) and closed at the end of its event, never
 * from inside a request.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "rpc_priv.h"
#include "vsw_loop.h"
#include "vsw_unix.h"

RTE_LOG_REGISTER(vsw_ctl_logtype, vsw.lib.ctl, INFO);

/* Input buffer: the longest request plus its newline. */
#define RPC_IN_CAP (VSW_RPC_REQUEST_MAX + 1)
/* Connections accepted per wake-up of the listening socket. */
#define RPC_ACCEPTS_PER_WAKE 16
/* Client warnings logged per second; the rest are counted. */
#define RPC_LOG_BUDGET 10
/* An emptied output buffer larger than this is freed. */
#define RPC_OUT_KEEP 65536

static void client_event(int fd, uint32_t events, void *arg);
static void accept_event(int fd, uint32_t events, void *arg);

static uint64_t
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* Client trouble is logged within a budget: a reconnecting hostile
 * client must not flood the log. */
__attribute__((format(printf, 2, 3)))
static void
client_warn(struct rpc_client *c, const char *fmt, ...)
{
	struct vsw_rpc *rpc = c->rpc;
	char msg[256];
	va_list ap;

	if (rpc->log_budget == 0) {
		rpc->log_suppressed++;
		return;
	}
	rpc->log_budget--;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	RPC_LOG(WARNING, rpc, "client %u: %s", c->id, msg);
}

/* A complete line is waiting in in[]. */
static bool
has_line(struct rpc_client *c)
{
	if (memchr(c->in + c->in_scan, '\n', c->in_len - c->in_scan) != NULL)
		return true;
	c->in_scan = c->in_len; /* no newline before in_len: never rescan */
	return false;
}

/* Something to serve without reading: a line, or at EOF the rest. */
static bool
input_pending(struct rpc_client *c)
{
	return has_line(c) || (c->eof && c->in_len > 0);
}

/* Mark @p c for closing at the end of its event; the first reason wins. */
void
rpc_client_fail(struct rpc_client *c, const char *why)
{
	if (c->why == NULL)
		c->why = why;
}

static int
out_reserve(struct rpc_client *c, size_t n)
{
	size_t cap;
	char *p;

	if (c->out_off > 0 && c->out_len + n > c->out_cap) {
		memmove(c->out, c->out + c->out_off, rpc_out_pending(c));
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + n <= c->out_cap)
		return 0;
	cap = c->out_cap ? c->out_cap : 4096;
	while (cap < c->out_len + n)
		cap *= 2;
	p = realloc(c->out, cap);
	if (p == NULL)
		return -ENOMEM;
	c->out = p;
	c->out_cap = cap;
	return 0;
}

/* json_dump_callback sink: append to the client's output. */
static int
out_append(const char *buf, size_t n, void *arg)
{
	struct rpc_client *c = arg;

	if (out_reserve(c, n) != 0)
		return -1;
	memcpy(c->out + c->out_len, buf, n);
	c->out_len += n;
	return 0;
}

int
rpc_client_send(struct rpc_client *c, const json_t *reply)
{
	size_t mark = c->out_len;

	if (json_dump_callback(reply, out_append, c,
			       JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 ||
	    out_append("\n", 1, c) != 0) {
		c->out_len = mark; /* no half reply on the wire */
		return -ENOMEM;
	}
	return 0;
}

/* Send what the socket takes. @return 0, or -1 with the client failed. */
static int
client_flush(struct rpc_client *c)
{
	while (rpc_out_pending(c) > 0) {
		ssize_t n = send(c->fd, c->out + c->out_off, rpc_out_pending(c),
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			rpc_client_fail(c, "send failed");
			return -1;
		}
		c->out_off += (size_t)n;
		c->last_progress = now_s();
	}
	c->out_off = c->out_len = 0;
	if (c->out_cap > RPC_OUT_KEEP) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	return 0;
}

/* The line is too long to be a request: say so, then close. */
static void
client_too_long(struct rpc_client *c)
{
	static const char msg[] =
		"request longer than " RTE_STR(VSW_RPC_REQUEST_MAX) " bytes";

	rpc_send_error(c, NULL, VSW_RPC_INVALID_REQUEST, msg);
	rpc_client_fail(c, msg);
}

/* One recv into the partial-input buffer. */
static void
client_read(struct rpc_client *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, RPC_IN_CAP - c->in_len,
			 MSG_DONTWAIT);

	if (n == 0) {
		c->eof = true;
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			rpc_client_fail(c, "recv failed");
		return;
	}
	c->in_len += (size_t)n;
	c->last_progress = now_s();
	if (!has_line(c) && c->in_len == RPC_IN_CAP)
		client_too_long(c);
}

/* Serve waiting lines, at most VSW_RPC_REQS_PER_WAKE requests. */
static void
client_serve(struct rpc_client *c)
{
	size_t off = 0;
	bool more = false;

	for (unsigned int n = 0; c->why == NULL; ) {
		char *line = c->in + off;
		size_t avail = c->in_len - off;
		char *nl = memchr(line, '\n', avail);
		size_t len = nl != NULL ? (size_t)(nl - line) : avail;

		if (avail == 0 || (nl == NULL && !c->eof))
			break;
		if (n == VSW_RPC_REQS_PER_WAKE) {
			more = true;
			break;
		}
		off += nl != NULL ? len + 1 : len;
		if (rpc_serve_line(c, line, len))
			n++;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
	/* Stopped at a partial line: no newline in what is left. */
	c->in_scan = more ? 0 : c->in_len;
}

static void
client_close(struct rpc_client *c, bool quiet)
{
	struct vsw_rpc *rpc = c->rpc;

	client_flush(c); /* a last error reply, if the socket takes it */
	if (!quiet)
		client_warn(c, "closing: %s", c->why);
	else
		RPC_LOG(DEBUG, rpc, "client %u: closed", c->id);
	vsw_loop_del(rpc->loop, c->fd);
	close(c->fd);
	LIST_REMOVE(c, next);
	rpc->n_clients--;
	free(c->in);
	free(c->out);
	free(c);
}

/* Close, or watch for what the client needs next. */
static void
client_update(struct rpc_client *c)
{
	bool pending = input_pending(c);
	uint32_t ev;
	int rc;

	if (c->why != NULL) {
		client_close(c, false);
		return;
	}
	if (c->eof && !pending && rpc_out_pending(c) == 0) {
		client_close(c, true);
		return;
	}
	/* EPOLLOUT also brings us back for lines left over by the budget. */
	ev = (c->eof ? 0 : EPOLLIN) | (rpc_out_pending(c) || pending ? EPOLLOUT : 0);
	if (ev == c->events)
		return;
	rc = vsw_loop_add(c->rpc->loop, c->fd, ev, client_event, c);
	if (rc != 0) {
		rpc_client_fail(c, "cannot watch the socket");
		client_close(c, false);
		return;
	}
	c->events = ev;
}

static void
client_event(int fd, uint32_t events, void *arg)
{
	struct rpc_client *c = arg;

	if (events & EPOLLOUT)
		client_flush(c);
	if (c->why == NULL && !c->eof &&
	    (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !input_pending(c))
		client_read(c);
	if (c->why == NULL)
		client_serve(c);
	if (c->why == NULL)
		client_flush(c);
	client_update(c);
}

static void
client_open(struct vsw_rpc *rpc, int fd)
{
	struct rpc_client *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->in = malloc(RPC_IN_CAP)) == NULL) {
		RPC_LOG(ERR, rpc, "out of memory for a client");
		free(c);
		close(fd);
		return;
	}
	c->rpc = rpc;
	c->fd = fd;
	c->id = ++rpc->next_client_id;
	c->last_progress = now_s();
	LIST_INSERT_HEAD(&rpc->clients, c, next);
	rpc->n_clients++;
	c->events = EPOLLIN;
	if (vsw_loop_add(rpc->loop, fd, EPOLLIN, client_event, c) != 0) {
		rpc_client_fail(c, "cannot watch the socket");
		client_close(c, false);
		return;
	}
	RPC_LOG(DEBUG, rpc, "client %u: connected", c->id);
}

/* Stop accepting until the next tick (out of descriptors or memory:
 * the listening socket would stay readable and spin the loop). */
static void
listen_pause(struct vsw_rpc *rpc, int err)
{
	RPC_LOG(WARNING, rpc, "accept: %s; pausing for a second", strerror(err));
	vsw_loop_del(rpc->loop, rpc->listen_fd);
	rpc->listen_paused = true;
}

static void
accept_event(int fd, uint32_t events, void *arg)
{
	struct vsw_rpc *rpc = arg;

	for (int i = 0; i < RPC_ACCEPTS_PER_WAKE; i++) {
		int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				listen_pause(rpc, errno);
			return;
		}
		if (rpc->n_clients >= VSW_RPC_MAX_CLIENTS) {
			if (rpc->log_budget > 0) {
				rpc->log_budget--;
				RPC_LOG(WARNING, rpc, "%d clients connected: refusing"
					" another", VSW_RPC_MAX_CLIENTS);
			}
			close(c);
			continue;
		}
		client_open(rpc, c);
	}
}

/* Once a second: reap stalled clients, resume accepting, log budget. */
static void
rpc_tick(void *arg)
{
	struct vsw_rpc *rpc = arg;
	struct rpc_client *c, *nc;
	uint64_t now = now_s();

	for (c = LIST_FIRST(&rpc->clients); c != NULL; c = nc) {
		nc = LIST_NEXT(c, next);
		if ((c->in_len > 0 || rpc_out_pending(c) > 0) &&
		    now - c->last_progress >= rpc->stall_s) {
			rpc_client_fail(c, "stalled mid-request or not reading");
			client_close(c, false);
		}
	}
	if (rpc->listen_paused &&
	    vsw_loop_add(rpc->loop, rpc->listen_fd, EPOLLIN, accept_event, rpc) == 0)
		rpc->listen_paused = false;
	if (rpc->log_suppressed > 0)
		RPC_LOG(WARNING, rpc, "%" PRIu64 " client messages suppressed",
			rpc->log_suppressed);
	rpc->log_suppressed = 0;
	rpc->log_budget = RPC_LOG_BUDGET;
}

/* Owner-only, whatever the umask: the control socket runs vswd. */
static int
listen_start(struct vsw_rpc *rpc, char *err, size_t errlen)
{
	char why[256];
	int fd = vsw_unix_listen(rpc->path, NULL, 16, &rpc->file, why,
				 sizeof(why));

	if (fd < 0) {
		snprintf(err, errlen, "control socket %s", why);
		return fd;
	}
	int rc = vsw_loop_add(rpc->loop, fd, EPOLLIN, accept_event, rpc);
	if (rc != 0) {
		snprintf(err, errlen, "control socket %s: %s", rpc->path,
			 strerror(-rc));
		vsw_unix_unlink(rpc->path, &rpc->file);
		close(fd);
		return rc;
	}
	rpc->listen_fd = fd;
	return 0;
}

struct vsw_rpc *
vsw_rpc_create(struct vsw_loop *loop, const char *path, char *err,
	       size_t errlen)
{
	struct vsw_rpc *rpc = calloc(1, sizeof(*rpc));
	int rc;

	if (rpc == NULL) {
		snprintf(err, errlen, "control socket %s: out of memory", path);
		rte_errno = ENOMEM;
		return NULL;
	}
	rpc->loop = loop;
	rpc->listen_fd = -1;
	rpc->log_budget = RPC_LOG_BUDGET;
	rpc->stall_s = VSW_RPC_STALL_SECONDS;
	LIST_INIT(&rpc->clients);
	snprintf(rpc->path, sizeof(rpc->path), "%s", path);
	rc = strlen(path) < sizeof(rpc->path) ? 0 : -ENAMETOOLONG;
	if (rc != 0)
		snprintf(err, errlen, "control socket path '%s': longer than %zu"
			 " bytes", path, sizeof(rpc->path) - 1);
	if (rc == 0)
		rc = rpc_register_builtins(rpc, err, errlen);
	if (rc == 0)
		rc = listen_start(rpc, err, errlen);
	if (rc == 0) {
		rc = vsw_loop_add_tick(loop, rpc_tick, rpc);
		if (rc != 0)
			snprintf(err, errlen, "control socket %s: no tick: %s",
				 path, strerror(-rc));
	}
	if (rc != 0) {
		vsw_rpc_destroy(rpc);
		rte_errno = -rc;
		return NULL;
	}
	RPC_LOG(INFO, rpc, "listening");
	return rpc;
}

void
vsw_rpc_destroy(struct vsw_rpc *rpc)
{
	if (rpc == NULL)
		return;
	vsw_loop_del_tick(rpc->loop, rpc_tick, rpc);
	while (!LIST_EMPTY(&rpc->clients))
		client_close(LIST_FIRST(&rpc->clients), true);
	if (rpc->listen_fd >= 0) {
		vsw_loop_del(rpc->loop, rpc->listen_fd);
		close(rpc->listen_fd);
		/* Only our own socket: never one a successor put there. */
		vsw_unix_unlink(rpc->path, &rpc->file);
	}
	rpc_free_methods(rpc);
	free(rpc);
}

const char *
vsw_rpc_path(const struct vsw_rpc *rpc)
{
	return rpc->path;
}
