/* SPDX-License-Identifier: BSD-3-Clause */
/* vhost-user message validation: every row of the table, every reject. */
#include <string.h>

#include "unit.h"
#include "vhu_msg.h"

#define NQ 2 /* queues of the device under test */

static char why[256];

static struct vhu_msg
mk(uint32_t req, uint32_t size)
{
	struct vhu_msg m;

	memset(&m, 0, sizeof(m));
	m.hdr.request = req;
	m.hdr.flags = VHU_VERSION;
	m.hdr.size = size;
	return m;
}

static int
ok(const struct vhu_msg *m)
{
	return vsw_vhu_msg_validate(m, NQ, why, sizeof(why)) == 0;
}

static struct vhu_msg
mk_mem(uint32_t n)
{
	struct vhu_msg m = mk(VHU_SET_MEM_TABLE, 8 + n * 32);

	m.payload.memory.nregions = n;
	for (uint32_t i = 0; i < n && i < VHU_MAX_REGIONS; i++) {
		m.payload.memory.regions[i] = (struct vhu_region){
			.gpa = (uint64_t)i << 30, .size = 1 << 20,
			.uaddr = 0x7f0000000000ull + ((uint64_t)i << 30),
			.mmap_offset = 0,
		};
		m.fds[i] = 100 + (int)i;
	}
	m.nfds = n < VHU_MAX_FDS ? n : VHU_MAX_FDS;
	return m;
}

static int
test_header(void)
{
	struct vhu_hdr h = { VHU_GET_FEATURES, VHU_VERSION, 0 };

	UNIT_CHECK(vsw_vhu_hdr_validate(&h, why, sizeof(why)) == 0);
	h.flags = 2;
	UNIT_CHECK(vsw_vhu_hdr_validate(&h, why, sizeof(why)) != 0);
	UNIT_CHECK(strstr(why, "version") != NULL);
	h.flags = VHU_VERSION | VHU_FLAG_REPLY;
	UNIT_CHECK(vsw_vhu_hdr_validate(&h, why, sizeof(why)) != 0);
	h = (struct vhu_hdr){ 999, VHU_VERSION, 0 };
	UNIT_CHECK(vsw_vhu_hdr_validate(&h, why, sizeof(why)) != 0);
	UNIT_CHECK(strstr(why, "999") != NULL);
	h = (struct vhu_hdr){ 0, VHU_VERSION, 0 };
	UNIT_CHECK(vsw_vhu_hdr_validate(&h, why, sizeof(why)) != 0);
	/* size beyond what the request may carry is refused before reading */
	h = (struct vhu_hdr){ VHU_SET_FEATURES, VHU_VERSION, 4096 };
	UNIT_CHECK(vsw_vhu_hdr_validate(&h, why, sizeof(why)) != 0);
	UNIT_CHECK(strstr(why, "SET_FEATURES") != NULL);
	h = (struct vhu_hdr){ VHU_SET_MEM_TABLE, VHU_VERSION, 0xffffffffu };
	UNIT_CHECK(vsw_vhu_hdr_validate(&h, why, sizeof(why)) != 0);
	return 0;
}

static int
test_table(void)
{
	UNIT_CHECK(vsw_vhu_msg_desc(VHU_GET_VRING_BASE)->own_reply);
	UNIT_CHECK(!vsw_vhu_msg_desc(VHU_SET_VRING_NUM)->own_reply);
	UNIT_CHECK(vsw_vhu_msg_desc(VHU_SET_MEM_TABLE)->stop_queues);
	UNIT_CHECK(vsw_vhu_msg_desc(6) == NULL); /* SET_LOG_BASE: not offered */
	UNIT_CHECK(vsw_vhu_msg_desc(0xffffffffu) == NULL);
	UNIT_CHECK(strcmp(vsw_vhu_msg_name(VHU_SET_VRING_KICK), "SET_VRING_KICK") == 0);
	UNIT_CHECK(strcmp(vsw_vhu_msg_name(77), "UNKNOWN") == 0);
	return 0;
}

static int
test_no_payload(void)
{
	struct vhu_msg m = mk(VHU_GET_FEATURES, 0);

	UNIT_CHECK(ok(&m));
	m.hdr.size = 8; /* some front-ends send an unused u64 */
	UNIT_CHECK(ok(&m));
	m.hdr.size = 4;
	UNIT_CHECK(!ok(&m));
	m = mk(VHU_SET_OWNER, 0);
	m.nfds = 1;
	m.fds[0] = 3;
	UNIT_CHECK(!ok(&m));
	UNIT_CHECK(strstr(why, "fds") != NULL);
	return 0;
}

static int
test_u64(void)
{
	struct vhu_msg m = mk(VHU_SET_FEATURES, 8);

	UNIT_CHECK(ok(&m));
	m.hdr.size = 0;
	UNIT_CHECK(!ok(&m));
	return 0;
}

static int
test_state(void)
{
	struct vhu_msg m = mk(VHU_SET_VRING_NUM, 8);

	m.payload.state = (struct vhu_vring_state){ NQ - 1, 256 };
	UNIT_CHECK(ok(&m));
	m.payload.state.index = NQ;
	UNIT_CHECK(!ok(&m));
	UNIT_CHECK(strstr(why, "out of range") != NULL);
	m.payload.state.index = 0xffffffffu;
	UNIT_CHECK(!ok(&m));
	m = mk(VHU_GET_VRING_BASE, 4);
	UNIT_CHECK(!ok(&m));
	return 0;
}

static int
test_addr(void)
{
	struct vhu_msg m = mk(VHU_SET_VRING_ADDR, sizeof(struct vhu_vring_addr));

	UNIT_CHECK(sizeof(struct vhu_vring_addr) == 40);
	m.payload.addr.index = 1;
	UNIT_CHECK(ok(&m));
	m.payload.addr.index = NQ;
	UNIT_CHECK(!ok(&m));
	m = mk(VHU_SET_VRING_ADDR, 32);
	UNIT_CHECK(!ok(&m));
	return 0;
}

static int
test_vring_fd(void)
{
	struct vhu_msg m = mk(VHU_SET_VRING_KICK, 8);

	m.payload.u64 = 1;
	m.nfds = 1;
	m.fds[0] = 5;
	UNIT_CHECK(ok(&m));
	m.nfds = 0; /* fd missing */
	UNIT_CHECK(!ok(&m));
	m.payload.u64 = 1 | VHU_VRING_NOFD_MASK; /* polling: no fd */
	UNIT_CHECK(ok(&m));
	m.nfds = 1; /* no-fd flag but an fd came */
	UNIT_CHECK(!ok(&m));
	m.nfds = 0;
	m.payload.u64 = NQ | VHU_VRING_NOFD_MASK;
	UNIT_CHECK(!ok(&m));
	m.payload.u64 = 1ull << 40 | VHU_VRING_NOFD_MASK;
	UNIT_CHECK(!ok(&m));
	UNIT_CHECK(strstr(why, "unknown bits") != NULL);
	m = mk(VHU_SET_VRING_CALL, 8);
	m.nfds = 2;
	UNIT_CHECK(!ok(&m));
	return 0;
}

static int
test_mem_table(void)
{
	struct vhu_msg m = mk_mem(2);

	UNIT_CHECK(ok(&m));
	m = mk_mem(VHU_MAX_REGIONS);
	UNIT_CHECK(ok(&m));
	m = mk_mem(0);
	UNIT_CHECK(!ok(&m));
	m = mk_mem(1);
	m.payload.memory.nregions = 9;
	m.hdr.size = sizeof(struct vhu_memory);
	UNIT_CHECK(!ok(&m));
	UNIT_CHECK(strstr(why, "9 regions") != NULL);
	m = mk_mem(3); /* size too short for the region count */
	m.hdr.size = 8 + 2 * 32;
	UNIT_CHECK(!ok(&m));
	m = mk_mem(2); /* one fd missing */
	m.nfds = 1;
	UNIT_CHECK(!ok(&m));
	m = mk_mem(1); /* zero-sized region */
	m.payload.memory.regions[0].size = 0;
	UNIT_CHECK(!ok(&m));
	m = mk_mem(1); /* gpa + size wraps */
	m.payload.memory.regions[0].gpa = ~0ull - 10;
	UNIT_CHECK(!ok(&m));
	UNIT_CHECK(strstr(why, "overflow") != NULL);
	m = mk_mem(1); /* offset + size wraps */
	m.payload.memory.regions[0].mmap_offset = ~0ull;
	UNIT_CHECK(!ok(&m));
	m = mk_mem(1); /* uaddr + size wraps */
	m.payload.memory.regions[0].uaddr = ~0ull;
	UNIT_CHECK(!ok(&m));
	m = mk_mem(2); /* overlapping guest ranges */
	m.payload.memory.regions[1].gpa = m.payload.memory.regions[0].gpa + 4096;
	UNIT_CHECK(!ok(&m));
	UNIT_CHECK(strstr(why, "overlap") != NULL);
	m = mk_mem(1);
	m.hdr.size = 4;
	UNIT_CHECK(!ok(&m));
	return 0;
}

static int
test_config(void)
{
	struct vhu_msg m = mk(VHU_GET_CONFIG, VHU_CONFIG_HDR + 24);

	m.payload.config.size = 24;
	UNIT_CHECK(ok(&m));
	m.payload.config.offset = 232; /* ends exactly at 256 */
	UNIT_CHECK(ok(&m));
	m.payload.config.offset = 233;
	UNIT_CHECK(!ok(&m));
	UNIT_CHECK(strstr(why, "past the 256-byte") != NULL);
	m.payload.config.offset = 0xfffffff0u; /* offset + size wraps u32 */
	UNIT_CHECK(!ok(&m));
	m.payload.config.offset = 0;
	m.payload.config.size = 25; /* disagrees with the payload */
	UNIT_CHECK(!ok(&m));
	UNIT_CHECK(strstr(why, "size field") != NULL);
	m = mk(VHU_SET_CONFIG, 8);
	UNIT_CHECK(!ok(&m));
	m = mk(VHU_SET_CONFIG, VHU_CONFIG_HDR + 257); /* bigger than any */
	UNIT_CHECK(vsw_vhu_hdr_validate(&m.hdr, why, sizeof(why)) != 0);
	m = mk(VHU_NET_SET_MTU, 8);
	UNIT_CHECK(ok(&m));
	return 0;
}

int
main(void)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_header),
		UNIT_TEST(test_table),
		UNIT_TEST(test_no_payload),
		UNIT_TEST(test_u64),
		UNIT_TEST(test_state),
		UNIT_TEST(test_addr),
		UNIT_TEST(test_vring_fd),
		UNIT_TEST(test_mem_table),
		UNIT_TEST(test_config),
	};

	return unit_main("vhu_msg", tests, RTE_DIM(tests));
}
