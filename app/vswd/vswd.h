/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWD_H
#define VSWD_H

#include <stddef.h>

#include "vsw_config.h"

struct vsw_dp;
struct vsw_loop;

/**
 * Build the data path @p cfg describes (PMDs, ports, cross-connects,
 * bridges) and start polling. @return it, or NULL with a reason in @p err.
 */
struct vsw_dp *vswd_start(const struct vsw_config *cfg, struct vsw_loop *loop,
			  char *err, size_t errlen);

/**
 * --check: check every port spec (vsw_port_spec_check()), print what
 * would be built. @return the exit status: 0, or 2 with the reason on
 * stderr.
 */
int vswd_check(const struct vsw_config *cfg);

/** Print the "stats ..." lines, then stop polling and free everything. */
void vswd_stop(struct vsw_dp *dp);

/**
 * Open the control socket cfg->ctl (none if empty) on @p loop. First of
 * all: a second vswd on the same socket stops here, before it can touch
 * the first one's ports.
 * @return 0 or -errno with a message naming the path in @p err.
 */
int vswd_ctl_start(const struct vsw_config *cfg, struct vsw_loop *loop,
		   char *err, size_t errlen);
/** Register the run-time methods that drive @p dp. @return 0 or -errno. */
int vswd_ctl_attach(struct vsw_dp *dp, char *err, size_t errlen);
/** Close the control socket and its clients (before vswd_stop()). */
void vswd_ctl_stop(void);

#endif /* VSWD_H */
