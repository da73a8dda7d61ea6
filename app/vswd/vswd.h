/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWD_H
#define VSWD_H

#include "vsw_config.h"

struct vsw_loop;
struct vswd_dp;

/** Build ports, cross-connects and the PMD from @p cfg, and start polling. */
struct vswd_dp *vswd_dp_start(const struct vsw_config *cfg,
			      struct vsw_loop *loop, char *err, size_t errlen);
/** Stop polling, print per-port stats lines, destroy every port. */
void vswd_dp_stop(struct vswd_dp *dp);

/**
 * Open the control socket cfg->ctl (none if empty) on @p loop and
 * register vswd's run-time methods for @p dp.
 * @return 0 or -errno with a message naming the path in @p err.
 */
int vswd_ctl_start(const struct vsw_config *cfg, struct vsw_loop *loop,
		   struct vswd_dp *dp, char *err, size_t errlen);
/** Close the control socket and its clients (before vswd_dp_stop). */
void vswd_ctl_stop(void);

#endif /* VSWD_H */
