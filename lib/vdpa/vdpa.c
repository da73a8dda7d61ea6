/* SPDX-License-Identifier: BSD-3-Clause */
/* The vDPA driver registry and the device calls every driver shares. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsw_vdpa.h"

#define VDPA_MAX_DRIVERS 8

static const struct vsw_vdpa_ops *drivers[VDPA_MAX_DRIVERS];
static unsigned int n_drivers;

void
vsw_vdpa_register(const struct vsw_vdpa_ops *ops)
{
	if (n_drivers < VDPA_MAX_DRIVERS)
		drivers[n_drivers++] = ops;
}

const struct vsw_vdpa_ops *
vsw_vdpa_driver(const char *name)
{
	for (unsigned int i = 0; i < n_drivers; i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

void
vsw_vdpa_drivers(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n_drivers && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", drivers[i]->name);
}

struct vsw_vdpa_dev *
vsw_vdpa_create(const char *driver, const struct vsw_vdpa_conf *conf,
		char *err, size_t errlen)
{
	const struct vsw_vdpa_ops *ops = vsw_vdpa_driver(driver);
	struct vsw_vdpa_dev *dev;
	char known[128];

	if (ops == NULL) {
		vsw_vdpa_drivers(known, sizeof(known));
		snprintf(err, errlen, "no vDPA driver '%s' (known: %s)", driver,
			 known);
		return NULL;
	}
	if (conf->queue_pairs == 0 || conf->queue_pairs > VSW_VDPA_MAX_QP) {
		snprintf(err, errlen, "%u queue pairs: 1..%d", conf->queue_pairs,
			 VSW_VDPA_MAX_QP);
		return NULL;
	}
	dev = calloc(1, sizeof(*dev) + ops->priv_size);
	if (dev == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	dev->ops = ops;
	dev->priv = dev + 1;
	dev->queue_pairs = conf->queue_pairs;
	snprintf(dev->name, sizeof(dev->name), "%s", conf->name);
	if (ops->create(dev, conf, err, errlen) != 0) {
		free(dev);
		return NULL;
	}
	return dev;
}

void
vsw_vdpa_destroy(struct vsw_vdpa_dev *dev)
{
	if (dev == NULL)
		return;
	for (uint16_t q = 0; q < 2 * dev->queue_pairs; q++)
		vsw_vdpa_queue_stop(dev, q, 0);
	dev->ops->destroy(dev);
	free(dev);
}

int
vsw_vdpa_set_mem(struct vsw_vdpa_dev *dev, const struct vsw_vdpa_mem *mem,
		 char *err, size_t errlen)
{
	if (dev->running != 0) {
		snprintf(err, errlen, "memory table change with queues running");
		return -EBUSY;
	}
	return dev->ops->set_mem(dev, mem, err, errlen);
}

int
vsw_vdpa_queue_start(struct vsw_vdpa_dev *dev, uint16_t q,
		     const struct vsw_vdpa_ring *ring, char *err, size_t errlen)
{
	int rc;

	if (q >= 2 * dev->queue_pairs) {
		snprintf(err, errlen, "queue %u: the device has %u", q,
			 2 * dev->queue_pairs);
		return -EINVAL;
	}
	if (vsw_vdpa_queue_running(dev, q)) {
		snprintf(err, errlen, "queue %u runs already", q);
		return -EBUSY;
	}
	rc = dev->ops->queue_start(dev, q, ring, err, errlen);
	if (rc == 0)
		dev->running |= 1u << q;
	return rc;
}

uint32_t
vsw_vdpa_queue_stop(struct vsw_vdpa_dev *dev, uint16_t q, uint32_t fallback)
{
	if (!vsw_vdpa_queue_running(dev, q))
		return fallback;
	dev->running &= ~(1u << q);
	return dev->ops->queue_stop(dev, q);
}

bool
vsw_vdpa_queue_running(const struct vsw_vdpa_dev *dev, uint16_t q)
{
	return q < 32 && (dev->running >> q) & 1;
}
