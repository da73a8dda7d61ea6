/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_VHU_MSG_H
#define VSW_VHU_MSG_H

/**
 * @file
 * vhost-user wire format and the message table.
 *
 * Every request the back-end understands is one row of VHU_REQUESTS: its id
 * (QEMU docs/interop/vhost-user.rst, "Front-end message types"), the shape
 * of its payload, the file descriptors it carries, whether the back-end
 * sends a reply of its own, and whether its handler must stop every queue
 * first because it remaps memory or rings. vsw_vhu_msg_validate() checks a
 * whole message against its row before any handler runs.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VHU_VERSION 0x1u
#define VHU_FLAG_VERSION_MASK 0x3u
#define VHU_FLAG_REPLY (1u << 2)
#define VHU_FLAG_NEED_REPLY (1u << 3)

#define VHU_MAX_REGIONS 8
#define VHU_MAX_FDS 8
/** Index byte and "no fd" bit of SET_VRING_KICK/CALL/ERR payloads. */
#define VHU_VRING_IDX_MASK 0xffu
#define VHU_VRING_NOFD_MASK (1u << 8)

/** VHOST_USER_F_PROTOCOL_FEATURES: virtio feature bit 30. */
#define VHU_F_PROTOCOL_FEATURES 30

/* Protocol feature bits (vhost-user.rst, "Protocol features"). */
#define VHU_PROTOCOL_F_MQ 0
#define VHU_PROTOCOL_F_LOG_SHMFD 1
#define VHU_PROTOCOL_F_RARP 2
#define VHU_PROTOCOL_F_REPLY_ACK 3
#define VHU_PROTOCOL_F_NET_MTU 4
#define VHU_PROTOCOL_F_BACKEND_REQ 5
#define VHU_PROTOCOL_F_CONFIG 9
#define VHU_PROTOCOL_F_BACKEND_SEND_FD 10
#define VHU_PROTOCOL_F_HOST_NOTIFIER 11
#define VHU_PROTOCOL_F_STATUS 16

/* Back-end to front-end requests (vhost-user.rst "Back-end message
 * types"), on the channel SET_BACKEND_REQ_FD gives. */
#define VHU_BACKEND_CONFIG_CHANGE_MSG 2
#define VHU_BACKEND_VRING_HOST_NOTIFIER_MSG 3

/** vhost-user.rst "Vring area description". */
struct vhu_vring_area {
	uint64_t u64;   /**< queue index | VHU_VRING_NOFD_MASK */
	uint64_t size;
	uint64_t offset;
} __attribute__((packed));

struct vhu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

struct vhu_vring_state {
	uint32_t index;
	uint32_t num;
} __attribute__((packed));

/** vhost-user.rst "A vring address description" (struct vhost_vring_addr). */
struct vhu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
} __attribute__((packed));
#define VHU_VRING_F_LOG (1u << 0)

struct vhu_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uaddr;
	uint64_t mmap_offset;
} __attribute__((packed));

struct vhu_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vhu_region regions[VHU_MAX_REGIONS];
} __attribute__((packed));

/** vhost-user.rst "Virtio device config space". */
#define VHU_CONFIG_SPACE 256
struct vhu_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t region[VHU_CONFIG_SPACE];
} __attribute__((packed));
#define VHU_CONFIG_HDR ((uint32_t)offsetof(struct vhu_config, region))

union vhu_payload {
	uint64_t u64;
	struct vhu_vring_state state;
	struct vhu_vring_addr addr;
	struct vhu_memory memory;
	struct vhu_config config;
};

#define VHU_HDR_SIZE ((uint32_t)sizeof(struct vhu_hdr))
#define VHU_MAX_PAYLOAD ((uint32_t)sizeof(union vhu_payload))

/** A message as read off the socket, with the descriptors it carried. */
struct vhu_msg {
	struct vhu_hdr hdr;
	union vhu_payload payload;
	int fds[VHU_MAX_FDS];
	unsigned int nfds;
} __attribute__((packed));

/** Payload shapes. */
enum vhu_payload_kind {
	VHU_P_NONE,    /**< no payload (size 0, or an ignored u64) */
	VHU_P_U64,     /**< one u64 */
	VHU_P_STATE,   /**< struct vhu_vring_state, index checked */
	VHU_P_ADDR,    /**< struct vhu_vring_addr, index checked */
	VHU_P_MEM,     /**< struct vhu_memory: 8 + nregions * 32 bytes */
	VHU_P_VRING_FD,/**< u64 index | NOFD bit, index checked, fd iff !NOFD */
	VHU_P_CONFIG,  /**< struct vhu_config: 12 + size, inside the space */
};

/*
 * X(id, NAME, payload kind, fds, own reply, stop queues)
 * fds: 0 none; 1 exactly one; -1 decided by the payload (P_MEM, P_VRING_FD).
 */
#define VHU_REQUESTS(X) \
	X(1,  GET_FEATURES,          VHU_P_NONE,     0, true,  false) \
	X(2,  SET_FEATURES,          VHU_P_U64,      0, false, true)  \
	X(3,  SET_OWNER,             VHU_P_NONE,     0, false, false) \
	X(4,  RESET_OWNER,           VHU_P_NONE,     0, false, true)  \
	X(5,  SET_MEM_TABLE,         VHU_P_MEM,     -1, false, true)  \
	X(8,  SET_VRING_NUM,         VHU_P_STATE,    0, false, false) \
	X(9,  SET_VRING_ADDR,        VHU_P_ADDR,     0, false, false) \
	X(10, SET_VRING_BASE,        VHU_P_STATE,    0, false, false) \
	X(11, GET_VRING_BASE,        VHU_P_STATE,    0, true,  false) \
	X(12, SET_VRING_KICK,        VHU_P_VRING_FD,-1, false, false) \
	X(13, SET_VRING_CALL,        VHU_P_VRING_FD,-1, false, false) \
	X(14, SET_VRING_ERR,         VHU_P_VRING_FD,-1, false, false) \
	X(15, GET_PROTOCOL_FEATURES, VHU_P_NONE,     0, true,  false) \
	X(16, SET_PROTOCOL_FEATURES, VHU_P_U64,      0, false, false) \
	X(17, GET_QUEUE_NUM,         VHU_P_NONE,     0, true,  false) \
	X(18, SET_VRING_ENABLE,      VHU_P_STATE,    0, false, false) \
	X(20, NET_SET_MTU,           VHU_P_U64,      0, false, false) \
	X(21, SET_BACKEND_REQ_FD,    VHU_P_NONE,     1, false, false) \
	X(24, GET_CONFIG,            VHU_P_CONFIG,   0, true,  false) \
	X(25, SET_CONFIG,            VHU_P_CONFIG,   0, false, false)

enum vhu_request {
#define VHU_ENUM(id, name, kind, fds, reply, stop) VHU_##name = id,
	VHU_REQUESTS(VHU_ENUM)
#undef VHU_ENUM
	VHU_REQUEST_MAX = 64,
};

/** One row of the message table. */
struct vhu_msg_desc {
	const char *name;
	enum vhu_payload_kind kind;
	int fds;
	bool own_reply;
	bool stop_queues;
};

/** Row for request @p id, or NULL when the back-end does not know it. */
const struct vhu_msg_desc *vsw_vhu_msg_desc(uint32_t id);

/** Name of request @p id for logs ("UNKNOWN" when not in the table). */
const char *vsw_vhu_msg_name(uint32_t id);

/**
 * Check the header alone, as soon as it is read: version, known request,
 * payload size within what that request may carry.
 * @return 0, or -EPROTO with a reason written to @p why.
 */
int vsw_vhu_hdr_validate(const struct vhu_hdr *hdr, char *why, size_t whylen);

/**
 * Check a whole message against its table row: exact payload size, number
 * of descriptors, queue index below @p nr_queues, memory table region
 * count, sizes and overflow. Runs before any handler.
 * @return 0, or -EPROTO with a reason written to @p why.
 */
int vsw_vhu_msg_validate(const struct vhu_msg *msg, uint32_t nr_queues,
			 char *why, size_t whylen);

#endif /* VSW_VHU_MSG_H */
