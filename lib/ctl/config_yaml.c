/* SPDX-License-Identifier: BSD-3-Clause */
/* YAML configuration files, read with libyaml's document API. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "config_priv.h"
#include "vsw_config.h"

struct yctx {
	struct vsw_config *cfg;
	yaml_document_t *doc;
	const char *origin;
	char *err;
	size_t errlen;
};

static int
yerr(struct yctx *y, const yaml_node_t *n, const char *what)
{
	snprintf(y->err, y->errlen, "%s:%zu: %s", y->origin,
		 n ? n->start_mark.line + 1 : 0, what);
	return -EINVAL;
}

static const char *
scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
	       (const char *)n->data.scalar.value : NULL;
}

static void
where(struct yctx *y, const yaml_node_t *n, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%zu", y->origin, n->start_mark.line + 1);
}

static int
load_ports(struct yctx *y, yaml_node_t *map)
{
	char origin[300];

	if (map->type != YAML_MAPPING_NODE)
		return yerr(y, map, "'ports' must map port names to specs");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);

		if (scalar(k) == NULL || scalar(v) == NULL)
			return yerr(y, k, "each port is 'NAME: SPEC' (two strings)");
		where(y, k, origin, sizeof(origin));
		if (vsw_config_add_port(y->cfg, scalar(k), scalar(v), origin,
					y->err, y->errlen))
			return -EINVAL;
	}
	return 0;
}

/* An xconnect is "a,b" or a two-item list [a, b]. */
static int
load_xconnect(struct yctx *y, yaml_node_t *n)
{
	char origin[300], pair[2 * VSW_CONFIG_NAME_MAX + 2];

	where(y, n, origin, sizeof(origin));
	if (scalar(n) != NULL)
		return vsw_config_add_xconnect(y->cfg, scalar(n), origin, y->err,
					       y->errlen);
	if (n->type == YAML_SEQUENCE_NODE &&
	    n->data.sequence.items.top - n->data.sequence.items.start == 2) {
		const char *a = scalar(yaml_document_get_node(y->doc,
				       n->data.sequence.items.start[0]));
		const char *b = scalar(yaml_document_get_node(y->doc,
				       n->data.sequence.items.start[1]));

		if (a != NULL && b != NULL &&
		    (size_t)snprintf(pair, sizeof(pair), "%s,%s", a, b) < sizeof(pair))
			return vsw_config_add_xconnect(y->cfg, pair, origin, y->err,
						       y->errlen);
	}
	return yerr(y, n, "an xconnect is 'A,B' or [A, B]");
}

static int
load_xconnects(struct yctx *y, yaml_node_t *seq)
{
	if (seq->type != YAML_SEQUENCE_NODE)
		return yerr(y, seq, "'xconnects' must be a list");
	for (yaml_node_item_t *i = seq->data.sequence.items.start;
	     i < seq->data.sequence.items.top; i++)
		if (load_xconnect(y, yaml_document_get_node(y->doc, *i)))
			return -EINVAL;
	return 0;
}

/* A list of strings (a sequence, or one "a,b,c" scalar) into @p out. */
typedef int (*item_fn)(struct yctx *y, yaml_node_t *n, const char *item,
		       void *arg);

static int
load_list(struct yctx *y, yaml_node_t *n, item_fn fn, void *arg)
{
	char buf[VSW_CONFIG_SPEC_MAX], *save = NULL;

	if (scalar(n) != NULL) {
		if (snprintf(buf, sizeof(buf), "%s", scalar(n)) >= (int)sizeof(buf))
			return yerr(y, n, "list too long");
		for (char *it = strtok_r(buf, ",", &save); it != NULL;
		     it = strtok_r(NULL, ",", &save))
			if (fn(y, n, it, arg) != 0)
				return -EINVAL;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return yerr(y, n, "expected a list ([a, b] or \"a,b\")");
	for (yaml_node_item_t *i = n->data.sequence.items.start;
	     i < n->data.sequence.items.top; i++) {
		yaml_node_t *e = yaml_document_get_node(y->doc, *i);

		if (scalar(e) == NULL)
			return yerr(y, e, "list items must be strings");
		if (fn(y, e, scalar(e), arg) != 0)
			return -EINVAL;
	}
	return 0;
}

static int
bridge_port(struct yctx *y, yaml_node_t *n, const char *item, void *arg)
{
	char origin[300];

	where(y, n, origin, sizeof(origin));
	return vsw_config_bridge_add_port(arg, item, origin, y->err, y->errlen);
}

/* The body of one bridge: a list of ports, or {ports:, aging:, ...}. */
static int
load_bridge_body(struct yctx *y, struct vsw_config_bridge *b, yaml_node_t *v)
{
	char origin[300];

	if (v->type != YAML_MAPPING_NODE)
		return load_list(y, v, bridge_port, b);
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
	     p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(y->doc, p->value);
		int rc;

		if (scalar(k) == NULL)
			return yerr(y, k, "bridge keys are strings");
		where(y, k, origin, sizeof(origin));
		if (strcmp(scalar(k), "ports") == 0)
			rc = load_list(y, val, bridge_port, b);
		else if (scalar(val) == NULL)
			rc = yerr(y, val, "bridge options are scalars");
		else
			rc = vsw_config_bridge_option(b, scalar(k), scalar(val),
						      origin, y->err, y->errlen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
load_bridges(struct yctx *y, yaml_node_t *map)
{
	char origin[300], what[160];

	if (map->type != YAML_MAPPING_NODE)
		return yerr(y, map, "'bridges' must map bridge names to ports");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);

		if (scalar(k) == NULL)
			return yerr(y, k, "bridge names are strings");
		/* Before add_bridge, which reads "NAME=PORT,..." (--bridge):
		 * a key with '=' would name another bridge than the key. */
		if (!vsw_config_valid_name(scalar(k), strlen(scalar(k)))) {
			snprintf(what, sizeof(what), "bridge name '%.64s' must be 1-%d"
				 " characters of [A-Za-z0-9._-]", scalar(k),
				 VSW_CONFIG_NAME_MAX - 1);
			return yerr(y, k, what);
		}
		where(y, k, origin, sizeof(origin));
		if (vsw_config_add_bridge(y->cfg, scalar(k), origin, y->err,
					  y->errlen) != 0 ||
		    load_bridge_body(y, vsw_config_bridge(y->cfg, scalar(k)), v))
			return -EINVAL;
	}
	return 0;
}

static int
pmd_core(struct yctx *y, yaml_node_t *n, const char *item, void *arg)
{
	char origin[300];

	where(y, n, origin, sizeof(origin));
	return vsw_config_add_pmd_core(arg, item, origin, y->err, y->errlen);
}

static int
load_setting(struct yctx *y, const char *key, yaml_node_t *v)
{
	char origin[300];

	where(y, v, origin, sizeof(origin));
	if (strcmp(key, "pmd-cores") == 0) {
		y->cfg->n_pmd_cores = 0;
		return load_list(y, v, pmd_core, y->cfg);
	}
	if (scalar(v) == NULL)
		return yerr(y, v, "expected a string");
	return vsw_config_set_rxq_assign(y->cfg, scalar(v), origin, y->err,
					 y->errlen);
}

static int
load_ctl(struct yctx *y, yaml_node_t *n)
{
	char origin[300];

	if (scalar(n) == NULL)
		return yerr(y, n, "'ctl' is a socket path or 'none'");
	where(y, n, origin, sizeof(origin));
	strncat(origin, ": ctl", sizeof(origin) - strlen(origin) - 1);
	return vsw_config_set_ctl(y->cfg, scalar(n), origin, y->err, y->errlen);
}

static int
load_root(struct yctx *y)
{
	yaml_node_t *root = yaml_document_get_root_node(y->doc);
	char what[128];

	if (root == NULL)
		return yerr(y, NULL, "empty configuration");
	if (root->type != YAML_MAPPING_NODE)
		return yerr(y, root, "top level must be a mapping (ports:, xconnects:,"
			    " bridges:, ctl:, ...)");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);
		const char *key = scalar(k);
		int rc;

		if (key != NULL && strcmp(key, "ports") == 0) {
			rc = load_ports(y, v);
		} else if (key != NULL && strcmp(key, "xconnects") == 0) {
			rc = load_xconnects(y, v);
		} else if (key != NULL && strcmp(key, "bridges") == 0) {
			rc = load_bridges(y, v);
		} else if (key != NULL && (strcmp(key, "pmd-cores") == 0 ||
					   strcmp(key, "rxq-assign") == 0)) {
			rc = load_setting(y, key, v);
		} else if (key != NULL && strcmp(key, "ctl") == 0) {
			rc = load_ctl(y, v);
		} else {
			snprintf(what, sizeof(what), "unknown key '%.64s'",
				 key ? key : "(not a string)");
			rc = yerr(y, k, what);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
load(struct vsw_config *cfg, yaml_parser_t *parser, const char *origin,
     char *err, size_t errlen)
{
	yaml_document_t doc;
	struct yctx y = { cfg, &doc, origin, err, errlen };
	int rc;

	if (!yaml_parser_load(parser, &doc)) {
		snprintf(err, errlen, "%s:%zu: %s", origin,
			 parser->problem_mark.line + 1,
			 parser->problem ? parser->problem : "YAML error");
		return -EINVAL;
	}
	rc = load_root(&y);
	yaml_document_delete(&doc);
	return rc;
}

int
vsw_config_load_string(struct vsw_config *cfg, const char *yaml,
		       const char *origin, char *err, size_t errlen)
{
	yaml_parser_t parser;
	int rc;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot initialise the YAML parser", origin);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml,
				     strlen(yaml));
	rc = load(cfg, &parser, origin, err, errlen);
	yaml_parser_delete(&parser);
	return rc;
}

int
vsw_config_load_file(struct vsw_config *cfg, const char *path, char *err,
		     size_t errlen)
{
	yaml_parser_t parser;
	FILE *f = fopen(path, "r");
	int rc;

	if (f == NULL) {
		snprintf(err, errlen, "--config %s: %s", path, strerror(errno));
		return -errno;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		snprintf(err, errlen, "--config %s: cannot initialise the YAML parser",
			 path);
		return -ENOMEM;
	}
	yaml_parser_set_input_file(&parser, f);
	rc = load(cfg, &parser, path, err, errlen);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}
