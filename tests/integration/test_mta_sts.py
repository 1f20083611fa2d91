"""MTA-STS (RFC 8461) end to end: dnsmasq serves the _mta-sts TXT records, the MX records and
the addresses of mta-sts.<domain> and of the MX hosts; a loopback HTTPS server serves the
policies with a certificate from a test CA, which sluiced trusts through SSL_CERT_FILE; aiosmtpd
sinks receive the mail, some offering STARTTLS with a certificate from that CA. Shown:
enforce + a matching MX with a valid certificate delivers over TLS (the accounting log says
MTA-STS); enforce + an MX not in the policy defers with the MTA-STS reason and connects to no
one; enforce + a sink without STARTTLS, or with a certificate for another name, defers and
sends nothing in clear; testing delivers anyway (and warns); a redirect, a non-text/plain or
oversized answer, or an HTTPS certificate for another name is no policy; deliveries starting
while a policy is being fetched wait for that one fetch; a fetched policy stays enforced after
the HTTPS server is gone, also across a daemon restart (from SPOOL/mta-sts/)."""

import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import delivery_top, describe, records_for, wait_for_final  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from mta_sts_server import MtaStsServer  # noqa: E402
from sluice import Daemon, free_port, submit, wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from tls_material import TestCa  # noqa: E402

HTTPS = "127.0.0.9"       # every mta-sts.<domain>
TLS_SINK = "127.0.0.10"   # STARTTLS, certificate for mx.enforce.test and mx.nomatch.test
PLAIN_SINK = "127.0.0.11"  # no STARTTLS
# Served wrongly (see test_unusable_policy_responses_are_no_policy), each with an enforce policy
# that would stop delivery to the plain sink if Sluice took it.
UNUSABLE = ["redirect.test", "html.test", "huge.test", "untrusted.test"]
DOMAINS = ["enforce.test", "nomatch.test", "plain.test", "testing.test", "badcert.test",
           "cached.test", *UNUSABLE]
MX_ADDRESS = {"enforce.test": TLS_SINK, "nomatch.test": TLS_SINK, "plain.test": PLAIN_SINK,
              "testing.test": PLAIN_SINK, "badcert.test": TLS_SINK, "cached.test": TLS_SINK,
              **{domain: PLAIN_SINK for domain in UNUSABLE}}


def policy(mode, *mx, max_age=86400):
    return ("version: STSv1\r\nmode: " + mode + "\r\n" + "".join(f"mx: {m}\r\n" for m in mx)
            + f"max_age: {max_age}\r\n")


POLICIES = {
    "mta-sts.enforce.test": policy("enforce", "*.enforce.test"),
    "mta-sts.nomatch.test": policy("enforce", "mx.elsewhere.test"),
    "mta-sts.plain.test": policy("enforce", "mx.plain.test"),
    "mta-sts.testing.test": policy("testing", "mx.elsewhere.test"),
    "mta-sts.badcert.test": policy("enforce", "mx.badcert.test"),
    "mta-sts.cached.test": policy("enforce", "mx.cached.test"),
    **{f"mta-sts.{domain}": policy("enforce", "mx.elsewhere.test") for domain in UNUSABLE},
}
# The HTTPS certificate names every policy host but this one.
CERTIFIED = [host for host in POLICIES if host != "mta-sts.untrusted.test"]


def dns_records():
    return {
        # nopolicy.test publishes no policy; its MX is the TLS sink too.
        "mx": {**{domain: [(10, f"mx.{domain}")] for domain in DOMAINS},
               "nopolicy.test": [(10, "mx.nopolicy.test")]},
        "a": {**{f"mx.{d}": MX_ADDRESS[d] for d in DOMAINS}, "mx.nopolicy.test": TLS_SINK,
              **{f"mta-sts.{d}": HTTPS for d in DOMAINS}},
        "txt": {f"_mta-sts.{d}": f"v=STSv1; id=2026{i}" for i, d in enumerate(DOMAINS)},
    }


class MtaSts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.material = tempfile.mkdtemp(prefix="sluice-mta-sts-")
        cls.ca = TestCa(cls.material)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.material, ignore_errors=True)

    def setUp(self):
        self.smtp_port = free_port()
        self.https = MtaStsServer(HTTPS, free_port(HTTPS),
                                  self.ca.server_context("https", CERTIFIED), POLICIES)
        self.https.start()
        self.addCleanup(self.https.stop)
        self.dns = DnsServer(**dns_records()).start()
        self.addCleanup(self.dns.stop)

    def daemon(self):
        top = delivery_top(self.dns.address, self.smtp_port, retry_intervals=["1h"],
                           queue_lifetime="2h",
                           delivery={"mta_sts_port": self.https.httpd.server_address[1]})
        return Daemon(top=top, env={"SSL_CERT_FILE": self.ca.cert})

    def tls_sink(self, stem="sink"):
        names = [f"mx.{d}" for d in ("enforce.test", "nomatch.test", "cached.test")]
        return SmtpSink(TLS_SINK, self.smtp_port,
                        tls_context=self.ca.server_context(stem, names))

    def first_attempt(self, daemon, recipient):
        return wait_for(lambda: records_for(daemon, recipient, "attempt"), 20,
                        what=f"an attempt record for {recipient}")[0]

    def test_enforce_delivers_over_verified_tls_to_a_matching_mx(self):
        with self.tls_sink() as sink, self.daemon() as daemon:
            submit(daemon.port, "s@origin.test", ["u@enforce.test"], b"Subject: e\r\n\r\nhi\r\n")
            record = wait_for_final(daemon, "u@enforce.test")
            self.assertEqual(record["outcome"], "delivered", describe([record]))
            self.assertRegex(record["tls"], r"^TLSv1\.[23] with cipher .* \(MTA-STS enforce\)$")
            self.assertEqual([m.tls != "" for m in sink.delivered_to("u@enforce.test")], [True],
                             sink.summary())
            self.assertEqual(self.https.request_count("mta-sts.enforce.test"), 1)
            self.assertIn("MTA-STS enforce.test: policy 20260 fetched: mode enforce",
                          daemon.log())

    def test_enforce_skips_an_mx_not_in_the_policy(self):
        with self.tls_sink() as sink, self.daemon() as daemon:
            submit(daemon.port, "s@origin.test", ["u@nomatch.test"], b"Subject: n\r\n\r\nno\r\n")
            attempt = self.first_attempt(daemon, "u@nomatch.test")
            self.assertEqual((attempt["outcome"], attempt["enhanced_code"]),
                             ("deferred", "4.7.5"), describe([attempt]))
            self.assertIn("MTA-STS: no MX host matches the policy", attempt["reply"])
            self.assertEqual(sink.connections, 0, sink.summary())
            self.assertEqual(len(daemon.spool_ids()), 1)

    def test_enforce_never_sends_in_clear_or_to_a_wrong_certificate(self):
        with self.tls_sink() as tls_sink, SmtpSink(PLAIN_SINK, self.smtp_port) as plain_sink, \
                self.daemon() as daemon:
            submit(daemon.port, "s@origin.test", ["u@plain.test"], b"Subject: p\r\n\r\nno\r\n")
            submit(daemon.port, "s@origin.test", ["u@badcert.test"], b"Subject: b\r\n\r\nno\r\n")
            plain = self.first_attempt(daemon, "u@plain.test")
            self.assertEqual((plain["outcome"], plain["enhanced_code"]), ("deferred", "4.7.4"),
                             describe([plain]))
            self.assertIn("MTA-STS: TLS is required", plain["reply"])
            self.assertEqual(plain_sink.messages(), [], plain_sink.summary())
            bad = self.first_attempt(daemon, "u@badcert.test")
            self.assertEqual((bad["outcome"], bad["enhanced_code"]), ("deferred", "4.7.5"),
                             describe([bad]))
            self.assertIn("MTA-STS:", bad["reply"])
            self.assertIn("certificate verify failed", bad["reply"])
            self.assertEqual(tls_sink.messages(), [], tls_sink.summary())
            # A certificate MTA-STS refused is not broken TLS: opportunistic mail to the same
            # server still uses TLS (not remembered as a failed handshake, sent in clear).
            submit(daemon.port, "s@origin.test", ["u@nopolicy.test"], b"Subject: o\r\n\r\nok\r\n")
            other = wait_for_final(daemon, "u@nopolicy.test")
            self.assertEqual(other["outcome"], "delivered", describe([other]))
            self.assertRegex(other["tls"], r"^TLSv1\.[23] with cipher ", describe([other]))
            self.assertEqual([m.tls != "" for m in tls_sink.delivered_to("u@nopolicy.test")],
                             [True], tls_sink.summary())

    def test_testing_mode_delivers_anyway_and_warns(self):
        with SmtpSink(PLAIN_SINK, self.smtp_port) as sink, self.daemon() as daemon:
            submit(daemon.port, "s@origin.test", ["u@testing.test"], b"Subject: t\r\n\r\nyes\r\n")
            record = wait_for_final(daemon, "u@testing.test")
            self.assertEqual((record["outcome"], record["tls"]), ("delivered", ""),
                             describe([record]))
            self.assertEqual(len(sink.delivered_to("u@testing.test")), 1, sink.summary())
            log = daemon.log()
            self.assertIn("MTA-STS testing: mx.testing.test is not in the policy", log)
            self.assertIn("MTA-STS testing: mx.testing.test is reached without TLS", log)

    def test_concurrent_deliveries_share_one_fetch(self):
        self.https.delay = 1.0  # every worker starting meanwhile finds the fetch in flight
        recipients = [f"u{i}@enforce.test" for i in range(4)]
        with self.tls_sink() as sink, self.daemon() as daemon:
            for recipient in recipients:
                submit(daemon.port, "s@origin.test", [recipient], b"Subject: c\r\n\r\nhi\r\n")
            for recipient in recipients:
                record = wait_for_final(daemon, recipient)
                self.assertEqual(record["outcome"], "delivered", describe([record]))
                self.assertTrue(record["tls"].endswith("(MTA-STS enforce)"), record["tls"])
            self.assertGreater(sink.max_concurrent, 1, "the deliveries overlapped")
            self.assertEqual(self.https.request_count("mta-sts.enforce.test"), 1)

    def test_unusable_policy_responses_are_no_policy(self):
        # RFC 8461 §3.3: no redirects, 200 and text/plain only, at most 64 KiB, a valid
        # certificate for mta-sts.<domain>; anything else is no policy (mail goes as usual).
        enforce = policy("enforce", "mx.elsewhere.test").encode()
        self.https.responses = {
            "mta-sts.redirect.test": (301, {"Location": "https://mta-sts.enforce.test/"}, b""),
            "mta-sts.html.test": (200, {"Content-Type": "text/html"}, enforce),
            "mta-sts.huge.test": (200, {"Content-Type": "text/plain"},
                                  enforce + b"x: " + b"y" * 70000 + b"\r\n"),
        }
        reasons = {"redirect.test": "HTTP status 301",
                   "html.test": "Content-Type is not text/plain",
                   "huge.test": "larger than 64 KiB",
                   "untrusted.test": "certificate verify failed"}
        with SmtpSink(PLAIN_SINK, self.smtp_port) as sink, self.daemon() as daemon:
            for domain in UNUSABLE:
                submit(daemon.port, "s@origin.test", [f"u@{domain}"], b"Subject: u\r\n\r\nok\r\n")
            for domain in UNUSABLE:
                record = wait_for_final(daemon, f"u@{domain}")
                self.assertEqual(record["outcome"], "delivered", describe([record]))
                self.assertEqual(len(sink.delivered_to(f"u@{domain}")), 1, sink.summary())
                daemon.wait_for_log(rf"MTA-STS {domain}: cannot fetch the policy: .*"
                                    + reasons[domain])
            self.assertEqual(self.https.request_count("mta-sts.redirect.test"), 1)
            self.assertEqual(self.https.request_count("mta-sts.enforce.test"), 0,
                             "the redirect is not followed")
            self.assertEqual(self.https.request_count("mta-sts.untrusted.test"), 0,
                             "no request before the certificate is verified")

    def test_cached_policy_outlives_the_https_server_and_a_restart(self):
        daemon = self.daemon()
        self.addCleanup(daemon.__exit__, None, None, None)
        daemon.start()
        with self.tls_sink():
            submit(daemon.port, "s@origin.test", ["a@cached.test"], b"Subject: 1\r\n\r\nok\r\n")
            self.assertEqual(wait_for_final(daemon, "a@cached.test")["outcome"], "delivered")
        self.https.stop()
        self.assertTrue(os.path.isfile(os.path.join(daemon.spool, "mta-sts", "cached.test")))
        # The same address now speaks SMTP without STARTTLS: only the cached policy stops
        # Sluice from sending there in clear.
        with SmtpSink(TLS_SINK, self.smtp_port) as plain:
            submit(daemon.port, "s@origin.test", ["b@cached.test"], b"Subject: 2\r\n\r\nno\r\n")
            attempt = self.first_attempt(daemon, "b@cached.test")
            self.assertEqual((attempt["outcome"], attempt["enhanced_code"]),
                             ("deferred", "4.7.4"), describe([attempt]))
            self.assertEqual(daemon.stop(), 0)
            daemon.start()
            daemon.wait_for_log(r"MTA-STS: 1 cached policies loaded", since_start=True)
            submit(daemon.port, "s@origin.test", ["c@cached.test"], b"Subject: 3\r\n\r\nno\r\n")
            attempt = self.first_attempt(daemon, "c@cached.test")
            self.assertEqual((attempt["outcome"], attempt["enhanced_code"]),
                             ("deferred", "4.7.4"), describe([attempt]))
            self.assertIn("MTA-STS:", attempt["reply"])
            self.assertEqual(plain.messages(), [], plain.summary())
        self.assertEqual(self.https.request_count("mta-sts.cached.test"), 1)


if __name__ == "__main__":
    unittest.main()
