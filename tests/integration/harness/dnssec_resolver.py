"""A real DNSSEC chain on loopback for the DANE scenarios: zones written at test time, the signed
ones signed with a fresh key (ldns-keygen / ldns-signzone from Debian's ldnsutils), all served
by nsd on 127.0.0.1 at a free port, and a validating unbound on another port whose only trust
anchor is that key and which reaches the zones through stub-zones (do-not-query-localhost: no).
Nothing leaves loopback: there are no root hints to use and no other zone. Answers from a
signed zone come back with AD set; from an unsigned zone without it. Use as a context manager;
both servers are stopped with SIGTERM on exit. Raises RuntimeError when a tool is missing or a
server does not answer.
"""

import os
import random
import shutil
import socket
import struct
import subprocess
import tempfile
import time

from dns_server import free_udp_tcp_port, _encode_name

NSD = "/usr/sbin/nsd"
UNBOUND = "/usr/sbin/unbound"
LDNS_KEYGEN = "/usr/bin/ldns-keygen"
LDNS_SIGNZONE = "/usr/bin/ldns-signzone"
TLSA_TYPE = 52
AD_FLAG = 0x0020


def _run(command, directory):
    return subprocess.run(command, cwd=directory, check=True, capture_output=True, text=True,
                          timeout=60).stdout.strip()


def query_flags(port, name, qtype, timeout=1.0):
    """One UDP query with AD set (RFC 6840 §5.7); (rcode, answer count, AD set) or None."""
    ident = random.randrange(1 << 16)
    packet = struct.pack("!HHHHHH", ident, 0x0100 | AD_FLAG, 1, 0, 0, 0)
    packet += _encode_name(name) + struct.pack("!HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(packet, ("127.0.0.1", port))
            while True:
                reply = sock.recv(65535)
                if len(reply) >= 12 and struct.unpack("!H", reply[:2])[0] == ident:
                    break
        except (socket.timeout, ConnectionRefusedError):
            return None
    _, flags, _, ancount, _, _ = struct.unpack("!HHHHHH", reply[:12])
    return flags & 0xF, ancount, bool(flags & AD_FLAG)


class Zone:
    """One zone: `records` are zone-file lines relative to the origin ("mx A 127.0.0.8",
    "_25._tcp.mx TLSA 3 1 1 ab..."); signed or not. `forged` lines are added to a signed zone
    after signing, without signatures, as an attacker would: the resolver finds them bogus and
    answers SERVFAIL."""

    def __init__(self, name, records, signed, forged=()):
        self.name = name.rstrip(".")
        self.records = list(records)
        self.signed = signed
        self.forged = list(forged)


class DnssecResolver:
    def __init__(self, zones):
        for tool in (NSD, UNBOUND, LDNS_KEYGEN, LDNS_SIGNZONE):
            if not os.access(tool, os.X_OK):
                raise RuntimeError(f"{tool} is missing: apt-get install nsd unbound ldnsutils")
        self.zones = zones
        self.dir = tempfile.mkdtemp(prefix="sluice-it-dnssec-")
        self.nsd_port = None
        self.port = None
        self.processes = []

    @property
    def address(self):
        """The validating resolver as dns.servers wants it: "127.0.0.1:PORT"."""
        return f"127.0.0.1:{self.port}"

    # -- zones -----------------------------------------------------------------------------
    def _write_zone(self, zone):
        origin = zone.name + "."
        lines = [f"$ORIGIN {origin}", "$TTL 60",
                 f"@ SOA ns.{origin} hostmaster.{origin} 1 3600 600 86400 60",
                 f"@ NS ns.{origin}", "ns A 127.0.0.1", *zone.records]
        path = os.path.join(self.dir, zone.name + ".zone")
        with open(path, "w", encoding="ascii") as f:
            f.write("\n".join(lines) + "\n")
        if not zone.signed:
            return os.path.basename(path), None
        # One key with the SEP flag signs everything; it is also the trust anchor.
        base = _run([LDNS_KEYGEN, "-a", "ECDSAP256SHA256", "-k", zone.name], self.dir)
        _run([LDNS_SIGNZONE, path, base], self.dir)
        with open(path + ".signed", "a", encoding="ascii") as f:
            f.write("".join(f"{line.split()[0]}.{origin} 60 IN {' '.join(line.split()[1:])}\n"
                            for line in zone.forged))
        return os.path.basename(path) + ".signed", base + ".key"

    # -- servers ---------------------------------------------------------------------------
    def _start_nsd(self, zone_files):
        self.nsd_port = free_udp_tcp_port()
        conf = os.path.join(self.dir, "nsd.conf")
        d = self.dir
        with open(conf, "w", encoding="ascii") as f:
            f.write(f"""server:
  ip-address: 127.0.0.1
  port: {self.nsd_port}
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "{d}"
  database: ""
  pidfile: "{d}/nsd.pid"
  xfrdfile: "{d}/xfrd.state"
  xfrdir: "{d}"
  zonelistfile: "{d}/zone.list"
  logfile: "{d}/nsd.log"
  server-count: 1
remote-control:
  control-enable: no
""")
            for name, file in zone_files:
                f.write(f"zone:\n  name: {name}\n  zonefile: \"{file}\"\n")
        self._spawn([NSD, "-d", "-c", conf], "nsd")
        self._wait_answer(self.nsd_port, self.zones[0].name, "nsd")

    def _start_unbound(self, anchors):
        self.port = free_udp_tcp_port()
        conf = os.path.join(self.dir, "unbound.conf")
        d = self.dir
        with open(conf, "w", encoding="ascii") as f:
            f.write(f"""server:
  interface: 127.0.0.1
  port: {self.port}
  do-ip6: no
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  username: ""
  chroot: ""
  directory: "{d}"
  pidfile: "{d}/unbound.pid"
  use-syslog: no
  logfile: "{d}/unbound.log"
  verbosity: 1
  val-log-level: 2
  module-config: "validator iterator"
  qname-minimisation: no
  # Otherwise cached NSEC records prove a forged name absent without asking nsd (RFC 8198).
  aggressive-nsec: no
  local-zone: "test." nodefault
""")
            for anchor in anchors:
                f.write(f"  trust-anchor-file: \"{anchor}\"\n")
            f.write("remote-control:\n  control-enable: no\n")
            for zone in self.zones:
                f.write(f"stub-zone:\n  name: \"{zone.name}\"\n"
                        f"  stub-addr: 127.0.0.1@{self.nsd_port}\n")
        self._spawn([UNBOUND, "-d", "-c", conf], "unbound")
        self._wait_answer(self.port, self.zones[0].name, "unbound")

    def _spawn(self, command, name):
        errors = open(os.path.join(self.dir, name + ".stderr"), "ab")
        try:
            self.processes.append(subprocess.Popen(command, stdout=errors, stderr=errors))
        finally:
            errors.close()

    def _wait_answer(self, port, name, what, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                break
            if query_flags(port, name, 6, timeout=0.2) is not None:  # SOA
                return
        raise RuntimeError(f"{what} did not answer; see {self.dir}")

    def start(self):
        zone_files, anchors = [], []
        for zone in self.zones:
            file, anchor = self._write_zone(zone)
            zone_files.append((zone.name, file))
            if anchor:
                anchors.append(anchor)
        self._start_nsd(zone_files)
        self._start_unbound(anchors)
        return self

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.processes = []

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
        if exc[0] is not None or os.environ.get("SLUICE_KEEP_TEST_DIRS"):
            print(f"--- DNSSEC servers kept in {self.dir} ---")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return False
