# SPDX-License-Identifier: BSD-3-Clause
"""Seeds of fuzz_config: YAML documents and command lines of
tests/unit/test_config.c and the examples of vsw_config.h."""

DOC = """ctl: /run/vsw/vswd.ctl
ports:
  vm1: vhost-user:path=/run/vsw/vm1.sock,server=1
  vm2: vhost-user:path=/run/vsw/vm2.sock,server=1
  vm3: vhost-user:path=/run/vsw/vm3.sock,queues=2
  vm4: ethdev:devargs=net_af_packet0,iface=veth0
  uplink: ethdev:pci=0000:01:00.0,vlan=10
xconnects:
  - vm1,vm2
bridges:
  br0:
    ports: [vm3, vm4, uplink]
    aging: 300
    max-entries: 8192
  br1: []
pmd-cores: [1, 2]
rxq-assign: cycles
"""


def yaml(text):
    return b"\x00" + text.encode()


def args(*argv):
    return b"\x01" + b"\x00".join(a.encode() for a in argv)


def seeds():
    return {
        "yaml_doc": yaml(DOC),
        "yaml_xconnect": yaml("ports:\n  up: vhost-user:path=/tmp/u.sock,server=0\n"
                              "  down: vhost-user:path=/tmp/d.sock\n"
                              "xconnects:\n  - [up, down]\nctl: none\n"),
        "yaml_bridge_list": yaml("ports: {a: 'x:y=1', b: \"x:y=\\u00e9\"}\n"
                                 "bridges: {br: \"a,b\"}\npmd-cores: 3\n"),
        "yaml_errors": yaml("ports:\n  - a\nbogus: 1\n"),
        "args_cli": args("--port", "a=vhost-user:path=/tmp/a.sock,server=1",
                         "--port=b=vhost-user:path=/tmp/b.sock,server=0",
                         "--xconnect", "a,b", "--mbufs", "4096"),
        "args_bridge": args("--port", "a=x:y=1", "--port", "b=x:y=2",
                            "--bridge", "br0=a,b,aging=5,max-entries=64",
                            "--pmd-cores", "1,3", "--rxq-assign", "roundrobin",
                            "--ctl", "none", "--check"),
        "args_default": b"\x01",
        "args_errors": args("--port", "v m=x", "--mbufs", "12x", "stray", "--help"),
    }
