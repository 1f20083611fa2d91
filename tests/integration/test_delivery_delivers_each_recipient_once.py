"""Each recipient is delivered exactly once, to its own domain's MX: a message to two recipients
at a.test and one at b.test (MX hosts on 127.0.0.2 and 127.0.0.3, one sink each on the same
port, found through a real dnsmasq) arrives once per recipient, with the content as sent after
Sluice's Received: header; then the spool is empty and the accounting log holds one "attempt" and
one "final" record per recipient, outcome delivered, naming the MX host and its address."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import (delivery_top, describe, records_for, wait_for_empty_spool,  # noqa: E402
                             wait_for_final)
from dns_server import DnsServer  # noqa: E402
from sluice import Daemon, free_port, split_stored, submit  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

SENDER = "s@origin.test"
A_RECIPIENTS = ["one@a.test", "two@a.test"]
B_RECIPIENTS = ["three@b.test"]
CONTENT = (b"Subject: each recipient once\r\n"
           b"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n"
           b"Message-ID: <once@origin.test>\r\n"
           b"\r\n"
           b".a line that was dot-stuffed\r\n"
           b"body\r\n")
MX = {"a.test": ("mx.a.test", "127.0.0.2"), "b.test": ("mx.b.test", "127.0.0.3")}


class DeliversEachRecipientOnce(unittest.TestCase):
    def test_each_recipient_once(self):
        port = free_port()
        records = {"mx": {domain: [(10, host)] for domain, (host, _) in MX.items()},
                   "a": {host: ip for host, ip in MX.values()}}
        with DnsServer(**records) as dns, \
                SmtpSink("127.0.0.2", port) as sink_a, SmtpSink("127.0.0.3", port) as sink_b, \
                Daemon(top=delivery_top(dns.address, port)) as daemon:
            queue_id = submit(daemon.port, SENDER, A_RECIPIENTS + B_RECIPIENTS, CONTENT)
            for recipient in A_RECIPIENTS + B_RECIPIENTS:
                final = wait_for_final(daemon, recipient)
                self.assertEqual(final["outcome"], "delivered", describe([final]))
            wait_for_empty_spool(daemon)

            for sink, recipients in ((sink_a, A_RECIPIENTS), (sink_b, B_RECIPIENTS)):
                for recipient in recipients:
                    arrived = sink.delivered_to(recipient)
                    self.assertEqual(len(arrived), 1,
                                     f"{recipient}: got {len(arrived)} copies, want 1")
                    self.assertEqual(arrived[0].sender, SENDER)
                    added, rest = split_stored(arrived[0].content, False, False)
                    self.assertEqual(rest, CONTENT, f"content delivered to {recipient}")
                    self.assertIn(f"by mx.sluice.test (Sluice) with ESMTP id {queue_id}",
                                  added["Received"])
                    self.assertEqual(sink.rcpt_count(recipient), 1)
            self.assertEqual(sink_a.rcpt_count(B_RECIPIENTS[0]), 0)
            self.assertEqual(sink_b.rcpt_count(A_RECIPIENTS[0]), 0)

            for recipient in A_RECIPIENTS + B_RECIPIENTS:
                host, ip = MX[recipient.split("@")[1]]
                records = records_for(daemon, recipient)
                self.assertEqual([(r["type"], r["outcome"], r["attempt"]) for r in records],
                                 [("attempt", "delivered", 1), ("final", "delivered", 1)],
                                 describe(records))
                for record in records:
                    self.assertEqual(record["queue_id"], queue_id, describe([record]))
                    self.assertEqual(record["sender"], SENDER, describe([record]))
                    self.assertEqual((record["mx_host"], record["mx_ip"]), (host, ip),
                                     describe([record]))
                    self.assertEqual(record["message_id"], "<once@origin.test>",
                                     describe([record]))
                    self.assertTrue(record["reply"].startswith("250"), describe([record]))
            self.assertIn("MX", dns.queries_for("a.test"))


if __name__ == "__main__":
    unittest.main()
