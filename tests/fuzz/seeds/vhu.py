# SPDX-License-Identifier: BSD-3-Clause
"""Seeds of fuzz_vhu_msg (format: fuzz_vhu_msg.c): vhost-user sessions as
QEMU and DPDK's virtio-user run them, over one memfd of guest memory
whose rings carry a packet to dequeue and buffers to receive into."""
import struct

import vring

# rows of VHU_REQUESTS (lib/vhost/vhu_msg.h), as fuzz_vhu_msg.c numbers them
(GET_FEATURES, SET_FEATURES, SET_OWNER, RESET_OWNER, SET_MEM_TABLE,
 SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE,
 SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR, GET_PROTOCOL_FEATURES,
 SET_PROTOCOL_FEATURES, GET_QUEUE_NUM, SET_VRING_ENABLE, NET_SET_MTU,
 GET_CONFIG, SET_CONFIG) = range(19)
NEED_REPLY, DATA, RECONNECT = 1, 0x10, 0x20

F_CSUM, F_GUEST_CSUM, F_MRG, F_EVT, F_PROTO, F_V1, F_PACKED = 0, 1, 15, 29, 30, 32, 34
P_MQ, P_REPLY_ACK, P_MTU, P_CONFIG = 0, 3, 4, 9
UADDR = 0x7f0000000000
MEM = 0x10000
N = 8


def bits(*b):
    return sum(1 << x for x in b)


def msg(row, payload=b"", how=0, fd_records=b""):
    return (bytes([row, how]) + struct.pack("<H", len(payload)) + payload +
            fd_records)


def u64(v):
    return struct.pack("<Q", v)


def state(i, n):
    return struct.pack("<II", i, n)


def device(qps=1, opt=0, mtu=0):
    return bytes([qps - 1, opt]) + struct.pack("<H", mtu)


def mem_table(content):
    region = struct.pack("<QQQQ", 0, MEM, UADDR, 0)
    record = struct.pack("<IIH", MEM, 0, len(content)) + content
    return msg(SET_MEM_TABLE, struct.pack("<II", 1, 0) + region,
               fd_records=record)


def vring_setup(q, desc, avail, used, base=0, enable=True):
    out = (msg(SET_VRING_NUM, state(q, N)) + msg(SET_VRING_BASE, state(q, base)) +
           msg(SET_VRING_ADDR, struct.pack("<IIQQQQ", q, 0, UADDR + desc,
                                           UADDR + used, UADDR + avail, 0)) +
           msg(SET_VRING_CALL, u64(q)) + msg(SET_VRING_KICK, u64(q)))
    if enable:
        out += msg(SET_VRING_ENABLE, state(q, 1))
    return out


def negotiate(features, protocol):
    return (msg(GET_FEATURES) + msg(GET_PROTOCOL_FEATURES) +
            msg(SET_PROTOCOL_FEATURES, u64(protocol)) + msg(GET_QUEUE_NUM) +
            msg(SET_OWNER) + msg(SET_FEATURES, u64(features), how=NEED_REPLY))


def split_memory(pairs=1):
    """Pair p: rx rings at 0x400p, tx rings at 0x400p + 0x200 (desc, avail
    +0x80, used +0xc0), its tx packet at 0x800 + 0x100p, rx buffers from
    0x2000: what is not zero stays within the first 2.5 KB."""
    g = vring.Guest(MEM)
    for p in range(pairs):
        rx, tx, pkt_at = 0x400 * p, 0x400 * p + 0x200, 0x800 + 0x100 * p
        for i in range(2):
            buf = 0x2000 + 0x1000 * p + 0x800 * i
            g.put(vring.GPA0 + rx + 16 * i,
                  struct.pack("<QIHH", buf, 1536, vring.DESC_F_WRITE, 0))
        g.put(vring.GPA0 + rx + 0x80, struct.pack("<HHHH", 0, 2, 0, 1))
        pkt = vring.vhdr(1, 0, 0, 34, 16) + vring.tcp4(60 + p)
        g.put(vring.GPA0 + pkt_at, pkt)
        g.put(vring.GPA0 + tx, struct.pack("<QIHH", pkt_at, len(pkt), 0, 0))
        g.put(vring.GPA0 + tx + 0x80, struct.pack("<HHH", 0, 1, 0))
    return g.used()


def packed_memory():
    """rx ring at 0 (events 0x100, 0x104), tx ring at 0x200 (events 0x300,
    0x304), the tx packet at 0x800, rx buffers from 0x2000."""
    g = vring.Guest(MEM)
    for i in range(2):
        g.put(vring.GPA0 + 16 * i, struct.pack(
            "<QIHH", 0x2000 + 0x800 * i, 1536, i,
            vring.DESC_F_WRITE | vring.PK_AVAIL))
    pkt = vring.vhdr() + vring.tcp4(60)
    g.put(vring.GPA0 + 0x800, pkt)
    g.put(vring.GPA0 + 0x200, struct.pack("<QIHH", 0x800, len(pkt), 0,
                                          vring.PK_AVAIL))
    return g.used()


def split_session(pairs=1, features=bits(F_V1, F_MRG, F_PROTO, F_CSUM)):
    out = negotiate(features, bits(P_MQ, P_REPLY_ACK, P_MTU, P_CONFIG))
    out += mem_table(split_memory(pairs))
    for p in range(pairs):
        rx, tx = 0x400 * p, 0x400 * p + 0x200
        out += vring_setup(2 * p, rx, rx + 0x80, rx + 0xc0)
        out += vring_setup(2 * p + 1, tx, tx + 0x80, tx + 0xc0)
    return out


def seeds():
    s = {}
    s["split"] = device() + split_session()
    s["split_two_pairs_two_txq"] = device(2, opt=2) + split_session(2)
    s["packed"] = device(opt=1) + negotiate(
        bits(F_V1, F_PROTO, F_PACKED, F_EVT), bits(P_REPLY_ACK)) + \
        mem_table(packed_memory()) + \
        vring_setup(0, 0, 0x100, 0x104, base=0x8000) + \
        vring_setup(1, 0x200, 0x300, 0x304, base=0x8000)
    # legacy front-end: no PROTOCOL_FEATURES, rings start without ENABLE;
    # stop a ring with GET_VRING_BASE, coalesced calls
    s["legacy_get_base"] = device(opt=4) + msg(SET_FEATURES, u64(bits(F_V1))) + \
        mem_table(split_memory()) + \
        vring_setup(0, 0, 0x80, 0xc0, enable=False) + \
        vring_setup(1, 0x200, 0x280, 0x2c0, enable=False) + \
        msg(SET_OWNER, how=DATA) + msg(GET_VRING_BASE, state(1, 0)) + \
        msg(SET_VRING_ERR, u64(0))
    cfg = struct.pack("<III", 0, 12, 0)
    s["config_mtu"] = device(opt=1, mtu=1500) + negotiate(
        bits(F_V1, F_PROTO), bits(P_REPLY_ACK, P_MTU, P_CONFIG)) + \
        msg(GET_CONFIG, cfg + bytes(12)) + \
        msg(SET_CONFIG, struct.pack("<III", 0, 6, 0) + bytes([2, 0, 0, 0, 0, 9]),
            how=NEED_REPLY) + \
        msg(NET_SET_MTU, u64(9000), how=NEED_REPLY) + msg(RESET_OWNER)
    s["reconnect"] = device() + split_session() + \
        msg(GET_QUEUE_NUM, how=DATA) + msg(GET_FEATURES, how=RECONNECT) + \
        split_session()
    # a header with a bad version, then a kick without its fd
    s["rejects"] = device() + bytes([GET_FEATURES, 0x02]) + struct.pack("<H", 0) + \
        struct.pack("<II", 2, 0) + msg(GET_FEATURES, how=RECONNECT) + \
        bytes([SET_VRING_KICK, 0x04]) + struct.pack("<H", 8) + u64(0) + bytes([0])
    return s
