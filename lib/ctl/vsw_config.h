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
 *     bridges:
 *       br0:
 *         ports: [vm3, vm4, uplink]
 *         aging: 300
 *         max-entries: 8192
 *       br1: [vm5, vm6]
 *     pmd-cores: [1, 2]
 *     rxq-assign: cycles
 *
 * Every error names the option (and for files the line) it comes from.
 * --ctl on the command line wins over a file's ctl:.
 */

#include <stdbool.h>
#include <stddef.h>

#define VSW_CONFIG_MAX_PORTS 64
#define VSW_CONFIG_MAX_XCONNECTS 32
#define VSW_CONFIG_MAX_BRIDGES 16
#define VSW_CONFIG_MAX_PMDS 16
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

/** An L2 learning bridge and its member ports. */
struct vsw_config_bridge {
	char name[VSW_CONFIG_NAME_MAX];
	unsigned int n_ports;
	char ports[VSW_CONFIG_MAX_PORTS][VSW_CONFIG_NAME_MAX];
	unsigned int max_entries; /**< FDB limit; 0: the default */
	unsigned int aging;       /**< seconds, when aging_set; 0: never */
	bool aging_set;
};

struct vsw_config {
	unsigned int n_ports;
	struct vsw_config_port ports[VSW_CONFIG_MAX_PORTS];
	unsigned int n_xconnects;
	struct vsw_config_xconnect xconnects[VSW_CONFIG_MAX_XCONNECTS];
	unsigned int n_bridges;
	struct vsw_config_bridge bridges[VSW_CONFIG_MAX_BRIDGES];
	/** PMD lcores (--pmd-cores); none: every worker lcore EAL has */
	unsigned int n_pmd_cores;
	unsigned int pmd_cores[VSW_CONFIG_MAX_PMDS];
	char rxq_assign[16];  /**< "roundrobin" or "cycles" (the default) */
	unsigned int mbufs; /**< mbufs in the pool (--mbufs) */
	char ctl[VSW_CONFIG_PATH_MAX]; /**< control socket; "" for none */
	bool help;          /**< --help was given */
	bool check;         /**< --check: validate, print, exit */
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
 * Add a bridge from "NAME=PORT,PORT,...[,aging=S][,max-entries=N]" (items
 * with '=' are options; the ports may be given later with
 * vsw_config_bridge_add_port()). @return 0 or -EINVAL.
 */
int vsw_config_add_bridge(struct vsw_config *cfg, const char *arg,
			  const char *origin, char *err, size_t errlen);
/** The bridge named @p name, or NULL. */
struct vsw_config_bridge *vsw_config_bridge(struct vsw_config *cfg,
					    const char *name);
int vsw_config_bridge_add_port(struct vsw_config_bridge *b, const char *port,
			       const char *origin, char *err, size_t errlen);
/** Bridge option "aging" or "max-entries" from string @p v. */
int vsw_config_bridge_option(struct vsw_config_bridge *b, const char *key,
			     const char *v, const char *origin, char *err,
			     size_t errlen);

/** Add one PMD lcore "N". @return 0 or -EINVAL. */
int vsw_config_add_pmd_core(struct vsw_config *cfg, const char *lcore,
			    const char *origin, char *err, size_t errlen);
/** PMD lcores from "1,2,5" (replacing earlier ones). @return 0 or -EINVAL. */
int vsw_config_set_pmd_cores(struct vsw_config *cfg, const char *list,
			     const char *origin, char *err, size_t errlen);
/** "roundrobin" or "cycles". @return 0 or -EINVAL. */
int vsw_config_set_rxq_assign(struct vsw_config *cfg, const char *mode,
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
 * and bridges name existing ports, no port in two of them (a port is in
 * one xconnect or one bridge), bridge names differ from port names.
 * "A,A" reflects port A's traffic back to it (loopback).
 */
int vsw_config_check(const struct vsw_config *cfg, char *err, size_t errlen);

/** Usage text for --help and errors. */
const char *vsw_config_usage(void);

#endif /* VSW_CONFIG_H */
