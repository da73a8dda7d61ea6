/* SPDX-License-Identifier: BSD-3-Clause */
/* Port specs: option lists with commas in values, VLAN membership. */
#include <string.h>

#include "unit.h"
#include "vsw_port.h"

static char err[256];

static int
test_args_plain(void)
{
	struct vsw_port_args a;

	UNIT_CHECK_EQ(vsw_port_args_parse("path=/x.sock,server=0", &a, err,
					  sizeof(err)), 0);
	UNIT_CHECK_EQ(a.n, 2);
	UNIT_CHECK(strcmp(vsw_port_arg_str(&a, "path"), "/x.sock") == 0);
	UNIT_CHECK(vsw_port_args_unused(&a) != NULL);
	UNIT_CHECK(strcmp(vsw_port_arg_str(&a, "server"), "0") == 0);
	UNIT_CHECK(vsw_port_args_unused(&a) == NULL);
	UNIT_CHECK_EQ(vsw_port_args_parse("", &a, err, sizeof(err)), 0);
	UNIT_CHECK_EQ(a.n, 0);
	return 0;
}

static int
test_args_commas(void)
{
	struct vsw_port_args a;

	/* An item without '=' continues the value before it. */
	UNIT_CHECK_EQ(vsw_port_args_parse("trunk=10,20,30-39,queues=2", &a, err,
					  sizeof(err)), 0);
	UNIT_CHECK_EQ(a.n, 2);
	UNIT_CHECK(strcmp(vsw_port_arg_str(&a, "trunk"), "10,20,30-39") == 0);
	UNIT_CHECK(strcmp(vsw_port_arg_str(&a, "queues"), "2") == 0);
	/* devargs takes the rest of the spec. */
	UNIT_CHECK_EQ(vsw_port_args_parse("queues=2,devargs=net_af_packet0,"
					  "iface=veth0,qpairs=2", &a, err,
					  sizeof(err)), 0);
	UNIT_CHECK_EQ(a.n, 2);
	UNIT_CHECK(strcmp(vsw_port_arg_str(&a, "devargs"),
			  "net_af_packet0,iface=veth0,qpairs=2") == 0);
	return 0;
}

static int
test_args_errors(void)
{
	struct vsw_port_args a;

	UNIT_CHECK_EQ(vsw_port_args_parse("nokey", &a, err, sizeof(err)), -EINVAL);
	UNIT_CHECK(strstr(err, "'nokey'") != NULL);
	UNIT_CHECK_EQ(vsw_port_args_parse("a=1,a=2", &a, err, sizeof(err)), -EINVAL);
	UNIT_CHECK(strstr(err, "given twice") != NULL);
	UNIT_CHECK_EQ(vsw_port_args_parse("=1", &a, err, sizeof(err)), -EINVAL);
	return 0;
}

static int
test_vlan(void)
{
	struct vsw_port_vlan v;
	char buf[128];

	UNIT_CHECK_EQ(vsw_port_vlan_parse(&v, NULL, NULL, err, sizeof(err)), 0);
	UNIT_CHECK_EQ(v.mode, VSW_PORT_VLAN_ALL);
	vsw_port_vlan_format(&v, buf, sizeof(buf));
	UNIT_CHECK(strcmp(buf, "") == 0);
	UNIT_CHECK_EQ(vsw_port_vlan_parse(&v, "10", NULL, err, sizeof(err)), 0);
	UNIT_CHECK_EQ(v.mode, VSW_PORT_VLAN_ACCESS);
	UNIT_CHECK_EQ(v.tag, 10);
	vsw_port_vlan_format(&v, buf, sizeof(buf));
	UNIT_CHECK(strcmp(buf, "vlan=10") == 0);
	UNIT_CHECK_EQ(vsw_port_vlan_parse(&v, NULL, "20,10,30-33,4094", err,
					  sizeof(err)), 0);
	UNIT_CHECK_EQ(v.mode, VSW_PORT_VLAN_TRUNK);
	UNIT_CHECK(vsw_port_vlan_trunks(&v, 10) && vsw_port_vlan_trunks(&v, 31));
	UNIT_CHECK(!vsw_port_vlan_trunks(&v, 11) && !vsw_port_vlan_trunks(&v, 34));
	vsw_port_vlan_format(&v, buf, sizeof(buf));
	UNIT_CHECK(strcmp(buf, "trunk=10,20,30-33,4094") == 0);
	return 0;
}

static int
test_vlan_errors(void)
{
	struct vsw_port_vlan v;
	const char *bad_trunks[] = { "", "0", "4095", "10,", "5-3", "1-", "x",
				     "10,,20", "-5" };

	UNIT_CHECK_EQ(vsw_port_vlan_parse(&v, "10", "20", err, sizeof(err)),
		      -EINVAL);
	UNIT_CHECK(strstr(err, "exclude") != NULL);
	UNIT_CHECK_EQ(vsw_port_vlan_parse(&v, "0", NULL, err, sizeof(err)), -EINVAL);
	UNIT_CHECK_EQ(vsw_port_vlan_parse(&v, "4095", NULL, err, sizeof(err)),
		      -EINVAL);
	UNIT_CHECK_EQ(vsw_port_vlan_parse(&v, "10x", NULL, err, sizeof(err)),
		      -EINVAL);
	for (unsigned int i = 0; i < RTE_DIM(bad_trunks); i++) {
		if (vsw_port_vlan_parse(&v, NULL, bad_trunks[i], err,
					sizeof(err)) != -EINVAL) {
			fprintf(stderr, "  trunk='%s' accepted\n", bad_trunks[i]);
			return -1;
		}
		UNIT_CHECK(strstr(err, "option 'trunk'") != NULL);
	}
	return 0;
}

int
main(void)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_args_plain),
		UNIT_TEST(test_args_commas),
		UNIT_TEST(test_args_errors),
		UNIT_TEST(test_vlan),
		UNIT_TEST(test_vlan_errors),
	};

	return unit_main("port", tests, RTE_DIM(tests));
}
