/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port driver "ethdev": any DPDK ethernet device, a physical NIC or a
 * virtual device (af_packet on a veth, pcap, tap, ring, null...).
 *
 *   ethdev:[queues=N,][rxd=N,][txd=N,][mtu=N,][promisc=0|1,]devargs=DEVARGS
 *   ethdev:pci=0000:3b:00.0[,queues=N...]
 *
 * devargs= takes the rest of the spec (DPDK devargs have commas of their
 * own): the device is hot-plugged with rte_dev_probe() and removed again
 * when the port is destroyed, so the same devargs can be added later. A
 * device EAL already probed (pci=, or --vdev on the EAL command line) is
 * used as it is, and only stopped when the port goes.
 *
 * Queues: rx queues = queues=; tx queues = one per PMD, as many as the
 * device has (the port layer locks shared ones). Mbufs for rx come from
 * the environment's pool.
 *
 * Offloads: the checksum and TSO requests vsw carries in ol_flags
 * (lib/net/vsw_net.h) go to the device when its tx_offload_capa has them;
 * the rest is finished in software (vsw_net_tx_fixup) before
 * rte_eth_tx_burst(). A frame longer than MTU + Ethernet header (+4 with
 * a VLAN tag) that is not a TSO super-frame is dropped and counted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pci.h>

#include "vsw_loop.h"
#include "vsw_net.h"
#include "vsw_port.h"

RTE_LOG_REGISTER(ethdev_port_logtype, vsw.drv.ethdev, INFO);

#define ETH_LOG(level, ep, fmt, ...) \
	rte_log(RTE_LOG_##level, ethdev_port_logtype, "ethdev: %s: " fmt "\n", \
		(ep)->name, ##__VA_ARGS__)

/* Offloads vsw can hand to a device (vsw_net.h representation). */
#define ETH_TX_OFFLOADS (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | \
			 RTE_ETH_TX_OFFLOAD_TCP_CKSUM | \
			 RTE_ETH_TX_OFFLOAD_UDP_CKSUM | \
			 RTE_ETH_TX_OFFLOAD_TCP_TSO | \
			 RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
/* Packets per rte_eth_tx_burst() call, and calls per run. */
#define ETH_TX_CHUNK 32
#define ETH_TX_TRIES 4
#define ETH_DESC_MAX 32768
#define ETH_VLAN_HLEN 4

/* Counters of one tx queue, written by the PMD that owns the queue. */
struct ethdev_txq {
	uint64_t too_big;      /* longer than MTU, not a TSO super-frame */
	uint64_t offload_sw;   /* checksum or segmentation done in software */
	uint64_t drop_offload; /* could not be finished (or tx_prepare refused) */
	uint64_t drop_full;    /* the device took no more */
} __rte_cache_aligned;

struct ethdev_port {
	/* data path, read-only after create */
	uint16_t port_id;
	bool tx_prepare;       /* offloads on: rte_eth_tx_prepare() first */
	bool multi_seg;        /* the device sends mbuf chains */
	bool ip_cksum;         /* the device fills IPv4 header checksums */
	uint32_t off;          /* VSW_NET_OFF_* the device does itself */
	uint32_t max_len;      /* MTU + Ethernet header */
	struct ethdev_txq txq[VSW_PORT_MAX_QUEUES];

	/* control thread */
	char name[VSW_PORT_NAME_MAX]; /* the vsw port's, for logs */
	char dev_name[RTE_ETH_NAME_MAX_LEN];
	char driver[64];
	struct rte_device *probed;    /* hot-plugged by this port, or NULL */
	uint64_t owner_id;
	bool owned;
	bool configured;
	bool started;
	bool lsc;                     /* RTE_ETH_EVENT_INTR_LSC registered */
	struct vsw_loop *loop;        /* link polled on its tick (no LSC) */
	struct rte_eth_link link;     /* last link logged (tick only) */
	struct rte_ether_addr mac;
	uint16_t mtu;
	uint16_t nb_rxq, nb_txq;
	uint16_t rxd, txd;
	uint64_t tx_offloads;
};

struct ethdev_opts {
	unsigned long queues, rxd, txd, mtu, promisc;
	const char *devargs;
	const char *pci;
};

/* --- options --- */

static int
read_opts(struct vsw_port_args *args, struct ethdev_opts *o, char *err,
	  size_t errlen)
{
	o->devargs = vsw_port_arg_str(args, "devargs");
	o->pci = vsw_port_arg_str(args, "pci");
	if (vsw_port_arg_uint(args, "queues", 1, VSW_PORT_MAX_QUEUES, 1,
			      &o->queues, err, errlen) ||
	    vsw_port_arg_uint(args, "rxd", 0, ETH_DESC_MAX, 0, &o->rxd, err,
			      errlen) ||
	    vsw_port_arg_uint(args, "txd", 0, ETH_DESC_MAX, 0, &o->txd, err,
			      errlen) ||
	    vsw_port_arg_uint(args, "mtu", 0, UINT16_MAX, 0, &o->mtu, err,
			      errlen) ||
	    vsw_port_arg_uint(args, "promisc", 0, 1, 1, &o->promisc, err,
			      errlen))
		return -EINVAL;
	if (o->mtu != 0 && o->mtu < RTE_ETHER_MIN_MTU) {
		snprintf(err, errlen, "option 'mtu': %lu is below the minimum %u",
			 o->mtu, RTE_ETHER_MIN_MTU);
		return -EINVAL;
	}
	if (o->devargs != NULL && o->pci != NULL) {
		snprintf(err, errlen, "options 'devargs' and 'pci' exclude each other");
		return -EINVAL;
	}
	if ((o->devargs == NULL || *o->devargs == '\0') &&
	    (o->pci == NULL || *o->pci == '\0')) {
		snprintf(err, errlen, "option 'devargs' (e.g. devargs=net_af_packet0,"
			 "iface=eth0) or 'pci' (e.g. pci=0000:3b:00.0) is required");
		return -EINVAL;
	}
	return 0;
}

/* --- finding, probing and claiming the device --- */

/* The ethdev port of device @p name: the port of that name, or else the
 * first port whose rte_device has that name. */
static int
find_port(const char *name, uint16_t *port_id)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		if (!rte_eth_dev_is_valid_port(p) ||
		    rte_eth_dev_info_get(p, &info) != 0 || info.device == NULL)
			continue;
		if (strcmp(rte_dev_name(info.device), name) == 0) {
			*port_id = p;
			return 0;
		}
	}
	return -ENODEV;
}

/* Refuse a device another owner (another vsw port) has. */
static int
check_free(uint16_t port_id, const char *what, char *err, size_t errlen)
{
	struct rte_eth_dev_owner owner;

	if (rte_eth_dev_owner_get(port_id, &owner) == 0 &&
	    owner.id != RTE_ETH_DEV_NO_OWNER) {
		snprintf(err, errlen, "%s: device is already in use by %s", what,
			 owner.name);
		return -EBUSY;
	}
	return 0;
}

static void
probe_failed(int rc, const char *opt, const char *devargs, const char *name,
	     char *err, size_t errlen)
{
	if (rc == -ENOTSUP)
		snprintf(err, errlen, "option '%s': no driver takes device '%s'",
			 opt, name);
	else if (rc == -ENODEV)
		snprintf(err, errlen, "option '%s': device '%s' not found on its"
			 " bus (absent, not bound to a driver DPDK can use such as"
			 " vfio-pci, or EAL started with --no-pci?)", opt, name);
	else if (rc < -1)
		snprintf(err, errlen, "option '%s': the driver cannot attach '%s'"
			 " (%s): does what it names exist (e.g. af_packet's"
			 " iface)? See the driver's log above", opt, devargs,
			 strerror(-rc));
	else /* drivers often return a bare -1 */
		snprintf(err, errlen, "option '%s': the driver cannot attach '%s':"
			 " does what it names exist (e.g. af_packet's iface)? See"
			 " the driver's log above", opt, devargs);
}

/* Hot-plug @p devargs (device @p name) and find its ethdev port. */
static int
probe_device(struct ethdev_port *ep, const char *opt, const char *devargs,
	     const char *name, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	int rc = rte_dev_probe(devargs);

	if (rc != 0) {
		probe_failed(rc, opt, devargs, name, err, errlen);
		return rc < 0 ? rc : -EINVAL;
	}
	if (find_port(name, &ep->port_id) != 0) {
		snprintf(err, errlen, "option '%s': device '%s' is not an ethernet"
			 " device", opt, name);
		return -ENODEV;
	}
	if (rte_eth_dev_info_get(ep->port_id, &info) == 0)
		ep->probed = info.device;
	return 0;
}

/* devargs=: device name from the devargs, probed unless EAL did it. */
static int
attach_devargs(struct ethdev_port *ep, const char *devargs, char *err,
	       size_t errlen)
{
	struct rte_devargs da;
	char what[RTE_DEV_NAME_MAX_LEN + 32];
	int rc;

	memset(&da, 0, sizeof(da));
	if (rte_devargs_parse(&da, devargs) != 0) {
		snprintf(err, errlen, "option 'devargs': no DPDK bus or driver"
			 " knows '%s' (unknown driver? e.g. net_af_packet0,"
			 "iface=eth0, net_pcap0, net_tap0)", devargs);
		rte_devargs_reset(&da);
		return -EINVAL;
	}
	snprintf(ep->dev_name, sizeof(ep->dev_name), "%s", da.name);
	rte_devargs_reset(&da);
	snprintf(what, sizeof(what), "option 'devargs': %s", ep->dev_name);
	if (find_port(ep->dev_name, &ep->port_id) == 0) {
		rc = check_free(ep->port_id, what, err, errlen);
		if (rc == 0)
			ETH_LOG(INFO, ep, "%s was probed already (EAL --vdev?):"
				" used as it is, devargs not applied again",
				ep->dev_name);
		return rc;
	}
	return probe_device(ep, "devargs", devargs, ep->dev_name, err, errlen);
}

/* pci=: the device EAL probed, or else probe the address. */
static int
attach_pci(struct ethdev_port *ep, const char *pci, char *err, size_t errlen)
{
	struct rte_pci_addr addr;
	char what[RTE_DEV_NAME_MAX_LEN + 32];

	if (rte_pci_addr_parse(pci, &addr) != 0) {
		snprintf(err, errlen, "option 'pci': '%s' is not a PCI address"
			 " (DDDD:BB:DD.F)", pci);
		return -EINVAL;
	}
	rte_pci_device_name(&addr, ep->dev_name, sizeof(ep->dev_name));
	snprintf(what, sizeof(what), "option 'pci': %s", ep->dev_name);
	if (find_port(ep->dev_name, &ep->port_id) == 0)
		return check_free(ep->port_id, what, err, errlen);
	return probe_device(ep, "pci", ep->dev_name, ep->dev_name, err, errlen);
}

/* Mark the ethdev port as this vsw port's. */
static int
claim(struct ethdev_port *ep, char *err, size_t errlen)
{
	struct rte_eth_dev_owner owner = { 0 };
	int rc;

	rc = rte_eth_dev_owner_new(&owner.id);
	if (rc == 0) {
		snprintf(owner.name, sizeof(owner.name), "vsw port %s", ep->name);
		rc = rte_eth_dev_owner_set(ep->port_id, &owner);
	}
	if (rc != 0) {
		if (check_free(ep->port_id, ep->dev_name, err, errlen) == 0)
			snprintf(err, errlen, "%s: cannot take ownership: %s",
				 ep->dev_name, strerror(-rc));
		return rc;
	}
	ep->owner_id = owner.id;
	ep->owned = true;
	return 0;
}

/* --- configuring and starting --- */

/* Which of vsw's offloads the device takes (and so the tx offloads). */
static void
choose_offloads(struct ethdev_port *ep, const struct rte_eth_dev_info *info)
{
	uint64_t capa = info->tx_offload_capa;
	const uint64_t csum = RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			      RTE_ETH_TX_OFFLOAD_UDP_CKSUM;

	ep->tx_offloads = capa & ETH_TX_OFFLOADS;
	ep->off = 0;
	if ((capa & csum) == csum)
		ep->off |= VSW_NET_OFF_CSUM;
	/* TSO also fills the segments' checksums, and IPv4 headers'. */
	if ((capa & RTE_ETH_TX_OFFLOAD_TCP_TSO) &&
	    (capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM)) {
		ep->off |= VSW_NET_OFF_TSO6;
		if (capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)
			ep->off |= VSW_NET_OFF_TSO4;
	}
	if (!(ep->off & VSW_NET_OFF_TSO4) && !(ep->off & VSW_NET_OFF_TSO6))
		ep->tx_offloads &= ~RTE_ETH_TX_OFFLOAD_TCP_TSO;
	ep->multi_seg = (capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
	ep->ip_cksum = (capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;
	ep->tx_prepare = ep->off != 0;
}

static int
check_limits(struct ethdev_port *ep, const struct rte_eth_dev_info *info,
	     const struct ethdev_opts *o, char *err, size_t errlen)
{
	if (o->queues > info->max_rx_queues) {
		snprintf(err, errlen, "option 'queues': %lu rx queues asked, device"
			 " %s (%s) has at most %u%s", o->queues, ep->dev_name,
			 ep->driver, info->max_rx_queues,
			 strstr(ep->driver, "af_packet") ? " (af_packet: give"
			 " qpairs=N in devargs)" : "");
		return -EINVAL;
	}
	if (info->max_tx_queues == 0) {
		snprintf(err, errlen, "device %s (%s) has no tx queue",
			 ep->dev_name, ep->driver);
		return -EINVAL;
	}
	if (o->mtu != 0 && (o->mtu < info->min_mtu || o->mtu > info->max_mtu ||
			    o->mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN >
			    info->max_rx_pktlen)) {
		snprintf(err, errlen, "option 'mtu': %lu refused: device %s (%s)"
			 " takes %u..%u (frames up to %u bytes)", o->mtu,
			 ep->dev_name, ep->driver, info->min_mtu,
			 RTE_MIN((uint32_t)info->max_mtu, info->max_rx_pktlen -
				 RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN),
			 info->max_rx_pktlen);
		return -EINVAL;
	}
	return 0;
}

static int
configure(struct ethdev_port *ep, const struct rte_eth_dev_info *info,
	  const struct ethdev_opts *o, struct rte_mempool *mp, char *err,
	  size_t errlen)
{
	uint32_t room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	uint16_t rxd = (uint16_t)o->rxd, txd = (uint16_t)o->txd;
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	conf.txmode.offloads = ep->tx_offloads;
	conf.rxmode.mtu = (uint32_t)o->mtu;
	/* Frames bigger than one mbuf: received as chains, if it can. */
	if (o->mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + 2 * ETH_VLAN_HLEN >
	    room && (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER))
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	if (*info->dev_flags & RTE_ETH_DEV_INTR_LSC)
		conf.intr_conf.lsc = 1;
	rc = rte_eth_dev_configure(ep->port_id, ep->nb_rxq, ep->nb_txq, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "device %s (%s): cannot configure %u rx and"
			 " %u tx queues%s: %s", ep->dev_name, ep->driver,
			 ep->nb_rxq, ep->nb_txq, o->mtu ? " with option 'mtu'" : "",
			 strerror(-rc));
		return rc;
	}
	ep->configured = true;
	if (o->mtu != 0) {
		rc = rte_eth_dev_set_mtu(ep->port_id, (uint16_t)o->mtu);
		if (rc != 0 && rc != -ENOTSUP) {
			snprintf(err, errlen, "option 'mtu': device %s (%s) refused"
				 " MTU %lu: %s", ep->dev_name, ep->driver, o->mtu,
				 strerror(-rc));
			return rc;
		}
	}
	if (rte_eth_dev_adjust_nb_rx_tx_desc(ep->port_id, &rxd, &txd) == 0) {
		ep->rxd = o->rxd ? rxd : 0;
		ep->txd = o->txd ? txd : 0;
	}
	return 0;
}

static int
setup_queues(struct ethdev_port *ep, const struct rte_eth_dev_info *info,
	     struct rte_mempool *mp, char *err, size_t errlen)
{
	int socket = rte_eth_dev_socket_id(ep->port_id);
	struct rte_eth_txconf txconf = info->default_txconf;
	int rc;

	if (socket < 0)
		socket = SOCKET_ID_ANY;
	for (uint16_t q = 0; q < ep->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(ep->port_id, q, ep->rxd,
					    (unsigned int)socket, NULL, mp);
		if (rc != 0) {
			snprintf(err, errlen, "device %s (%s): rx queue %u: %s%s",
				 ep->dev_name, ep->driver, q, strerror(-rc),
				 rc == -ENOMEM ? " (mbufs too small for the"
				 " device's frames?)" : "");
			return rc;
		}
	}
	txconf.offloads = ep->tx_offloads;
	for (uint16_t q = 0; q < ep->nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(ep->port_id, q, ep->txd,
					    (unsigned int)socket, &txconf);
		if (rc != 0) {
			snprintf(err, errlen, "device %s (%s): tx queue %u: %s",
				 ep->dev_name, ep->driver, q, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static void
format_link(const struct rte_eth_link *l, char *buf, size_t len)
{
	if (!l->link_status)
		snprintf(buf, len, "down");
	else if (l->link_speed == RTE_ETH_SPEED_NUM_NONE ||
		 l->link_speed == RTE_ETH_SPEED_NUM_UNKNOWN)
		snprintf(buf, len, "up, speed unknown, %s-duplex",
			 l->link_duplex ? "full" : "half");
	else
		snprintf(buf, len, "up, %u Mbps, %s-duplex", l->link_speed,
			 l->link_duplex ? "full" : "half");
}

/* DPDK's interrupt thread: log only. */
static int
on_lsc(uint16_t port_id, enum rte_eth_event_type event, void *arg,
       void *ret_param)
{
	const struct ethdev_port *ep = arg;
	struct rte_eth_link link;
	char s[64];

	if (event != RTE_ETH_EVENT_INTR_LSC || port_id != ep->port_id ||
	    rte_eth_link_get_nowait(port_id, &link) != 0)
		return 0;
	format_link(&link, s, sizeof(s));
	ETH_LOG(INFO, ep, "%s link %s", ep->dev_name, s);
	return 0;
}

/* Control thread, once a second, for devices without LSC interrupts. */
static void
link_tick(void *arg)
{
	struct ethdev_port *ep = arg;
	struct rte_eth_link link;
	char s[64];

	if (rte_eth_link_get_nowait(ep->port_id, &link) != 0 ||
	    (link.link_status == ep->link.link_status &&
	     link.link_speed == ep->link.link_speed &&
	     link.link_duplex == ep->link.link_duplex))
		return;
	ep->link = link;
	format_link(&link, s, sizeof(s));
	ETH_LOG(INFO, ep, "%s link %s", ep->dev_name, s);
}

/* Before start: link changes logged from DPDK's interrupt thread. */
static void
watch_lsc(struct ethdev_port *ep, const struct rte_eth_dev_info *info)
{
	if (!(*info->dev_flags & RTE_ETH_DEV_INTR_LSC))
		return;
	ep->lsc = rte_eth_dev_callback_register(ep->port_id,
			RTE_ETH_EVENT_INTR_LSC, on_lsc, ep) == 0;
	if (!ep->lsc)
		ETH_LOG(WARNING, ep, "%s: cannot watch link changes",
			ep->dev_name);
}

/* After start, without LSC interrupts: the link polled every second. */
static void
poll_link(struct ethdev_port *ep, struct vsw_loop *loop)
{
	if (ep->lsc || loop == NULL)
		return;
	if (rte_eth_link_get_nowait(ep->port_id, &ep->link) != 0)
		memset(&ep->link, 0, sizeof(ep->link));
	if (vsw_loop_add_tick(loop, link_tick, ep) == 0)
		ep->loop = loop;
}

static int
start(struct ethdev_port *ep, const struct ethdev_opts *o, char *err,
      size_t errlen)
{
	int rc;

	if (o->promisc) {
		rc = rte_eth_promiscuous_enable(ep->port_id);
		if (rc != 0)
			ETH_LOG(WARNING, ep, "%s: cannot enable promiscuous mode: %s",
				ep->dev_name, strerror(-rc));
	} else {
		rte_eth_promiscuous_disable(ep->port_id);
	}
	rc = rte_eth_dev_start(ep->port_id);
	if (rc != 0) {
		snprintf(err, errlen, "device %s (%s): cannot start: %s",
			 ep->dev_name, ep->driver, strerror(-rc));
		return rc;
	}
	ep->started = true;
	rte_eth_macaddr_get(ep->port_id, &ep->mac);
	if (rte_eth_dev_get_mtu(ep->port_id, &ep->mtu) != 0)
		ep->mtu = RTE_ETHER_MTU;
	ep->max_len = (uint32_t)ep->mtu + RTE_ETHER_HDR_LEN;
	return 0;
}

/* Undo create, whatever it reached. */
static void
release(struct ethdev_port *ep)
{
	int rc;

	if (ep->loop != NULL)
		vsw_loop_del_tick(ep->loop, link_tick, ep);
	if (ep->lsc) {
		/* -EAGAIN: the callback is running on the interrupt thread. */
		for (int i = 0; i < 1000; i++) {
			rc = rte_eth_dev_callback_unregister(ep->port_id,
				RTE_ETH_EVENT_INTR_LSC, on_lsc, ep);
			if (rc != -EAGAIN)
				break;
			rte_delay_ms(1);
		}
	}
	if (ep->started && (rc = rte_eth_dev_stop(ep->port_id)) != 0)
		ETH_LOG(WARNING, ep, "%s: stop: %s", ep->dev_name, strerror(-rc));
	if (ep->probed != NULL) {
		/* Close releases the ethdev port; remove unplugs the device. */
		if (ep->configured || ep->owned)
			rte_eth_dev_close(ep->port_id);
		rc = rte_dev_remove(ep->probed);
		if (rc != 0)
			ETH_LOG(WARNING, ep, "%s: remove: %s", ep->dev_name,
				strerror(-rc));
	} else if (ep->owned) {
		/* EAL's device: handed back stopped, for a later port. */
		rte_eth_dev_owner_unset(ep->port_id, ep->owner_id);
	}
	/* Owner ids are a counter, nothing to free: no owner_delete (which
	 * would log a notice for every port). */
}

static int
bring_up(struct ethdev_port *ep, const struct ethdev_opts *o,
	 const struct vsw_port_env *env, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	uint16_t n_pmds;
	int rc;

	rc = rte_eth_dev_info_get(ep->port_id, &info);
	if (rc != 0) {
		snprintf(err, errlen, "device %s: cannot read its info: %s",
			 ep->dev_name, strerror(-rc));
		return rc;
	}
	snprintf(ep->driver, sizeof(ep->driver), "%s", info.driver_name);
	rc = check_limits(ep, &info, o, err, errlen);
	if (rc != 0)
		return rc;
	ep->nb_rxq = (uint16_t)o->queues;
	/* One tx queue per PMD, as far as the device goes. */
	n_pmds = env->n_pmds ? env->n_pmds : 1;
	ep->nb_txq = RTE_MIN(n_pmds, info.max_tx_queues);
	ep->nb_txq = RTE_MIN(ep->nb_txq, VSW_PORT_MAX_QUEUES);
	choose_offloads(ep, &info);
	rc = configure(ep, &info, o, env->mp, err, errlen);
	if (rc == 0)
		rc = setup_queues(ep, &info, env->mp, err, errlen);
	if (rc != 0)
		return rc;
	watch_lsc(ep, &info);
	rc = start(ep, o, err, errlen);
	if (rc == 0)
		poll_link(ep, env->loop);
	return rc;
}

static int
eth_create(struct vsw_port *port, struct vsw_port_args *args,
	   const struct vsw_port_env *env, char *err, size_t errlen)
{
	struct ethdev_opts o;
	struct ethdev_port *ep;
	int rc;

	rc = read_opts(args, &o, err, errlen);
	if (rc != 0)
		return rc;
	ep = rte_zmalloc("vsw_ethdev_port", sizeof(*ep), RTE_CACHE_LINE_SIZE);
	if (ep == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(ep->name, sizeof(ep->name), "%s", port->name);
	rc = o.devargs != NULL ? attach_devargs(ep, o.devargs, err, errlen)
			       : attach_pci(ep, o.pci, err, errlen);
	if (rc == 0)
		rc = claim(ep, err, errlen);
	if (rc == 0)
		rc = bring_up(ep, &o, env, err, errlen);
	if (rc != 0) {
		release(ep);
		rte_free(ep);
		return rc;
	}
	port->priv = ep;
	port->nb_rxq = ep->nb_rxq;
	port->nb_txq = ep->nb_txq;
	return 0;
}

static void
eth_destroy(struct vsw_port *port)
{
	struct ethdev_port *ep = port->priv;

	if (ep == NULL)
		return;
	release(ep);
	rte_free(ep);
	port->priv = NULL;
}

/* --- data path --- */

static uint16_t
eth_rx_burst(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts,
	     uint16_t n)
{
	const struct ethdev_port *ep = port->priv;

	return rte_eth_rx_burst(ep->port_id, q, pkts, n);
}

/* Longest frame @p m may be: one VLAN tag on top of the MTU. */
static inline uint32_t
max_len_of(const struct ethdev_port *ep, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;

	if (m->data_len < sizeof(*eh))
		return ep->max_len;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
	    eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_QINQ))
		return ep->max_len + ETH_VLAN_HLEN;
	return ep->max_len;
}

/*
 * rte_eth_tx_burst() @p n (<= ETH_TX_CHUNK) ready packets, retrying while
 * the device takes some; free the rest. @return packets sent.
 */
static uint16_t
send_chunk(struct ethdev_port *ep, uint16_t q, struct rte_mbuf **pkts,
	   uint16_t n, uint64_t *bytes)
{
	uint32_t len[ETH_TX_CHUNK];
	uint16_t sent = 0;

	/* Lengths first: the driver may free a packet as it sends it. */
	for (uint16_t i = 0; i < n; i++)
		len[i] = pkts[i]->pkt_len;
	for (int t = 0; t < ETH_TX_TRIES && sent < n; t++) {
		uint16_t k = rte_eth_tx_burst(ep->port_id, q, pkts + sent,
					      n - sent);
		if (k == 0)
			break;
		sent += k;
	}
	for (uint16_t i = 0; i < sent; i++)
		*bytes += len[i];
	if (unlikely(sent < n)) {
		ep->txq[q].drop_full += n - sent;
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
	return sent;
}

/* Send @p n ready packets: tx_prepare (when offloads are on) drops what
 * the device refuses. @return packets sent. */
static uint16_t
xmit(struct ethdev_port *ep, uint16_t q, struct rte_mbuf **pkts, uint16_t n,
     uint64_t *bytes)
{
	uint16_t done = 0, sent = 0;

	while (done < n) {
		uint16_t c = RTE_MIN(n - done, ETH_TX_CHUNK), ok = c;

		if (ep->tx_prepare)
			ok = rte_eth_tx_prepare(ep->port_id, q, pkts + done, c);
		if (ok > 0)
			sent += send_chunk(ep, q, pkts + done, ok, bytes);
		done += ok;
		if (ok < c) {
			/* pkts[done] is refused; those after it are checked
			 * again in the next round. */
			ep->txq[q].drop_offload++;
			rte_pktmbuf_free(pkts[done]);
			done++;
		}
	}
	return sent;
}

/* Can the device do the work @p m asks for, on @p m as it is? */
static inline bool
hw_can(const struct ethdev_port *ep, const struct rte_mbuf *m)
{
	if (vsw_net_tx_needs_fixup(m, ep->off))
		return false;
	/* tx_prepare writes the headers: they must be ours and contiguous. */
	return RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 &&
	       (uint32_t)m->l2_len + m->l3_len + m->l4_len <= m->data_len;
}

/* The device cuts this super-frame: segments must fit the MTU. */
static inline bool
tso_fits(const struct ethdev_port *ep, const struct rte_mbuf *m)
{
	return (uint32_t)m->l2_len + m->l3_len + m->l4_len + m->tso_segsz <=
	       max_len_of(ep, m);
}

/*
 * Finish all @p m asks for in software (checksum, or segments into new
 * mbufs from its pool) and send the result. @return 1 when all of it
 * was sent.
 */
static __rte_noinline uint16_t
send_fixed(struct ethdev_port *ep, uint16_t q, struct rte_mbuf *m,
	   uint64_t *bytes)
{
	struct rte_mbuf *out[VSW_NET_GSO_MAX_SEGS];
	uint16_t sent = 0, k, j = 0;
	int rc = vsw_net_tx_fixup(m, 0, m->pool, out);

	if (rc < 0) {
		ep->txq[q].drop_offload++;
		rte_pktmbuf_free(m);
		return 0;
	}
	ep->txq[q].offload_sw++;
	if (out[0] != m)
		rte_pktmbuf_free(m); /* segments or a copy: m is done with */
	/* Segments must fit too (a guest's gso_size may be larger). */
	for (int i = 0; i < rc; i++) {
		if (unlikely(out[i]->pkt_len > max_len_of(ep, out[i]))) {
			ep->txq[q].too_big++;
			rte_pktmbuf_free(out[i]);
			continue;
		}
		out[j++] = out[i];
	}
	k = j;
	if (k > 0)
		sent = xmit(ep, q, out, k, bytes);
	return sent == rc;
}

/* What a packet that was not ready as it came needs. */
enum eth_verdict {
	ETH_READY,    /* now ready: goes with the run */
	ETH_SOFTWARE, /* to be finished in software (send_fixed) */
	ETH_DROPPED,  /* freed and counted */
};

/* Sort out @p m, which is not ready as it is. */
static __rte_noinline enum eth_verdict
sort_out(struct ethdev_port *ep, uint16_t q, struct rte_mbuf *m)
{
	bool tso = (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) != 0;

	if (tso ? !tso_fits(ep, m) : m->pkt_len > max_len_of(ep, m)) {
		ep->txq[q].too_big++;
		rte_pktmbuf_free(m);
		return ETH_DROPPED;
	}
	if (m->ol_flags & VSW_NET_TX_WORK) {
		if (!hw_can(ep, m))
			return ETH_SOFTWARE;
		if (tso && !(m->ol_flags & RTE_MBUF_F_TX_IPV6) && ep->ip_cksum)
			m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	}
	if (m->nb_segs > 1 && !ep->multi_seg &&
	    (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1 ||
	     rte_pktmbuf_linearize(m) != 0)) {
		ep->txq[q].drop_offload++;
		rte_pktmbuf_free(m);
		return ETH_DROPPED;
	}
	return ETH_READY;
}

/* Is @p m ready to go as it is (no work, fits, shape the device takes)? */
static inline bool
ready(const struct ethdev_port *ep, const struct rte_mbuf *m)
{
	return !(m->ol_flags & VSW_NET_TX_WORK) && m->pkt_len <= ep->max_len &&
	       (m->nb_segs == 1 || ep->multi_seg);
}

static uint16_t
eth_tx_burst(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts,
	     uint16_t n, uint64_t *bytes)
{
	struct ethdev_port *ep = port->priv;
	uint16_t sent = 0, run = 0;

	/*
	 * Ready packets (and those the device can finish) are gathered in
	 * order at the front of pkts[] and sent together; a packet finished
	 * in software goes out after the run before it.
	 */
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (likely(ready(ep, m))) {
			pkts[run++] = m;
			continue;
		}
		switch (sort_out(ep, q, m)) {
		case ETH_READY:
			pkts[run++] = m;
			break;
		case ETH_SOFTWARE:
			if (run > 0)
				sent += xmit(ep, q, pkts, run, bytes);
			run = 0;
			sent += send_fixed(ep, q, m, bytes);
			break;
		case ETH_DROPPED:
			break;
		}
	}
	if (run > 0)
		sent += xmit(ep, q, pkts, run, bytes);
	return sent;
}

/* --- show --- */

static void
eth_describe(const struct vsw_port *port, char *buf, size_t len)
{
	const struct ethdev_port *ep = port->priv;
	struct rte_eth_link link;
	char mac[RTE_ETHER_ADDR_FMT_SIZE], ls[64];

	if (rte_eth_link_get_nowait(ep->port_id, &link) != 0)
		memset(&link, 0, sizeof(link));
	format_link(&link, ls, sizeof(ls));
	rte_ether_format_addr(mac, sizeof(mac), &ep->mac);
	snprintf(buf, len, "ethdev %s (%s, port %u), %u rx / %u tx queue%s,"
		 " link %s, mac %s, mtu %u, offloads%s%s%s%s", ep->dev_name,
		 ep->driver, ep->port_id, ep->nb_rxq, ep->nb_txq,
		 ep->nb_txq > 1 ? "s" : "", ls, mac, ep->mtu,
		 ep->off & VSW_NET_OFF_CSUM ? " csum" : "",
		 ep->off & VSW_NET_OFF_TSO4 ? " tso4" : "",
		 ep->off & VSW_NET_OFF_TSO6 ? " tso6" : "",
		 ep->off == 0 ? " in software" : "");
}

static void
eth_print_stats(const struct vsw_port *port, FILE *f)
{
	const struct ethdev_port *ep = port->priv;
	struct rte_eth_stats st;
	struct rte_eth_link link;
	struct ethdev_txq sum = { 0 };

	if (rte_eth_link_get_nowait(ep->port_id, &link) != 0)
		memset(&link, 0, sizeof(link));
	if (rte_eth_stats_get(ep->port_id, &st) != 0)
		memset(&st, 0, sizeof(st));
	for (uint16_t q = 0; q < ep->nb_txq; q++) {
		sum.too_big += ep->txq[q].too_big;
		sum.offload_sw += ep->txq[q].offload_sw;
		sum.drop_offload += ep->txq[q].drop_offload;
		sum.drop_full += ep->txq[q].drop_full;
	}
	fprintf(f, "stats ethdev port=%s device=%s link=%d speed=%u duplex=%s"
		" ipackets=%" PRIu64 " opackets=%" PRIu64 " imissed=%" PRIu64
		" ierrors=%" PRIu64 " oerrors=%" PRIu64 " rx_nombuf=%" PRIu64
		" too_big=%" PRIu64 " offload_sw=%" PRIu64 " drop_offload=%"
		PRIu64 " drop_full=%" PRIu64 "\n", port->name, ep->dev_name,
		link.link_status, link.link_speed,
		link.link_duplex ? "full" : "half", st.ipackets, st.opackets,
		st.imissed, st.ierrors, st.oerrors, st.rx_nombuf, sum.too_big,
		sum.offload_sw, sum.drop_offload, sum.drop_full);
}

/* Control thread: the link now (a vDPA device's config space). */
static bool
eth_link_up(const struct vsw_port *port)
{
	const struct ethdev_port *ep = port->priv;
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(ep->port_id, &link) == 0 &&
	       link.link_status == RTE_ETH_LINK_UP;
}

static const struct vsw_port_ops ethdev_ops = {
	.type = "ethdev",
	.create = eth_create,
	.destroy = eth_destroy,
	.rx_burst = eth_rx_burst,
	.tx_burst = eth_tx_burst,
	.describe = eth_describe,
	.print_stats = eth_print_stats,
	.link_up = eth_link_up,
};

RTE_INIT(ethdev_port_register)
{
	vsw_port_register(&ethdev_ops);
}
