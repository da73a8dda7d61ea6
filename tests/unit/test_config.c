/* SPDX-License-Identifier: BSD-3-Clause */
/* vswd configuration: command line, YAML, cross-checks, error wording. */
#include <string.h>

#include "unit.h"
#include "vsw_config.h"

static char err[512];
static struct vsw_config cfg;

static int
args(int argc, const char **argv)
{
	vsw_config_init(&cfg);
	err[0] = '\0';
	return vsw_config_from_args(&cfg, argc, (char **)argv, err, sizeof(err));
}

static int
test_default(void)
{
	const char *argv[] = { "vswd" };

	UNIT_CHECK_EQ(args(1, argv), 0);
	UNIT_CHECK_EQ(cfg.n_ports, 2);
	UNIT_CHECK(strcmp(cfg.ports[0].name, "vm1") == 0);
	UNIT_CHECK(strstr(cfg.ports[1].spec, "/run/vsw/vm2.sock") != NULL);
	UNIT_CHECK_EQ(cfg.n_xconnects, 0);
	UNIT_CHECK_EQ(cfg.n_bridges, 1);
	UNIT_CHECK_EQ(cfg.bridges[0].n_ports, 2);
	UNIT_CHECK(cfg.is_default);
	UNIT_CHECK_EQ(vsw_config_check(&cfg, err, sizeof(err)), 0);
	return 0;
}

static int
test_cli(void)
{
	const char *argv[] = {
		"vswd", "--port", "a=vhost-user:path=/tmp/a.sock,server=1",
		"--port=b=vhost-user:path=/tmp/b.sock,server=0",
		"--xconnect", "a,b", "--mbufs", "4096",
	};

	UNIT_CHECK_EQ(args(RTE_DIM(argv), argv), 0);
	UNIT_CHECK_EQ(cfg.n_ports, 2);
	UNIT_CHECK(strcmp(cfg.ports[1].spec, "vhost-user:path=/tmp/b.sock,server=0") == 0);
	UNIT_CHECK(strcmp(cfg.xconnects[0].a, "a") == 0);
	UNIT_CHECK(strcmp(cfg.xconnects[0].b, "b") == 0);
	UNIT_CHECK_EQ(cfg.mbufs, 4096);
	UNIT_CHECK(!cfg.is_default);
	UNIT_CHECK_EQ(vsw_config_check(&cfg, err, sizeof(err)), 0);
	return 0;
}

static int
test_cli_errors(void)
{
	const char *unknown[] = { "vswd", "--bogus" };
	const char *noval[] = { "vswd", "--port" };
	const char *noeq[] = { "vswd", "--port", "vm1" };
	const char *badname[] = { "vswd", "--port", "v m=vhost-user:path=/x" };
	const char *dup[] = { "vswd", "--port", "a=x:y=1", "--port", "a=x:y=2" };
	const char *badxc[] = { "vswd", "--port", "a=x:y=1", "--xconnect", "a" };
	const char *mbufs[] = { "vswd", "--mbufs", "12x" };
	const char *extra[] = { "vswd", "stray" };

	UNIT_CHECK(args(RTE_DIM(unknown), unknown) != 0);
	UNIT_CHECK(strstr(err, "--bogus") != NULL);
	UNIT_CHECK(args(RTE_DIM(noval), noval) != 0);
	UNIT_CHECK(strstr(err, "--port") != NULL);
	UNIT_CHECK(args(RTE_DIM(noeq), noeq) != 0);
	UNIT_CHECK(strstr(err, "NAME=SPEC") != NULL);
	UNIT_CHECK(args(RTE_DIM(badname), badname) != 0);
	UNIT_CHECK(args(RTE_DIM(dup), dup) != 0);
	UNIT_CHECK(strstr(err, "twice") != NULL);
	UNIT_CHECK(args(RTE_DIM(badxc), badxc) != 0);
	UNIT_CHECK(strstr(err, "--xconnect") != NULL);
	UNIT_CHECK(args(RTE_DIM(mbufs), mbufs) != 0);
	UNIT_CHECK(strstr(err, "--mbufs") != NULL);
	UNIT_CHECK(args(RTE_DIM(extra), extra) != 0);
	UNIT_CHECK(strstr(err, "stray") != NULL);
	return 0;
}

static int
test_check(void)
{
	const char *unknown_port[] = { "vswd", "--port", "a=x:y=1", "--xconnect", "a,zz" };
	const char *self[] = { "vswd", "--port", "a=x:y=1", "--xconnect", "a,a" };
	const char *self2[] = { "vswd", "--port", "a=x:y=1", "--port", "b=x:y=1",
				"--xconnect", "a,a", "--xconnect", "b,a" };
	const char *twice[] = { "vswd", "--port", "a=x:y=1", "--port", "b=x:y=1",
				"--port", "c=x:y=1", "--xconnect", "a,b",
				"--xconnect", "c,a" };

	UNIT_CHECK_EQ(args(RTE_DIM(unknown_port), unknown_port), 0);
	UNIT_CHECK(vsw_config_check(&cfg, err, sizeof(err)) != 0);
	UNIT_CHECK(strstr(err, "zz") != NULL);
	UNIT_CHECK_EQ(args(RTE_DIM(self), self), 0);
	UNIT_CHECK_EQ(vsw_config_check(&cfg, err, sizeof(err)), 0); /* loopback */
	UNIT_CHECK_EQ(args(RTE_DIM(self2), self2), 0);
	UNIT_CHECK(vsw_config_check(&cfg, err, sizeof(err)) != 0);
	UNIT_CHECK_EQ(args(RTE_DIM(twice), twice), 0);
	UNIT_CHECK(vsw_config_check(&cfg, err, sizeof(err)) != 0);
	UNIT_CHECK(strstr(err, "already") != NULL);
	return 0;
}

static int
test_yaml(void)
{
	static const char y[] =
		"ports:\n"
		"  up: vhost-user:path=/tmp/u.sock,server=0\n"
		"  down: vhost-user:path=/tmp/d.sock\n"
		"xconnects:\n"
		"  - [up, down]\n";

	vsw_config_init(&cfg);
	UNIT_CHECK_EQ(vsw_config_load_string(&cfg, y, "t.yaml", err, sizeof(err)), 0);
	UNIT_CHECK_EQ(cfg.n_ports, 2);
	UNIT_CHECK(strcmp(cfg.xconnects[0].b, "down") == 0);
	UNIT_CHECK_EQ(vsw_config_check(&cfg, err, sizeof(err)), 0);
	return 0;
}

static int
test_yaml_errors(void)
{
	static const char *bad[][2] = {
		{ "ports:\n  a: x:y=1\nbogus: 1\n", "t.yaml:3: unknown key 'bogus'" },
		{ "ports: [a, b]\n", "t.yaml:1" },
		{ "ports:\n  a: [1]\n", "t.yaml:2" },
		{ "xconnects: a,b\n", "must be a list" },
		{ "xconnects:\n  - [a]\n", "t.yaml:2" },
		{ "ports:\n  a: x\n   b: y\n", "t.yaml:" },
		{ "- 1\n", "top level" },
	};

	for (size_t i = 0; i < RTE_DIM(bad); i++) {
		vsw_config_init(&cfg);
		UNIT_CHECK(vsw_config_load_string(&cfg, bad[i][0], "t.yaml", err,
						  sizeof(err)) != 0);
		if (strstr(err, bad[i][1]) == NULL) {
			fprintf(stderr, "  case %zu: '%s' lacks '%s'\n", i, err, bad[i][1]);
			return -1;
		}
	}
	return 0;
}

static int
test_file(void)
{
	char path[] = "/tmp/vsw-config-XXXXXX";
	int fd = mkstemp(path);
	const char *argv[] = { "vswd", "--config", path, "--port", "c=x:y=1" };
	static const char y[] = "ports:\n  a: x:y=1\n  b: x:y=2\nxconnects:\n  - a,b\n";
	const char *missing[] = { "vswd", "--config", "/nonexistent/vsw.yaml" };

	UNIT_CHECK(fd >= 0);
	UNIT_CHECK(write(fd, y, sizeof(y) - 1) == (ssize_t)sizeof(y) - 1);
	close(fd);
	UNIT_CHECK_EQ(args(RTE_DIM(argv), argv), 0);
	unlink(path);
	UNIT_CHECK_EQ(cfg.n_ports, 3);
	UNIT_CHECK(args(RTE_DIM(missing), missing) != 0);
	UNIT_CHECK(strstr(err, "/nonexistent/vsw.yaml") != NULL);
	return 0;
}

static int
test_ctl(void)
{
	const char *dflt[] = { "vswd", "--port", "a=x:y=1" };
	const char *set[] = { "vswd", "--ctl", "/tmp/v.ctl", "--port", "a=x:y=1" };
	const char *eq[] = { "vswd", "--ctl=rel.ctl" };
	const char *none[] = { "vswd", "--ctl", "none" };
	const char *empty[] = { "vswd", "--ctl", "" };
	const char *noval[] = { "vswd", "--ctl" };
	char longpath[VSW_CONFIG_PATH_MAX + 8];
	const char *toolong[] = { "vswd", "--ctl", longpath };

	UNIT_CHECK_EQ(args(RTE_DIM(dflt), dflt), 0);
	UNIT_CHECK(strcmp(cfg.ctl, VSW_CONFIG_CTL_DEFAULT) == 0);
	UNIT_CHECK(strcmp(cfg.ctl, "/run/vsw/vswd.ctl") == 0);
	UNIT_CHECK_EQ(args(RTE_DIM(set), set), 0);
	UNIT_CHECK(strcmp(cfg.ctl, "/tmp/v.ctl") == 0);
	UNIT_CHECK_EQ(args(RTE_DIM(eq), eq), 0);
	UNIT_CHECK(strcmp(cfg.ctl, "rel.ctl") == 0);
	UNIT_CHECK(cfg.is_default); /* --ctl alone keeps the default ports */
	UNIT_CHECK_EQ(args(RTE_DIM(none), none), 0);
	UNIT_CHECK(cfg.ctl[0] == '\0');
	UNIT_CHECK(args(RTE_DIM(empty), empty) != 0);
	UNIT_CHECK(strstr(err, "--ctl") != NULL);
	UNIT_CHECK(args(RTE_DIM(noval), noval) != 0);
	UNIT_CHECK(strstr(err, "--ctl") != NULL);
	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	UNIT_CHECK(args(RTE_DIM(toolong), toolong) != 0);
	UNIT_CHECK(strstr(err, "--ctl") != NULL);
	UNIT_CHECK(strstr(err, "107") != NULL);
	UNIT_CHECK(strstr(vsw_config_usage(), "--ctl PATH") != NULL);
	UNIT_CHECK(strstr(vsw_config_usage(), VSW_CONFIG_CTL_DEFAULT) != NULL);
	return 0;
}

static int
test_ctl_yaml(void)
{
	char path[] = "/tmp/vsw-config-XXXXXX";
	int fd = mkstemp(path);
	static const char y[] = "ctl: /tmp/from-file.ctl\nports:\n  a: x:y=1\n";
	const char *file[] = { "vswd", "--config", path };
	const char *cli_first[] = { "vswd", "--ctl", "/tmp/cli.ctl", "--config", path };
	const char *cli_last[] = { "vswd", "--config", path, "--ctl", "none" };

	UNIT_CHECK(fd >= 0);
	UNIT_CHECK(write(fd, y, sizeof(y) - 1) == (ssize_t)sizeof(y) - 1);
	close(fd);
	UNIT_CHECK_EQ(args(RTE_DIM(file), file), 0);
	UNIT_CHECK(strcmp(cfg.ctl, "/tmp/from-file.ctl") == 0);
	/* The command line wins, wherever it stands. */
	UNIT_CHECK_EQ(args(RTE_DIM(cli_first), cli_first), 0);
	UNIT_CHECK(strcmp(cfg.ctl, "/tmp/cli.ctl") == 0);
	UNIT_CHECK_EQ(args(RTE_DIM(cli_last), cli_last), 0);
	UNIT_CHECK(cfg.ctl[0] == '\0');
	unlink(path);

	vsw_config_init(&cfg);
	UNIT_CHECK_EQ(vsw_config_load_string(&cfg, "ctl: none\n", "t.yaml", err,
					     sizeof(err)), 0);
	UNIT_CHECK(cfg.ctl[0] == '\0');
	vsw_config_init(&cfg);
	UNIT_CHECK(vsw_config_load_string(&cfg, "ports:\n  a: x:y=1\nctl: [a]\n",
					  "t.yaml", err, sizeof(err)) != 0);
	UNIT_CHECK(strstr(err, "t.yaml:3") != NULL);
	UNIT_CHECK(strstr(err, "ctl") != NULL);
	vsw_config_init(&cfg);
	UNIT_CHECK(vsw_config_load_string(&cfg, "ctl: ''\n", "t.yaml", err,
					  sizeof(err)) != 0);
	UNIT_CHECK(strstr(err, "t.yaml:1: ctl") != NULL);
	return 0;
}

static int
test_bridges_cli(void)
{
	const char *ok[] = {
		"vswd", "--port", "a=x:y=1", "--port", "b=x:y=1", "--port", "c=x:y=1",
		"--port", "d=x:y=1", "--bridge", "br0=a,b,aging=30,max-entries=100",
		"--bridge", "br1=c", "--xconnect", "d,d", "--pmd-cores", "1,2",
		"--rxq-assign", "roundrobin",
	};
	const char *twice[] = { "vswd", "--port", "a=x:y=1", "--bridge", "br0=a",
				"--bridge", "br1=a" };
	const char *xc[] = { "vswd", "--port", "a=x:y=1", "--port", "b=x:y=1",
			     "--xconnect", "a,b", "--bridge", "br0=a" };
	const char *noport[] = { "vswd", "--port", "a=x:y=1", "--bridge", "br0=a,zz" };
	const char *clash[] = { "vswd", "--port", "a=x:y=1", "--bridge", "a=a" };

	UNIT_CHECK_EQ(args(RTE_DIM(ok), ok), 0);
	UNIT_CHECK_EQ(vsw_config_check(&cfg, err, sizeof(err)), 0);
	UNIT_CHECK_EQ(cfg.n_bridges, 2);
	UNIT_CHECK(strcmp(cfg.bridges[0].name, "br0") == 0);
	UNIT_CHECK_EQ(cfg.bridges[0].n_ports, 2);
	UNIT_CHECK(strcmp(cfg.bridges[0].ports[1], "b") == 0);
	UNIT_CHECK_EQ(cfg.bridges[0].aging, 30);
	UNIT_CHECK(cfg.bridges[0].aging_set);
	UNIT_CHECK_EQ(cfg.bridges[0].max_entries, 100);
	UNIT_CHECK(!cfg.bridges[1].aging_set);
	UNIT_CHECK_EQ(cfg.n_pmd_cores, 2);
	UNIT_CHECK_EQ(cfg.pmd_cores[1], 2);
	UNIT_CHECK(strcmp(cfg.rxq_assign, "roundrobin") == 0);
	UNIT_CHECK_EQ(args(RTE_DIM(twice), twice), 0);
	UNIT_CHECK(vsw_config_check(&cfg, err, sizeof(err)) != 0);
	UNIT_CHECK(strstr(err, "port a is already") != NULL);
	UNIT_CHECK_EQ(args(RTE_DIM(xc), xc), 0);
	UNIT_CHECK(vsw_config_check(&cfg, err, sizeof(err)) != 0);
	UNIT_CHECK_EQ(args(RTE_DIM(noport), noport), 0);
	UNIT_CHECK(vsw_config_check(&cfg, err, sizeof(err)) != 0);
	UNIT_CHECK(strstr(err, "no port named zz") != NULL);
	UNIT_CHECK_EQ(args(RTE_DIM(clash), clash), 0);
	UNIT_CHECK(vsw_config_check(&cfg, err, sizeof(err)) != 0);
	UNIT_CHECK(strstr(err, "bridge a") != NULL);
	return 0;
}

static int
test_bridges_cli_errors(void)
{
	static const char *bad[][3] = {
		{ "--bridge", "br0=a,bogus=1", "unknown option 'bogus'" },
		{ "--bridge", "br0=a,aging=x", "aging" },
		{ "--bridge", "br0=a,max-entries=0", "max-entries" },
		{ "--bridge", "br0=a,a", "listed twice" },
		{ "--bridge", "b r=a", "NAME=PORT" },
		{ "--pmd-cores", "1,1", "given twice" },
		{ "--pmd-cores", "1,x", "--pmd-cores" },
		{ "--pmd-cores", "", "lcore ids" },
		{ "--rxq-assign", "random", "roundrobin or cycles" },
	};

	for (size_t i = 0; i < RTE_DIM(bad); i++) {
		const char *argv[] = { "vswd", "--port", "a=x:y=1", bad[i][0],
				       bad[i][1] };

		if (args(RTE_DIM(argv), argv) == 0 ||
		    strstr(err, bad[i][2]) == NULL) {
			fprintf(stderr, "  %s %s: '%s' lacks '%s'\n", bad[i][0],
				bad[i][1], err, bad[i][2]);
			return -1;
		}
	}
	return 0;
}

static int
test_bridges_yaml(void)
{
	static const char y[] =
		"ports:\n"
		"  a: x:y=1\n"
		"  b: x:y=1\n"
		"  c: x:y=1\n"
		"  d: x:y=1\n"
		"bridges:\n"
		"  br0:\n"
		"    ports: [a, b]\n"
		"    aging: 0\n"
		"    max-entries: 64\n"
		"  br1: [c]\n"
		"  br2: d\n"
		"pmd-cores: [1, 3]\n"
		"rxq-assign: roundrobin\n";
	static const char *bad[][2] = {
		{ "bridges: [a]\n", "t.yaml:1: 'bridges' must map" },
		{ "bridges:\n  br0:\n    ports: [a]\n    colour: red\n",
		  "t.yaml:4: bridge br0: unknown option 'colour'" },
		{ "bridges:\n  br0: {ports: [[a]]}\n", "t.yaml:2" },
		{ "pmd-cores: [1, x]\n", "t.yaml:1" },
		{ "rxq-assign: [cycles]\n", "t.yaml:1" },
		/* a name with '=' (--bridge's separator) is no bridge name:
		 * it used to crash (found by fuzz_config) */
		{ "bridges:\n  br=a: [a]\n", "t.yaml:2: bridge name 'br=a'" },
		{ "bridges:\n  \"\": [a]\n", "t.yaml:2: bridge name ''" },
	};

	vsw_config_init(&cfg);
	UNIT_CHECK_EQ(vsw_config_load_string(&cfg, y, "t.yaml", err, sizeof(err)), 0);
	UNIT_CHECK_EQ(vsw_config_check(&cfg, err, sizeof(err)), 0);
	UNIT_CHECK_EQ(cfg.n_bridges, 3);
	UNIT_CHECK_EQ(cfg.bridges[0].n_ports, 2);
	UNIT_CHECK(cfg.bridges[0].aging_set);
	UNIT_CHECK_EQ(cfg.bridges[0].aging, 0);
	UNIT_CHECK_EQ(cfg.bridges[0].max_entries, 64);
	UNIT_CHECK(strcmp(cfg.bridges[1].ports[0], "c") == 0);
	UNIT_CHECK(strcmp(cfg.bridges[2].ports[0], "d") == 0);
	UNIT_CHECK_EQ(cfg.n_pmd_cores, 2);
	UNIT_CHECK_EQ(cfg.pmd_cores[1], 3);
	UNIT_CHECK(strcmp(cfg.rxq_assign, "roundrobin") == 0);
	for (size_t i = 0; i < RTE_DIM(bad); i++) {
		vsw_config_init(&cfg);
		if (vsw_config_load_string(&cfg, bad[i][0], "t.yaml", err,
					   sizeof(err)) == 0 ||
		    strstr(err, bad[i][1]) == NULL) {
			fprintf(stderr, "  case %zu: '%s' lacks '%s'\n", i, err,
				bad[i][1]);
			return -1;
		}
	}
	return 0;
}

int
main(void)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_default),
		UNIT_TEST(test_cli),
		UNIT_TEST(test_cli_errors),
		UNIT_TEST(test_check),
		UNIT_TEST(test_yaml),
		UNIT_TEST(test_yaml_errors),
		UNIT_TEST(test_file),
		UNIT_TEST(test_ctl),
		UNIT_TEST(test_ctl_yaml),
		UNIT_TEST(test_bridges_cli),
		UNIT_TEST(test_bridges_cli_errors),
		UNIT_TEST(test_bridges_yaml),
	};

	return unit_main("config", tests, RTE_DIM(tests));
}
