# SPDX-License-Identifier: BSD-3-Clause
"""Seeds of fuzz_vring_split and fuzz_vring_packed (format: fuzz_vring.h).

Each seed is a small well-formed guest like the mock drivers of
tests/unit/test_vring.c and test_vring_packed.c lay out: a ring at the
start of region 0, buffers behind it, then a few operations.
"""
import struct

GPA0 = 0x100000
DESC_F_NEXT, DESC_F_WRITE, DESC_F_INDIRECT = 1, 2, 4
PK_AVAIL, PK_USED = 1 << 7, 1 << 15

# fv_run() operations
DEQ, ENQ, LOOP, CALL, POKE, REINIT, KICKS, FREE = range(8)

F_IND, F_MRG, F_EVT, F_HDR12, F_TWO, F_GAP = 1, 2, 4, 8, 0x10, 0x20


def tcp4(payload):
    """Ethernet + IPv4 + TCP, checksums left to offloads."""
    l = 54 + payload
    p = bytearray(54)
    p[0:12] = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01"
    p[12:14] = b"\x08\x00"
    p[14], p[16], p[17], p[22], p[23] = 0x45, (l - 14) >> 8, (l - 14) & 0xff, 64, 6
    p[46] = 5 << 4
    return bytes(p) + bytes((i * 7 + 3) & 0xff for i in range(payload))


def vhdr(flags=0, gso=0, gso_size=0, start=0, off=0, hdr_len=12):
    h = struct.pack("<BBHHHH", flags, gso, 0, gso_size, start, off)
    return (h + b"\x00\x00")[:hdr_len]


class Guest:
    """Region 0 as bytes, written at offsets; region 1 likewise."""

    def __init__(self, size0=16384, size1=0):
        self.r = [bytearray(size0), bytearray(size1)]

    def put(self, gpa, data, region=0):
        off = gpa - GPA0 - (len(self.r[0]) if region else 0)
        self.r[region][off:off + len(data)] = data

    def used(self, region=0):
        b = self.r[region].rstrip(b"\x00")
        return bytes(b)


def header(feat, offl, sel, base, g, offs, gap=0):
    r0 = len(g.r[0]) // 16 - 1
    r1 = max(len(g.r[1]) // 16 - 1, 0)
    out = struct.pack("<BBHIHHIH", feat, offl, sel, base, r0, r1, GPA0, gap)
    out += struct.pack("<HHH", *offs)
    for i in range(2 if feat & F_TWO else 1):
        body = g.used(i)
        out += struct.pack("<H", len(body)) + body
    return out


def enq(pkts):
    """OP_ENQUEUE of (len, seg, flags) packets, no offload lengths."""
    out = bytes([ENQ, len(pkts)])
    for l, seg, fl in pkts:
        out += struct.pack("<HBB", l, seg, fl)
    return out


# ---------------------------------------------------------------- split

SPLIT_N = 8
S_DESC, S_AVAIL, S_USED, S_BUF = 0, 0x100, 0x200, 0x400


def split_ring(g, chains, n=SPLIT_N):
    """chains: lists of (gpa, len, flags); one avail entry each."""
    d = 0
    heads = []
    for c in chains:
        heads.append(d)
        for i, (gpa, ln, fl) in enumerate(c):
            nxt = d + 1 if i + 1 < len(c) else 0
            fl |= DESC_F_NEXT if i + 1 < len(c) else 0
            g.put(GPA0 + S_DESC + 16 * d, struct.pack("<QIHH", gpa, ln, fl, nxt))
            d += 1
    g.put(GPA0 + S_AVAIL, struct.pack("<HH", 0, len(heads)))
    for i, h in enumerate(heads):
        g.put(GPA0 + S_AVAIL + 4 + 2 * i, struct.pack("<H", h))


def split_seed(feat, offl, g, ops, base=0):
    offs = (S_DESC // 16, S_AVAIL // 2, S_USED // 4)
    return header(feat, offl, 3, base, g, offs) + ops


def split_seeds():
    seeds = {}
    # tx: one packet in one descriptor, header and payload together
    g = Guest()
    pkt = vhdr() + tcp4(60)
    g.put(GPA0 + S_BUF, pkt)
    split_ring(g, [[(GPA0 + S_BUF, len(pkt), 0)]])
    seeds["tx_one"] = split_seed(F_HDR12, 0, g, bytes([DEQ, 32, FREE]))
    # tx: header alone, then payload over two regions
    g = Guest(2048, 4096)
    pkt = tcp4(2100)
    g.put(GPA0 + S_BUF, vhdr())
    g.put(GPA0 + 2048 - 100, pkt[:100])
    g.put(GPA0 + 2048, pkt[100:], region=1)
    split_ring(g, [[(GPA0 + S_BUF, 12, 0), (GPA0 + 2048 - 100, len(pkt), 0)]])
    seeds["tx_chain_2regions"] = split_seed(F_HDR12 | F_TWO, 0, g,
                                            bytes([DEQ, 1, CALL]))
    # tx: indirect table, checksum offload asked in the header
    g = Guest()
    pkt = vhdr(1, 0, 0, 34, 16) + tcp4(200)
    ind = GPA0 + 0x300
    g.put(ind, struct.pack("<QIHH", GPA0 + S_BUF, 12, DESC_F_NEXT, 1) +
          struct.pack("<QIHH", GPA0 + S_BUF + 12, len(pkt) - 12, 0, 0))
    g.put(GPA0 + S_BUF, pkt)
    split_ring(g, [[(ind, 32, DESC_F_INDIRECT)]])
    seeds["tx_indirect_csum"] = split_seed(F_HDR12 | F_IND, 0x3f, g,
                                           bytes([DEQ, 4, LOOP]))
    # rx: one writable buffer, one packet
    g = Guest()
    split_ring(g, [[(GPA0 + S_BUF, 1536, DESC_F_WRITE)]])
    seeds["rx_one"] = split_seed(F_HDR12, 0, g,
                                 enq([(100, 0, 0)]) + bytes([CALL]))
    # rx: mergeable, a 3000-byte packet over three buffers, event idx
    g = Guest()
    split_ring(g, [[(GPA0 + S_BUF + 2048 * i, 1536, DESC_F_WRITE)] for i in range(3)])
    seeds["rx_mrg"] = split_seed(F_HDR12 | F_MRG | F_EVT, 0x38, g,
                                 bytes([KICKS]) + enq([(3000, 0, 0x03)]) +
                                 bytes([CALL, REINIT, 1]))
    # tx then rx on one ring: the dequeued packet looped back
    g = Guest()
    pkt = vhdr(hdr_len=10) + tcp4(40)
    g.put(GPA0 + S_BUF, pkt)
    split_ring(g, [[(GPA0 + S_BUF, len(pkt), 0)],
                   [(GPA0 + S_BUF + 2048, 2048, DESC_F_WRITE)]])
    seeds["loopback"] = split_seed(0, 0, g, bytes([DEQ, 1, LOOP, CALL]))
    # the driver adds a buffer between bursts (poke avail idx)
    g = Guest()
    split_ring(g, [[(GPA0 + S_BUF, 1536, DESC_F_WRITE)],
                   [(GPA0 + S_BUF + 2048, 1536, DESC_F_WRITE)]])
    g.put(GPA0 + S_AVAIL + 2, struct.pack("<H", 1))
    poke = bytes([POKE, 0]) + struct.pack("<I", S_AVAIL + 2) + bytes([2, 2, 0])
    seeds["poke"] = split_seed(F_HDR12, 0, g, enq([(60, 0, 0)]) + poke +
                               enq([(60, 4, 0)]))
    return seeds


# ---------------------------------------------------------------- packed

PK_N = 8
P_DESC, P_DRV, P_DEV, P_BUF = 0, 0x80, 0x84, 0x400


def packed_ring(g, bufs):
    """bufs: lists of (gpa, len, flags) descriptors, ids 0, 1, ..."""
    pos = 0
    for bid, c in enumerate(bufs):
        for i, (gpa, ln, fl) in enumerate(c):
            fl |= DESC_F_NEXT if i + 1 < len(c) else 0
            fl |= PK_AVAIL  # wrap counter 1: AVAIL set, USED clear
            g.put(GPA0 + P_DESC + 16 * pos, struct.pack("<QIHH", gpa, ln, bid, fl))
            pos += 1


def packed_seed(feat, offl, g, ops, base=0x8000):
    offs = (P_DESC // 16, P_DRV // 4, P_DEV // 4)
    return header(feat, offl, PK_N - 1, base, g, offs) + ops


def packed_seeds():
    seeds = {}
    g = Guest()
    pkt = vhdr() + tcp4(60)
    g.put(GPA0 + P_BUF, pkt)
    packed_ring(g, [[(GPA0 + P_BUF, len(pkt), 0)]])
    seeds["tx_one"] = packed_seed(F_HDR12, 0, g, bytes([DEQ, 32, FREE]))
    # four single-descriptor buffers: the batched fast path
    g = Guest()
    for i in range(4):
        pkt = vhdr() + tcp4(20 + i)
        g.put(GPA0 + P_BUF + 256 * i, pkt)
    packed_ring(g, [[(GPA0 + P_BUF + 256 * i, 12 + 74 + i, 0)] for i in range(4)])
    seeds["tx_batch"] = packed_seed(F_HDR12, 0, g, bytes([DEQ, 8, LOOP]))
    # chain over two regions, and an indirect table
    g = Guest(2048, 4096)
    pkt = tcp4(2100)
    g.put(GPA0 + P_BUF, vhdr())
    g.put(GPA0 + 2048 - 100, pkt[:100])
    g.put(GPA0 + 2048, pkt[100:], region=1)
    ind = GPA0 + 0x200
    g.put(ind, struct.pack("<QIHH", GPA0 + P_BUF, 12, 0, 0) +
          struct.pack("<QIHH", GPA0 + 2048 - 100, len(pkt), 0, 0))
    packed_ring(g, [[(GPA0 + P_BUF, 12, 0), (GPA0 + 2048 - 100, len(pkt), 0)],
                    [(ind, 32, DESC_F_INDIRECT)]])
    seeds["tx_chain_indirect"] = packed_seed(F_HDR12 | F_TWO | F_IND, 0x3f, g,
                                             bytes([DEQ, 2, CALL]))
    # rx: four buffers (fast path), then mergeable over three
    g = Guest()
    packed_ring(g, [[(GPA0 + P_BUF + 2048 * i, 1536, DESC_F_WRITE)] for i in range(7)])
    seeds["rx_batch_mrg"] = packed_seed(
        F_HDR12 | F_MRG | F_EVT, 0x38, g,
        bytes([KICKS]) + enq([(64, 0, 0)] * 4) + enq([(3000, 0, 0x03)]) +
        bytes([CALL, REINIT, 1]))
    # rx without mrg: one packet per buffer, the driver event area
    g = Guest()
    packed_ring(g, [[(GPA0 + P_BUF, 1536, DESC_F_WRITE)]])
    g.put(GPA0 + P_DRV, struct.pack("<HH", 0, 2))  # RING_EVENT_FLAGS_DESC
    seeds["rx_one_evt"] = packed_seed(F_HDR12 | F_EVT, 0, g,
                                      enq([(100, 0, 0)]) + bytes([CALL]))
    return seeds
