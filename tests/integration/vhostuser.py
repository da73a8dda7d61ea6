"""A raw vhost-user front-end for hostile-peer tests: it says exactly what
it is told to, including what no real front-end would.

Wire format (QEMU docs/interop/vhost-user.rst): a 12-byte header
(u32 request, u32 flags, u32 size, little endian) then `size` bytes of
payload; file descriptors ride along as SCM_RIGHTS ancillary data.
flags: bits 0-1 version (1), bit 2 reply, bit 3 need_reply.
"""

import os
import select
import socket
import struct
import time

GET_FEATURES = 1
SET_FEATURES = 2
SET_OWNER = 3
RESET_OWNER = 4
SET_MEM_TABLE = 5
SET_VRING_NUM = 8
SET_VRING_ADDR = 9
SET_VRING_BASE = 10
GET_VRING_BASE = 11
SET_VRING_KICK = 12
SET_VRING_CALL = 13
GET_PROTOCOL_FEATURES = 15
SET_PROTOCOL_FEATURES = 16
GET_QUEUE_NUM = 17
SET_VRING_ENABLE = 18

VERSION = 0x1
FLAG_REPLY = 0x4
FLAG_NEED_REPLY = 0x8
VRING_NOFD = 0x100

F_VERSION_1 = 1 << 32
F_PROTOCOL_FEATURES = 1 << 30

HDR = struct.Struct("<III")
REGION = struct.Struct("<QQQQ")  # guest_phys_addr, memory_size, userspace_addr, mmap_offset


def header(request, size, flags=VERSION):
    return HDR.pack(request, flags, size)


def mem_table(regions):
    """SET_MEM_TABLE payload: u32 nregions, u32 padding, regions."""
    return struct.pack("<II", len(regions), 0) + b"".join(REGION.pack(*r) for r in regions)


def vring_state(index, num):
    return struct.pack("<II", index, num)


def vring_addr(index, desc, used, avail, flags=0, log=0):
    return struct.pack("<IIQQQQ", index, flags, desc, used, avail, log)


def memfd(size, name="vsw-hostile"):
    fd = os.memfd_create(name, 0)
    os.ftruncate(fd, size)
    return fd


class PeerClosed(Exception):
    pass


class Client:
    """One connection to a vhost-user server socket."""

    def __init__(self, path, connect_timeout=10):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        end = time.monotonic() + connect_timeout
        while True:
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > end:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(5)

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def send_raw(self, data, fds=()):
        """Send bytes (and fds with the first byte). Raises PeerClosed."""
        try:
            if fds:
                n = socket.send_fds(self.sock, [data], list(fds))
                data = data[n:]
            if data:
                self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise PeerClosed(str(e))

    def send(self, request, payload=b"", fds=(), flags=VERSION, size=None):
        size = len(payload) if size is None else size
        self.send_raw(header(request, size, flags) + payload, fds)

    def recv_exact(self, n, timeout):
        buf = b""
        end = time.monotonic() + timeout
        while len(buf) < n:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("vhost-user: %d of %d bytes after %.1fs" % (len(buf), n, timeout))
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(n - len(buf))
            except ConnectionResetError:
                chunk = b""
            except socket.timeout:
                continue
            if not chunk:
                raise PeerClosed("closed by the backend")
            buf += chunk
        return buf

    def recv_msg(self, timeout=5):
        """-> (request, flags, payload)."""
        req, flags, size = HDR.unpack(self.recv_exact(HDR.size, timeout))
        if size > 4096:
            raise AssertionError("reply with size %d" % size)
        return req, flags, self.recv_exact(size, timeout)

    def call(self, request, payload=b"", fds=(), timeout=5):
        """Send a request that has a reply; return the reply payload."""
        self.send(request, payload, fds)
        req, flags, data = self.recv_msg(timeout)
        if req != request or not flags & FLAG_REPLY:
            raise AssertionError("reply request %d flags %#x to request %d" % (req, flags, request))
        return data

    def get_u64(self, request, timeout=5):
        data = self.call(request, timeout=timeout)
        return struct.unpack("<Q", data[:8])[0]

    def handshake(self, features_mask=F_VERSION_1):
        """SET_OWNER, GET_FEATURES, SET_FEATURES(offered & mask)."""
        self.send(SET_OWNER)
        offered = self.get_u64(GET_FEATURES)
        self.send(SET_FEATURES, struct.pack("<Q", offered & features_mask))
        return offered

    def closed_by_peer(self, timeout=5):
        """True if the backend closes the connection within timeout
        (unread replies are drained and ignored); False if still open."""
        if self.sock is None:
            return True
        end = time.monotonic() + timeout
        self.sock.setblocking(False)
        try:
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                r, _, _ = select.select([self.sock], [], [], left)
                if not r:
                    continue
                try:
                    data = self.sock.recv(65536)
                except (ConnectionResetError, BrokenPipeError):
                    return True
                except BlockingIOError:
                    continue
                if not data:
                    return True
        finally:
            self.sock.setblocking(True)

    def flood(self, request=GET_FEATURES, seconds=2.0, max_msgs=200000):
        """Send request headers as fast as the socket takes them, never
        reading a reply, until the socket stays full for 0.5 s or the time
        or message budget runs out. Returns the number of messages sent."""
        msg = header(request, 0)
        burst = msg * 64
        nbytes = 0
        pending = b""
        self.sock.setblocking(False)
        start = time.monotonic()
        full_since = None
        try:
            while nbytes < max_msgs * len(msg) and time.monotonic() - start < seconds:
                data = pending or burst
                try:
                    n = self.sock.send(data)
                except BlockingIOError:
                    now = time.monotonic()
                    full_since = full_since or now
                    if now - full_since > 0.5:
                        break
                    time.sleep(0.01)
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    break
                full_since = None
                pending = data[n:]
                nbytes += n
        finally:
            self.sock.setblocking(True)
        return nbytes // len(msg)



# --------------------------------------------------------------------------
# A minimal split-ring guest, for hostile cases that need live rings


VRING_DESC_F_NEXT = 1
VRING_DESC_F_WRITE = 2
VRING_AVAIL_F_NO_INTERRUPT = 1
UADDR = 0x7F0000000000  # the front-end's "virtual address" of guest memory


class Guest:
    """Guest memory in one memfd (guest-physical 0..size, front-end
    address UADDR) and split rings laid out in it: queue q's descriptor
    table at 0x10000 * (q + 1), its avail ring 0x1000 further, its used
    ring 0x2000 further; buffers from 0x100000 on."""

    BUF_BASE = 0x100000

    def __init__(self, client, size=4 << 20, name="vsw-guest"):
        import mmap
        self.c = client
        self.size = size
        self.fd = memfd(size, name)
        self.mm = mmap.mmap(self.fd, size)
        self.num = {}
        self.fds = []

    def close(self):
        self.mm.close()
        for fd in self.fds + [self.fd]:
            os.close(fd)
        self.fds = []

    def ring(self, q):
        base = 0x10000 * (q + 1)
        return base, base + 0x1000, base + 0x2000  # desc, avail, used

    def setup(self, queues=(0, 1), num=256, call_fds=None, err_fds=None, features=F_VERSION_1):
        """Handshake, memory table, and every queue started; call and err
        eventfds per queue from the dicts given, else fresh non-blocking
        ones."""
        self.c.handshake(features)
        self.c.send(SET_MEM_TABLE, mem_table([(0, self.size, UADDR, 0)]), fds=[self.fd])
        for q in queues:
            desc, avail, used = self.ring(q)
            self.num[q] = num
            self.c.send(SET_VRING_NUM, vring_state(q, num))
            self.c.send(SET_VRING_ADDR, vring_addr(q, UADDR + desc, UADDR + used, UADDR + avail))
            self.c.send(SET_VRING_BASE, vring_state(q, 0))
            call = (call_fds or {}).get(q)
            if call is None:
                call = os.eventfd(0, os.EFD_NONBLOCK)
                self.fds.append(call)
            self.c.send(SET_VRING_CALL, struct.pack("<Q", q), fds=[call])
            err = (err_fds or {}).get(q)
            if err is not None:
                self.c.send(14, struct.pack("<Q", q), fds=[err])  # SET_VRING_ERR
            kick = os.eventfd(0, os.EFD_NONBLOCK)
            self.fds.append(kick)
            self.c.send(SET_VRING_KICK, struct.pack("<Q", q), fds=[kick])

    def post_rx(self, q, n, buflen=2048):
        """Offer n device-writable buffers on queue q, asking for calls."""
        desc, avail, _ = self.ring(q)
        for i in range(n):
            buf = self.BUF_BASE + (q * 256 + i) * buflen
            struct.pack_into("<QIHH", self.mm, desc + 16 * i, buf, buflen, VRING_DESC_F_WRITE, 0)
            struct.pack_into("<H", self.mm, avail + 4 + 2 * i, i)
        struct.pack_into("<HH", self.mm, avail, 0, n)  # flags 0: interrupts wanted

    def used_idx(self, q):
        _, _, used = self.ring(q)
        return struct.unpack_from("<H", self.mm, used + 2)[0]

    def set_avail_idx(self, q, idx):
        _, avail, _ = self.ring(q)
        struct.pack_into("<H", self.mm, avail + 2, idx & 0xFFFF)


def blocking_full_eventfd():
    """An eventfd without O_NONBLOCK whose counter is full: one more write
    sleeps until someone reads."""
    fd = os.eventfd(0)
    os.eventfd_write(fd, 0xFFFFFFFFFFFFFFFE)
    return fd
