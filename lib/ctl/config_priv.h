/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_CONFIG_PRIV_H
#define VSW_CONFIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "vsw_config.h"

#include <rte_common.h>

/** 1..NAME_MAX-1 characters of [A-Za-z0-9._-]. */
bool vsw_config_valid_name(const char *s, size_t len);
/** Decimal @p v in [min, max] into *@p out; the error names @p opt. */
int vsw_config_parse_uint(const char *opt, const char *v, unsigned int min,
			  unsigned int max, unsigned int *out, char *err,
			  size_t errlen);
int vsw_config_port_index(const struct vsw_config *cfg, const char *name);
/** Bridges name existing ports, each used once (@p used per port). */
int vsw_config_check_bridges(const struct vsw_config *cfg, int *used,
			     char *err, size_t errlen);

#endif /* VSW_CONFIG_PRIV_H */
