/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_CTL_H
#define VSW_CTL_H

/**
 * @file
 * The run-time methods of the control socket that drive the data path:
 * ports, cross-connects, bridges and their FDBs, PMDs and rx queues. Each
 * is a thin adapter from JSON-RPC params to a lib/dp operation or query.
 */

#include <stddef.h>

struct vsw_dp;
struct vsw_rpc;

/** Register every data-path method on @p rpc. @return 0 or -errno. */
int vsw_ctl_register_dp(struct vsw_rpc *rpc, struct vsw_dp *dp, char *err,
			size_t errlen);

#endif /* VSW_CTL_H */
