/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The eventfds a front-end passes with SET_VRING_KICK/CALL/ERR. Only
 * eventfds are taken (a pipe fills and blocks, a socket or file does
 * anything), and nothing done to them can block a thread of ours: reads
 * ask for no wait per call (preadv2 RWF_NOWAIT, immune to the peer
 * clearing O_NONBLOCK in the description it shares with us), writes run
 * under the guard watchdog (lib/guard), which interrupts one that blocks.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vsw_guard.h"
#include "vhu_priv.h"

#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008
#endif

int
vhu_fd_check_eventfd(int fd, char *what, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, what, len - 1);
	if (n < 0) {
		snprintf(what, len, "unknown (%s: %s)", path, strerror(errno));
		return -EBADF;
	}
	what[n] = '\0';
	return strcmp(what, "anon_inode:[eventfd]") == 0 ? 0 : -EBADF;
}

int
vhu_fd_signal(int fd)
{
	int rc;

	vsw_guard_enter();
	rc = eventfd_write(fd, 1);
	vsw_guard_leave();
	return rc == 0 ? 0 : -errno;
}

/* Kernels without RWF_NOWAIT reads of eventfds: poll, then read under
 * the guard (the peer may drain the counter in between). */
static uint64_t
drain_polled(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t n = 0;
	ssize_t r = 0;

	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN))
		return 0;
	vsw_guard_enter();
	r = read(fd, &n, sizeof(n));
	vsw_guard_leave();
	return r == sizeof(n) ? n : 0;
}

uint64_t
vhu_fd_drain(int fd)
{
	static bool no_nowait;
	uint64_t n = 0;
	struct iovec iov = { &n, sizeof(n) };
	ssize_t r;

	if (no_nowait)
		return drain_polled(fd);
	r = preadv2(fd, &iov, 1, -1, RWF_NOWAIT);
	if (r == sizeof(n))
		return n;
	if (r < 0 && (errno == EOPNOTSUPP || errno == EINVAL)) {
		no_nowait = true;
		return drain_polled(fd);
	}
	return 0; /* EAGAIN: nothing there */
}
