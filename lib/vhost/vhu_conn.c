/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One front-end connection: non-blocking framing with partial-message
 * state, SCM_RIGHTS descriptors, and buffered replies. A peer that sends
 * half a message waits in `have`, a peer that never reads its replies
 * fills `out` and is disconnected: neither blocks the control thread.
 * Deadlines keep a silent peer from holding a server port's only slot: a
 * first message within handshake_ms of connecting, and each message
 * whole within handshake_ms of its first byte.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vsw_loop.h"
#include "vhu_priv.h"

/* Messages handled per wake-up, so one busy peer cannot starve others. */
#define CONN_MSGS_PER_WAKE 16

static void conn_event(int fd, uint32_t events, void *arg);

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
close_msg_fds(struct vhu_msg *msg)
{
	for (unsigned int i = 0; i < msg->nfds; i++)
		if (msg->fds[i] >= 0)
			close(msg->fds[i]);
	msg->nfds = 0;
}

struct vhu_conn *
vhu_conn_open(struct vsw_vhost_dev *dev, int fd)
{
	struct vhu_conn *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL) {
		VHU_LOG(ERR, dev, "out of memory for a connection");
		close(fd);
		return NULL;
	}
	c->fd = fd;
	c->opened_ms = now_ms();
	dev->conn = c;
	rc = vsw_loop_add(dev->loop, fd, EPOLLIN, conn_event, dev);
	if (rc != 0) {
		VHU_LOG(ERR, dev, "cannot watch connection: %s", strerror(-rc));
		dev->conn = NULL;
		close(fd);
		free(c);
		return NULL;
	}
	VHU_LOG(INFO, dev, "front-end connected");
	return c;
}

void
vhu_conn_close(struct vsw_vhost_dev *dev, const char *why)
{
	struct vhu_conn *c = dev->conn;

	if (c == NULL)
		return;
	VHU_LOG(INFO, dev, "closing connection: %s", why);
	vsw_loop_del(dev->loop, c->fd);
	close(c->fd);
	close_msg_fds(&c->msg);
	free(c);
	dev->conn = NULL;
	vhu_dev_reset(dev);
	vhu_socket_disconnected(dev);
}

/* Collect the descriptors of one recvmsg; false if some were lost. */
static bool
take_fds(struct vhu_conn *c, struct msghdr *mh)
{
	bool ok = !(mh->msg_flags & MSG_CTRUNC);

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm != NULL;
	     cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int *fds = (int *)CMSG_DATA(cm);

		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, &fds[i], sizeof(fd));
			if (c->msg.nfds < VHU_MAX_FDS) {
				c->msg.fds[c->msg.nfds++] = fd;
			} else {
				close(fd);
				ok = false;
			}
		}
	}
	return ok;
}

/*
 * Read what the socket has of the current message.
 * @return 1 complete, 0 incomplete, -1 closed or broken (reason in why).
 */
static int
conn_read(struct vhu_conn *c, char *why, size_t whylen)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHU_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	uint32_t total = c->have < VHU_HDR_SIZE ? VHU_HDR_SIZE :
			 VHU_HDR_SIZE + c->msg.hdr.size;
	struct iovec iov = {
		.iov_base = (uint8_t *)&c->msg + c->have,
		.iov_len = total - c->have,
	};
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n == 0) {
		snprintf(why, whylen, c->have ? "peer closed mid-message" : "peer closed");
		return -1;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		snprintf(why, whylen, "recvmsg: %s", strerror(errno));
		return -1;
	}
	if (!take_fds(c, &mh)) {
		snprintf(why, whylen, "more than %d fds with one message", VHU_MAX_FDS);
		return -1;
	}
	if (c->have == 0)
		c->msg_start_ms = now_ms();
	c->have += (uint32_t)n;
	if (c->have == VHU_HDR_SIZE &&
	    vsw_vhu_hdr_validate(&c->msg.hdr, why, whylen) != 0)
		return -1;
	return c->have == VHU_HDR_SIZE + c->msg.hdr.size;
}

static int
conn_flush(struct vsw_vhost_dev *dev)
{
	struct vhu_conn *c = dev->conn;

	while (c->out_len > 0) {
		ssize_t n = send(c->fd, c->out, c->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -errno;
		}
		memmove(c->out, c->out + n, c->out_len - (uint32_t)n);
		c->out_len -= (uint32_t)n;
	}
	return vsw_loop_add(dev->loop, c->fd,
			    EPOLLIN | (c->out_len ? EPOLLOUT : 0), conn_event, dev);
}

int
vhu_conn_reply(struct vsw_vhost_dev *dev, const struct vhu_hdr *req,
	       const void *payload, uint32_t size)
{
	struct vhu_conn *c = dev->conn;
	struct vhu_hdr hdr = {
		.request = req->request,
		.flags = VHU_VERSION | VHU_FLAG_REPLY,
		.size = size,
	};

	if (c->out_len + VHU_HDR_SIZE + size > VHU_OUT_MAX)
		return -ENOBUFS; /* the peer does not read its replies */
	memcpy(c->out + c->out_len, &hdr, VHU_HDR_SIZE);
	memcpy(c->out + c->out_len + VHU_HDR_SIZE, payload, size);
	c->out_len += VHU_HDR_SIZE + size;
	return conn_flush(dev);
}

static void
conn_event(int fd, uint32_t events, void *arg)
{
	struct vsw_vhost_dev *dev = arg;
	char why[256];

	if (dev->conn == NULL || dev->conn->fd != fd)
		return;
	if ((events & EPOLLOUT) && conn_flush(dev) != 0) {
		vhu_conn_close(dev, "send failed");
		return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	for (int i = 0; i < CONN_MSGS_PER_WAKE && dev->conn != NULL; i++) {
		struct vhu_conn *c = dev->conn;
		int rc = conn_read(c, why, sizeof(why));

		if (rc < 0) {
			vhu_conn_close(dev, why);
			return;
		}
		if (rc == 0)
			return;
		c->greeted = true;
		vhu_dev_handle(dev, &c->msg);
		if (dev->conn != c)
			return; /* the handler closed the connection */
		close_msg_fds(&c->msg);
		c->have = 0;
		memset(&c->msg.payload, 0, sizeof(c->msg.payload));
	}
}

void
vhu_conn_tick(struct vsw_vhost_dev *dev)
{
	struct vhu_conn *c = dev->conn;
	uint64_t now = now_ms();
	char why[128];

	if (c == NULL || dev->handshake_ms == 0)
		return;
	if (!c->greeted && now - c->opened_ms >= dev->handshake_ms) {
		snprintf(why, sizeof(why), "no message within %" PRIu32 " ms of"
			 " connecting (handshake deadline)", dev->handshake_ms);
		vhu_conn_close(dev, why);
	} else if (c->have > 0 && now - c->msg_start_ms >= dev->handshake_ms) {
		snprintf(why, sizeof(why), "message incomplete (%" PRIu32
			 " bytes) for %" PRIu32 " ms", c->have, dev->handshake_ms);
		vhu_conn_close(dev, why);
	}
}
