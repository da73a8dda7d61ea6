/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>

#include "vsw_loop.h"

#define LOOP_MAX_FDS 1024
#define LOOP_MAX_TICKS 64
#define LOOP_EVENTS 32

struct loop_watch {
	vsw_loop_fd_cb cb;
	void *arg;
	bool used;
};

struct loop_tick {
	vsw_loop_tick_cb cb;
	void *arg;
};

struct vsw_loop {
	int epfd;
	struct loop_watch watch[LOOP_MAX_FDS];
	struct loop_tick ticks[LOOP_MAX_TICKS];
	unsigned int nticks;
	uint64_t next_tick_ms;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct vsw_loop *
vsw_loop_create(void)
{
	struct vsw_loop *loop = calloc(1, sizeof(*loop));

	if (loop == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		rte_errno = errno;
		free(loop);
		return NULL;
	}
	loop->next_tick_ms = now_ms() + 1000;
	return loop;
}

void
vsw_loop_destroy(struct vsw_loop *loop)
{
	if (loop == NULL)
		return;
	close(loop->epfd);
	free(loop);
}

int
vsw_loop_add(struct vsw_loop *loop, int fd, uint32_t events,
	     vsw_loop_fd_cb cb, void *arg)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int op;

	if (fd < 0 || fd >= LOOP_MAX_FDS)
		return -EMFILE;
	op = loop->watch[fd].used ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(loop->epfd, op, fd, &ev) < 0)
		return -errno;
	loop->watch[fd] = (struct loop_watch){ cb, arg, true };
	return 0;
}

void
vsw_loop_del(struct vsw_loop *loop, int fd)
{
	if (fd < 0 || fd >= LOOP_MAX_FDS || !loop->watch[fd].used)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->watch[fd].used = false;
}

int
vsw_loop_add_tick(struct vsw_loop *loop, vsw_loop_tick_cb cb, void *arg)
{
	if (loop->nticks == LOOP_MAX_TICKS)
		return -ENOSPC;
	loop->ticks[loop->nticks++] = (struct loop_tick){ cb, arg };
	return 0;
}

void
vsw_loop_del_tick(struct vsw_loop *loop, vsw_loop_tick_cb cb, void *arg)
{
	for (unsigned int i = 0; i < loop->nticks; i++) {
		if (loop->ticks[i].cb == cb && loop->ticks[i].arg == arg) {
			loop->ticks[i] = loop->ticks[--loop->nticks];
			return;
		}
	}
}

static void
run_ticks(struct vsw_loop *loop)
{
	uint64_t now = now_ms();

	if (now < loop->next_tick_ms)
		return;
	loop->next_tick_ms = now + 1000;
	/* A tick may remove itself: walk backwards. */
	for (unsigned int i = loop->nticks; i-- > 0;)
		if (i < loop->nticks)
			loop->ticks[i].cb(loop->ticks[i].arg);
}

int
vsw_loop_run_once(struct vsw_loop *loop, int timeout_ms)
{
	struct epoll_event ev[LOOP_EVENTS];
	int n = epoll_wait(loop->epfd, ev, LOOP_EVENTS, timeout_ms);

	if (n < 0) {
		if (errno == EINTR)
			n = 0;
		else
			return -errno;
	}
	for (int i = 0; i < n; i++) {
		int fd = ev[i].data.fd;
		struct loop_watch *w = &loop->watch[fd];

		/* An earlier callback of this batch may have removed it. */
		if (w->used)
			w->cb(fd, ev[i].events, w->arg);
	}
	run_ticks(loop);
	return n;
}
