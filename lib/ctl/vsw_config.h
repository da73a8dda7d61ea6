/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_CONFIG_H
#define VSW_CONFIG_H

/**
 * @file
 * vswd's configuration model, filled from the command line
 * (--port NAME=SPEC, --xconnect A,B, --config FILE, --ctl PATH) or a YAML
 * file:
 *
 *     ctl: /run/vsw/vswd.ctl
 *     ports:
 *       vm1: vhost-user:path=/run/vsw/vm1.sock,server=1
 *       vm2: vhost-user:path=/run/vsw/vm2.sock,server=1
 *     xconnects:
 *       - vm1,vm2
 *
 * Every error names the option (and for files the line) it comes from.
 * --ctl on the command line wins over a file's ctl:.
 */

#include <stdbool.h>
#include <stddef.h>

#define VSW_CONFIG_MAX_PORTS 64
#define VSW_CONFIG_MAX_XCONNECTS 32
#define VSW_CONFIG_NAME_MAX 32
#define VSW_CONFIG_SPEC_MAX 512
/** Longest unix socket path, with its NUL (sizeof sun_path). */
#define VSW_CONFIG_PATH_MAX 108
/** The control socket when neither --ctl nor ctl: says otherwise. */
#define VSW_CONFIG_CTL_DEFAULT "/run/vsw/vswd.ctl"

struct vsw_config_port {
	char name[VSW_CONFIG_NAME_MAX];
	char spec[VSW_CONFIG_SPEC_MAX];
};

struct vsw_config_xconnect {
	char a[VSW_CONFIG_NAME_MAX];
	char b[VSW_CONFIG_NAME_MAX];
};

struct vsw_config {
	unsigned int n_ports;
	struct vsw_config_port ports[VSW_CONFIG_MAX_PORTS];
	unsigned int n_xconnects;
	struct vsw_config_xconnect xconnects[VSW_CONFIG_MAX_XCONNECTS];
	unsigned int mbufs; /**< mbufs in the pool (--mbufs) */
	char ctl[VSW_CONFIG_PATH_MAX]; /**< control socket; "" for none */
	bool help;          /**< --help was given */
	bool is_default;    /**< the embedded default was loaded */
};

/** The configuration vswd runs when given neither ports nor a file. */
extern const char vsw_config_default_yaml[];

void vsw_config_init(struct vsw_config *cfg);

/**
 * Parse application arguments (after EAL's "--"). With no --port and no
 * --config, loads vsw_config_default_yaml.
 * @return 0 or -EINVAL with a message naming the option in @p err.
 */
int vsw_config_from_args(struct vsw_config *cfg, int argc, char **argv,
			 char *err, size_t errlen);

/** Add a port from "NAME=SPEC" (@p origin names the source in errors). */
int vsw_config_add_port(struct vsw_config *cfg, const char *name,
			const char *spec, const char *origin,
			char *err, size_t errlen);

/** Add a cross-connect from "A,B". */
int vsw_config_add_xconnect(struct vsw_config *cfg, const char *pair,
			    const char *origin, char *err, size_t errlen);

/**
 * Set the control socket path from @p value: a path, or "none" for no
 * control socket.
 */
int vsw_config_set_ctl(struct vsw_config *cfg, const char *value,
		       const char *origin, char *err, size_t errlen);

/** Load YAML from a file / a string into @p cfg. */
int vsw_config_load_file(struct vsw_config *cfg, const char *path,
			 char *err, size_t errlen);
int vsw_config_load_string(struct vsw_config *cfg, const char *yaml,
			   const char *origin, char *err, size_t errlen);

/**
 * Cross-checks once everything is loaded: at least one port, xconnects
 * name existing ports, no port in two xconnects. "A,A" reflects port A's
 * traffic back to it (loopback).
 */
int vsw_config_check(const struct vsw_config *cfg, char *err, size_t errlen);

/** Usage text for --help and errors. */
const char *vsw_config_usage(void);

#endif /* VSW_CONFIG_H */
