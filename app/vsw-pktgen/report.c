/* SPDX-License-Identifier: BSD-3-Clause */
/* Results: a readable line per trial and JSON objects. */
#include <inttypes.h>

#include "pktgen.h"

void
pg_print_result(FILE *f, const char *label, const struct pg_result *r)
{
	fprintf(f, "%s: rate %s%.3f Mpps, %.1f s: tx %.3f Mpps, rx %.3f Mpps"
		" (%.2f Gbit/s), lost %" PRIu64 " (%.4f%%), reordered %" PRIu64
		", duplicates %" PRIu64 ", foreign %" PRIu64, label,
		r->rate_asked > 0 ? "" : "max ", r->rate_asked / 1e6, r->seconds,
		r->tx_pps / 1e6, r->rx_pps / 1e6, r->rx_gbps, r->lost,
		100.0 * r->loss_ratio, r->reordered, r->duplicates, r->foreign);
	if (r->rx_probes > 0)
		fprintf(f, "; latency ns min %" PRIu64 " p50 %" PRIu64 " p99 %"
			PRIu64 " p99.9 %" PRIu64 " max %" PRIu64 " avg %.0f",
			r->lat_min, r->lat_p50, r->lat_p99, r->lat_p999,
			r->lat_max, r->lat_avg);
	fputc('\n', f);
}

void
pg_json_result(FILE *f, const struct pg_result *r)
{
	fprintf(f, "{\"rate_asked_pps\": %.0f, \"seconds\": %.3f, "
		"\"tx_packets\": %" PRIu64 ", \"tx_bytes\": %" PRIu64 ", "
		"\"rx_packets\": %" PRIu64 ", \"rx_bytes\": %" PRIu64 ", "
		"\"rx_probes\": %" PRIu64 ", \"lost\": %" PRIu64 ", "
		"\"reordered\": %" PRIu64 ", \"duplicates\": %" PRIu64 ", "
		"\"foreign\": %" PRIu64 ", \"tx_pps\": %.1f, \"rx_pps\": %.1f, "
		"\"rx_gbps\": %.4f, \"loss_ratio\": %.9f, \"latency_ns\": {"
		"\"min\": %" PRIu64 ", \"p50\": %" PRIu64 ", \"p99\": %" PRIu64
		", \"p99.9\": %" PRIu64 ", \"max\": %" PRIu64 ", \"avg\": %.1f}}",
		r->rate_asked, r->seconds, r->tx_packets, r->tx_bytes,
		r->rx_packets, r->rx_bytes, r->rx_probes, r->lost, r->reordered,
		r->duplicates, r->foreign, r->tx_pps, r->rx_pps, r->rx_gbps,
		r->loss_ratio, r->lat_min, r->lat_p50, r->lat_p99, r->lat_p999,
		r->lat_max, r->lat_avg);
}
