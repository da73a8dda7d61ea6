/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest memory whose file shrinks under us.
 *
 * A region is checked against its file's size before it is mapped
 * (vhu_mem.c), but a front-end can still truncate a file without
 * F_SEAL_SHRINK afterwards (QEMU seals its memfds; DPDK's virtio-user and
 * hugetlbfs files are not sealed): the next access to a page past the new
 * end raises SIGBUS, which would kill vswd and every port (DPDK 22.11's
 * back-end dies this way). Decision: recover.
 *
 * Every mapped region is registered here. The SIGBUS handler looks the
 * faulting address up; inside a region, it maps anonymous zero pages
 * over the whole region (MAP_FIXED, private) and returns, so the access
 * is retried and completes on memory that no longer belongs to the
 * guest; the region is marked faulted and the control thread's next tick
 * disconnects that front-end (vhu_dev_tick). Anything else SIGBUS means
 * goes to the handler that was there before (ASan's, or the default).
 *
 * The handler only reads this table and calls mmap(2) (a plain system
 * call); the control thread adds an entry before a region's first access
 * and removes it after every thread let go of the region and before
 * munmap, each with one release store of len.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "vhu_priv.h"

/* Every region of every device: VSW_MEM_MAX_REGIONS x 64 ports, twice. */
#define FAULT_SLOTS 1024

struct fault_slot {
	uintptr_t start;
	size_t len;          /* 0: free (release/acquire, see above) */
	uint32_t faulted;    /* set by the handler */
	uintptr_t addr;      /* the faulting address */
};

static struct fault_slot table[FAULT_SLOTS];
static struct sigaction previous;
static bool installed;

static struct fault_slot *
slot_of(uintptr_t a)
{
	for (unsigned int i = 0; i < FAULT_SLOTS; i++) {
		size_t len = __atomic_load_n(&table[i].len, __ATOMIC_ACQUIRE);

		if (len != 0 && a - table[i].start < len)
			return &table[i];
	}
	return NULL;
}

static void
chain(int sig, siginfo_t *si, void *uc)
{
	if (previous.sa_flags & SA_SIGINFO) {
		previous.sa_sigaction(sig, si, uc);
		return;
	}
	if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
		previous.sa_handler(sig);
		return;
	}
	/* Default: the retried access faults again and kills, as it would
	 * have without us. */
	signal(sig, SIG_DFL);
}

static void
on_sigbus(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	struct fault_slot *s = slot_of((uintptr_t)si->si_addr);

	if (s != NULL &&
	    mmap((void *)s->start, s->len, PROT_READ | PROT_WRITE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0) != MAP_FAILED) {
		s->addr = (uintptr_t)si->si_addr;
		__atomic_store_n(&s->faulted, 1, __ATOMIC_RELEASE);
		errno = saved;
		return;
	}
	errno = saved;
	chain(sig, si, uc);
}

static int
install(void)
{
	struct sigaction sa;

	if (installed)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &previous) != 0)
		return -errno;
	installed = true;
	return 0;
}

int
vhu_fault_register(void *addr, size_t len)
{
	int rc = install();

	if (rc != 0)
		return rc;
	for (unsigned int i = 0; i < FAULT_SLOTS; i++) {
		struct fault_slot *s = &table[i];

		if (__atomic_load_n(&s->len, __ATOMIC_RELAXED) != 0)
			continue;
		s->start = (uintptr_t)addr;
		s->faulted = 0;
		s->addr = 0;
		/* Release: start before len, for the handler's acquire. */
		__atomic_store_n(&s->len, len, __ATOMIC_RELEASE);
		return 0;
	}
	return -ENOSPC;
}

static struct fault_slot *
find(const void *addr)
{
	for (unsigned int i = 0; i < FAULT_SLOTS; i++)
		if (table[i].start == (uintptr_t)addr &&
		    __atomic_load_n(&table[i].len, __ATOMIC_RELAXED) != 0)
			return &table[i];
	return NULL;
}

void
vhu_fault_unregister(void *addr)
{
	struct fault_slot *s = find(addr);

	if (s != NULL)
		__atomic_store_n(&s->len, 0, __ATOMIC_RELEASE);
}

bool
vhu_fault_check(const void *addr, uintptr_t *where)
{
	struct fault_slot *s = find(addr);

	if (s == NULL || !__atomic_load_n(&s->faulted, __ATOMIC_ACQUIRE))
		return false;
	*where = s->addr;
	return true;
}
