"""A real DNS server for the delivery scenarios: dnsmasq (Debian package dnsmasq) on 127.0.0.1 at
a free UDP+TCP port, answering only the records a test gives it (no /etc/hosts, no upstream,
any other name under .test is NXDOMAIN) and logging every query to a file, so a test can count
what reached it. Also a tiny UDP DNS client (query()) for readiness and self-checks. Stopped with
SIGTERM on exit. Raises RuntimeError if dnsmasq is missing or does not answer.
"""

import os
import random
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import time

from sluice import wait_for

DNSMASQ = "/usr/sbin/dnsmasq"

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28}
TYPE_NAMES = {number: name for name, number in TYPES.items()}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


def free_udp_tcp_port(host="127.0.0.1"):
    """A port free for both UDP and TCP on `host` a moment ago."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((host, 0))
            port = udp.getsockname()[1]
            with socket.socket() as tcp:
                try:
                    tcp.bind((host, port))
                except OSError:
                    continue
                return port
    raise RuntimeError(f"no port free for UDP and TCP on {host}")


def _encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def _read_name(packet, offset):
    """(name, offset after the name) for a possibly compressed name at `offset`; "." is root."""
    labels = []
    end = None
    for _ in range(128):  # bounds pointer loops
        length = packet[offset]
        if length & 0xC0 == 0xC0:
            if end is None:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | packet[offset + 1]
            continue
        if length == 0:
            return (".".join(labels) or "."), (end if end is not None else offset + 1)
        labels.append(packet[offset + 1:offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length
    raise ValueError("DNS name compression loop")


def _rdata(packet, rtype, offset, length):
    data = packet[offset:offset + length]
    if rtype == TYPES["A"]:
        return socket.inet_ntop(socket.AF_INET, data)
    if rtype == TYPES["AAAA"]:
        return socket.inet_ntop(socket.AF_INET6, data)
    if rtype == TYPES["MX"]:
        return struct.unpack("!H", data[:2])[0], _read_name(packet, offset + 2)[0]
    if rtype == TYPES["CNAME"]:
        return _read_name(packet, offset)[0]
    if rtype == TYPES["TXT"]:
        strings, i = [], 0
        while i < len(data):
            strings.append(data[i + 1:i + 1 + data[i]].decode("utf-8", "replace"))
            i += 1 + data[i]
        return strings
    return data


def query(port, name, qtype="A", host="127.0.0.1", timeout=1.0):
    """One UDP query; returns (rcode name, [(type name, ttl, rdata)]) or None on timeout.
    rdata: A/AAAA an address string, MX (preference, host; "." for a null MX), TXT a list of
    strings."""
    ident = random.randrange(1 << 16)
    packet = struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0)
    packet += _encode_name(name) + struct.pack("!HH", TYPES[qtype], 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(packet, (host, port))
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = sock.recv(65535)
            except (socket.timeout, ConnectionRefusedError):
                return None
            if len(reply) >= 12 and struct.unpack("!H", reply[:2])[0] == ident:
                break
            if time.monotonic() > deadline:
                return None
    _, flags, qdcount, ancount, _, _ = struct.unpack("!HHHHHH", reply[:12])
    offset = 12
    for _ in range(qdcount):
        offset = _read_name(reply, offset)[1] + 4
    answers = []
    for _ in range(ancount):
        offset = _read_name(reply, offset)[1]
        rtype, _, ttl, length = struct.unpack("!HHIH", reply[offset:offset + 10])
        offset += 10
        answers.append((TYPE_NAMES.get(rtype, str(rtype)), ttl,
                        _rdata(reply, rtype, offset, length)))
        offset += length
    return RCODES.get(flags & 0xF, str(flags & 0xF)), answers


class DnsServer:
    """dnsmasq with the given records; use as a context manager.

    mx:      {"a.test": [(10, "mx1.a.test"), (20, "mx2.a.test")]}
    a:       {"mx1.a.test": "127.0.0.2"}  (a value may be a list of addresses, IPv4 or IPv6)
    null_mx: ["null.test"]  (RFC 7505: "MX 0 .")
    txt:     {"t.test": "v=spf1 -all"}  (a value may be a list of strings)
    ttl:     the TTL of every answer (dnsmasq --local-ttl)
    """

    def __init__(self, mx=None, a=None, null_mx=(), txt=None, ttl=60):
        if not os.access(DNSMASQ, os.X_OK):
            raise RuntimeError(f"{DNSMASQ} is missing: apt-get install dnsmasq")
        self.records = []
        for domain, hosts in (mx or {}).items():
            self.records += [f"--mx-host={domain},{host},{preference}"
                             for preference, host in hosts]
        for domain in null_mx:
            self.records.append(f"--mx-host={domain},.,0")
        for name, addresses in (a or {}).items():
            addresses = [addresses] if isinstance(addresses, str) else addresses
            self.records.append(f"--host-record={name},{','.join(addresses)}")
        for name, strings in (txt or {}).items():
            strings = [strings] if isinstance(strings, str) else strings
            self.records.append(f"--txt-record={name},{','.join(strings)}")
        self.ttl = ttl
        self.dir = tempfile.mkdtemp(prefix="sluice-it-dns-")
        self.log_path = os.path.join(self.dir, "dnsmasq.log")
        self.port = None
        self.process = None
        self._syncs = 0

    @property
    def address(self):
        """The server as dns.servers wants it: "127.0.0.1:PORT"."""
        return f"127.0.0.1:{self.port}"

    def start(self):
        for _ in range(5):  # the port may be taken between choosing and binding it
            self.port = free_udp_tcp_port()
            with open(os.path.join(self.dir, "dnsmasq.stderr"), "ab") as errors:
                self.process = subprocess.Popen(
                    [DNSMASQ, "--no-daemon", f"--port={self.port}", "--listen-address=127.0.0.1",
                     "--bind-interfaces", "--no-resolv", "--no-hosts", "--conf-file=/dev/null",
                     "--pid-file=", "--log-queries", f"--log-facility={self.log_path}",
                     "--local=/test/", f"--local-ttl={self.ttl}", *self.records],
                    stdout=subprocess.DEVNULL, stderr=errors)
            if self._wait_ready():
                return self
            self.stop()
        raise RuntimeError(f"dnsmasq did not start; see {self.dir}")

    def _wait_ready(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if query(self.port, "ready.test", "A", timeout=0.1) is not None:
                return True
        return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if exc[0] is not None:
            print(f"--- dnsmasq queries ({self.log_path}) ---\n"
                  + "\n".join(f"{t} {n}" for t, n in self.queries()[-60:]))
        elif not os.environ.get("SLUICE_KEEP_TEST_DIRS"):
            shutil.rmtree(self.dir, ignore_errors=True)
        return False

    # -- observation -----------------------------------------------------------------------
    def queries(self):
        """Every query logged so far, in order, as (type, name), e.g. ("MX", "a.test")."""
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except FileNotFoundError:
            return []
        return re.findall(r"query\[(\w+)\] (\S+) from", text)

    def sync(self, timeout=10.0):
        """Returns once dnsmasq has logged every query it received before this call (it logs in
        order, so a fresh marker query in the log means the earlier ones are there too)."""
        self._syncs += 1
        marker = f"sync-{self._syncs}.test"
        query(self.port, marker, "A")
        wait_for(lambda: ("A", marker) in self.queries(), timeout,
                 what=f"dnsmasq to log the marker query {marker}")

    def queries_for(self, name):
        """The types of the queries for `name` received so far (synced), e.g. ["MX", "A"]."""
        self.sync()
        name = name.lower().rstrip(".")
        return [qtype for qtype, qname in self.queries() if qname.lower() == name]
