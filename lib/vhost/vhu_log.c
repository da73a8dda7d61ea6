/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-path logging of a device through a token bucket: VHU_LOG_BURST
 * messages at once, then VHU_LOG_PER_SEC a second (OVS's
 * VLOG_RATE_LIMIT_INIT, Linux's vringh_bad). A front-end that connects,
 * misbehaves and reconnects in a loop costs the journal a few lines a
 * second and one "suppressed" summary, never a line per message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "vhu_priv.h"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
refill(struct vhu_logrl *rl)
{
	uint64_t now = now_ms();
	uint64_t add;

	if (rl->last_ms == 0) { /* first use: a full bucket */
		rl->last_ms = now;
		rl->tokens = VHU_LOG_BURST;
		return;
	}
	add = (now - rl->last_ms) * VHU_LOG_PER_SEC / 1000;
	if (add == 0)
		return;
	rl->last_ms += add * 1000 / VHU_LOG_PER_SEC;
	rl->tokens = (uint32_t)RTE_MIN((uint64_t)VHU_LOG_BURST, rl->tokens + add);
}

/* Say how many messages were dropped, if any, taking one token. */
static void
summary(struct vsw_vhost_dev *dev)
{
	struct vhu_logrl *rl = &dev->logrl;

	if (rl->suppressed == 0 || rl->tokens == 0)
		return;
	rl->tokens--;
	rte_log(RTE_LOG_WARNING, vsw_vhost_logtype,
		"vhost: %s (%s): %u messages suppressed (rate limit %u a second)\n",
		dev->name, dev->path, rl->suppressed, VHU_LOG_PER_SEC);
	rl->suppressed = 0;
}

void
vhu_log(struct vsw_vhost_dev *dev, uint32_t level, const char *fmt, ...)
{
	struct vhu_logrl *rl = &dev->logrl;
	char msg[512];
	va_list ap;

	if (!rte_log_can_log(vsw_vhost_logtype, level))
		return;
	refill(rl);
	summary(dev);
	/* DEBUG is asked for by the operator (--log-level): all of it. */
	if (level < RTE_LOG_DEBUG && rl->tokens == 0) {
		rl->suppressed++;
		rl->suppressed_total++;
		return;
	}
	if (level < RTE_LOG_DEBUG)
		rl->tokens--;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rte_log(level, vsw_vhost_logtype, "vhost: %s (%s): %s\n", dev->name,
		dev->path, msg);
}

void
vhu_log_tick(struct vsw_vhost_dev *dev)
{
	refill(&dev->logrl);
	summary(dev);
}
