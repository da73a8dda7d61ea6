/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_SW_VDPA_H
#define VSW_SW_VDPA_H

/*
 * drivers/vdpa/sw: a vDPA NIC in software. A thread of its own (pinned,
 * outside the PMD set) plays the NIC's DMA engine: it reads and writes
 * the guest's rings straight from guest memory with lib/vring, the same
 * engine vsw's own data path uses, and moves packets between them and
 * the device's wire (any vsw port, normally an ethdev). Its doorbells
 * are a page per queue in a memfd that lib/vhost maps into the guest as
 * a host notifier; its interrupts go out on the call eventfds.
 *
 * Control thread <-> device thread: a queue is handed to the thread by
 * a release store of `run` and taken back by clearing it and waiting
 * until the thread has finished two more loops (it reads `run` with
 * acquire once per loop, and bumps `loops` with release after it): then
 * the thread no longer touches that ring.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vsw_vdpa.h"
#include "vsw_vring.h"

/* A doorbell word nobody wrote since we last looked. */
#define SW_BELL_IDLE UINT32_MAX

struct sw_queue {
	/* device thread while run is set; control thread otherwise */
	struct vsw_vring ring;
	int kickfd;
	int callfd;
	bool call_blocked;    /* a call blocked: no more calls (guard) */
	bool doorbell_mapped;
	bool run;             /* handed to the device thread */
	uint64_t doorbells;
	uint64_t kicks;
	uint64_t drops;       /* guest rx: no room; guest tx: wire refused */
};

struct sw_vdpa {
	char name[VSW_VDPA_NAME_MAX];
	uint16_t queue_pairs;
	struct vsw_port *wire;
	struct rte_mempool *mp;  /* mbufs for what guests send */
	struct vsw_mem mem;      /* lib/vring's view of guest memory */
	int bell_fd;             /* memfd: a page of doorbell per queue */
	uint8_t *bells;
	size_t page;
	int cpu;                 /* the device thread's, -1: any */
	int wake_fd;             /* eventfd: a queue to run, or quit */
	pthread_t thread;
	bool quit;
	uint64_t loops;          /* device thread iterations (release) */
	uint64_t busy_cycles;    /* TSC of iterations that moved packets */
	uint64_t packets;        /* moved either way */
	struct sw_queue q[VSW_VDPA_MAX_QUEUES];
};

/* sw_vdpa_run.c: the device thread. */
void *sw_vdpa_main(void *arg);
/** Wake the device thread (blocked with no queue to run). */
void sw_vdpa_wake(struct sw_vdpa *sw);
/** Wait until the device thread has finished two more loops. */
void sw_vdpa_quiesce(struct sw_vdpa *sw);

#endif /* VSW_SW_VDPA_H */
