/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The software NIC's engine: one thread, polling like a DMA engine would.
 * Per queue pair and loop: the guest's transmit ring into the wire's
 * queue, the wire's queue into the guest's receive ring, an interrupt on
 * the call eventfd when the guest asked for one (EVENT_IDX and event
 * suppression, lib/vring). Doorbells are read from the doorbell page at
 * every loop (one exchange of a word the guest writes), kicks drained
 * from the kick eventfds once a millisecond; both only counted: the
 * thread polls the rings anyway, so a doorbell is never needed to make
 * progress, and the guest's kicks are wanted only where they cost it
 * nothing (the doorbell page mapped into it).
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "sw_vdpa.h"
#include "vsw_guard.h"
#include "vsw_port.h"

#define SW_BURST 32
/*
 * Sharing a core (on a 2-core host, the PMD's, where front-ends' and
 * tools' threads run too): with queues to run, the device polls like a
 * PMD, and after SW_IDLE_LOOPS loops that moved nothing it yields the
 * core between looks (sched_yield: no sleep, no latency added); with no
 * queue to run it blocks on wake_fd until one is handed to it. It never
 * naps in short sleeps: a vswd thread waking thousands of times a second
 * next to a busy one was seen here to starve other processes' threads on
 * that core (autogrouped scheduling).
 */
#define SW_IDLE_LOOPS 1024

/* Interrupt the guest if it asked for it. */
static void
notify(struct sw_queue *q)
{
	if (!vsw_vring_need_call(&q->ring) || q->callfd < 0 || q->call_blocked)
		return;
	if (vsw_guard_signal(q->callfd) == -EINTR)
		q->call_blocked = true; /* the front-end made it block */
}

/* A write on queue @p qi's doorbell word since the last look. */
static void
doorbell(struct sw_vdpa *sw, uint16_t qi, struct sw_queue *q)
{
	uint32_t *bell = (uint32_t *)(void *)(sw->bells + qi * sw->page);

	/* Relaxed: a count only; the ring itself is read with acquire. */
	if (__atomic_load_n(bell, __ATOMIC_RELAXED) == SW_BELL_IDLE)
		return;
	__atomic_exchange_n(bell, SW_BELL_IDLE, __ATOMIC_RELAXED);
	q->doorbells++;
}

/* Guest transmit queue of pair @p p into the wire's queue p (modulo). */
static unsigned int
guest_tx(struct sw_vdpa *sw, uint16_t p, struct sw_queue *q)
{
	struct rte_mbuf *pkts[SW_BURST];
	uint16_t n, sent;

	n = vsw_vring_dequeue_burst(&q->ring, sw->mp, pkts, SW_BURST);
	notify(q);
	if (n == 0)
		return 0;
	/* The wire's driver takes every mbuf (offloads it cannot do it
	 * finishes in software, lib/net). It may have fewer tx queues than
	 * we have pairs (one per PMD): one thread, so sharing is safe. */
	sent = vsw_port_tx_queue(sw->wire, p % sw->wire->nb_txq, pkts, n);
	q->drops += n - sent;
	return n;
}

/* Wire queue @p p into the guest receive queue of pair @p p. */
static unsigned int
guest_rx(struct sw_vdpa *sw, uint16_t p, struct sw_queue *q)
{
	struct rte_mbuf *pkts[SW_BURST];
	uint16_t n;

	/* No buffer offered: leave the packets in the wire's queue (a NIC
	 * without rx descriptors does not take them off the line). */
	if (p >= sw->wire->nb_rxq || !vsw_vring_pending(&q->ring))
		return 0;
	n = vsw_port_rx(sw->wire, p, pkts, SW_BURST);
	if (n == 0)
		return 0;
	/* The ring copies; no room counts drop_no_buf in its stats. */
	vsw_vring_enqueue_burst(&q->ring, pkts, n);
	rte_pktmbuf_free_bulk(pkts, n);
	notify(q);
	return n;
}

static void
drain_kicks(struct sw_vdpa *sw)
{
	for (uint16_t i = 0; i < 2 * sw->queue_pairs; i++) {
		struct sw_queue *q = &sw->q[i];

		if (__atomic_load_n(&q->run, __ATOMIC_ACQUIRE) && q->kickfd >= 0)
			q->kicks += vsw_guard_drain(q->kickfd);
	}
}

/* One pass over every queue the control thread handed us. */
static unsigned int
run_once(struct sw_vdpa *sw, bool *any)
{
	unsigned int moved = 0;

	for (uint16_t p = 0; p < sw->queue_pairs; p++) {
		struct sw_queue *rx = &sw->q[2 * p], *tx = &sw->q[2 * p + 1];

		/* Acquire: pairs with queue_start's release of run, after
		 * which the ring and fds are ours. */
		if (__atomic_load_n(&tx->run, __ATOMIC_ACQUIRE)) {
			*any = true;
			doorbell(sw, 2 * p + 1, tx);
			moved += guest_tx(sw, p, tx);
		}
		if (__atomic_load_n(&rx->run, __ATOMIC_ACQUIRE)) {
			*any = true;
			doorbell(sw, 2 * p, rx);
			moved += guest_rx(sw, p, rx);
		}
	}
	return moved;
}

/* No queue to run: block until one is handed over (or quit). */
static void
wait_for_queue(struct sw_vdpa *sw)
{
	struct pollfd p = { .fd = sw->wake_fd, .events = POLLIN };
	eventfd_t n;

	if (poll(&p, 1, 1000) == 1)
		eventfd_read(sw->wake_fd, &n);
}

void *
sw_vdpa_main(void *arg)
{
	struct sw_vdpa *sw = arg;
	uint64_t hz = rte_get_tsc_hz(), next_kicks = 0;

	unsigned int idle = 0;

	while (!__atomic_load_n(&sw->quit, __ATOMIC_ACQUIRE)) {
		uint64_t t0 = rte_rdtsc();
		bool any = false;
		unsigned int moved = run_once(sw, &any);

		if (t0 >= next_kicks) {
			drain_kicks(sw);
			next_kicks = t0 + hz / 1000;
		}
		if (moved != 0) {
			sw->busy_cycles += rte_rdtsc() - t0;
			sw->packets += moved;
		}
		/* Release: every access to the rings of this loop happens
		 * before the control thread sees the count (quiesce). */
		__atomic_store_n(&sw->loops, sw->loops + 1, __ATOMIC_RELEASE);
		idle = moved != 0 ? 0 : idle + 1;
		if (!any)
			wait_for_queue(sw);
		else if (idle > SW_IDLE_LOOPS)
			sched_yield();
	}
	return NULL;
}

void
sw_vdpa_wake(struct sw_vdpa *sw)
{
	eventfd_write(sw->wake_fd, 1);
}

void
sw_vdpa_quiesce(struct sw_vdpa *sw)
{
	uint64_t start = __atomic_load_n(&sw->loops, __ATOMIC_ACQUIRE);

	sw_vdpa_wake(sw); /* a blocked thread loops at once */
	/* Two loops: the one running when run was cleared may have read it
	 * set; the next one has not. The thread never blocks for long: a
	 * guarded call 20 ms at most, wait_for_queue() is woken above. */
	while (__atomic_load_n(&sw->loops, __ATOMIC_ACQUIRE) < start + 2)
		usleep(20);
}
