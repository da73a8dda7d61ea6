/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The eventfds a front-end passes with SET_VRING_KICK/CALL/ERR. Only
 * eventfds are taken (a pipe fills and blocks, a socket or file does
 * anything), and nothing done to them can block a thread of ours
 * (vsw_guard_signal() and vsw_guard_drain(), lib/guard).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vhu_priv.h"

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

