/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_CTL_PRIV_H
#define VSW_CTL_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "vsw_ctl.h"

/** Room for vsw_port_vlan_format() of any trunk list. */
#define VSW_CTL_VLAN_TEXT 512

/** A port or bridge name as the config takes it; else false with err. */
bool vsw_ctl_valid_name(const char *name, char *err, size_t errlen);

struct vsw_rpc_method;

/** Register @p n methods, each with @p dp as its arg. */
int vsw_ctl_register(struct vsw_rpc *rpc, const struct vsw_rpc_method *methods,
		     unsigned int n, struct vsw_dp *dp, char *err, size_t errlen);

/* ctl_bridge.c */
int vsw_ctl_register_bridge(struct vsw_rpc *rpc, struct vsw_dp *dp,
			    char *err, size_t errlen);

#endif /* VSW_CTL_PRIV_H */
