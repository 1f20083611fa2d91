"""Bounce patterns decide bounce-now versus retry: an ISP's own pattern makes its
"550 5.7.1 Temporarily rate limited" soft (retried, then delivered once), while the global
pattern for 5.1.1 classes "550 5.1.1 No such user" hard (one attempt, a DSN to the sender).
The accounting records carry the class, category and pattern name."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import describe, records_for, wait_for_empty_spool, wait_for_final  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port, submit  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

POLICY = {
    "retry_rules": [{"name": "quick", "kind": "fixed", "interval": "1s", "expire_after": "5m"}],
    "bounce_patterns": [{"name": "bad-mailbox", "code": "5", "enhanced": "5.1.1",
                         "class": "hard", "category": "bad-mailbox"}],
    "isps": [{"name": "Picky", "domains": ["picky.test"], "retry": "quick",
              "bounce_patterns": [{"name": "picky-rate", "code": "550",
                                   "text": "temporarily rate limited", "class": "soft",
                                   "category": "rate-limit"}]}],
}


class BouncePatterns(unittest.TestCase):
    def test_patterns_classify_replies(self):
        port = free_port()
        behaviours = {"soft@picky.test": "550 5.7.1 Temporarily rate limited once then 250",
                      "gone@picky.test": "550 5.1.1 No such user"}
        with DnsServer(mx={"picky.test": [(10, "mx.picky.test")],
                           "origin.test": [(10, "mx.origin.test")]},
                       a={"mx.picky.test": "127.0.0.2", "mx.origin.test": "127.0.0.3"}) as dns, \
                SmtpSink("127.0.0.2", port, behaviours) as sink, \
                SmtpSink("127.0.0.3", port, name="sender's sink") as sender_sink, \
                Daemon(top=policy_top(dns.address, port, POLICY)) as daemon:
            submit(daemon.port, "s@origin.test", ["soft@picky.test"], b"Subject: a\r\n\r\nx\r\n")
            submit(daemon.port, "s@origin.test", ["gone@picky.test"], b"Subject: b\r\n\r\nx\r\n")
            wait_for_final(daemon, "soft@picky.test", timeout=30)
            wait_for_final(daemon, "gone@picky.test", timeout=30)
            dsn = sender_sink.wait_for_recipient("s@origin.test")
            wait_for_empty_spool(daemon)

            soft = records_for(daemon, "soft@picky.test")
            self.assertEqual([(r["type"], r["outcome"]) for r in soft],
                             [("attempt", "deferred"), ("attempt", "delivered"),
                              ("final", "delivered")], describe(soft))
            self.assertEqual((soft[0]["bounce_class"], soft[0]["bounce_category"],
                              soft[0]["bounce_pattern"]), ("soft", "rate-limit", "picky-rate"))
            self.assertEqual(len(sink.delivered_to("soft@picky.test")), 1)

            gone = records_for(daemon, "gone@picky.test")
            self.assertEqual([(r["type"], r["outcome"]) for r in gone],
                             [("attempt", "bounced"), ("final", "bounced")], describe(gone))
            self.assertEqual((gone[0]["bounce_class"], gone[0]["bounce_category"],
                              gone[0]["bounce_pattern"]), ("hard", "bad-mailbox", "bad-mailbox"))
            self.assertEqual(sink.rcpt_count("gone@picky.test"), 1)
            self.assertIn(b"gone@picky.test", dsn.content)
            self.assertEqual(dsn.sender, "")


if __name__ == "__main__":
    unittest.main()
