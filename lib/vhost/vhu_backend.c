/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The back-end channel: a socket the front-end hands over with
 * SET_BACKEND_REQ_FD (PROTOCOL_F_BACKEND_REQ), on which the back-end
 * sends requests of its own (vhost-user.rst "Back-end communication"):
 * host notifiers and config-change notices here. Sends never wait: a
 * front-end that does not read its end loses the channel, never stalls
 * the control thread.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vhu_priv.h"

#define BIT(n) (1ULL << (n))

int
vhu_h_set_backend_req_fd(struct hctx *h)
{
	struct vsw_vhost_dev *dev = h->dev;
	int fd = h->msg->fds[0];
	struct stat st;

	if (!(dev->protocol_features & BIT(VHU_PROTOCOL_F_BACKEND_REQ)))
		return vhu_fail(h, "SET_BACKEND_REQ_FD: BACKEND_REQ was not"
				" negotiated");
	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
		return vhu_fail(h, "SET_BACKEND_REQ_FD: the fd is not a socket");
	vhu_backend_close(dev);
	dev->backend_fd = fd;
	h->msg->fds[0] = -1;
	return 0;
}

void
vhu_backend_close(struct vsw_vhost_dev *dev)
{
	if (dev->backend_fd >= 0)
		close(dev->backend_fd);
	dev->backend_fd = -1;
}

int
vhu_backend_send(struct vsw_vhost_dev *dev, uint32_t req, const void *payload,
		 uint32_t size, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct vhu_hdr hdr = { .request = req, .flags = VHU_VERSION, .size = size };
	struct iovec iov[2] = {
		{ &hdr, sizeof(hdr) }, { (void *)(uintptr_t)payload, size },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };
	ssize_t n;

	if (dev->backend_fd < 0)
		return -ENOTCONN;
	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	n = sendmsg(dev->backend_fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n == (ssize_t)(sizeof(hdr) + size))
		return 0;
	/* Half a message would break the stream: give the channel up. */
	VHU_LOG(WARNING, dev, "back-end channel: request %u not sent (%s):"
		" closing the channel", req, n < 0 ? strerror(errno) : "partial");
	vhu_backend_close(dev);
	return n < 0 ? -errno : -EIO;
}
