/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user sockets: a server that accepts one front-end at a time, or a
 * client that connects and, while no front-end is there, retries once a
 * second. Every socket is non-blocking.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vsw_loop.h"
#include "vhu_priv.h"

static int
unix_addr(const struct vsw_vhost_dev *dev, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, dev->path, strlen(dev->path) + 1);
	return 0;
}

static void
accept_event(int fd, uint32_t events, void *arg)
{
	struct vsw_vhost_dev *dev = arg;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (c < 0) {
		if (errno != EAGAIN && errno != EINTR)
			VHU_LOG(ERR, dev, "accept: %s", strerror(errno));
		return;
	}
	if (dev->conn != NULL) {
		VHU_LOG(WARNING, dev, "second front-end refused: one is connected");
		close(c);
		return;
	}
	vhu_conn_open(dev, c);
}

/*
 * Listen with the configured mode, owner and group. A stale socket from
 * an earlier run is replaced; a live one (another vswd or back-end
 * accepts on it) or any other file is refused.
 */
static int
listen_start(struct vsw_vhost_dev *dev)
{
	char why[256];
	int fd, rc;

	fd = vsw_unix_listen(dev->path, &dev->perm, 4, &dev->file, why,
			     sizeof(why));
	if (fd < 0) {
		VHU_LOG(ERR, dev, "cannot listen: %s", why);
		return fd;
	}
	rc = vsw_loop_add(dev->loop, fd, EPOLLIN, accept_event, dev);
	if (rc != 0) {
		vsw_unix_unlink(dev->path, &dev->file);
		close(fd);
		return rc;
	}
	dev->listen_fd = fd;
	VHU_LOG(INFO, dev, "listening (mode %04o)", dev->perm.mode);
	return 0;
}

static void
try_connect(struct vsw_vhost_dev *dev)
{
	struct sockaddr_un sa;
	int fd;

	if (dev->conn != NULL || dev->stopping)
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	unix_addr(dev, &sa);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (!dev->connect_failed_logged)
			VHU_LOG(INFO, dev, "front-end not there yet (%s); retrying"
				" every second", strerror(errno));
		dev->connect_failed_logged = true;
		close(fd);
		return;
	}
	dev->connect_failed_logged = false;
	vhu_conn_open(dev, fd);
}

static void
dev_tick(void *arg)
{
	struct vsw_vhost_dev *dev = arg;

	vhu_conn_tick(dev);
	if (!dev->server)
		try_connect(dev);
	vhu_dev_tick(dev);
	vhu_log_tick(dev);
}

int
vhu_socket_start(struct vsw_vhost_dev *dev)
{
	int rc = 0;

	if (dev->server)
		rc = listen_start(dev);
	if (rc == 0)
		rc = vsw_loop_add_tick(dev->loop, dev_tick, dev);
	if (rc != 0)
		return rc;
	if (!dev->server)
		try_connect(dev);
	return 0;
}

void
vhu_socket_stop(struct vsw_vhost_dev *dev)
{
	dev->stopping = true;
	vsw_loop_del_tick(dev->loop, dev_tick, dev);
	if (dev->listen_fd >= 0) {
		vsw_loop_del(dev->loop, dev->listen_fd);
		close(dev->listen_fd);
		vsw_unix_unlink(dev->path, &dev->file);
		dev->listen_fd = -1;
	}
}

void
vhu_socket_disconnected(struct vsw_vhost_dev *dev)
{
	/* A server accepts the next front-end; a client retries on the tick. */
	if (!dev->server && !dev->stopping)
		VHU_LOG(INFO, dev, "will reconnect");
}
