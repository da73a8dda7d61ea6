/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_LOOP_H
#define VSW_LOOP_H

/**
 * @file
 * The control thread's event loop: epoll over file descriptors plus a
 * once-a-second tick. Single-threaded: every function is called from the
 * thread that runs vsw_loop_run_once(). Callbacks may add and remove
 * descriptors, including their own.
 */

#include <stdint.h>

struct vsw_loop;

/** Called when @p fd is ready; @p events is the epoll event mask. */
typedef void (*vsw_loop_fd_cb)(int fd, uint32_t events, void *arg);
/** Called about once a second. */
typedef void (*vsw_loop_tick_cb)(void *arg);

/** @return a new loop, or NULL with rte_errno set. */
struct vsw_loop *vsw_loop_create(void);
void vsw_loop_destroy(struct vsw_loop *loop);

/**
 * Watch @p fd for @p events (EPOLLIN, EPOLLOUT). Re-adding a watched fd
 * changes its events and callback. @return 0 or -errno.
 */
int vsw_loop_add(struct vsw_loop *loop, int fd, uint32_t events,
		 vsw_loop_fd_cb cb, void *arg);
/** Stop watching @p fd (before closing it). Unknown fds are ignored. */
void vsw_loop_del(struct vsw_loop *loop, int fd);

/** Register a tick callback. @return 0 or -ENOSPC. */
int vsw_loop_add_tick(struct vsw_loop *loop, vsw_loop_tick_cb cb, void *arg);
/** Remove a tick callback registered with the same cb and arg. */
void vsw_loop_del_tick(struct vsw_loop *loop, vsw_loop_tick_cb cb, void *arg);

/**
 * Wait up to @p timeout_ms for events and dispatch them; run due ticks.
 * @return number of fd events dispatched, or -errno (EINTR is 0).
 */
int vsw_loop_run_once(struct vsw_loop *loop, int timeout_ms);

#endif /* VSW_LOOP_H */
