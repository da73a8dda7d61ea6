# SPDX-License-Identifier: BSD-3-Clause
"""Seeds of fuzz_net (format: fuzz_net.c): the packets and headers of
tests/unit/test_net.c, checksum and segmentation requests."""
import struct

CSUM, TSO4, TSO6 = 1, 2, 4
NEEDS_CSUM = 1
GSO_TCPV4, GSO_TCPV6 = 1, 4


def frame(v6=False, vlan=False, proto=6, payload=64):
    """Ethernet (+802.1Q) + IPv4/IPv6 + TCP/UDP/other header + payload."""
    l4 = 20 if proto == 6 else 8
    eth = b"\x02" * 12 + (b"\x81\x00\x00\x07" if vlan else b"")
    eth += b"\x86\xdd" if v6 else b"\x08\x00"
    body = bytes((i * 7 + 3) & 0xff for i in range(payload))
    if proto == 6:
        l4h = struct.pack(">HHIIBBHHH", 1234, 80, 1000, 0, 5 << 4, 0x18,
                          65535, 0, 0)
    else:
        l4h = struct.pack(">HHHH", 1234, 53, l4 + payload, 0)
    if v6:
        ip = struct.pack(">IHBB", 6 << 28, l4 + payload, proto, 64)
        ip += b"\x00" * 15 + b"\x01" + b"\x00" * 15 + b"\x02"
    else:
        ip = struct.pack(">BBHHHBBH", 0x45, 0, 20 + l4 + payload, 100, 0, 64,
                         proto, 0) + bytes([10, 0, 0, 1, 10, 0, 0, 2])
    return eth + ip + l4h + body


def seed(tx_off, egress, hdr, pkt, shared=False, seg=0, pad=0):
    flags, gso, gso_size, start, off = hdr
    return (bytes([tx_off | egress << 3, int(shared), seg]) +
            struct.pack("<H", pad) +
            struct.pack("<BBHHHH", flags, gso, 0, gso_size, start, off) + pkt)


def seeds():
    s = {}
    s["csum_tcp4_sw"] = seed(CSUM, 0, (NEEDS_CSUM, 0, 0, 34, 16), frame())
    s["csum_udp4_vlan_shared"] = seed(
        CSUM, 0, (NEEDS_CSUM, 0, 0, 38, 6), frame(vlan=True, proto=17),
        shared=True)
    s["csum_tcp6_passed_on"] = seed(
        CSUM, CSUM, (NEEDS_CSUM, 0, 0, 54, 16), frame(v6=True))
    s["csum_sctp_at_once"] = seed(CSUM, CSUM, (NEEDS_CSUM, 0, 0, 34, 8),
                                  frame(proto=132))
    s["tso4_sw"] = seed(CSUM | TSO4, 0, (NEEDS_CSUM, GSO_TCPV4, 1000, 34, 16),
                        frame(payload=100), pad=5000)
    s["tso6_sw_small_segs"] = seed(
        CSUM | TSO6, CSUM, (NEEDS_CSUM, GSO_TCPV6, 1400, 54, 16),
        frame(v6=True, payload=100), seg=8, pad=3000)
    s["tso4_passed_on"] = seed(7, 7, (NEEDS_CSUM, GSO_TCPV4, 500, 34, 16),
                               frame(payload=100), pad=1500)
    s["no_offload"] = seed(0, 0, (0, 0, 0, 0, 0), frame(payload=20))
    return s
