/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_FUZZ_VHU_FRONTEND_H
#define VSW_FUZZ_VHU_FRONTEND_H

/*
 * fuzz_vhu_msg's front-end: its end of a socketpair whose other end is
 * handed to lib/vhost as an accepted connection (vhu_conn_open()), what
 * it sends (bytes plus SCM_RIGHTS descriptors, in one or two pieces) and
 * the replies it reads back.
 *
 * Replies are checked as they are read: a reply header (version 1, the
 * REPLY flag, no more payload than any message carries) for a known
 * request sent on this connection, in the order they were sent (unless a
 * header lied about its size: then the back-end reads other boundaries);
 * an acknowledgment (REPLY_ACK) is one u64 of 0 or 1.
 */

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "vhu_priv.h"

#define FE_PENDING_MAX 512
#define FE_IN_MAX (2 * VHU_OUT_MAX)

struct fe {
	int fd;                           /* our end, -1: not connected */
	/* A header lied about its size: the back-end now reads message
	 * boundaries elsewhere, replies need not match what we sent. */
	bool desync;
	uint32_t pending[FE_PENDING_MAX]; /* requests sent, not answered */
	unsigned int npending;
	unsigned int replies;
	size_t in_len;
	uint8_t in[FE_IN_MAX];            /* reply bytes not yet parsed */
};

/* Connect a new front-end to @p dev. @return false if it refused. */
static inline bool
fe_connect(struct fe *fe, struct vsw_vhost_dev *dev)
{
	int sv[2];

	fe->fd = -1;
	fe->desync = false;
	fe->npending = 0;
	fe->in_len = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv) != 0)
		abort();
	if (vhu_conn_open(dev, sv[0]) == NULL) { /* it closed sv[0] */
		close(sv[1]);
		return false;
	}
	fe->fd = sv[1];
	return true;
}

static inline void
fe_close(struct fe *fe)
{
	if (fe->fd >= 0)
		close(fe->fd);
	fe->fd = -1;
}

/*
 * Send @p len bytes with @p nfds descriptors attached to the first byte.
 * @return false when the back-end is gone (or does not read: its socket
 * buffer is far bigger than anything sent here).
 */
static inline bool
fe_send(struct fe *fe, const void *buf, size_t len, const int *fds,
	unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * (VHU_MAX_FDS + 1))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds > 0) {
		struct cmsghdr *cm;

		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	if (fe->fd < 0)
		return false;
	n = sendmsg(fe->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	return n == (ssize_t)len;
}

/* Note a request that may be answered. */
static inline void
fe_sent(struct fe *fe, uint32_t request)
{
	if (fe->npending == FE_PENDING_MAX) {
		memmove(fe->pending, fe->pending + 1,
			(FE_PENDING_MAX - 1) * sizeof(fe->pending[0]));
		fe->npending--;
	}
	fe->pending[fe->npending++] = request;
}

/* One reply: for a request sent before it, after the last answered. */
static inline void
fe_reply_check(struct fe *fe, const struct vhu_hdr *h, const uint8_t *payload)
{
	unsigned int i = 0;

	FZ_CHECK(h->flags == (VHU_VERSION | VHU_FLAG_REPLY));
	FZ_CHECK(h->size <= VHU_MAX_PAYLOAD);
	FZ_CHECK(vsw_vhu_msg_desc(h->request) != NULL);
	while (!fe->desync && i < fe->npending && fe->pending[i] != h->request)
		i++;
	FZ_CHECK(fe->desync || i < fe->npending);
	if (i < fe->npending) {
		memmove(fe->pending, fe->pending + i + 1,
			(fe->npending - i - 1) * sizeof(fe->pending[0]));
		fe->npending -= i + 1;
	}
	if (!vsw_vhu_msg_desc(h->request)->own_reply) { /* REPLY_ACK */
		uint64_t ack;

		FZ_CHECK(h->size == sizeof(ack));
		memcpy(&ack, payload, sizeof(ack));
		FZ_CHECK(ack <= 1);
	}
	fe->replies++;
}

/* Read and check what the back-end sent. @return false at end of file. */
static inline bool
fe_drain(struct fe *fe)
{
	size_t off = 0;
	ssize_t n;

	if (fe->fd < 0)
		return false;
	while ((n = recv(fe->fd, fe->in + fe->in_len, FE_IN_MAX - fe->in_len,
			 MSG_DONTWAIT)) > 0)
		fe->in_len += (size_t)n;
	while (fe->in_len - off >= VHU_HDR_SIZE) {
		struct vhu_hdr h;

		memcpy(&h, fe->in + off, VHU_HDR_SIZE);
		FZ_CHECK(h.size <= VHU_MAX_PAYLOAD);
		if (fe->in_len - off < VHU_HDR_SIZE + h.size)
			break;
		fe_reply_check(fe, &h, fe->in + off + VHU_HDR_SIZE);
		off += VHU_HDR_SIZE + h.size;
	}
	memmove(fe->in, fe->in + off, fe->in_len - off);
	fe->in_len -= off;
	return n != 0;
}

#endif /* VSW_FUZZ_VHU_FRONTEND_H */
