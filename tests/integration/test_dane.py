"""DANE for outbound SMTP (RFC 7672) against a real DNSSEC chain on loopback: zones signed at
test time, served by nsd and validated by unbound (harness/dnssec_resolver.py), which is the
daemon's only DNS server. With delivery.dane = true: TLSA 3 1 1 matching the sink's key =>
delivered over TLS and the accounting record says DANE-EE; a DANE-TA(2) record matching the CA
of the sink's chain => DANE-TA; a TLSA record that does not match => deferred (4.7.5), nothing
sent; a sink without STARTTLS but TLSA published => deferred (4.7.4), nothing sent in clear; a
forged (unsigned, so bogus) TLSA record => the host is skipped and the mail deferred; a domain
without MX records uses its own TLSA records; an unsigned MX RRset keeps DANE out; only
unusable TLSA (PKIX-EE) => TLS, unauthenticated; an unsigned zone with TLSA => ordinary
opportunistic delivery. With dane = false TLSA records are ignored. Certificates are made at
test time in temporary directories."""

import hashlib
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import delivery_top, describe, records_for, wait_for_final  # noqa: E402
from dnssec_resolver import DnssecResolver, Zone  # noqa: E402
from sluice import Daemon, free_port, submit, wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from tls_material import make_certificate  # noqa: E402

TLS_SINK = "127.0.0.8"    # self-signed certificate for sink.sluice.test (no DANE name)
CLEAR_SINK = "127.0.0.9"  # no STARTTLS
CHAIN_SINK = "127.0.0.10"  # leaf for mx-ta.dane.test issued by a test CA


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, check=True, capture_output=True,
                          timeout=60).stdout


def spki_sha256(cert):
    """The TLSA 3 1 1 association data of a PEM certificate: SHA-256 of its DER SPKI."""
    public = openssl("x509", "-in", cert, "-noout", "-pubkey")
    return hashlib.sha256(openssl("pkey", "-pubin", "-outform", "DER", data=public)).hexdigest()


def cert_sha256(cert):
    """The TLSA x 0 1 association data: SHA-256 of the whole DER certificate."""
    return hashlib.sha256(openssl("x509", "-in", cert, "-outform", "DER")).hexdigest()


def make_chain(directory, name):
    """A CA and a leaf for `name` issued by it; returns (chain file, key file, CA cert)."""
    ca_key, ca = os.path.join(directory, "ca.key"), os.path.join(directory, "ca.pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", ca_key, "-out", ca, "-days", "1", "-subj", "/CN=Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign")
    key, csr = os.path.join(directory, "leaf.key"), os.path.join(directory, "leaf.csr")
    leaf, chain = os.path.join(directory, "leaf.pem"), os.path.join(directory, "chain.pem")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", csr, "-subj", f"/CN={name}")
    extensions = os.path.join(directory, "leaf.ext")
    with open(extensions, "w", encoding="ascii") as f:
        f.write(f"subjectAltName=DNS:{name}\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
            "-out", leaf, "-days", "1", "-extfile", extensions)
    with open(chain, "w", encoding="ascii") as out:
        for part in (leaf, ca):
            with open(part, encoding="ascii") as f:
                out.write(f.read())
    return chain, key, ca


def context_for(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


class Dane(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.material = tempfile.mkdtemp(prefix="sluice-dane-")
        cert, key = make_certificate(cls.material, "sink.sluice.test")
        chain, chain_key, ca = make_chain(cls.material, "mx-ta.dane.test")
        cls.port = free_port()
        p = cls.port
        ee = spki_sha256(cert)
        wrong = hashlib.sha256(b"not the sink's key").hexdigest()
        signed = Zone("dane.test", [
            "good MX 10 mx-good", "mx-good A " + TLS_SINK, f"_{p}._tcp.mx-good TLSA 3 1 1 {ee}",
            "bad MX 10 mx-bad", "mx-bad A " + TLS_SINK, f"_{p}._tcp.mx-bad TLSA 3 1 1 {wrong}",
            "clear MX 10 mx-clear", "mx-clear A " + CLEAR_SINK,
            f"_{p}._tcp.mx-clear TLSA 3 1 1 {ee}",
            "ta MX 10 mx-ta", "mx-ta A " + CHAIN_SINK,
            f"_{p}._tcp.mx-ta TLSA 2 0 1 {cert_sha256(ca)}",
            "pkix MX 10 mx-pkix", "mx-pkix A " + TLS_SINK,
            f"_{p}._tcp.mx-pkix TLSA 1 1 1 {wrong}",
            "bogus MX 10 mx-bogus", "mx-bogus A " + TLS_SINK,
            "implicit A " + TLS_SINK, f"_{p}._tcp.implicit TLSA 3 1 1 {ee}",
        ], signed=True, forged=[f"_{p}._tcp.mx-bogus TLSA 3 1 1 {ee}"])
        unsigned = Zone("plain.test", [
            "@ MX 10 mx", "mx A " + TLS_SINK, f"_{p}._tcp.mx TLSA 3 1 1 {wrong}",
            # An unsigned MX RRset naming a signed host whose TLSA does not match.
            "insecure-mx MX 10 mx-bad.dane.test."], signed=False)
        cls.dns = DnssecResolver([signed, unsigned]).__enter__()
        cls.sinks = [SmtpSink(TLS_SINK, p, tls_context=context_for(cert, key)).__enter__(),
                     SmtpSink(CLEAR_SINK, p).__enter__(),
                     SmtpSink(CHAIN_SINK, p, tls_context=context_for(chain, chain_key)).__enter__()]
        cls.tls_sink, cls.clear_sink, cls.chain_sink = cls.sinks

    @classmethod
    def tearDownClass(cls):
        for sink in cls.sinks:
            sink.__exit__(None, None, None)
        cls.dns.__exit__(None, None, None)
        shutil.rmtree(cls.material, ignore_errors=True)

    def daemon(self, dane=True, tls=None):
        delivery = {"dane": dane}
        if tls:
            delivery["tls"] = tls
        return Daemon(top=delivery_top(self.dns.address, self.port, delivery=delivery,
                                       retry_intervals=["1h"], queue_lifetime="2h"))

    def delivered(self, recipient, dane=True):
        with self.daemon(dane) as daemon:
            submit(daemon.port, "s@origin.test", [recipient], b"Subject: d\r\n\r\nhi\r\n")
            record = wait_for_final(daemon, recipient)
            self.assertEqual(record["outcome"], "delivered", describe([record]))
            return record

    def deferred(self, recipient, tls=None):
        with self.daemon(tls=tls) as daemon:
            submit(daemon.port, "s@origin.test", [recipient], b"Subject: d\r\n\r\nno\r\n")
            attempt = wait_for(lambda: records_for(daemon, recipient, "attempt"),
                               what="an attempt record")[0]
            self.assertEqual(attempt["outcome"], "deferred", describe([attempt]))
            self.assertEqual(len(daemon.spool_ids()), 1)
            for sink in self.sinks:
                self.assertEqual([r for r in sink.rcpts() if r.address == recipient], [],
                                 sink.summary())
            return attempt

    def test_matching_dane_ee_record_authenticates_the_sink(self):
        record = self.delivered("user@good.dane.test")
        self.assertRegex(record["tls"], r"^TLSv1\.[23] with cipher \S+ \(\d+ bits\), DANE-EE$")
        self.assertEqual(record["mx_host"], "mx-good.dane.test")
        self.assertNotEqual([m.tls for m in self.tls_sink.delivered_to("user@good.dane.test")],
                            [""])

    def test_matching_dane_ta_record_authenticates_the_chain(self):
        record = self.delivered("user@ta.dane.test")
        self.assertTrue(record["tls"].endswith(", DANE-TA"), record["tls"])
        self.assertEqual(len(self.chain_sink.delivered_to("user@ta.dane.test")), 1)

    def test_domain_without_mx_uses_its_own_tlsa_records(self):
        record = self.delivered("user@implicit.dane.test")
        self.assertTrue(record["tls"].endswith(", DANE-EE"), record["tls"])
        self.assertEqual(record["mx_host"], "implicit.dane.test")

    def test_insecure_mx_records_do_not_bring_dane_in(self):
        # RFC 7672 §2.2.1: the MX host's TLSA records would not match, but an unsigned MX
        # RRset means DANE does not apply at all.
        record = self.delivered("user@insecure-mx.plain.test")
        self.assertEqual(record["mx_host"], "mx-bad.dane.test")
        self.assertRegex(record["tls"], r"^TLSv1\.[23] with cipher \S+ \(\d+ bits\)$")

    def test_record_that_does_not_match_defers(self):
        attempt = self.deferred("user@bad.dane.test")
        self.assertEqual(attempt["enhanced_code"], "4.7.5", describe([attempt]))
        self.assertIn("(DANE)", attempt["reply"])

    def test_sink_without_starttls_defers_instead_of_sending_in_clear(self):
        attempt = self.deferred("user@clear.dane.test")
        self.assertEqual(attempt["enhanced_code"], "4.7.4", describe([attempt]))
        self.assertIn("TLS is required (DANE), but was not offered", attempt["reply"])
        self.assertEqual(self.clear_sink.messages(), [], self.clear_sink.summary())

    def test_forged_tlsa_record_skips_the_host(self):
        attempt = self.deferred("user@bogus.dane.test")
        self.assertEqual(attempt["enhanced_code"], "4.7.5", describe([attempt]))
        self.assertIn("TLSA lookup for mx-bogus.dane.test failed", attempt["reply"])

    def test_only_unusable_records_still_require_tls(self):
        record = self.delivered("user@pkix.dane.test")
        self.assertRegex(record["tls"], r"^TLSv1\.[23] with cipher \S+ \(\d+ bits\)$")

    def test_only_unusable_records_do_not_weaken_verified_tls(self):
        # Unusable TLSA records make TLS mandatory but authenticate nothing: a configured
        # "verified" still checks the (self-signed) certificate against the CAs, and defers.
        attempt = self.deferred("verified@pkix.dane.test", tls="verified")
        self.assertEqual(attempt["enhanced_code"], "4.7.5", describe([attempt]))
        self.assertIn("certificate verify failed", attempt["reply"])

    def test_unsigned_zone_gets_ordinary_opportunistic_tls(self):
        record = self.delivered("user@plain.test")
        self.assertRegex(record["tls"], r"^TLSv1\.[23] with cipher \S+ \(\d+ bits\)$")

    def test_dane_off_ignores_tlsa_records(self):
        record = self.delivered("other@bad.dane.test", dane=False)
        self.assertRegex(record["tls"], r"^TLSv1\.[23] with cipher \S+ \(\d+ bits\)$")


if __name__ == "__main__":
    unittest.main()
