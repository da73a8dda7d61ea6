/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"
#include "vsw_config.h"

const char vsw_config_default_yaml[] =
	"# vswd embedded default: two guest ports on a learning bridge\n"
	"ports:\n"
	"  vm1: vhost-user:path=/run/vsw/vm1.sock,server=1\n"
	"  vm2: vhost-user:path=/run/vsw/vm2.sock,server=1\n"
	"bridges:\n"
	"  br0: [vm1, vm2]\n";

static const char usage[] =
	"usage: vswd [EAL options] -- [options]\n"
	"  --port NAME=SPEC    add a port, e.g.\n"
	"                      vm1=vhost-user:path=/run/vsw/vm1.sock,server=1\n"
	"  --xconnect A,B      forward everything from port A to B and back\n"
	"  --bridge NAME=PORT,PORT,...[,aging=S][,max-entries=N]\n"
	"                      an L2 learning bridge of those ports (FDB ageing\n"
	"                      time, default 300 s; FDB limit, default 8192)\n"
	"  --pmd-cores L,L,... worker lcores that poll (default: every worker\n"
	"                      lcore EAL was given)\n"
	"  --rxq-assign cycles|roundrobin\n"
	"                      how rx queues are spread over the PMDs\n"
	"  --config FILE       read the configuration from a YAML file\n"
	"  --mbufs N           mbufs in the packet pool (default 16384)\n"
	"  --ctl PATH          control socket for vswctl (default\n"
	"                      " VSW_CONFIG_CTL_DEFAULT "; 'none': no socket)\n"
	"  --check             check the configuration, print it and exit\n"
	"  --help              this text\n"
	"With neither --port nor --config, vswd runs its embedded default:\n"
	"two vhost-user server ports /run/vsw/vm1.sock and /run/vsw/vm2.sock\n"
	"on bridge br0.\n";

const char *
vsw_config_usage(void)
{
	return usage;
}

void
vsw_config_init(struct vsw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mbufs = 16384;
	snprintf(cfg->rxq_assign, sizeof(cfg->rxq_assign), "cycles");
	snprintf(cfg->ctl, sizeof(cfg->ctl), "%s", VSW_CONFIG_CTL_DEFAULT);
}

int
vsw_config_set_ctl(struct vsw_config *cfg, const char *value,
		   const char *origin, char *err, size_t errlen)
{
	if (strcmp(value, "none") == 0) {
		cfg->ctl[0] = '\0';
		return 0;
	}
	if (*value == '\0' || strlen(value) >= sizeof(cfg->ctl)) {
		snprintf(err, errlen, "%s '%.128s': expected a socket path of 1-%zu"
			 " bytes, or 'none'", origin, value, sizeof(cfg->ctl) - 1);
		return -EINVAL;
	}
	snprintf(cfg->ctl, sizeof(cfg->ctl), "%s", value);
	return 0;
}

bool
vsw_config_valid_name(const char *s, size_t len)
{
	if (len == 0 || len >= VSW_CONFIG_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.')
			return false;
	}
	return true;
}

int
vsw_config_add_port(struct vsw_config *cfg, const char *name, const char *spec,
		    const char *origin, char *err, size_t errlen)
{
	struct vsw_config_port *p;

	if (!vsw_config_valid_name(name, strlen(name))) {
		snprintf(err, errlen, "%s: port name '%s' must be 1-%d characters of"
			 " [A-Za-z0-9._-]", origin, name, VSW_CONFIG_NAME_MAX - 1);
		return -EINVAL;
	}
	if (*spec == '\0' || strlen(spec) >= VSW_CONFIG_SPEC_MAX) {
		snprintf(err, errlen, "%s: port %s: spec is empty or too long",
			 origin, name);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		if (strcmp(cfg->ports[i].name, name) == 0) {
			snprintf(err, errlen, "%s: port %s defined twice", origin, name);
			return -EINVAL;
		}
	}
	if (cfg->n_ports == VSW_CONFIG_MAX_PORTS) {
		snprintf(err, errlen, "%s: more than %d ports", origin,
			 VSW_CONFIG_MAX_PORTS);
		return -EINVAL;
	}
	p = &cfg->ports[cfg->n_ports++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->spec, sizeof(p->spec), "%s", spec);
	return 0;
}

static int
add_port_arg(struct vsw_config *cfg, const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char name[VSW_CONFIG_NAME_MAX];

	if (eq == NULL || (size_t)(eq - arg) >= sizeof(name)) {
		snprintf(err, errlen, "--port '%s': expected NAME=SPEC", arg);
		return -EINVAL;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	return vsw_config_add_port(cfg, name, eq + 1, "--port", err, errlen);
}

int
vsw_config_add_xconnect(struct vsw_config *cfg, const char *pair,
			const char *origin, char *err, size_t errlen)
{
	const char *comma = strchr(pair, ',');
	struct vsw_config_xconnect *x;
	size_t alen;

	if (comma == NULL || !vsw_config_valid_name(pair, (size_t)(comma - pair)) ||
	    !vsw_config_valid_name(comma + 1, strlen(comma + 1))) {
		snprintf(err, errlen, "%s '%s': expected two port names A,B",
			 origin, pair);
		return -EINVAL;
	}
	if (cfg->n_xconnects == VSW_CONFIG_MAX_XCONNECTS) {
		snprintf(err, errlen, "%s: more than %d cross-connects", origin,
			 VSW_CONFIG_MAX_XCONNECTS);
		return -EINVAL;
	}
	x = &cfg->xconnects[cfg->n_xconnects++];
	alen = (size_t)(comma - pair);
	memcpy(x->a, pair, alen);
	x->a[alen] = '\0';
	snprintf(x->b, sizeof(x->b), "%s", comma + 1);
	return 0;
}

int
vsw_config_parse_uint(const char *opt, const char *v, unsigned int min,
		      unsigned int max, unsigned int *out, char *err,
		      size_t errlen)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(v, &end, 10);
	if (*v == '\0' || *v == '-' || *end != '\0' || errno || x < min || x > max) {
		snprintf(err, errlen, "%s '%s': expected a number in %u..%u", opt, v,
			 min, max);
		return -EINVAL;
	}
	*out = (unsigned int)x;
	return 0;
}

int
vsw_config_from_args(struct vsw_config *cfg, int argc, char **argv, char *err,
		     size_t errlen)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "xconnect", required_argument, NULL, 'x' },
		{ "config", required_argument, NULL, 'c' },
		{ "mbufs", required_argument, NULL, 'm' },
		{ "bridge", required_argument, NULL, 'b' },
		{ "pmd-cores", required_argument, NULL, 'P' },
		{ "rxq-assign", required_argument, NULL, 'a' },
		{ "ctl", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "check", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ctl = NULL;
	bool have_config = false;
	int c, rc = 0;

	optind = 0; /* glibc: re-initialise after EAL's own getopt pass */
	opterr = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			rc = add_port_arg(cfg, optarg, err, errlen);
			break;
		case 'x':
			rc = vsw_config_add_xconnect(cfg, optarg, "--xconnect", err, errlen);
			break;
		case 'c':
			have_config = true;
			rc = vsw_config_load_file(cfg, optarg, err, errlen);
			break;
		case 'm':
			rc = vsw_config_parse_uint("--mbufs", optarg, 1024, 1u << 22, &cfg->mbufs,
					err, errlen);
			break;
		case 'b':
			rc = vsw_config_add_bridge(cfg, optarg, "--bridge", err, errlen);
			break;
		case 'P':
			rc = vsw_config_set_pmd_cores(cfg, optarg, "--pmd-cores", err,
						      errlen);
			break;
		case 'a':
			rc = vsw_config_set_rxq_assign(cfg, optarg, "--rxq-assign",
						       err, errlen);
			break;
		case 's':
			ctl = optarg; /* applied last: it wins over files */
			break;
		case 'h':
			cfg->help = true;
			return 0;
		case 'k':
			cfg->check = true;
			break;
		case ':':
			snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (rc != 0)
		return rc;
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (ctl != NULL && (rc = vsw_config_set_ctl(cfg, ctl, "--ctl", err,
						    errlen)) != 0)
		return rc;
	if (cfg->n_ports == 0 && !have_config) {
		if (cfg->n_xconnects != 0 || cfg->n_bridges != 0) {
			snprintf(err, errlen, "--%s given without any --port",
				 cfg->n_xconnects ? "xconnect" : "bridge");
			return -EINVAL;
		}
		rc = vsw_config_load_string(cfg, vsw_config_default_yaml,
					    "embedded default", err, errlen);
		cfg->is_default = rc == 0;
	}
	return rc;
}

int
vsw_config_port_index(const struct vsw_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
vsw_config_check(const struct vsw_config *cfg, char *err, size_t errlen)
{
	int used[VSW_CONFIG_MAX_PORTS] = { 0 };

	if (cfg->n_ports == 0) {
		snprintf(err, errlen, "no ports configured");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < cfg->n_xconnects; i++) {
		const struct vsw_config_xconnect *x = &cfg->xconnects[i];
		int a = vsw_config_port_index(cfg, x->a);
		int b = vsw_config_port_index(cfg, x->b);

		if (a < 0 || b < 0) {
			snprintf(err, errlen, "--xconnect %s,%s: no port named %s",
				 x->a, x->b, a < 0 ? x->a : x->b);
			return -EINVAL;
		}
		/* A port cross-connected with itself reflects its traffic
		 * (the "virtio-user loopback" benchmark shape). */
		if (a == b) {
			if (used[a]++) {
				snprintf(err, errlen, "--xconnect %s,%s: port %s is"
					 " already cross-connected", x->a, x->b, x->a);
				return -EINVAL;
			}
			continue;
		}
		if (used[a]++ || used[b]++) {
			snprintf(err, errlen, "--xconnect %s,%s: port %s is already"
				 " cross-connected", x->a, x->b,
				 used[a] > 1 ? x->a : x->b);
			return -EINVAL;
		}
	}
	return vsw_config_check_bridges(cfg, used, err, errlen);
}
