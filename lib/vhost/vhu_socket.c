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
#include <sys/stat.h>
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

static int
listen_start(struct vsw_vhost_dev *dev)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc;

	/* A stale socket from an earlier run is replaced; anything else stays. */
	if (lstat(dev->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			VHU_LOG(ERR, dev, "path exists and is not a socket");
			return -EEXIST;
		}
		unlink(dev->path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unix_addr(dev, &sa);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		rc = -errno;
		VHU_LOG(ERR, dev, "cannot listen: %s", strerror(errno));
		goto err_close;
	}
	rc = vsw_loop_add(dev->loop, fd, EPOLLIN, accept_event, dev);
	if (rc != 0)
		goto err_unlink;
	dev->listen_fd = fd;
	VHU_LOG(INFO, dev, "listening");
	return 0;

err_unlink:
	unlink(dev->path);
err_close:
	close(fd);
	return rc;
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

	if (!dev->server)
		try_connect(dev);
	vhu_dev_tick(dev);
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
		unlink(dev->path);
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
