/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/ctl's configuration parser: a YAML document (vsw_config_load_string)
 * or a command line (vsw_config_from_args).
 *
 * Input: u8 mode, then the text. Even mode: the text is a YAML document
 * (up to the first NUL). Odd mode: the text is vswd's arguments after
 * "--", separated by NUL bytes; --config is turned into --check (any
 * abbreviation of it too), so the fuzzer never opens files.
 *
 * Checked: a refused input says why (a non-empty message); an accepted
 * one yields a configuration inside every documented limit (names of
 * [A-Za-z0-9._-], no duplicates, counts, ranges, one of the two rxq modes)
 * that vsw_config_check() judges without crashing; written back as YAML
 * (config_yaml_out.h) it loads into the same configuration.
 */
#include <errno.h>

#include "config_yaml_out.h"
#include "fuzz.h"
#include "vsw_config.h"

#define MAX_ARGS 64
#define TEXT_MAX 8192

static bool
name_ok(const char *s)
{
	size_t n = strnlen(s, VSW_CONFIG_NAME_MAX);

	if (n == 0 || n == VSW_CONFIG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._-", s[i]))
			return false;
	return true;
}

static void
ports_check(const struct vsw_config *c)
{
	FZ_CHECK(c->n_ports <= VSW_CONFIG_MAX_PORTS);
	for (unsigned int i = 0; i < c->n_ports; i++) {
		size_t n = strnlen(c->ports[i].spec, VSW_CONFIG_SPEC_MAX);

		FZ_CHECK(name_ok(c->ports[i].name));
		FZ_CHECK(n > 0 && n < VSW_CONFIG_SPEC_MAX);
		for (unsigned int j = 0; j < i; j++)
			FZ_CHECK(strcmp(c->ports[i].name, c->ports[j].name) != 0);
	}
	FZ_CHECK(c->n_xconnects <= VSW_CONFIG_MAX_XCONNECTS);
	for (unsigned int i = 0; i < c->n_xconnects; i++)
		FZ_CHECK(name_ok(c->xconnects[i].a) && name_ok(c->xconnects[i].b));
}

static void
bridges_check(const struct vsw_config *c)
{
	FZ_CHECK(c->n_bridges <= VSW_CONFIG_MAX_BRIDGES);
	for (unsigned int i = 0; i < c->n_bridges; i++) {
		const struct vsw_config_bridge *b = &c->bridges[i];

		FZ_CHECK(name_ok(b->name));
		for (unsigned int j = 0; j < i; j++)
			FZ_CHECK(strcmp(b->name, c->bridges[j].name) != 0);
		FZ_CHECK(b->n_ports <= VSW_CONFIG_MAX_PORTS);
		for (unsigned int p = 0; p < b->n_ports; p++) {
			FZ_CHECK(name_ok(b->ports[p]));
			for (unsigned int q = 0; q < p; q++)
				FZ_CHECK(strcmp(b->ports[p], b->ports[q]) != 0);
		}
		FZ_CHECK(b->max_entries <= (1u << 20));
		FZ_CHECK(!b->aging_set || b->aging <= 1000000);
	}
}

static void
settings_check(const struct vsw_config *c)
{
	FZ_CHECK(c->n_pmd_cores <= VSW_CONFIG_MAX_PMDS);
	for (unsigned int i = 0; i < c->n_pmd_cores; i++) {
		FZ_CHECK(c->pmd_cores[i] <= 1023);
		for (unsigned int j = 0; j < i; j++)
			FZ_CHECK(c->pmd_cores[i] != c->pmd_cores[j]);
	}
	FZ_CHECK(strcmp(c->rxq_assign, "roundrobin") == 0 ||
		 strcmp(c->rxq_assign, "cycles") == 0);
	FZ_CHECK(c->mbufs >= 1024 && c->mbufs <= (1u << 22));
	FZ_CHECK(strnlen(c->ctl, sizeof(c->ctl)) < sizeof(c->ctl));
}

/* Written back as YAML, @p c loads into itself. */
static void
roundtrip_check(const struct vsw_config *c)
{
	static char yaml[64 * 1024];
	static struct vsw_config back;
	char err[512] = "";

	if (!cy_write(c, yaml, sizeof(yaml)))
		return; /* a spec YAML cannot carry (not UTF-8) */
	vsw_config_init(&back);
	back.mbufs = c->mbufs; /* command line only */
	if (vsw_config_load_string(&back, yaml, "roundtrip", err, sizeof(err))) {
		fprintf(stderr, "%s\n---\n%s", err, yaml);
		FZ_CHECK(!"the YAML written back does not load");
	}
	FZ_CHECK(cy_equal(c, &back));
}

/* vswd's arguments: NUL-separated, --config and its abbreviations off. */
static int
from_args(struct vsw_config *cfg, char *text, size_t len, char *err,
	  size_t errlen)
{
	char *argv[MAX_ARGS + 1] = { (char *)"vswd" };
	int argc = 1;

	for (size_t off = 0; off <= len && argc < MAX_ARGS; argc++) {
		argv[argc] = text + off;
		if (strncmp(argv[argc], "--co", 4) == 0)
			argv[argc] = (char *)"--check";
		off += strlen(text + off) + 1;
	}
	argv[argc] = NULL;
	return vsw_config_from_args(cfg, argc, argv, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vsw_config cfg;
	static char text[TEXT_MAX + 1];
	struct fz in = { data, size };
	uint8_t mode = fz_u8(&in);
	size_t len = fz_bytes(&in, text, TEXT_MAX);
	char err[512] = "";
	int rc;

	text[len] = '\0';
	vsw_config_init(&cfg);
	if (mode & 1)
		rc = len > 0 ? from_args(&cfg, text, len, err, sizeof(err)) :
		     vsw_config_from_args(&cfg, 1, (char *[]){ (char *)"vswd", NULL },
					  err, sizeof(err));
	else
		rc = vsw_config_load_string(&cfg, text, "fuzz", err, sizeof(err));
	if (rc != 0) {
		FZ_CHECK(rc == -EINVAL || rc == -ENOMEM);
		FZ_CHECK(err[0] != '\0');
		return 0;
	}
	ports_check(&cfg);
	bridges_check(&cfg);
	settings_check(&cfg);
	if (vsw_config_check(&cfg, err, sizeof(err)) != 0)
		FZ_CHECK(err[0] != '\0');
	if (!cfg.help)
		roundtrip_check(&cfg);
	return 0;
}
