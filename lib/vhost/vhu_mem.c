/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest memory table: map each region's fd after checking the file and
 * the region against it.
 * - The file must live in memory (memfd, tmpfs, hugetlbfs, ramfs): a
 *   page fault on any other file system (FUSE, NFS, a disk) can sleep as
 *   long as the peer or the disk likes, inside a PMD's burst.
 * - A region that reaches past the end of its file would map, then turn
 *   the first guest access into SIGBUS (DPDK 22.11's back-end dies this
 *   way); it is refused. A file that shrinks later is vhu_fault.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <string.h>
#include <unistd.h>

#include <linux/magic.h>

#include <rte_common.h>

#include "vhu_priv.h"

#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif
#ifndef F_SEAL_SHRINK
#define F_SEAL_SHRINK 0x0002
#endif

void
vhu_mem_unmap(struct vhu_map *maps, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (maps[i].addr != NULL) {
			vhu_fault_unregister(maps[i].addr);
			munmap(maps[i].addr, maps[i].len);
		}
		if (maps[i].fd >= 0)
			close(maps[i].fd);
		maps[i] = (struct vhu_map){ NULL, 0, -1, 0 };
	}
}

/* The file systems guest memory may come from, by statfs f_type. */
static const char *
memory_fs(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) != 0)
		return NULL;
	switch ((unsigned long)sf.f_type) {
	case TMPFS_MAGIC:
		return "tmpfs";
	case HUGETLBFS_MAGIC:
		return "hugetlbfs";
	case RAMFS_MAGIC:
		return "ramfs";
	default:
		return NULL;
	}
}

static int
map_region(struct vsw_vhost_dev *dev, uint32_t i, const struct vhu_region *r,
	   int fd, struct vsw_mem_region *out, struct vhu_map *map)
{
	struct stat st;
	uint64_t pgsz, start, len;
	void *addr;

	if (fstat(fd, &st) < 0) {
		VHU_LOG(ERR, dev, "SET_MEM_TABLE: region %u: fstat: %s", i,
			strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode) || memory_fs(fd) == NULL) {
		VHU_LOG(ERR, dev, "SET_MEM_TABLE: region %u: the fd is not a"
			" memfd or a file on tmpfs, hugetlbfs or ramfs: refused"
			" (a page fault elsewhere may block the data path)", i);
		return -EINVAL;
	}
	if (r->mmap_offset + r->size > (uint64_t)st.st_size) {
		VHU_LOG(ERR, dev, "SET_MEM_TABLE: region %u: offset 0x%" PRIx64
			" + size 0x%" PRIx64 " is past the end of its file (0x%" PRIx64
			" bytes): refused, it would fault on access", i,
			r->mmap_offset, r->size, (uint64_t)st.st_size);
		return -EINVAL;
	}
	/* hugetlbfs reports its page size as the block size. */
	pgsz = st.st_blksize > 0 ? (uint64_t)st.st_blksize : 4096;
	if (!rte_is_power_of_2(pgsz))
		pgsz = 4096;
	start = RTE_ALIGN_FLOOR(r->mmap_offset, pgsz);
	len = RTE_ALIGN_CEIL(r->mmap_offset + r->size, pgsz) - start;
	addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)start);
	if (addr == MAP_FAILED) {
		VHU_LOG(ERR, dev, "SET_MEM_TABLE: region %u: mmap 0x%" PRIx64
			" bytes at 0x%" PRIx64 ": %s", i, len, start, strerror(errno));
		return -errno;
	}
	/* A file without F_SEAL_SHRINK can still be truncated: a later
	 * access then faults, and vhu_fault.c recovers. */
	if (vhu_fault_register(addr, len) != 0) {
		VHU_LOG(ERR, dev, "SET_MEM_TABLE: region %u: no room to watch"
			" it for faults: refused", i);
		munmap(addr, len);
		return -ENOSPC;
	}
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK))
		VHU_LOG(DEBUG, dev, "region %u: file can shrink (no F_SEAL_SHRINK)", i);

	*map = (struct vhu_map){ addr, len, -1, r->mmap_offset };
	*out = (struct vsw_mem_region){
		.gpa = r->gpa,
		.size = r->size,
		.qva = r->uaddr,
		.hva = (uint64_t)(uintptr_t)addr + (r->mmap_offset - start),
	};
	return 0;
}

int
vhu_mem_map(struct vsw_vhost_dev *dev, const struct vhu_memory *m, int *fds,
	    struct vsw_mem *mem, struct vhu_map *maps)
{
	uint32_t i;
	int rc;

	for (i = 0; i < m->nregions; i++) {
		rc = map_region(dev, i, &m->regions[i], fds[i], &mem->regions[i],
				&maps[i]);
		if (rc != 0)
			goto err_unmap;
		/* Kept while mapped: a vDPA device may need it (DMA). */
		maps[i].fd = fds[i];
		fds[i] = -1;
		VHU_LOG(INFO, dev, "region %u: gpa 0x%" PRIx64 " size 0x%" PRIx64
			" uaddr 0x%" PRIx64 " offset 0x%" PRIx64, i,
			m->regions[i].gpa, m->regions[i].size, m->regions[i].uaddr,
			m->regions[i].mmap_offset);
	}
	mem->nregions = m->nregions;
	return 0;

err_unmap:
	vhu_mem_unmap(maps, i);
	return rc;
}
