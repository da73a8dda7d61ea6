/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswctl: vswd's command-line client. Sends one JSON-RPC 2.0 request
 * (JSON Lines framing, see lib/ctl/vsw_rpc.h) to the control socket and
 * prints the result.
 *
 *   vswctl [-s|--socket PATH] [--json] [--timeout SECONDS] METHOD [ARG...]
 *
 * Exit status: 0 the result was printed; 1 vswd answered with an error
 * (its message on stderr); 2 a usage error, or no answer from the socket
 * (cannot connect, timeout, connection closed, malformed reply).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#define CTL_DEFAULT "/run/vsw/vswd.ctl"
#define EXIT_ERROR_REPLY 1
#define EXIT_USAGE 2
/* The longest reply vswctl reads. */
#define REPLY_MAX (64u << 20)
/* JSON-RPC: method not found. */
#define METHOD_NOT_FOUND -32601

struct opts {
	const char *path;
	bool json;
	double timeout;
	const char *method;
	char **args;
	int nargs;
};

static const char usage[] =
	"usage: vswctl [-s|--socket PATH] [--json] [--timeout SECONDS] METHOD [ARG...]\n"
	"  -s, --socket PATH   vswd's control socket (default $VSW_CTL, else\n"
	"                      " CTL_DEFAULT ")\n"
	"  --json              print the result as JSON\n"
	"  --timeout SECONDS   wait this long for the reply (default 10)\n"
	"  -h, --help          this text\n"
	"'vswctl help' lists the methods vswd offers.\n"
	"Exit status: 0 done; 1 vswd reported an error; 2 usage error or no\n"
	"answer from the socket.\n";

__attribute__((format(printf, 1, 2)))
static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vswctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	return EXIT_USAGE;
}

/* @return -1 to go on, else the exit status. */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("VSW_CTL");
	char *end;
	int c;

	o->path = env != NULL && *env != '\0' ? env : CTL_DEFAULT;
	o->timeout = 10;
	opterr = 0;
	/* '+': options end at METHOD, so ARGs may start with '-'. */
	while ((c = getopt_long(argc, argv, "+:s:h", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->path = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 't':
			o->timeout = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' || !isfinite(o->timeout) ||
			    o->timeout <= 0 || o->timeout > 86400)
				return usage_error("--timeout '%s': expected seconds,"
						   " more than 0", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case ':':
			return usage_error("option %s needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%s", "no METHOD given");
	o->method = argv[optind];
	o->args = argv + optind + 1;
	o->nargs = argc - optind - 1;
	return -1;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Milliseconds left until @p deadline, at least 0. */
static int
left_ms(double deadline)
{
	double ms = (deadline - now()) * 1000;

	return ms <= 0 ? 0 : ms > 1e9 ? 1000000000 : (int)ms + 1;
}

/* A connected non-blocking socket, or -1 with the reason on stderr. */
static int
connect_ctl(const char *path, double deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vswctl: socket path %s: longer than %zu bytes\n",
			path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("vswctl: socket");
		return -1;
	}
	/* A unix connect either completes or, with the backlog full, says
	 * EAGAIN: retry until the deadline. */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if ((errno != EAGAIN && errno != EINTR) || left_ms(deadline) == 0) {
			fprintf(stderr, "vswctl: cannot connect to %s: %s\n", path,
				strerror(errno));
			close(fd);
			return -1;
		}
		poll(NULL, 0, 10);
	}
	return fd;
}

static int
send_all(int fd, const char *buf, size_t len, const char *path, double deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "vswctl: %s: send: %s\n", path, strerror(errno));
			return -1;
		}
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (poll(&p, 1, left_ms(deadline)) == 0) {
			fprintf(stderr, "vswctl: %s: request not taken in time\n", path);
			return -1;
		}
	}
	return 0;
}

/* Read up to the first newline. @return the line (malloc'd) or NULL. */
static char *
read_line(int fd, const char *path, double deadline, double timeout)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0, cap = 0;
	char *buf = NULL, *nl;

	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *b = cap < REPLY_MAX ? realloc(buf, cap ? 2 * cap : 65536) : NULL;

			if (b == NULL) {
				fprintf(stderr, "vswctl: %s: reply too long\n", path);
				break;
			}
			buf = b;
			cap = cap ? 2 * cap : 65536;
		}
		if (poll(&p, 1, left_ms(deadline)) == 0) {
			fprintf(stderr, "vswctl: no reply from %s within %g s\n", path,
				timeout);
			break;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			fprintf(stderr, "vswctl: %s closed the connection without a"
				" reply%s%s\n", path, n < 0 ? ": " : "",
				n < 0 ? strerror(errno) : "");
			break;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
		if (nl != NULL) {
			*nl = '\0';
			return buf;
		}
	}
	free(buf);
	return NULL;
}

/* The request line: {"jsonrpc":"2.0","id":1,"method":M,"params":[ARG...]} */
static char *
make_request(const struct opts *o)
{
	json_t *params = json_array(), *req;
	char *line;

	for (int i = 0; params != NULL && i < o->nargs; i++) {
		if (json_array_append_new(params, json_string(o->args[i])) != 0) {
			fprintf(stderr, "vswctl: argument '%s' is not valid UTF-8\n",
				o->args[i]);
			json_decref(params);
			return NULL;
		}
	}
	req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", 1,
			"method", o->method, "params", params);
	if (req == NULL) {
		fprintf(stderr, "vswctl: METHOD '%s' is not valid UTF-8\n", o->method);
		return NULL;
	}
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	return line;
}

/* ---- rendering ---------------------------------------------------------- */

static bool
is_scalar(const json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

/* A value as table cell or "key: value" text (malloc'd). */
static char *
value_text(const json_t *v)
{
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
}

/* Terminal columns of UTF-8 @p s (one per code point). */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static bool
all_objects(const json_t *a)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (!json_is_object(v))
			return false;
	return json_array_size(a) > 0;
}

/* Columns: the first row's keys in order, then keys only later rows have. */
static json_t *
table_columns(const json_t *rows)
{
	json_t *cols = json_array(), *row, *v;
	const char *key;
	size_t i, j;

	json_array_foreach(rows, i, row) {
		json_object_foreach(row, key, v) {
			bool seen = false;
			json_t *c;

			json_array_foreach(cols, j, c)
				seen = seen || strcmp(json_string_value(c), key) == 0;
			if (!seen)
				json_array_append_new(cols, json_string(key));
		}
	}
	return cols;
}

static void
print_cell(const char *s, size_t w, bool last)
{
	fputs(s, stdout);
	if (!last)
		printf("%*s", (int)(w - width(s) + 2), "");
}

/* An array of objects as an aligned table, @p indent spaces in. */
static void
print_table(const json_t *rows, int indent)
{
	json_t *cols = table_columns(rows), *row, *col;
	size_t ncols = json_array_size(cols), nrows = json_array_size(rows);
	size_t *w = calloc(ncols ? ncols : 1, sizeof(*w));
	char **cell = calloc(ncols * nrows + 1, sizeof(*cell));
	size_t i, j;

	if (w == NULL || cell == NULL)
		goto out;
	json_array_foreach(cols, j, col)
		w[j] = width(json_string_value(col));
	json_array_foreach(rows, i, row) {
		json_array_foreach(cols, j, col) {
			json_t *v = json_object_get(row, json_string_value(col));
			char *s = v != NULL ? value_text(v) : strdup("-");

			cell[i * ncols + j] = s;
			if (s != NULL && width(s) > w[j])
				w[j] = width(s);
		}
	}
	printf("%*s", indent, "");
	json_array_foreach(cols, j, col)
		print_cell(json_string_value(col), w[j], j + 1 == ncols);
	putchar('\n');
	for (i = 0; i < nrows; i++) {
		printf("%*s", indent, "");
		for (j = 0; j < ncols; j++) {
			const char *s = cell[i * ncols + j];

			print_cell(s != NULL ? s : "?", w[j], j + 1 == ncols);
		}
		putchar('\n');
	}
out:
	for (i = 0; cell != NULL && i < ncols * nrows; i++)
		free(cell[i]);
	free(cell);
	free(w);
	json_decref(cols);
}

static void print_object(const json_t *obj, int indent);

/* An array that is not a table: one element a line. */
static void
print_list(const json_t *a, int indent)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v) {
		char *s = value_text(v);

		printf("%*s%s\n", indent, "", s != NULL ? s : "?");
		free(s);
	}
}

/* "key: value" lines; nested objects and tables go indented below. */
static void
print_member(const char *key, const json_t *v, int indent)
{
	char *s;

	if (is_scalar(v)) {
		s = value_text(v);
		printf("%*s%s: %s\n", indent, "", key, s != NULL ? s : "?");
		free(s);
		return;
	}
	printf("%*s%s:", indent, "", key);
	if (json_is_array(v) && json_array_size(v) > 0 && !all_objects(v)) {
		size_t i;
		json_t *e;
		bool flat = true;

		json_array_foreach(v, i, e)
			flat = flat && is_scalar(e);
		if (flat) { /* a short list of scalars on one line */
			json_array_foreach(v, i, e) {
				s = value_text(e);
				printf("%s%s", i ? ", " : " ", s != NULL ? s : "?");
				free(s);
			}
			putchar('\n');
			return;
		}
	}
	putchar('\n');
	if (json_is_object(v))
		print_object(v, indent + 2);
	else if (all_objects(v))
		print_table(v, indent + 2);
	else
		print_list(v, indent + 2);
}

static void
print_object(const json_t *obj, int indent)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v)
		print_member(key, v, indent);
}

static void
print_result(const json_t *r, bool as_json)
{
	char *s;

	if (as_json || (is_scalar(r) && !json_is_string(r) && !json_is_null(r))) {
		s = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			       JSON_ENCODE_ANY);
		if (s != NULL)
			puts(s);
		free(s);
	} else if (json_is_string(r)) {
		s = (char *)json_string_value(r);
		fputs(s, stdout);
		if (*s != '\0' && s[strlen(s) - 1] != '\n')
			putchar('\n');
	} else if (json_is_object(r)) {
		print_object(r, 0);
	} else if (all_objects(r)) {
		print_table(r, 0);
	} else if (json_is_array(r)) {
		print_list(r, 0);
	}
	/* null: nothing to say */
}

/* ---- the reply ---------------------------------------------------------- */

static int
handle_reply(const char *line, const struct opts *o)
{
	json_t *reply = json_loads(line, 0, NULL), *err, *result, *id;
	const char *msg;
	int rc = EXIT_USAGE;

	err = json_object_get(reply, "error");
	result = json_object_get(reply, "result");
	id = json_object_get(reply, "id");
	if (!json_is_object(reply) || !json_is_integer(id) ||
	    json_integer_value(id) != 1 ||
	    (err == NULL) == (result == NULL)) {
		fprintf(stderr, "vswctl: malformed reply from %s: %.200s\n",
			o->path, line);
	} else if (err != NULL) {
		msg = json_string_value(json_object_get(err, "message"));
		fprintf(stderr, "vswctl: %s%s\n", msg != NULL ? msg : "error",
			json_integer_value(json_object_get(err, "code")) ==
			METHOD_NOT_FOUND ? " (vswctl help lists the methods)" : "");
		rc = EXIT_ERROR_REPLY;
	} else {
		print_result(result, o->json);
		rc = 0;
	}
	json_decref(reply);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	char *req, *line;
	double deadline;
	int fd, rc;

	rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	req = make_request(&o);
	if (req == NULL)
		return EXIT_USAGE;
	deadline = now() + o.timeout;
	fd = connect_ctl(o.path, deadline);
	if (fd < 0) {
		free(req);
		return EXIT_USAGE;
	}
	line = NULL;
	if (send_all(fd, req, strlen(req), o.path, deadline) == 0 &&
	    send_all(fd, "\n", 1, o.path, deadline) == 0)
		line = read_line(fd, o.path, deadline, o.timeout);
	close(fd);
	free(req);
	if (line == NULL)
		return EXIT_USAGE;
	rc = handle_reply(line, &o);
	free(line);
	return rc;
}
