/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswd's control socket: the JSON-RPC server vswctl talks to, on the main
 * lcore's event loop. Run-time methods are registered here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vsw_config.h"
#include "vsw_ctl.h"
#include "vsw_rpc.h"
#include "vswd.h"

static struct vsw_rpc *ctl_rpc;

/* The default socket's directory may not exist yet (it lives in /run). */
static void
make_default_dir(const char *path)
{
	static const char dflt[] = VSW_CONFIG_CTL_DEFAULT;
	const char *slash = strrchr(dflt, '/');
	char dir[sizeof(dflt)];

	if (strcmp(path, dflt) != 0)
		return;
	memcpy(dir, dflt, (size_t)(slash - dflt));
	dir[slash - dflt] = '\0';
	mkdir(dir, 0755); /* /run exists; EEXIST is fine */
}

int
vswd_ctl_start(const struct vsw_config *cfg, struct vsw_loop *loop,
	       char *err, size_t errlen)
{
	if (cfg->ctl[0] == '\0') {
		printf("vswd: control socket disabled (--ctl none)\n");
		return 0;
	}
	make_default_dir(cfg->ctl);
	ctl_rpc = vsw_rpc_create(loop, cfg->ctl, err, errlen);
	if (ctl_rpc == NULL)
		return -EINVAL;
	printf("vswd: control socket %s\n", cfg->ctl);
	return 0;
}

int
vswd_ctl_attach(struct vsw_dp *dp, char *err, size_t errlen)
{
	if (ctl_rpc == NULL)
		return 0;
	return vsw_ctl_register_dp(ctl_rpc, dp, err, errlen);
}

void
vswd_ctl_stop(void)
{
	vsw_rpc_destroy(ctl_rpc);
	ctl_rpc = NULL;
}
