/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_FUZZ_MOCK_PORT_H
#define VSW_FUZZ_MOCK_PORT_H

/*
 * Port type "fzmock" for fuzz_bridge: receives nothing, keeps every mbuf
 * it is given to send (struct mock) until the harness checks and drains
 * them. As tests/unit/test_bridge.c's mock, but a full capture buffer is
 * an invariant broken: a burst can never give one port that much.
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_mbuf.h>

#include "fuzz.h"
#include "vsw_port.h"

#define MOCK_CAP 256

struct mock {
	unsigned int n;
	struct rte_mbuf *cap[MOCK_CAP];
};

static int
mock_create(struct vsw_port *port, struct vsw_port_args *args,
	    const struct vsw_port_env *env, char *err, size_t errlen)
{
	port->priv = calloc(1, sizeof(struct mock));
	port->nb_rxq = 1;
	port->nb_txq = 1;
	return port->priv ? 0 : -ENOMEM;
}

static void
mock_drain(struct vsw_port *port)
{
	struct mock *mk = port->priv;

	rte_pktmbuf_free_bulk(mk->cap, mk->n);
	mk->n = 0;
}

static void
mock_destroy(struct vsw_port *port)
{
	mock_drain(port);
	free(port->priv);
}

static uint16_t
mock_rx(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	return 0;
}

static uint16_t
mock_tx(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts, uint16_t n,
	uint64_t *bytes)
{
	struct mock *mk = port->priv;

	for (uint16_t i = 0; i < n; i++) {
		*bytes += pkts[i]->pkt_len;
		FZ_CHECK(mk->n < MOCK_CAP);
		mk->cap[mk->n++] = pkts[i];
	}
	return n;
}

static void
mock_describe(const struct vsw_port *port, char *buf, size_t len)
{
	snprintf(buf, len, "fuzz mock");
}

static const struct vsw_port_ops mock_ops = {
	.type = "fzmock",
	.create = mock_create,
	.destroy = mock_destroy,
	.rx_burst = mock_rx,
	.tx_burst = mock_tx,
	.describe = mock_describe,
};

#endif /* VSW_FUZZ_MOCK_PORT_H */
