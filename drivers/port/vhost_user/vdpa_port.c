/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port driver "vdpa": a vhost-user socket whose rings a vDPA device runs.
 *
 *   vdpa:path=SOCK[,server=1|0][,queues=N][,mac=..][,mtu=..]
 *        [,socket-mode=..][,socket-owner=..][,socket-group=..]
 *        [,handshake-timeout=..][,driver=sw][,cpu=N],wire=DEVARGS
 *
 * vswd serves the vhost-user protocol as for a vhost-user port (the same
 * validator, the same non-blocking control loop) and offers what both
 * the device and vsw's own data path can run; the rings go to the device
 * (lib/vdpa) when the front-end has set them up. Two ports come of one
 * spec: NAME, the guest's side, and NAME.wire, the device's uplink (an
 * ethdev port on DEVARGS, which takes the rest of the spec), made
 * together and cross-connected to start with.
 *
 * Offloaded (the default), both are parked: no PMD polls them, the device
 * moves packets between the guest's rings and its wire on a thread of
 * its own. vsw_dp_port_offload() hands the rings over at their positions:
 * off, the ports are an ordinary vhost-user port and an ordinary ethdev
 * port, switched by the PMDs like any other (a software relay through the
 * cross-connect, or whatever they are attached to).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vhost_user_priv.h"
#include "vsw_vdpa.h"

struct vdpa_port {
	struct vhost_user_port vu; /* first: the vu_* ops take port->priv */
	struct vsw_port *wire;
	struct vsw_vdpa_dev *dev;
	char driver[16];
	char wire_args[160];
};

/* --- the device runs the rings: lib/vhost's offload ops --- */

static int
off_set_mem(void *arg, const struct vsw_vhost_region *r, uint32_t n,
	    char *err, size_t errlen)
{
	struct vdpa_port *vp = arg;
	struct vsw_vdpa_mem mem = { .nregions = n };

	for (uint32_t i = 0; i < n; i++)
		mem.regions[i] = (struct vsw_vdpa_region){
			.gpa = r[i].gpa, .size = r[i].size, .hva = r[i].hva,
			.fd = r[i].fd, .fd_offset = r[i].fd_offset,
		};
	return vsw_vdpa_set_mem(vp->dev, &mem, err, errlen);
}

static int
off_queue_start(void *arg, uint16_t q, const struct vsw_vhost_ring *r,
		char *err, size_t errlen)
{
	struct vdpa_port *vp = arg;
	struct vsw_vdpa_ring ring = {
		.features = r->features, .size = r->size, .desc = r->desc,
		.driver = r->driver, .device = r->device, .base = r->base,
		.kickfd = r->kickfd, .callfd = r->callfd,
		.doorbell_mapped = r->doorbell_mapped,
	};

	return vsw_vdpa_queue_start(vp->dev, q, &ring, err, errlen);
}

static uint32_t
off_queue_stop(void *arg, uint16_t q)
{
	struct vdpa_port *vp = arg;

	return vsw_vdpa_queue_stop(vp->dev, q, 0);
}

static int
off_doorbell(void *arg, uint16_t q, int *fd, uint64_t *offset, uint64_t *size)
{
	struct vdpa_port *vp = arg;

	if (vp->dev->ops->doorbell == NULL)
		return -ENOTSUP;
	return vp->dev->ops->doorbell(vp->dev, q, fd, offset, size);
}

static bool
off_link_up(void *arg)
{
	struct vdpa_port *vp = arg;
	struct vsw_vdpa_netcfg cfg;

	vp->dev->ops->netcfg(vp->dev, &cfg);
	return cfg.link_up;
}

static const struct vsw_vhost_offload_ops offload_ops = {
	.set_mem = off_set_mem,
	.queue_start = off_queue_start,
	.queue_stop = off_queue_stop,
	.doorbell = off_doorbell,
	.link_up = off_link_up,
};

/* --- create and destroy --- */

/* NAME.wire: an ethdev port on the wire's devargs, parked. */
static int
wire_create(struct vsw_port *port, struct vdpa_port *vp, unsigned long queues,
	    const struct vsw_port_env *env, char *err, size_t errlen)
{
	char name[VSW_PORT_NAME_MAX], spec[256];

	if ((size_t)snprintf(name, sizeof(name), "%s.wire", port->name) >=
	    sizeof(name)) {
		snprintf(err, errlen, "the port name is too long for %s.wire",
			 port->name);
		return -EINVAL;
	}
	snprintf(spec, sizeof(spec), "ethdev:queues=%lu,devargs=%s", queues,
		 vp->wire_args);
	vp->wire = vsw_port_create(name, spec, env, err, errlen);
	if (vp->wire == NULL)
		return -EINVAL;
	vp->wire->parked = true;
	return 0;
}

/* driver=, cpu=, wire= (required). */
static int
vdpa_opts(struct vsw_port_args *args, struct vdpa_port *vp, char *dargs,
	  size_t dlen, char *err, size_t errlen)
{
	const char *driver = vsw_port_arg_str(args, "driver");
	const char *wire = vsw_port_arg_str(args, "wire");
	unsigned long cpu;

	if (wire == NULL || *wire == '\0') {
		snprintf(err, errlen, "option 'wire' is required (the device's"
			 " uplink: DPDK devargs, e.g. net_af_packet0,iface=veth0)");
		return -EINVAL;
	}
	snprintf(vp->wire_args, sizeof(vp->wire_args), "%s", wire);
	snprintf(vp->driver, sizeof(vp->driver), "%s",
		 driver != NULL ? driver : "sw");
	if (vsw_port_arg_uint(args, "cpu", 0, 1023, 1024, &cpu, err, errlen))
		return -EINVAL;
	if (cpu < 1024)
		snprintf(dargs, dlen, "cpu=%lu", cpu);
	else
		dargs[0] = '\0';
	return 0;
}

static void
vdpa_free(struct vdpa_port *vp)
{
	if (vp->vu.dev != NULL)
		vsw_vhost_destroy(vp->vu.dev);
	vsw_vdpa_destroy(vp->dev);
	vsw_port_destroy(vp->wire);
	free(vp);
}

static int
vdpa_create(struct vsw_port *port, struct vsw_port_args *args,
	    const struct vsw_port_env *env, char *err, size_t errlen)
{
	struct vdpa_port *vp = calloc(1, sizeof(*vp));
	struct vsw_vdpa_caps caps;
	struct vsw_vdpa_conf conf;
	char dargs[32];
	struct vu_opts o;

	if (vp == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (vu_parse(args, &o, err, errlen) != 0 ||
	    vdpa_opts(args, vp, dargs, sizeof(dargs), err, errlen) != 0 ||
	    wire_create(port, vp, o.queues, env, err, errlen) != 0)
		goto err_free;
	conf = (struct vsw_vdpa_conf){
		.name = port->name, .queue_pairs = (uint16_t)o.queues,
		.wire = vp->wire, .args = dargs[0] ? dargs : NULL,
	};
	vp->dev = vsw_vdpa_create(vp->driver, &conf, err, errlen);
	if (vp->dev == NULL)
		goto err_free;
	vp->dev->ops->caps(vp->dev, &caps);
	if (vu_open(port, &vp->vu, &o, env, caps.features, caps.host_notifier,
		    err, errlen) != 0)
		goto err_free;
	/* Offloaded from the start: the device runs what gets set up. */
	vsw_vhost_set_offload(vp->vu.dev, &offload_ops, vp, err, errlen);
	port->parked = true;
	port->priv = vp;
	return 0;

err_free:
	vdpa_free(vp);
	return -EINVAL;
}

/* lib/vhost stops the device's queues first, then the device goes. */
static void
vdpa_destroy(struct vsw_port *port)
{
	if (port->priv != NULL)
		vdpa_free(port->priv);
	port->priv = NULL;
}

static struct vsw_port *
vdpa_companion(struct vsw_port *port)
{
	return ((struct vdpa_port *)port->priv)->wire;
}

static int
vdpa_offload(struct vsw_port *port, bool on, char *err, size_t errlen)
{
	struct vdpa_port *vp = port->priv;

	return vsw_vhost_set_offload(vp->vu.dev, on ? &offload_ops : NULL,
				     on ? vp : NULL, err, errlen);
}

static void
vdpa_describe(const struct vsw_port *port, char *buf, size_t len)
{
	const struct vdpa_port *vp = port->priv;

	snprintf(buf, len, "vdpa %s %s, %u queue pair%s, driver %s, %s, wire"
		 " %s", vp->vu.server ? "server" : "client", vp->vu.path,
		 vp->vu.queue_pairs, vp->vu.queue_pairs > 1 ? "s" : "",
		 vp->driver, vsw_vhost_offloaded(vp->vu.dev) ? "offloaded" :
		 "software", vp->wire_args);
}

/* The vhost-user lines, then the device's: "stats vdpa ..." and one
 * "stats vdpaq ..." per queue. */
static void
vdpa_print_stats(const struct vsw_port *port, FILE *f)
{
	const struct vdpa_port *vp = port->priv;
	char desc[160] = "";

	vu_print_vhost(port, &vp->vu, f);
	if (vp->dev->ops->describe != NULL)
		vp->dev->ops->describe(vp->dev, desc, sizeof(desc));
	fprintf(f, "stats vdpa port=%s driver=%s mode=%s %s\n", port->name,
		vp->driver, vsw_vhost_offloaded(vp->vu.dev) ? "offload" :
		"software", desc);
	for (uint16_t q = 0; q < 2 * vp->vu.queue_pairs; q++) {
		struct vsw_vdpa_qstats st;

		vp->dev->ops->queue_stats(vp->dev, q, &st);
		fprintf(f, "stats vdpaq port=%s vq=%u dir=%s running=%d"
			" packets=%" PRIu64 " bytes=%" PRIu64 " drops=%" PRIu64
			" doorbells=%" PRIu64 " kicks=%" PRIu64 " interrupts=%"
			PRIu64 " interrupts_suppressed=%" PRIu64 " broken=%d\n",
			port->name, q, q % 2 ? "guest-tx" : "guest-rx",
			vsw_vdpa_queue_running(vp->dev, q), st.packets, st.bytes,
			st.drops, st.doorbells, st.kicks, st.interrupts,
			st.interrupts_suppressed, st.broken);
	}
}

/* Even virtqueues are the guest's receive queues: what the port sends. */
static void
vdpa_device_stats(const struct vsw_port *port, struct vsw_port_stats *rx,
		  struct vsw_port_stats *tx)
{
	const struct vdpa_port *vp = port->priv;

	for (uint16_t q = 0; q < 2 * vp->vu.queue_pairs; q++) {
		struct vsw_port_stats *s = q % 2 ? rx : tx;
		struct vsw_vdpa_qstats st;

		vp->dev->ops->queue_stats(vp->dev, q, &st);
		s->packets += st.packets;
		s->bytes += st.bytes;
		s->drops += st.drops;
	}
}

static const struct vsw_port_ops vdpa_ops = {
	.type = "vdpa",
	.create = vdpa_create,
	.destroy = vdpa_destroy,
	.rx_burst = vu_rx_burst,
	.tx_burst = vu_tx_burst,
	.tx_flush = vu_tx_flush,
	.describe = vdpa_describe,
	.print_stats = vdpa_print_stats,
	.companion = vdpa_companion,
	.offload = vdpa_offload,
	.device_stats = vdpa_device_stats,
};

RTE_INIT(vdpa_port_register)
{
	vsw_port_register(&vdpa_ops);
}
