/* SPDX-License-Identifier: BSD-3-Clause */
/* Configuration of switching: bridges, PMD cores, rx queue assignment. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"
#include "vsw_config.h"

static const char *const assign_modes[] = { "roundrobin", "cycles" };

struct vsw_config_bridge *
vsw_config_bridge(struct vsw_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_bridges; i++)
		if (strcmp(cfg->bridges[i].name, name) == 0)
			return &cfg->bridges[i];
	return NULL;
}

int
vsw_config_bridge_add_port(struct vsw_config_bridge *b, const char *port,
			   const char *origin, char *err, size_t errlen)
{
	if (!vsw_config_valid_name(port, strlen(port))) {
		snprintf(err, errlen, "%s: bridge %s: '%s' is not a port name",
			 origin, b->name, port);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < b->n_ports; i++) {
		if (strcmp(b->ports[i], port) == 0) {
			snprintf(err, errlen, "%s: bridge %s: port %s listed twice",
				 origin, b->name, port);
			return -EINVAL;
		}
	}
	if (b->n_ports == VSW_CONFIG_MAX_PORTS) {
		snprintf(err, errlen, "%s: bridge %s: more than %d ports", origin,
			 b->name, VSW_CONFIG_MAX_PORTS);
		return -EINVAL;
	}
	snprintf(b->ports[b->n_ports++], VSW_CONFIG_NAME_MAX, "%s", port);
	return 0;
}

int
vsw_config_bridge_option(struct vsw_config_bridge *b, const char *key,
			 const char *v, const char *origin, char *err,
			 size_t errlen)
{
	char opt[96];

	snprintf(opt, sizeof(opt), "%s: bridge %s: %s", origin, b->name, key);
	if (strcmp(key, "aging") == 0) {
		b->aging_set = true;
		return vsw_config_parse_uint(opt, v, 0, 1000000, &b->aging, err,
					     errlen);
	}
	if (strcmp(key, "max-entries") == 0)
		return vsw_config_parse_uint(opt, v, 1, 1u << 20, &b->max_entries,
					     err, errlen);
	snprintf(err, errlen, "%s: bridge %s: unknown option '%s' (aging,"
		 " max-entries)", origin, b->name, key);
	return -EINVAL;
}

/* One item of "NAME=..." : a port, or key=value. */
static int
bridge_item(struct vsw_config_bridge *b, char *item, const char *origin,
	    char *err, size_t errlen)
{
	char *eq = strchr(item, '=');

	if (eq == NULL)
		return vsw_config_bridge_add_port(b, item, origin, err, errlen);
	*eq = '\0';
	return vsw_config_bridge_option(b, item, eq + 1, origin, err, errlen);
}

int
vsw_config_add_bridge(struct vsw_config *cfg, const char *arg,
		      const char *origin, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
	struct vsw_config_bridge *b;
	char list[VSW_CONFIG_SPEC_MAX], *save = NULL;

	if (!vsw_config_valid_name(arg, nlen)) {
		snprintf(err, errlen, "%s '%s': expected NAME=PORT,PORT,... (a name"
			 " of 1-%d characters of [A-Za-z0-9._-])", origin, arg,
			 VSW_CONFIG_NAME_MAX - 1);
		return -EINVAL;
	}
	if (cfg->n_bridges == VSW_CONFIG_MAX_BRIDGES) {
		snprintf(err, errlen, "%s: more than %d bridges", origin,
			 VSW_CONFIG_MAX_BRIDGES);
		return -EINVAL;
	}
	b = &cfg->bridges[cfg->n_bridges];
	memset(b, 0, sizeof(*b));
	memcpy(b->name, arg, nlen);
	if (vsw_config_bridge(cfg, b->name) != NULL) {
		snprintf(err, errlen, "%s: bridge %s defined twice", origin, b->name);
		return -EINVAL;
	}
	if (eq != NULL && snprintf(list, sizeof(list), "%s", eq + 1) >=
			  (int)sizeof(list)) {
		snprintf(err, errlen, "%s: bridge %s: list too long", origin,
			 b->name);
		return -EINVAL;
	}
	for (char *it = eq ? strtok_r(list, ",", &save) : NULL; it != NULL;
	     it = strtok_r(NULL, ",", &save))
		if (bridge_item(b, it, origin, err, errlen) != 0)
			return -EINVAL;
	cfg->n_bridges++;
	return 0;
}

int
vsw_config_add_pmd_core(struct vsw_config *cfg, const char *lcore,
			const char *origin, char *err, size_t errlen)
{
	unsigned int v;

	if (cfg->n_pmd_cores == VSW_CONFIG_MAX_PMDS) {
		snprintf(err, errlen, "%s: more than %d PMD cores", origin,
			 VSW_CONFIG_MAX_PMDS);
		return -EINVAL;
	}
	if (vsw_config_parse_uint(origin, lcore, 0, 1023, &v, err, errlen))
		return -EINVAL;
	for (unsigned int i = 0; i < cfg->n_pmd_cores; i++) {
		if (cfg->pmd_cores[i] == v) {
			snprintf(err, errlen, "%s: lcore %u given twice", origin, v);
			return -EINVAL;
		}
	}
	cfg->pmd_cores[cfg->n_pmd_cores++] = v;
	return 0;
}

int
vsw_config_set_pmd_cores(struct vsw_config *cfg, const char *list,
			 const char *origin, char *err, size_t errlen)
{
	char buf[256], *save = NULL;

	cfg->n_pmd_cores = 0;
	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
		goto bad;
	for (char *it = strtok_r(buf, ",", &save); it != NULL;
	     it = strtok_r(NULL, ",", &save))
		if (vsw_config_add_pmd_core(cfg, it, origin, err, errlen) != 0)
			return -EINVAL;
	if (cfg->n_pmd_cores != 0)
		return 0;
bad:
	snprintf(err, errlen, "%s '%s': expected a list of lcore ids, e.g. 1,2",
		 origin, list);
	return -EINVAL;
}

int
vsw_config_set_rxq_assign(struct vsw_config *cfg, const char *mode,
			  const char *origin, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < RTE_DIM(assign_modes); i++) {
		if (strcmp(mode, assign_modes[i]) == 0) {
			snprintf(cfg->rxq_assign, sizeof(cfg->rxq_assign), "%s", mode);
			return 0;
		}
	}
	snprintf(err, errlen, "%s '%s': expected roundrobin or cycles", origin,
		 mode);
	return -EINVAL;
}

/* Where port @p i is used: +1 per xconnect or bridge naming it. */
int
vsw_config_check_bridges(const struct vsw_config *cfg, int *used,
			 char *err, size_t errlen)
{
	for (unsigned int b = 0; b < cfg->n_bridges; b++) {
		const struct vsw_config_bridge *br = &cfg->bridges[b];

		if (vsw_config_port_index(cfg, br->name) >= 0) {
			snprintf(err, errlen, "bridge %s: a port has that name too",
				 br->name);
			return -EINVAL;
		}
		for (unsigned int i = 0; i < br->n_ports; i++) {
			int p = vsw_config_port_index(cfg, br->ports[i]);

			if (p < 0) {
				snprintf(err, errlen, "bridge %s: no port named %s",
					 br->name, br->ports[i]);
				return -EINVAL;
			}
			if (used[p]++) {
				snprintf(err, errlen, "bridge %s: port %s is already"
					 " in a bridge or cross-connect", br->name,
					 br->ports[i]);
				return -EINVAL;
			}
		}
	}
	return 0;
}
