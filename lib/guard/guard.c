/* SPDX-License-Identifier: BSD-3-Clause */
/* The watchdog that bounds guarded system calls (vsw_guard.h). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "vsw_guard.h"

__thread struct vsw_guard_slot *vsw_guard_self;

static struct vsw_guard_slot slots[VSW_GUARD_MAX_THREADS];
static uint32_t n_slots;
static uint64_t timeout_cycles;
static uint32_t period_ms;
static pthread_t watchdog;
static bool running;
static bool quit;

struct vsw_guard_slot *
vsw_guard_register(void)
{
	uint32_t i = __atomic_fetch_add(&n_slots, 1, __ATOMIC_RELAXED);

	if (i >= VSW_GUARD_MAX_THREADS)
		return NULL; /* unguarded: the call still runs */
	slots[i].thread = (uint64_t)pthread_self();
	vsw_guard_self = &slots[i];
	return &slots[i];
}

static void
on_signal(int sig)
{
	(void)sig; /* the point is the EINTR it causes */
}

static void
check(void)
{
	uint32_t n = RTE_MIN(__atomic_load_n(&n_slots, __ATOMIC_RELAXED),
			     (uint32_t)VSW_GUARD_MAX_THREADS);
	uint64_t now = rte_rdtsc();

	for (uint32_t i = 0; i < n; i++) {
		/* Acquire: pairs with vsw_guard_enter()'s release store. */
		uint64_t since = __atomic_load_n(&slots[i].since,
						 __ATOMIC_ACQUIRE);

		if (since == 0 || now - since < timeout_cycles)
			continue;
		__atomic_fetch_add(&slots[i].interrupts, 1, __ATOMIC_RELAXED);
		pthread_kill((pthread_t)slots[i].thread, VSW_GUARD_SIGNAL);
	}
}

static void *
watch(void *arg)
{
	struct timespec ts = {
		.tv_sec = period_ms / 1000,
		.tv_nsec = (long)(period_ms % 1000) * 1000000,
	};

	(void)arg;
	while (!__atomic_load_n(&quit, __ATOMIC_RELAXED)) {
		nanosleep(&ts, NULL);
		check();
	}
	return NULL;
}

int
vsw_guard_start(uint32_t timeout_ms)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t all, old;
	int rc;

	if (running)
		return -EALREADY;
	if (timeout_ms == 0)
		timeout_ms = VSW_GUARD_TIMEOUT_MS;
	timeout_cycles = rte_get_tsc_hz() / 1000 * timeout_ms;
	period_ms = timeout_ms / 2 > 0 ? timeout_ms / 2 : 1;
	/* No SA_RESTART: the interrupted call must return EINTR. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(VSW_GUARD_SIGNAL, &sa, NULL) != 0)
		return -errno;
	/* The watchdog itself takes no signals meant for other threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	quit = false;
	rc = pthread_create(&watchdog, NULL, watch, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -rc;
	pthread_setname_np(watchdog, "vsw-guard");
	running = true;
	return 0;
}

void
vsw_guard_stop(void)
{
	if (!running)
		return;
	__atomic_store_n(&quit, true, __ATOMIC_RELAXED);
	pthread_join(watchdog, NULL);
	running = false;
}

uint64_t
vsw_guard_interrupts(void)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < VSW_GUARD_MAX_THREADS; i++)
		sum += __atomic_load_n(&slots[i].interrupts, __ATOMIC_RELAXED);
	return sum;
}

int
vsw_guard_signal(int fd)
{
	int rc;

	vsw_guard_enter();
	rc = eventfd_write(fd, 1);
	vsw_guard_leave();
	return rc == 0 ? 0 : -errno;
}

#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008
#endif

/* Kernels without RWF_NOWAIT reads of eventfds: poll, then read under
 * the guard (the peer may drain the counter in between). */
static uint64_t
drain_polled(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t n = 0;
	ssize_t r = 0;

	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN))
		return 0;
	vsw_guard_enter();
	r = read(fd, &n, sizeof(n));
	vsw_guard_leave();
	return r == sizeof(n) ? n : 0;
}

/*
 * RWF_NOWAIT is a per-call no-wait: immune to the peer clearing
 * O_NONBLOCK in the file description it shares with us.
 */
uint64_t
vsw_guard_drain(int fd)
{
	static bool no_nowait;
	uint64_t n = 0;
	struct iovec iov = { &n, sizeof(n) };
	ssize_t r;

	if (__atomic_load_n(&no_nowait, __ATOMIC_RELAXED))
		return drain_polled(fd);
	r = preadv2(fd, &iov, 1, -1, RWF_NOWAIT);
	if (r == sizeof(n))
		return n;
	if (r < 0 && (errno == EOPNOTSUPP || errno == EINVAL)) {
		__atomic_store_n(&no_nowait, true, __ATOMIC_RELAXED);
		return drain_polled(fd);
	}
	return 0; /* EAGAIN: nothing there */
}
