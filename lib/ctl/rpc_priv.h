/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_RPC_PRIV_H
#define VSW_RPC_PRIV_H

/* Private to the control socket: rpc.c (sockets, framing) and
 * rpc_dispatch.c (requests, methods, built-ins). */

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/types.h>
#include <sys/un.h>

#include <rte_log.h>

#include "vsw_rpc.h"
#include "vsw_unix.h"

extern int vsw_ctl_logtype;

#define RPC_LOG(level, rpc, fmt, ...) \
	rte_log(RTE_LOG_##level, vsw_ctl_logtype, "ctl: %s: " fmt "\n", \
		(rpc)->path, ##__VA_ARGS__)

/** One connected client and its partial state. */
struct rpc_client {
	LIST_ENTRY(rpc_client) next;
	struct vsw_rpc *rpc;
	int fd;
	unsigned int id;        /**< for logs: 1, 2, ... per server */
	uint32_t events;        /**< what the loop watches for */
	bool eof;               /**< the peer shut down its sending side */
	const char *why;        /**< set: close at the end of this event */
	uint64_t last_progress; /**< monotonic seconds of the last byte moved */
	char *in;               /**< partial input, VSW_RPC_REQUEST_MAX + 1 */
	size_t in_len;
	size_t in_scan;         /**< no '\n' in in[0, in_scan) */
	char *out;              /**< replies: unsent bytes are [out_off, out_len) */
	size_t out_off;
	size_t out_len;
	size_t out_cap;
};

struct vsw_rpc {
	struct vsw_loop *loop;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	bool listen_paused;     /**< accept failed: retry on the tick */
	struct vsw_unix_file file; /**< the socket file we bound */
	LIST_HEAD(, rpc_client) clients;
	unsigned int n_clients;
	unsigned int next_client_id;
	unsigned int stall_s;   /**< VSW_RPC_STALL_SECONDS (tests shorten it) */
	unsigned int log_budget;   /**< client warnings left this second */
	uint64_t log_suppressed;
	struct vsw_rpc_method *methods; /**< sorted by name */
	size_t n_methods;
	size_t cap_methods;
};

static inline size_t
rpc_out_pending(const struct rpc_client *c)
{
	return c->out_len - c->out_off;
}

/* rpc.c */
/** Mark @p c for closing once its event is handled. */
void rpc_client_fail(struct rpc_client *c, const char *why);
/** Queue one encoded reply and its newline. @return 0 or -ENOMEM. */
int rpc_client_send(struct rpc_client *c, const json_t *reply);

/* rpc_dispatch.c */
/**
 * Serve one request line (without its newline).
 * @return false for a blank line (not a request).
 */
bool rpc_serve_line(struct rpc_client *c, const char *line, size_t len);
/** Queue an error reply; @p id may be NULL (JSON null). */
void rpc_send_error(struct rpc_client *c, json_t *id, int code,
		    const char *msg);
int rpc_register_builtins(struct vsw_rpc *rpc, char *err, size_t errlen);
void rpc_free_methods(struct vsw_rpc *rpc);

#endif /* VSW_RPC_PRIV_H */
