# SPDX-License-Identifier: BSD-3-Clause
"""Seeds of fuzz_bridge (format: fuzz_bridge.c): the scenarios of
tests/unit/test_bridge.c and test_fdb.c."""
import struct

BURST, TICK, LEAVE, JOIN, STATIC, DEL, FLUSH, AGING = range(8)
A, B, C, D, E, BCAST, MCAST, ZERO = range(8)  # fuzz_bridge.c macs[]


def ports(*specs):
    """specs: "all", ("access", vid) or ("trunk", [(first, span), ...])."""
    out = bytes([len(specs) - 2])
    for s in specs:
        if s == "all":
            out += b"\x00"
        elif s[0] == "access":
            out += b"\x01" + struct.pack("<H", s[1])
        else:
            out += b"\x02" + bytes([len(s[1]) - 1])
            for first, span in s[1]:
                out += struct.pack("<HB", first, span)
    return out


def frame(dst, src, tag=None, prio_inner=None, stripped=None, payload=10,
          seg=0, runt=None):
    fl = seg << 4
    body = b""
    if stripped is not None:
        fl |= 1
        body += struct.pack("<H", stripped)
    body += bytes([dst, src])
    if tag is not None:
        fl |= 1 << 1
        tags = struct.pack(">H", tag)
    elif prio_inner is not None:
        fl |= 2 << 1
        tags = bytes([prio_inner[0]]) + struct.pack(">H", prio_inner[1])
    else:
        tags = b""
    body += tags + bytes([payload])
    if runt is not None:
        fl |= 8
        body += bytes([runt])
    return bytes([fl]) + body


def burst(port, *frames):
    return bytes([BURST, port, len(frames) - 1]) + b"".join(frames)


def seeds():
    s = {}
    s["learn_and_flood"] = (
        ports("all", "all", "all") + bytes([0xff, 10]) +
        burst(0, frame(B, A)) + burst(1, frame(A, B)) +
        burst(0, frame(BCAST, A)))
    vl = ports(("access", 10), ("trunk", [(10, 0), (20, 0)]), ("access", 20),
               "all")
    s["vlans"] = (
        vl + bytes([63, 0]) +
        burst(0, frame(BCAST, A)) + burst(1, frame(BCAST, B, tag=20)) +
        burst(3, frame(C, D, tag=10)) + burst(2, frame(A, C)) +
        burst(0, frame(MCAST, A, prio_inner=(5, 20))) +
        burst(1, frame(BCAST, E, stripped=(3 << 13) | 10)))
    s["statics_flush_age"] = (
        ports("all", "all", ("trunk", [(1, 99)])) + bytes([15, 5]) +
        bytes([STATIC, C]) + struct.pack("<H", 0) + bytes([2]) +
        burst(0, frame(C, A), frame(C, A, seg=2)) +
        burst(1, frame(A, C)) +
        bytes([TICK, 3, TICK, 9, FLUSH, 0, 0]) +
        bytes([DEL, C]) + struct.pack("<H", 0) +
        bytes([LEAVE, 1]) + burst(1, frame(A, B)) + bytes([JOIN, 1]) +
        burst(0, frame(B, A, tag=50)) + bytes([AGING, 0, FLUSH, 3, 1]))
    s["fdb_limit"] = (
        ports("all", "all") + bytes([1, 0]) +
        burst(0, frame(B, A), frame(B, C), frame(B, D), frame(B, E)) +
        burst(1, frame(D, B)))
    s["drops"] = (
        ports(("access", 7), "all", ("trunk", [(7, 0)])) + bytes([7, 0]) +
        burst(0, frame(B, A, runt=10), frame(B, A, tag=7, runt=16),
              frame(B, MCAST), frame(B, ZERO), frame(B, A, tag=4095),
              frame(B, A, tag=8), frame(A, A)) +
        burst(2, frame(BCAST, B)))
    return s
