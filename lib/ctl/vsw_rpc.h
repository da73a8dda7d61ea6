/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_RPC_H
#define VSW_RPC_H

/**
 * @file
 * The control socket: a JSON-RPC 2.0 server on a unix stream socket.
 *
 * Introduction
 * ------------
 * vswd's run-time operations (and vswctl, their command-line client) go
 * through one server object. Modules register methods with a name, a usage
 * line, a one-line help text, bounds on the number of positional
 * arguments and a handler; the server parses requests, checks them,
 * calls the handler and encodes its result or error.
 *
 * Details
 * -------
 * Framing is JSON Lines: each request is one JSON text terminated by a
 * newline ('\n', optionally preceded by '\r'), and each reply is one
 * compact JSON text terminated by '\n'. Blank lines are ignored. A
 * request whose line is longer than VSW_RPC_REQUEST_MAX bytes is answered
 * with -32600 and the connection is closed. Replies to one client come in
 * the order of its requests.
 *
 * A request is an object {"jsonrpc": "2.0", "method": NAME, "params": P,
 * "id": ID}. "params" may be absent, an array (positional arguments:
 * what vswctl sends, strings) or an object (named arguments). "id" is a
 * number, a string or null; a request without "id" is a notification and
 * gets no reply, whatever happens. Batch requests (a JSON array) are not
 * supported: they are answered with one -32600 error.
 *
 * Error codes (JSON-RPC 2.0):
 * - -32700 the line is not JSON (id null);
 * - -32600 not a request: not an object, "jsonrpc" not "2.0", "method"
 *   not a string, "id" neither number, string nor null, a batch, or a
 *   request line too long;
 * - -32601 no such method;
 * - -32602 invalid params: "params" neither array nor object, a
 *   positional count outside the method's [min_args, max_args] (checked
 *   before the handler runs; the message carries the usage line), or the
 *   handler returned -EINVAL;
 * - -32603 the result could not be encoded;
 * - -32000 the handler failed with another -errno.
 * Handler errors carry the handler's message.
 *
 * Every client socket is non-blocking and has its own partial-input
 * buffer and output buffer. A client that keeps sending requests while
 * more than VSW_RPC_OUTPUT_MAX bytes of its earlier replies are unread is
 * closed; so is one that leaves a partial request or unsent replies
 * without progress for VSW_RPC_STALL_SECONDS. At most VSW_RPC_REQS_PER_WAKE
 * requests of one client are served per loop wake-up, so a busy client
 * cannot starve the others. At most VSW_RPC_MAX_CLIENTS are connected at
 * once. Closing a client affects no other client.
 *
 * Concurrency and lifetime: everything runs on the thread that runs the
 * vsw_loop given to vsw_rpc_create(), handlers included. Handlers must not
 * block and must not destroy the server; they may register and unregister
 * methods. A registered method (its strings and arg) must stay valid until
 * it is unregistered or the server destroyed.
 *
 * The socket file: a stale socket at the path (nobody accepts on it) is
 * replaced; a path where a live server accepts connections is refused
 * ("another vswd is using PATH"); any other file there is refused. The
 * file is removed by vsw_rpc_destroy().
 *
 * Usage
 * -----
 *     static int
 *     h_echo(void *arg, json_t *params, json_t **result, char *err, size_t len)
 *     {
 *             const char *s;
 *
 *             if (vsw_rpc_param_str(params, 0, "text", &s, err, len) != 0)
 *                     return -EINVAL;
 *             *result = json_string(s);
 *             return 0;
 *     }
 *     static const struct vsw_rpc_method echo = {
 *             "echo", "echo TEXT", "return TEXT", 1, 1, h_echo, NULL,
 *     };
 *
 *     rpc = vsw_rpc_create(loop, "/run/vsw/vswd.ctl", err, sizeof(err));
 *     vsw_rpc_register(rpc, &echo);
 *     ... vsw_loop_run_once(loop, ...) ...
 *     vsw_rpc_destroy(rpc);
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct vsw_loop;
struct vsw_rpc;

/** Longest request line, without its newline. */
#define VSW_RPC_REQUEST_MAX 65536
/** Unread reply bytes beyond which a client sending requests is closed. */
#define VSW_RPC_OUTPUT_MAX (1024 * 1024)
/** Requests of one client served per wake-up. */
#define VSW_RPC_REQS_PER_WAKE 32
/** Seconds a partial request or unsent output may sit without progress. */
#define VSW_RPC_STALL_SECONDS 30
/** Clients connected at once; more are accepted and closed at once. */
#define VSW_RPC_MAX_CLIENTS 64
/** max_args value: no upper bound. */
#define VSW_RPC_ARGS_ANY UINT32_MAX

/* JSON-RPC 2.0 error codes. */
#define VSW_RPC_PARSE_ERROR -32700
#define VSW_RPC_INVALID_REQUEST -32600
#define VSW_RPC_METHOD_NOT_FOUND -32601
#define VSW_RPC_INVALID_PARAMS -32602
#define VSW_RPC_INTERNAL_ERROR -32603
#define VSW_RPC_COMMAND_FAILED -32000

/**
 * A method handler.
 *
 * @param arg the method's arg.
 * @param params an array (positional; absent params arrive as an empty
 *   array, already checked against min_args/max_args) or an object.
 *   Borrowed: take a reference to keep anything.
 * @param result on success, a new reference (NULL means JSON null).
 *   Objects are encoded in insertion order: vswctl shows tables with
 *   columns in the key order of the first row.
 * @param err, errlen the error message on failure.
 * @return 0; -EINVAL for bad arguments (-32602); another -errno when the
 *   command failed (-32000). A *result set on failure is released.
 */
typedef int (*vsw_rpc_fn)(void *arg, json_t *params, json_t **result,
			  char *err, size_t errlen);

struct vsw_rpc_method {
	const char *name;   /**< e.g. "fdb-show" */
	const char *usage;  /**< e.g. "fdb-show BRIDGE" */
	const char *help;   /**< one line */
	uint32_t min_args;  /**< positional arguments at least ... */
	uint32_t max_args;  /**< ... and at most (VSW_RPC_ARGS_ANY) */
	vsw_rpc_fn fn;
	void *arg;
};

/**
 * Listen on @p path and serve clients from @p loop. Registers the
 * built-in methods "help" and "version".
 * @return the server, or NULL with rte_errno set and a message naming
 *   the path in @p err.
 */
struct vsw_rpc *vsw_rpc_create(struct vsw_loop *loop, const char *path,
			       char *err, size_t errlen);

/** Close every client and the socket, remove the socket file. NULL is ok. */
void vsw_rpc_destroy(struct vsw_rpc *rpc);

/** The socket path given to vsw_rpc_create(). */
const char *vsw_rpc_path(const struct vsw_rpc *rpc);

/**
 * Add a method; @p m is copied (not the strings it points to).
 * @return 0; -EINVAL if name, usage, help or fn is missing or
 *   min_args > max_args; -EEXIST if the name is taken; -ENOMEM.
 */
int vsw_rpc_register(struct vsw_rpc *rpc, const struct vsw_rpc_method *m);

/** Remove the method @p name. @return 0 or -ENOENT. */
int vsw_rpc_unregister(struct vsw_rpc *rpc, const char *name);

/* Helpers for handlers. */

/** Number of positional arguments (0 for an object). */
size_t vsw_rpc_nparams(const json_t *params);

/**
 * A string argument: positional @p i of an array, or member @p name of an
 * object (so name arguments as JSON clients would: "bridge", "port").
 * @return 0 with *out borrowed from @p params, or -EINVAL with a message
 *   naming @p name ("missing argument NAME", "NAME must be a string").
 */
int vsw_rpc_param_str(const json_t *params, size_t i, const char *name,
		      const char **out, char *err, size_t errlen);

/**
 * An unsigned argument in [@p min, @p max]: a decimal string (what vswctl
 * sends) or a JSON integer, positional @p i or member @p name.
 * @return 0 or -EINVAL with a message naming @p name and the range.
 */
int vsw_rpc_param_uint(const json_t *params, size_t i, const char *name,
		       uint64_t min, uint64_t max, uint64_t *out,
		       char *err, size_t errlen);

/**
 * Parse decimal @p s as an unsigned in [@p min, @p max].
 * @return 0 or -EINVAL with "NAME 'S': expected a number in MIN..MAX".
 */
int vsw_rpc_parse_uint(const char *name, const char *s, uint64_t min,
		       uint64_t max, uint64_t *out, char *err, size_t errlen);

#endif /* VSW_RPC_H */
