"""QEMU (TCG) guests on vhost-user sockets, and what their serial logs say.

Plain Python (no pytest): the guest tests use it, and a scenario can be
replayed by hand:

    import sys; sys.path[:0] = ["tests/guest", "tests/integration"]
    import guestimg, guestvm, vswlib
    img = guestimg.ensure_image()
    reg = vswlib.Registry()
    vm = reg.add(guestvm.Guest("vm1", "/tmp/x", img, "/tmp/x/vm1.sock",
                               role="client", ip="10.0.0.1/24", peer="10.0.0.2"))
    vm.start(); vm.wait(120); print(guestvm.parse_serial(vm.serial_text()))
    reg.cleanup()

The QEMU command follows shared/PEERS.md: shared memfd guest memory, TCG,
virtio-net-pci with vectors=0 (QEMU 7.2 under TCG segfaults with MSI-X on
a vhost-user netdev), -nodefaults so the guest has no other NIC.
"""

import json
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
import vswlib  # noqa: E402

QEMU = "qemu-system-x86_64"

# virtio feature bits worth naming in the CI log
FEATURE_NAMES = {
    0: "CSUM", 1: "GUEST_CSUM", 2: "CTRL_GUEST_OFFLOADS", 3: "MTU", 5: "MAC",
    6: "GSO", 7: "GUEST_TSO4", 8: "GUEST_TSO6", 9: "GUEST_ECN", 10: "GUEST_UFO",
    11: "HOST_TSO4", 12: "HOST_TSO6", 13: "HOST_ECN", 14: "HOST_UFO",
    15: "MRG_RXBUF", 16: "STATUS", 17: "CTRL_VQ", 18: "CTRL_RX", 19: "CTRL_VLAN",
    20: "CTRL_RX_EXTRA", 21: "GUEST_ANNOUNCE", 22: "MQ", 23: "CTRL_MAC_ADDR",
    24: "NOTIFY_ON_EMPTY", 27: "ANY_LAYOUT", 28: "RING_INDIRECT_DESC",
    29: "RING_EVENT_IDX", 30: "PROTOCOL_FEATURES", 32: "VERSION_1",
    33: "ACCESS_PLATFORM", 34: "RING_PACKED", 35: "IN_ORDER",
    36: "ORDER_PLATFORM", 37: "SR_IOV", 38: "NOTIFICATION_DATA",
    40: "RING_RESET", 61: "RSC_EXT", 62: "STANDBY",
}
VIRTIO_F_VERSION_1 = 32
VIRTIO_F_RING_PACKED = 34
VIRTIO_NET_F_MQ = 22


def qemu_binary():
    return shutil.which(QEMU)


def feature_bits(s):
    """'0101...' as in /sys/bus/virtio/devices/*/features -> [bit numbers]."""
    return [i for i, c in enumerate(s.strip()) if c == "1"]


def feature_names(bits):
    return [FEATURE_NAMES.get(b, "bit%d" % b) for b in bits]


class Guest(vswlib.Proc):
    """One QEMU guest booting the test image with one vhost-user NIC.

    backend_server: the vhost-user backend listens (QEMU connects to sock);
    else QEMU listens on sock (server=on,wait=off) and the backend connects.
    """

    def __init__(self, name, workdir, image, sock, role, ip, peer, mac=None,
                 backend_server=True, iperf_time=10, queues=1, packed=False,
                 mem_mb=256, deadline=180, extra_append="", dev_opts=""):
        self.image = image
        self.sock = str(sock)
        self.serial_path = Path(workdir) / (name + ".serial.log")
        self.backend_server = backend_server
        chardev = "socket,id=c0,path=%s" % self.sock
        if not backend_server:
            chardev += ",server=on,wait=off"
            vswlib.remove_stale_socket(self.sock)
        dev = "virtio-net-pci,netdev=n0,mac=%s,vectors=0" % (mac or "52:54:00:00:00:0a")
        if packed:
            dev += ",packed=on"
        if queues > 1:
            dev += ",mq=on"
        if dev_opts:
            dev += "," + dev_opts
        append = ("console=ttyS0 panic=-1 loglevel=4 mitigations=off "
                  "vsw.role=%s vsw.ip=%s vsw.peer=%s vsw.time=%d vsw.queues=%d %s"
                  % (role, ip, peer, iperf_time, queues, extra_append)).strip()
        argv = [qemu_binary() or QEMU, "-name", name,
                "-machine", "pc,accel=tcg,memory-backend=mem",
                "-object", "memory-backend-memfd,id=mem,size=%dM,share=on" % mem_mb,
                "-m", "%dM" % mem_mb, "-smp", "1",
                "-nodefaults", "-no-user-config", "-display", "none", "-vga", "none",
                "-no-reboot",
                "-serial", "file:%s" % self.serial_path,
                "-chardev", chardev,
                "-netdev", "vhost-user,id=n0,chardev=c0,queues=%d" % queues,
                "-device", dev,
                "-kernel", str(image.kernel), "-initrd", str(image.initrd),
                "-append", append]
        super().__init__(name, argv, workdir, deadline=deadline)

    def serial_text(self):
        try:
            return self.serial_path.read_text(errors="replace").replace("\r", "")
        except FileNotFoundError:
            return ""

    def done(self):
        return "VSW-DONE" in self.serial_text()

    def log_tail(self, n=60):
        return ("--- %s serial (%s), last %d lines:\n%s\n--- %s qemu stderr:\n%s"
                % (self.name, self.serial_path, n,
                   "\n".join(self.serial_text().splitlines()[-n:]),
                   self.name, self.errors()[-3000:]))


_SECTION = re.compile(r"^VSW-BEGIN (\S+)\n(.*?)^VSW-END \1 rc=(-?\d+)$", re.M | re.S)


class SerialReport:
    """What one guest printed: sections, uptimes, result."""

    def __init__(self, text):
        self.text = text
        self.sections = {}      # name -> (rc, body) of the last occurrence
        self.attempts = {}      # name -> number of occurrences
        for m in _SECTION.finditer(text):
            self.sections[m.group(1)] = (int(m.group(3)), m.group(2))
            self.attempts[m.group(1)] = self.attempts.get(m.group(1), 0) + 1
        m = re.search(r"^VSW-DONE uptime=(\S+) result=(\S+)", text, re.M)
        self.done_uptime = float(m.group(1)) if m else None
        self.result = m.group(2) if m else None
        m = re.search(r"^VSW-NETUP uptime=(\S+)", text, re.M)
        self.netup_uptime = float(m.group(1)) if m else None

    def rc(self, name):
        return self.sections[name][0] if name in self.sections else None

    def body(self, name):
        return self.sections[name][1] if name in self.sections else ""

    def features(self):
        """{virtioN: (device id, feature string)} from the features section."""
        out = {}
        for line in self.body("features").splitlines():
            m = re.match(r"(\S+) device=(\S+) features=([01]+)", line)
            if m:
                out[m.group(1)] = (m.group(2), m.group(3))
        return out

    def net_features(self):
        """Feature bits of the virtio-net device (device id 0x0001)."""
        for dev, feats in self.features().values():
            if int(dev, 16) == 1:
                return feature_bits(feats)
        return None

    def ping(self, host=None):
        """(transmitted, received, loss %) of the ping of the peer, or of
        vsw.also host; None when absent."""
        m = re.search(r"(\d+) packets transmitted, (\d+) (?:packets )?received.*?(\d+)% packet loss",
                      self.body("ping-" + host if host else "ping"))
        return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None

    def neighbours(self):
        """{ip: mac} of `ip neigh show dev eth0` (vsw.also)."""
        return {m.group(1): m.group(2).lower() for m in
                re.finditer(r"^(\S+) lladdr (\S+)", self.body("neigh"), re.M)}

    def iperf_client(self, section="iperf3"):
        """iperf3 -J of the client: dict with sender/receiver bits_per_second,
        retransmits, seconds; or None."""
        body = self.body(section)
        i = body.find("{")
        if i < 0:
            return None
        try:
            doc, _ = json.JSONDecoder().raw_decode(body[i:])
        except ValueError:
            doc = None
        if doc is None or "end" not in doc:
            # a kernel message in the middle of the JSON: fall back on regexes
            bps = re.findall(r'"bits_per_second":\s*([0-9.e+]+)', body)
            return {"sender_bps": float(bps[-2]) if len(bps) > 1 else None,
                    "receiver_bps": float(bps[-1]) if bps else None,
                    "retransmits": None, "seconds": None, "error": None, "raw": True}
        end = doc.get("end", {})
        snd, rcv = end.get("sum_sent", {}), end.get("sum_received", {})
        return {"sender_bps": snd.get("bits_per_second"),
                "receiver_bps": rcv.get("bits_per_second"),
                "retransmits": snd.get("retransmits"),
                "seconds": rcv.get("seconds") or snd.get("seconds"),
                "bytes": rcv.get("bytes"),
                "error": doc.get("error"), "raw": False}

    def ethtool_channels(self):
        """Current 'Combined' channel count from `ethtool -l eth0`, or None."""
        body = self.body("ethtool")
        i = body.find("Current hardware settings")
        if i < 0:
            return None
        m = re.search(r"Combined:\s*(\d+)", body[i:])
        return int(m.group(1)) if m else None


def parse_serial(text):
    return SerialReport(text.replace("\r", ""))
