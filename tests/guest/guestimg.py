#!/usr/bin/python3
"""Build (and cache) a tiny Linux guest for vsw's guest tests: a Debian
kernel plus a busybox initramfs with the virtio-net modules, iperf3 and
ethtool, whose /init does one test role read from the kernel command line.

Plain Python (no pytest): run it by hand to build or inspect the image:

    /usr/bin/python3 tests/guest/guestimg.py            # build if needed, print paths
    /usr/bin/python3 tests/guest/guestimg.py --rebuild  # ignore the cache

Everything comes from Debian packages fetched with `apt-get download` and
unpacked with `dpkg -x` (root is needed for apt and for the /dev/console
node): the kernel package linux-image-amd64 depends on, busybox-static,
iperf3 and ethtool with every library the dynamic loader lists for them.
Nothing of the host's own system goes into the image.

The image is cached under $VSW_GUEST_CACHE (default /var/cache/vsw-guest)
in a directory named after the package versions and this file's content,
so reruns take no time. When apt cannot resolve versions (offline), the
newest cached image is used.

Guest command line (besides console=ttyS0):
    vsw.role=server|client   server: `iperf3 -s -1`; client: `iperf3 -c peer`
    vsw.ip=10.0.0.1/24       eth0's address
    vsw.peer=10.0.0.2        the other guest
    vsw.time=10              iperf3 -t (seconds)
    vsw.queues=N             ethtool -L eth0 combined N first (N > 1)
    vsw.pings=5              pings sent to the peer
    vsw.wait=40              seconds to wait for the peer to answer a ping
    vsw.also=IP,IP           more hosts to ping after the peer (section
                             ping-IP each), then the neighbour table (neigh)
    vsw.iperf_to=IP          client: a second iperf3 -c IP (iperf3-to)
The serial console carries "VSW-BEGIN <name>" ... "VSW-END <name> rc=<n>"
sections (features, ethtool, ping, iperf3) and "VSW-DONE" before poweroff.
"""

import argparse
import fcntl
import hashlib
import json
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

DEFAULT_CACHE = "/var/cache/vsw-guest"

# Insert in this order (no modules.dep in the image; see shared/PEERS.md).
MODULES = ("virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
           "virtio_pci", "failover", "net_failover", "virtio_net")

# Userland programs: package -> path inside the package.
PROGRAMS = {"iperf3": "usr/bin/iperf3", "ethtool": "sbin/ethtool"}

APT_OPTS = ["-o", "APT::Sandbox::User=root", "-q"]


class ImageError(Exception):
    pass


def log(msg):
    print("guestimg: " + msg, file=sys.stderr, flush=True)


def run(argv, **kw):
    kw.setdefault("check", True)
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("timeout", 600)
    try:
        return subprocess.run([str(a) for a in argv], **kw)
    except subprocess.CalledProcessError as e:
        raise ImageError("%s failed (rc=%d):\n%s%s" % (
            " ".join(map(str, argv)), e.returncode,
            (e.stdout or b"").decode(errors="replace")[-2000:],
            (e.stderr or b"").decode(errors="replace")[-2000:]))


def cache_dir():
    return Path(os.environ.get("VSW_GUEST_CACHE", DEFAULT_CACHE))


# --------------------------------------------------------------------------
# package resolution (apt)

_apt_updated = [False]


def _apt_cache(*args):
    return run(["apt-cache"] + list(args), check=False)


def _apt_update_once():
    if not _apt_updated[0]:
        _apt_updated[0] = True
        log("apt-get update")
        run(["apt-get", "update", "-q"], check=False)


def candidate_versions(pkgs):
    """{pkg: version apt would download} (one apt-cache call; '' if unknown)."""
    for attempt in (0, 1):
        out = _apt_cache("policy", *pkgs).stdout.decode(errors="replace")
        found, cur = {}, None
        for line in out.splitlines():
            m = re.match(r"^(\S+):$", line)
            if m:
                cur = m.group(1).split(":")[0]
                continue
            m = re.match(r"\s+Candidate:\s*(\S+)", line)
            if m and cur and m.group(1) != "(none)":
                found[cur] = m.group(1)
        if all(p in found for p in pkgs) or attempt == 1:
            return {p: found.get(p, "") for p in pkgs}
        _apt_update_once()


def depends(pkgs):
    """{pkg: [direct Depends/PreDepends, first of each alternative group]}."""
    out = _apt_cache("depends", "--no-recommends", "--no-suggests", "--no-conflicts",
                     "--no-breaks", "--no-replaces", "--no-enhances", *pkgs).stdout
    deps, cur, in_alt = {}, None, False
    for line in out.decode(errors="replace").splitlines():
        if line and not line[0].isspace():
            cur = line.strip().split(":")[0]
            deps.setdefault(cur, [])
            in_alt = False
            continue
        m = re.match(r"\s*(\|)?(Pre)?Depends:\s*(\S+)", line)
        if not m or cur is None:
            continue
        if not in_alt and not m.group(3).startswith("<"):
            deps[cur].append(m.group(3).split(":")[0])
        in_alt = bool(m.group(1))  # '|Depends': the next line is an alternative
    return deps


def kernel_package():
    env = os.environ.get("VSW_GUEST_KERNEL_PKG")
    if env:
        return env
    for attempt in (0, 1):
        for d in depends(["linux-image-amd64"]).get("linux-image-amd64", []):
            if d.startswith("linux-image-"):
                return d
        if attempt == 0:
            _apt_update_once()
    raise ImageError("cannot resolve the kernel package linux-image-amd64 depends on "
                     "(apt-get update? or set VSW_GUEST_KERNEL_PKG)")


def library_closure(roots):
    """roots plus the lib* packages they (transitively) depend on."""
    seen, level = [], list(roots)
    while level:
        seen += level
        found = depends(level)
        level = sorted({d for p in level for d in found.get(p, [])
                        if d.startswith("lib") and d not in seen})
    return seen


def resolve_packages():
    """{package: version} of everything the image is made of."""
    pkgs = [kernel_package(), "busybox-static"] + library_closure(list(PROGRAMS))
    versions = candidate_versions(pkgs)
    missing = [p for p, v in versions.items() if not v]
    if missing:
        raise ImageError("apt knows no candidate version of %s" % " ".join(missing))
    return versions


def image_key(versions):
    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    for p in sorted(versions):
        h.update(("%s=%s\n" % (p, versions[p])).encode())
    kpkg = next(p for p in versions if p.startswith("linux-image-"))
    return "%s-%s" % (kpkg[len("linux-image-"):], h.hexdigest()[:12])


def download(versions, debdir):
    """apt-get download PKG=VER into debdir (reusing files already there)."""
    debdir.mkdir(parents=True, exist_ok=True)
    debs, want = {}, []
    for p, v in versions.items():
        found = [f for f in debdir.glob("%s_*.deb" % p)
                 if _deb_field(f, "Version") == v and _deb_field(f, "Package") == p]
        if found:
            debs[p] = found[0]
        else:
            want.append(p)
    if want:
        log("apt-get download " + " ".join(want))
        run(["apt-get", "download"] + APT_OPTS + ["%s=%s" % (p, versions[p]) for p in want],
            cwd=str(debdir))
        for p in want:
            found = [f for f in debdir.glob("%s_*.deb" % p)
                     if _deb_field(f, "Version") == versions[p]]
            if not found:
                raise ImageError("apt-get download left no .deb for %s=%s" % (p, versions[p]))
            debs[p] = found[0]
    return debs


def _deb_field(deb, field):
    r = run(["dpkg-deb", "-f", deb, field], check=False)
    return r.stdout.decode(errors="replace").strip() if r.returncode == 0 else ""


# --------------------------------------------------------------------------
# kernel: modules and the uncompressed vmlinux


def _decompress_file(path):
    data = path.read_bytes()
    if path.suffix == ".xz":
        return lzma.decompress(data)
    if path.suffix == ".gz":
        return zlib.decompress(data, 16 + zlib.MAX_WBITS)
    if path.suffix == ".zst":
        return run(["zstd", "-dc", path]).stdout
    return data


def find_modules(root, kver):
    """[(name, path or None if built in)] in MODULES order."""
    kdir = root / "lib" / "modules" / kver
    builtin = ""
    if (kdir / "modules.builtin").exists():
        builtin = (kdir / "modules.builtin").read_text()
    out = []
    for name in MODULES:
        hits = []
        for ext in (".ko", ".ko.xz", ".ko.zst", ".ko.gz"):
            hits += list((kdir / "kernel").rglob(name + ext))
            hits += list((kdir / "kernel").rglob(name.replace("_", "-") + ext))
        if hits:
            out.append((name, sorted(hits)[0]))
        elif re.search(r"/%s\.ko$" % re.escape(name), builtin, re.M):
            out.append((name, None))
        else:
            raise ImageError("module %s neither under %s nor built in" % (name, kdir / "kernel"))
    return out


_MAGICS = (  # name, magic (as in scripts/extract-vmlinux)
    ("xz", b"\xfd7zXZ\x00"),
    ("gzip", b"\x1f\x8b\x08"),
    ("zstd", b"\x28\xb5\x2f\xfd"),
    ("lzma", b"\x5d\x00\x00\x00"),
    ("bzip2", b"BZh"),
    ("lz4", b"\x02\x21\x4c\x18"),
)


def _try_decompress(kind, blob):
    try:
        if kind == "xz":
            return lzma.LZMADecompressor(lzma.FORMAT_XZ).decompress(blob)
        if kind == "lzma":
            return lzma.LZMADecompressor(lzma.FORMAT_ALONE).decompress(blob)
        if kind == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(blob)
        if kind == "bzip2":
            import bz2
            return bz2.BZ2Decompressor().decompress(blob)
        if kind in ("zstd", "lz4") and shutil.which(kind):
            r = subprocess.run([kind, "-dc"], input=blob, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, timeout=120)
            return r.stdout
    except (lzma.LZMAError, zlib.error, OSError, EOFError, ValueError,
            subprocess.SubprocessError):
        return None
    return None


def has_pvh_note(elf):
    """True if the ELF64 image has a Xen PVH entry note (type 18)."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        return False
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from(
            "<IIQQQQ", elf, phoff + i * phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        off, end = p_offset, p_offset + p_filesz
        while off + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, off)
            name = elf[off + 12:off + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == 18:
                return True
            off += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    return False


def extract_vmlinux(bzimage):
    """The uncompressed ELF vmlinux inside a bzImage, or None.

    Uses the setup header's payload_offset/payload_length (boot protocol
    2.08+), else scans for compressor magics like scripts/extract-vmlinux.
    """
    data = bzimage.read_bytes()
    candidates = []
    if data[0x202:0x206] == b"HdrS":
        setup_sects = data[0x1f1] or 4
        pm = (setup_sects + 1) * 512
        off, length = struct.unpack_from("<II", data, 0x248)
        if off and length:
            candidates.append(data[pm + off:pm + off + length])
    for kind, magic in _MAGICS:
        pos = data.find(magic)
        while pos >= 0 and len(candidates) < 16:
            candidates.append(data[pos:])
            pos = data.find(magic, pos + 1)
    for blob in candidates:
        for kind, magic in _MAGICS:
            if not blob.startswith(magic):
                continue
            out = _try_decompress(kind, blob)
            if out and out[:4] == b"\x7fELF":
                return out
    return None


# --------------------------------------------------------------------------
# userland: programs and the libraries the dynamic loader lists


def _loader(root):
    for cand in ("lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                 "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"):
        p = root / cand
        if p.exists() and not p.is_symlink():
            return p
    return None


def list_libraries(root, binary):
    """[(soname, file)] that `ldd binary` lists, resolved inside root.

    Runs the unpacked libc6's loader with --list (what ldd does) and a
    library path made of root's library directories, so nothing comes
    from the host; falls back to the host's ldd with LD_LIBRARY_PATH.
    """
    libdirs = [str(d) for d in (root / "lib/x86_64-linux-gnu", root / "usr/lib/x86_64-linux-gnu",
                                root / "lib", root / "usr/lib") if d.is_dir()]
    ld = _loader(root)
    if ld:
        r = run([ld, "--library-path", ":".join(libdirs), "--list", binary], check=False)
    else:
        env = dict(os.environ, LD_LIBRARY_PATH=":".join(libdirs))
        r = run(["ldd", binary], check=False, env=env)
    text = r.stdout.decode(errors="replace")
    if r.returncode != 0 or "not found" in text:
        raise ImageError("ldd %s (rc=%d):\n%s%s" % (binary, r.returncode, text,
                                                    r.stderr.decode(errors="replace")))
    libs = []
    for line in text.splitlines():
        # "soname => path (0x..)"; the loader's own line may be
        # "/lib64/ld-linux-x86-64.so.2 => path (0x..)" or "/lib64/ld... (0x..)":
        # keep base names only (never an absolute path to join onto anything).
        m = re.match(r"\s*(\S+)\s+=>\s+(\S+)\s+\(0x", line)
        if m:
            libs.append((os.path.basename(m.group(1)), Path(m.group(2))))
            continue
        m = re.match(r"\s*(/\S+)\s+\(0x", line)
        if m:
            libs.append((os.path.basename(m.group(1)), None))
    return libs


def _in_root(root, path):
    """Resolve path (possibly an absolute symlink) inside root."""
    p = Path(path)
    for _ in range(20):
        if not p.is_symlink():
            return p
        t = os.readlink(p)
        p = (root / t.lstrip("/")) if t.startswith("/") else (p.parent / t)
    raise ImageError("symlink loop at %s" % path)


# --------------------------------------------------------------------------
# /init

INIT = r"""#!/bin/sh
# vsw guest test /init (generated by tests/guest/guestimg.py)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu HOME=/
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /tmp /run /dev/pts
exec </dev/console >/dev/console 2>&1

up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "VSW-$*"; }
begin() { echo "VSW-BEGIN $1"; }
end() { echo "VSW-END $1 rc=$2"; }
finish() {
    say "DONE uptime=$(up) result=$1"
    sync
    poweroff -f
    sleep 10
}

role=none; ip=; peer=; time=10; queues=1; pings=5; wait=40; also=; iperf_to=
for kv in $(cat /proc/cmdline); do
    case "$kv" in
    vsw.role=*) role=${kv#*=} ;;
    vsw.ip=*) ip=${kv#*=} ;;
    vsw.peer=*) peer=${kv#*=} ;;
    vsw.time=*) time=${kv#*=} ;;
    vsw.queues=*) queues=${kv#*=} ;;
    vsw.pings=*) pings=${kv#*=} ;;
    vsw.wait=*) wait=${kv#*=} ;;
    vsw.also=*) also=$(echo "${kv#*=}" | tr , ' ') ;;
    vsw.iperf_to=*) iperf_to=${kv#*=} ;;
    esac
done
say "INIT uptime=$(up) kernel=$(uname -r) role=$role ip=$ip peer=$peer time=$time queues=$queues"

for m in @MODULES@; do
    [ -f /lib/vsw/$m.ko ] || continue
    insmod /lib/vsw/$m.ko || say "WARN insmod $m failed"
done
n=0
while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done
if [ ! -e /sys/class/net/eth0 ]; then
    say "ERROR no eth0"; ls /sys/bus/virtio/devices; finish fail
fi

ip link set lo up
ip link set eth0 up
ip addr add "$ip" dev eth0
if [ "$queues" -gt 1 ]; then
    begin ethtool-L; ethtool -L eth0 combined "$queues"; end ethtool-L $?
fi

begin features
for d in /sys/bus/virtio/devices/*; do
    echo "$(basename $d) device=$(cat $d/device) features=$(cat $d/features)"
done
end features 0
begin ethtool
ethtool -i eth0; ethtool -l eth0; ip link show eth0
end ethtool 0
say "NETUP uptime=$(up)"

if [ "$role" = server ]; then
    iperf3 -s -1 >/tmp/iperf3.out 2>&1 &
    iperf_pid=$!
fi

# wait for the peer (its boot may lag ours)
n=0
until ping -c 1 -W 1 "$peer" >/dev/null 2>&1; do
    n=$((n+1))
    if [ $n -ge "$wait" ]; then break; fi
done
if [ $n -ge "$wait" ]; then
    say "ERROR peer $peer did not answer within ${wait}s"
    begin ping; ping -c 2 -W 1 "$peer"; end ping $?
    begin counters
    for f in rx_packets tx_packets rx_dropped tx_dropped; do
        echo "$f=$(cat /sys/class/net/eth0/statistics/$f)"
    done
    end counters 0
    finish fail
fi
say "PEER uptime=$(up) tries=$n"

begin ping
ping -c "$pings" -i 0.2 -W 2 "$peer"
prc=$?
end ping $prc

# more hosts (namespaces behind the switch): each may come up later
for h in $also; do
    n=0
    until ping -c 1 -W 1 "$h" >/dev/null 2>&1 || [ $n -ge "$wait" ]; do n=$((n+1)); done
    begin "ping-$h"; ping -c "$pings" -i 0.2 -W 2 "$h"; r=$?; end "ping-$h" $r
    [ $r -eq 0 ] || prc=$r
done
if [ -n "$also" ]; then
    begin neigh; ip neigh show dev eth0; end neigh 0
fi

rc=0
if [ "$role" = client ]; then
    n=0
    while :; do
        begin iperf3
        iperf3 -c "$peer" -t "$time" -J --connect-timeout 3000
        rc=$?
        end iperf3 $rc
        n=$((n+1))
        [ $rc -eq 0 ] || [ $n -ge 5 ] && break
        sleep 1
    done
    if [ -n "$iperf_to" ]; then
        begin iperf3-to
        iperf3 -c "$iperf_to" -t "$time" -J --connect-timeout 3000
        r=$?
        end iperf3-to $r
        [ $r -eq 0 ] || rc=$r
    fi
    # let the server print its report before we go
    sleep 1
elif [ "$role" = server ]; then
    n=0
    # the client runs for $time s after its own pings; give it 40 s more
    while kill -0 $iperf_pid 2>/dev/null && [ $n -lt $(( (time + 40) * 10 )) ]; do
        sleep 0.1; n=$((n+1))
    done
    kill $iperf_pid 2>/dev/null
    wait $iperf_pid
    rc=$?
    begin iperf3-server
    cat /tmp/iperf3.out
    end iperf3-server $rc
fi

begin counters
for f in rx_packets tx_packets rx_bytes tx_bytes rx_dropped tx_dropped rx_errors tx_errors; do
    echo "$f=$(cat /sys/class/net/eth0/statistics/$f)"
done
end counters 0
[ $rc -eq 0 ] && [ $prc -eq 0 ] && finish ok || finish fail
"""


# --------------------------------------------------------------------------
# build


def _dest(stage, rel):
    """stage/rel, refusing anything that would land outside stage (an
    absolute or '..' rel, or a symlink on the way): the builder runs as root
    and must never write into the host's own tree."""
    rel = str(rel)
    if os.path.isabs(rel) or ".." in Path(rel).parts:
        raise ImageError("refusing image path %r" % rel)
    p = Path(stage) / rel
    real = Path(os.path.realpath(p.parent))
    if real != Path(os.path.realpath(stage)) and Path(os.path.realpath(stage)) not in real.parents:
        raise ImageError("image path %r resolves outside the image (%s)" % (rel, real))
    if p.is_symlink():
        p.unlink()
    return p


def _mknod_char(path, major, minor):
    os.mknod(path, 0o600 | 0o020000, os.makedev(major, minor))


def build_image(versions, out, debdir):
    """Unpack the packages and write out/{vmlinux|bzImage, initrd.cpio, info.json}."""
    if os.geteuid() != 0:
        raise ImageError("building the guest image needs root (apt-get, mknod /dev/console)")
    t0 = time.monotonic()
    debs = download(versions, debdir)
    work = Path(tempfile.mkdtemp(prefix="build-", dir=str(out.parent)))
    try:
        root = work / "pkgs"
        root.mkdir()
        for p, deb in debs.items():
            run(["dpkg-deb", "-x", deb, root])
        kpkg = next(p for p in versions if p.startswith("linux-image-"))
        kvers = [d.name for d in (root / "lib" / "modules").iterdir()]
        if len(kvers) != 1:
            raise ImageError("expected one kernel under lib/modules, got %s" % kvers)
        kver = kvers[0]
        bz = root / "boot" / ("vmlinuz-" + kver)

        stage = work / "initrd"
        for d in ("bin", "sbin", "usr/bin", "usr/sbin", "lib/vsw", "lib/x86_64-linux-gnu",
                  "lib64", "dev", "proc", "sys", "tmp", "run", "etc", "root"):
            (stage / d).mkdir(parents=True, exist_ok=True)
        _mknod_char(_dest(stage, "dev/console"), 5, 1)
        _mknod_char(_dest(stage, "dev/null"), 1, 3)

        bb = root / "bin" / "busybox"
        shutil.copy2(bb, _dest(stage, "bin/busybox"))
        applets = run([bb, "--list-full"]).stdout.decode().split()
        for a in applets:
            if a == "bin/busybox":
                continue
            dst = _dest(stage, a)
            dst.parent.mkdir(parents=True, exist_ok=True)
            if not dst.exists():
                os.symlink("/bin/busybox", dst)

        mods = find_modules(root, kver)
        for name, path in mods:
            if path is not None:
                _dest(stage, "lib/vsw/%s.ko" % name).write_bytes(_decompress_file(path))

        libs = {}
        for pkg, rel in PROGRAMS.items():
            src = root / rel
            if not src.exists():
                raise ImageError("%s: %s not in the package" % (pkg, rel))
            # _dest removes a busybox applet symlink of the same name
            dst = _dest(stage, "usr/%s/%s" % ("sbin" if "sbin" in rel else "bin", src.name))
            shutil.copy2(src, dst)
            for soname, path in list_libraries(root, src):
                libs[soname] = path
        ld = _loader(root)
        if ld is None:
            raise ImageError("no ld-linux-x86-64.so.2 in the unpacked libc6")
        shutil.copy2(ld, _dest(stage, "lib64/ld-linux-x86-64.so.2"))
        shutil.copy2(ld, _dest(stage, "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"))
        for soname, path in libs.items():
            if path is None or soname.startswith("ld-linux"):
                continue
            if not str(path).startswith(str(root)):
                raise ImageError("%s resolved outside the unpacked packages: %s" % (soname, path))
            shutil.copy2(_in_root(root, path), _dest(stage, "lib/x86_64-linux-gnu/" + soname))

        _dest(stage, "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
        _dest(stage, "etc/group").write_text("root:x:0:\n")
        _dest(stage, "etc/hosts").write_text("127.0.0.1 localhost\n")
        init = _dest(stage, "init")
        init.write_text(INIT.replace("@MODULES@", " ".join(MODULES)))
        init.chmod(0o755)

        names = []
        for dirpath, dirnames, filenames in os.walk(stage):
            dirnames.sort()
            rel = os.path.relpath(dirpath, stage)
            if rel != ".":
                names.append(rel)
            names += [os.path.normpath(os.path.join(rel, f)) for f in sorted(filenames)]
            # symlinks to directories are listed by walk as dirs; none here
        tmp_out = work / "out"
        tmp_out.mkdir()
        with open(tmp_out / "initrd.cpio", "wb") as f:
            run([bb, "cpio", "-o", "-H", "newc"], cwd=str(stage),
                input=("\n".join(names) + "\n").encode(), stdout=f)

        vmlinux = extract_vmlinux(bz)
        if vmlinux and has_pvh_note(vmlinux):
            (tmp_out / "vmlinux").write_bytes(vmlinux)
            boot = "pvh"
            kernel_file = "vmlinux"
        else:
            log("no PVH-capable vmlinux in %s: booting the bzImage" % bz.name)
            shutil.copy2(bz, tmp_out / "bzImage")
            boot = "bzimage"
            kernel_file = "bzImage"
        info = {
            "key": out.name,
            "kernel_package": kpkg,
            "kernel_version": kver,
            "boot": boot,
            "kernel": kernel_file,
            "initrd": "initrd.cpio",
            "packages": versions,
            "modules": [[n, str(p.relative_to(root)) if p else "built-in"] for n, p in mods],
            "libraries": sorted(libs),
            "initrd_bytes": (tmp_out / "initrd.cpio").stat().st_size,
            "build_seconds": round(time.monotonic() - t0, 1),
        }
        (tmp_out / "info.json").write_text(json.dumps(info, indent=1) + "\n")
        if out.exists():
            shutil.rmtree(out)
        os.rename(tmp_out, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


class GuestImage:
    def __init__(self, d):
        self.dir = Path(d)
        self.info = json.loads((self.dir / "info.json").read_text())
        self.kernel = self.dir / self.info["kernel"]
        self.initrd = self.dir / self.info["initrd"]
        self.boot = self.info["boot"]

    def __repr__(self):
        return "GuestImage(%s, %s boot)" % (self.dir, self.boot)


def _newest_cached(cache):
    imgs = sorted((p for p in cache.glob("*/info.json")), key=lambda p: p.stat().st_mtime)
    return GuestImage(imgs[-1].parent) if imgs else None


def ensure_image(cache=None, rebuild=False):
    """Return a GuestImage, building it when its cache entry is missing."""
    cache = Path(cache) if cache else cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lockf:
        fcntl.flock(lockf, fcntl.LOCK_EX)
        try:
            versions = resolve_packages()
        except ImageError as e:
            old = _newest_cached(cache)
            if old and not rebuild:
                log("%s; using the cached %s" % (e, old.dir))
                return old
            raise
        out = cache / image_key(versions)
        if rebuild or not (out / "info.json").exists():
            log("building %s" % out)
            build_image(versions, out, cache / "debs")
            _prune(cache, keep=out)
        return GuestImage(out)


def _prune(cache, keep, n=2):
    """Keep the n newest images (keep among them) and the .debs they use."""
    imgs = sorted((p.parent for p in cache.glob("*/info.json")),
                  key=lambda d: d.stat().st_mtime, reverse=True)
    kept = [keep] + [d for d in imgs if d != keep][:n - 1]
    for d in imgs:
        if d not in kept:
            shutil.rmtree(d, ignore_errors=True)
    used = set()
    for d in kept:
        for p, v in json.loads((d / "info.json").read_text())["packages"].items():
            used.add((p, v))
    for deb in (cache / "debs").glob("*.deb"):
        if (_deb_field(deb, "Package"), _deb_field(deb, "Version")) not in used:
            deb.unlink()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", help="cache directory (default $VSW_GUEST_CACHE or %s)"
                    % DEFAULT_CACHE)
    ap.add_argument("--rebuild", action="store_true", help="build even if cached")
    args = ap.parse_args(argv)
    try:
        img = ensure_image(args.cache, args.rebuild)
    except ImageError as e:
        log("error: %s" % e)
        return 1
    print(json.dumps(dict(img.info, dir=str(img.dir), kernel_path=str(img.kernel),
                          initrd_path=str(img.initrd)), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
