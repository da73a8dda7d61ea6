"""The virtio-net device configuration vswd owns as a vhost-user back-end:
features offered per port (MAC only with mac=), NET_SET_MTU with
PROTOCOL_F_NET_MTU, GET_CONFIG / SET_CONFIG with PROTOCOL_F_CONFIG
(vhost-user.rst; virtio_net_config layout, VIRTIO 1.3 5.1.4).

QEMU's vhost-user-net and DPDK 22.11's virtio-user emulate the config
space themselves, so these messages are driven by the raw client in
vhostuser.py; QEMU's NET_SET_MTU is also seen in the guest suite
(host_mtu=). Malformed requests close only that connection.
"""

import os
import re
import struct

import vhostuser as vu

NET_SET_MTU = 20
GET_CONFIG = 24
SET_CONFIG = 25
PROTO_REPLY_ACK = 1 << 3
PROTO_NET_MTU = 1 << 4
PROTO_CONFIG = 1 << 9
F_MAC = 1 << 5
F_STATUS = 1 << 16
F_MTU = 1 << 3
CONFIG = struct.Struct("<III")  # offset, size, flags
NET_CONFIG = struct.Struct("<6sHHHIB")  # mac status pairs mtu speed duplex


def connect(workdir, name, proto):
    """Client on port name with PROTOCOL_FEATURES and proto negotiated."""
    c = vu.Client(os.path.join(workdir, name + ".sock"))
    offered = c.handshake(features_mask=vu.F_VERSION_1 | vu.F_PROTOCOL_FEATURES)
    offered_proto = c.get_u64(vu.GET_PROTOCOL_FEATURES)
    assert offered_proto & proto == proto, "protocol features %#x lack %#x" % (
        offered_proto, proto)
    c.send(vu.SET_PROTOCOL_FEATURES, struct.pack("<Q", proto))
    return c, offered


def get_config(c, offset=0, size=NET_CONFIG.size):
    data = c.call(GET_CONFIG, CONFIG.pack(offset, size, 0) + bytes(size))
    off, sz, _ = CONFIG.unpack(data[:CONFIG.size])
    assert (off, sz) == (offset, size) and len(data) == CONFIG.size + size
    return data[CONFIG.size:]


def acked(c, request, payload):
    c.send(request, payload, flags=vu.VERSION | vu.FLAG_NEED_REPLY)
    req, flags, data = c.recv_msg()
    assert req == request and flags & vu.FLAG_REPLY
    return struct.unpack("<Q", data)[0] == 0


def test_config_space(start_vswd, workdir):
    start_vswd(["--port", "a=vhost-user:path=%s,queues=2,mac=52:54:00:12:34:56,mtu=9000"
                % os.path.join(workdir, "a.sock"),
                "--port", "b=vhost-user:path=%s" % os.path.join(workdir, "b.sock"),
                "--xconnect", "a,b"])
    c, offered = connect(workdir, "a", PROTO_CONFIG | PROTO_REPLY_ACK | PROTO_NET_MTU)
    assert offered & (F_MAC | F_STATUS | F_MTU) == F_MAC | F_STATUS | F_MTU, hex(offered)
    mac, status, pairs, mtu, speed, duplex = NET_CONFIG.unpack(get_config(c))
    assert mac == bytes.fromhex("525400123456")
    assert status == 1 and pairs == 2 and mtu == 9000
    assert speed == 0xFFFFFFFF and duplex == 0xFF
    # a read of one field, at its offset
    assert get_config(c, 8, 2) == struct.pack("<H", 2)
    # NET_SET_MTU changes what the config space says
    assert acked(c, NET_SET_MTU, struct.pack("<Q", 1400))
    assert struct.unpack("<H", get_config(c, 10, 2))[0] == 1400
    # the mac is writable, nothing else is
    c.send(SET_CONFIG, CONFIG.pack(0, 6, 0) + bytes.fromhex("020000000001"))
    assert get_config(c, 0, 6) == bytes.fromhex("020000000001")
    c.send(SET_CONFIG, CONFIG.pack(10, 2, 0) + struct.pack("<H", 100))
    assert c.closed_by_peer(), "SET_CONFIG of the mtu field was accepted"
    c.close()

    # a port without mac= offers no VIRTIO_NET_F_MAC
    c, offered = connect(workdir, "b", PROTO_CONFIG)
    assert not offered & F_MAC and offered & F_STATUS
    mac, status, pairs, mtu, _, _ = NET_CONFIG.unpack(get_config(c))
    assert mac == bytes(6) and pairs == 1 and mtu == 1500
    c.close()


def test_bad_config_requests(start_vswd, workdir):
    v = start_vswd(["--port", "a=vhost-user:path=%s" % os.path.join(workdir, "a.sock"),
                    "--xconnect", "a,a"])
    bad = [
        (NET_SET_MTU, struct.pack("<Q", 67), "outside 68..65535"),
        (NET_SET_MTU, struct.pack("<Q", 65536), "outside 68..65535"),
        (GET_CONFIG, CONFIG.pack(250, 10, 0) + bytes(10), "past the 256-byte"),
        (GET_CONFIG, CONFIG.pack(0, 10, 0) + bytes(4), "size field"),
        (SET_CONFIG, CONFIG.pack(4, 4, 0) + bytes(4), "only the mac"),
    ]
    for req, payload, why in bad:
        c, _ = connect(workdir, "a", PROTO_CONFIG | PROTO_NET_MTU)
        c.send(req, payload)
        assert c.closed_by_peer(), "request %d %r not refused" % (req, payload)
        c.close()
        assert v.alive()
        v.wait_for(re.escape(why), timeout=5, stream="err")
