"""Delivery to remote servers that break the protocol, end to end through the real daemon: a
fake MX (harness/fake_mx.py) plays a byte-exact script, and after every scenario the accounting
log is checked against what the server meant: a recipient is "delivered" only if the server's
own exchanges confirm it (RCPT 2xx, then content 2xx, in step). The scenarios:
  - DATA answered 250 instead of 354: deferred (4.5.0), the message stays in the spool;
  - one reply too many after a RCPT: every recipient of the transaction deferred;
  - a 5xx greeting from every MX host: deferred with "refused the session", no bounce, no DSN;
    a 5xx greeting from the first MX host only: delivered by the second;
  - control bytes and broken UTF-8 in a reply: escaped in the daemon's log and in /queues;
  - larger than the server's SIZE, or 8-bit for a server without 8BITMIME: bounced, not sent;
  - "452 4.5.3 too many recipients" after the first: the rest go at once in a new transaction.
A failed scenario prints the fake MX's transcripts."""

import json
import os
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import delivery_top, describe, records_for, wait_for_final  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from fake_mx import FakeMx, greeting_and_ehlo, lockstep, quit_steps  # noqa: E402
from sluice import NO_DNS_SERVER, Daemon, free_port, submit, wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

BODY = b"Subject: to a broken server\r\n\r\nbody\r\n"
PIPELINING = ("PIPELINING", "ENHANCEDSTATUSCODES")


class BrokenRemoteServers(unittest.TestCase):
    # -- scaffolding -----------------------------------------------------------------------
    def routed(self, scripts, address="127.0.0.21"):
        """A fake MX for domain broken.test via a static route, and a daemon that tries each
        recipient once (the next retry is an hour away)."""
        port = free_port(address)
        mx = FakeMx(address, port, scripts).start()
        self.addCleanup(mx.stop)
        route = {"domains": ["broken.test"], "host": address, "port": port}
        top = delivery_top(NO_DNS_SERVER, port, retry_intervals=["1h"], queue_lifetime="1d",
                           routes=[route])
        daemon = Daemon(top=top)
        daemon.__enter__()
        self.addCleanup(daemon.__exit__, None, None, None)
        return mx, daemon

    def attempts(self, daemon, recipients, mx):
        """Waits for one attempt record per recipient; returns them in recipient order."""
        def done():
            daemon.assert_running()
            found = [records_for(daemon, r, "attempt") for r in recipients]
            return found if all(found) else None
        try:
            found = wait_for(done, timeout=20, what="an attempt for every recipient")
        except TimeoutError:
            self.fail("no attempt for every recipient\n" + mx.transcripts())
        return [records[0] for records in found]

    def assert_invariant(self, daemon, mx):
        """Every recipient the accounting log calls delivered was confirmed by the server."""
        mx.wait_until_idle()
        delivered = {r["recipient"].lower() for r in records_for(daemon)
                     if r["outcome"] == "delivered"}
        unconfirmed = delivered - mx.confirmed()
        self.assertEqual(unconfirmed, set(), "delivered but never confirmed by the server\n" +
                         describe(records_for(daemon)) + "\n" + mx.transcripts())

    def assert_outcomes(self, records, want, mx):
        got = [(r["outcome"], r["enhanced_code"]) for r in records]
        self.assertEqual(got, want, describe(records) + "\n" + mx.transcripts())

    # -- item 1: a reply other than 354 to DATA -------------------------------------------
    def test_data_answered_250_is_not_a_delivery(self):
        script = greeting_and_ehlo() + [
            ("read",), ("send", b"250 2.1.0 ok\r\n"), ("read",), ("send", b"250 2.1.5 ok\r\n"),
            ("read",), ("send", b"250 2.1.5 ok\r\n"), ("read",), ("send", b"250 2.0.0 ok\r\n")]
        mx, daemon = self.routed([script])
        recipients = ["a@broken.test", "b@broken.test"]
        queue_id = submit(daemon.port, "s@origin.test", recipients, BODY)
        records = self.attempts(daemon, recipients, mx)
        self.assert_outcomes(records, [("deferred", "4.5.0")] * 2, mx)
        self.assertIn("DATA answered", records[0]["reply"])
        self.assertEqual(records_for(daemon, type="final"), [])
        self.assertIn(queue_id, daemon.spool_ids())
        daemon.wait_for_log(r"out of step, closed: DATA answered")
        self.assert_invariant(daemon, mx)

    # -- item 2: replies matched to commands -----------------------------------------------
    def test_extra_reply_after_rcpt_defers_the_whole_transaction(self):
        # Pipelined: five replies for four commands; read by position, b's refusal would be
        # pinned on c and the 250 meant for c on DATA.
        script = greeting_and_ehlo(PIPELINING) + [
            ("read",), ("read",), ("read",), ("read",),
            ("send", b"250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 no such user\r\n"
                     b"250 2.1.5 ok\r\n354 go ahead\r\n"),
            ("content",), ("send", b"250 2.0.0 queued\r\n")]
        mx, daemon = self.routed([script])
        recipients = ["b@broken.test", "c@broken.test"]
        submit(daemon.port, "s@origin.test", recipients, BODY)
        records = self.attempts(daemon, recipients, mx)
        self.assert_outcomes(records, [("deferred", "4.5.0")] * 2, mx)
        self.assert_invariant(daemon, mx)

    # -- item 3: a 5xx greeting ----------------------------------------------------------
    def greeting_refused_by(self, second_mx_works):
        """greet.test has MX 10 on 127.0.0.22, which greets with 554, and MX 20 on 127.0.0.23:
        a working sink, or another server that greets with 554. Returns the attempt record and
        the two servers."""
        port = free_port("127.0.0.22")
        records = {"mx": {"greet.test": [(10, "mx1.greet.test"), (20, "mx2.greet.test")]},
                   "a": {"mx1.greet.test": "127.0.0.22", "mx2.greet.test": "127.0.0.23"}}
        refusing = [("send", b"554 5.7.1 mx1 does not like you\r\n")] + quit_steps()
        refusing_too = [("send", b"554 5.7.1 mx2 does not like you either\r\n")] + quit_steps()
        second = (SmtpSink("127.0.0.23", port) if second_mx_works
                  else FakeMx("127.0.0.23", port, [refusing_too]))
        with DnsServer(**records) as dns, FakeMx("127.0.0.22", port, [refusing]) as mx1, \
                second, Daemon(top=delivery_top(dns.address, port, retry_intervals=["1h"],
                                                 queue_lifetime="1d")) as daemon:
            submit(daemon.port, "s@origin.test", ["u@greet.test"], BODY)
            record = self.attempts(daemon, ["u@greet.test"], mx1)[0]
            return record, records_for(daemon, type="final"), mx1, second

    def test_5xx_greeting_from_every_mx_host_defers(self):
        record, finals, mx1, mx2 = self.greeting_refused_by(second_mx_works=False)
        self.assertEqual(finals, [], describe(finals))  # no bounce, no DSN
        self.assertEqual((record["outcome"], record["enhanced_code"]), ("deferred", "4.7.1"),
                         describe([record]))
        self.assertIn("mx2.greet.test [127.0.0.23] refused the session: 554 5.7.1",
                      record["reply"])
        self.assertEqual(mx1.connection_count(), 1)
        self.assertEqual(mx2.connection_count(), 1)

    def test_5xx_greeting_from_the_first_mx_host_tries_the_next(self):
        record, finals, mx1, sink = self.greeting_refused_by(second_mx_works=True)
        self.assertEqual((record["outcome"], record["mx_host"]), ("delivered", "mx2.greet.test"),
                         describe([record]))

    # -- item 6: control bytes in replies ----------------------------------------------------
    def test_control_bytes_in_a_reply_are_escaped_in_the_log_and_status(self):
        nasty = b"554 5.7.1 go\x1b[2J away\x07\x08 \xff\xfe bytes\r\n"
        mx, daemon = self.routed([[("send", nasty)] + quit_steps()])
        submit(daemon.port, "s@origin.test", ["u@broken.test"], BODY)
        self.attempts(daemon, ["u@broken.test"], mx)
        daemon.wait_for_log(r"refused the session")
        log = daemon.log()
        for raw in ("\x1b", "\x07", "\x08", "\ufffd"):
            self.assertNotIn(raw, log)
        self.assertIn("go\\x1B[2J away\\x07\\x08 \\xFF\\xFE bytes", log)
        with urllib.request.urlopen(daemon.status_url + "/queues", timeout=10) as response:
            body = response.read()
        queues = json.loads(body)  # valid JSON: no raw byte that is not UTF-8
        self.assertNotIn(b"\x1b", body)
        replies = json.dumps(queues)
        self.assertIn("\\\\x1B[2J", replies)

    # -- items 4 and 5: SIZE and 8BITMIME -----------------------------------------------------
    def test_larger_than_the_size_limit_bounces_without_sending(self):
        script = greeting_and_ehlo(("SIZE 100", "ENHANCEDSTATUSCODES")) + quit_steps()
        mx, daemon = self.routed([script])
        submit(daemon.port, "s@origin.test", ["u@broken.test"], BODY + b"x" * 200 + b"\r\n")
        final = wait_for_final(daemon, "u@broken.test")
        self.assertEqual((final["outcome"], final["enhanced_code"]), ("bounced", "5.3.4"),
                         describe([final]))
        mx.wait_until_idle()
        self.assertNotIn("MAIL FROM", mx.transcripts())

    def test_eight_bit_content_for_a_server_without_8bitmime_bounces(self):
        mx, daemon = self.routed([greeting_and_ehlo() + quit_steps()])
        submit(daemon.port, "s@origin.test", ["u@broken.test"],
               "Subject: caf\u00e9\r\n\r\nna\u00efve\r\n".encode())
        final = wait_for_final(daemon, "u@broken.test")
        self.assertEqual((final["outcome"], final["enhanced_code"]), ("bounced", "5.6.3"),
                         describe([final]))
        mx.wait_until_idle()
        self.assertNotIn("MAIL FROM", mx.transcripts())

    # -- item 7: too many recipients -----------------------------------------------------------
    def test_too_many_recipients_go_at_once_in_a_new_transaction(self):
        script = greeting_and_ehlo(PIPELINING) + [
            ("read",), ("read",), ("read",), ("read",), ("read",),
            ("send", b"250 2.1.0 ok\r\n250 2.1.5 ok\r\n452 4.5.3 Too many recipients\r\n"
                     b"452 4.5.3 Too many recipients\r\n354 go ahead\r\n"),
            ("content",), ("send", b"250 2.0.0 first\r\n"),
            ("read",), ("read",), ("read",), ("read",),
            ("send", b"250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n354 go ahead\r\n"),
            ("content",), ("send", b"250 2.0.0 second\r\n")] + quit_steps()
        mx, daemon = self.routed([script])
        recipients = ["a@broken.test", "b@broken.test", "c@broken.test"]
        submit(daemon.port, "s@origin.test", recipients, BODY)
        records = self.attempts(daemon, recipients, mx)
        self.assert_outcomes(records, [("delivered", "2.0.0")] * 3, mx)
        self.assertEqual([r["attempt"] for r in records], [1, 1, 1])
        self.assertEqual(mx.connection_count(), 1, mx.transcripts())
        self.assert_invariant(daemon, mx)


if __name__ == "__main__":
    unittest.main()
