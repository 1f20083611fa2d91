"""A domain with a null MX (RFC 7505: "MX 0 .") bounces at once: the recipient gets one attempt
record and a final "bounced" record with 5.1.10 and no MX address, the sender's domain receives a
DSN with Status: 5.1.10, no connection is made for the null-MX domain (no RCPT for it reaches any
sink) and no A/AAAA lookup is made for it (a null MX is not an implicit MX)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import (delivery_top, describe, records_for, wait_for_empty_spool,  # noqa: E402
                             wait_for_final)
from dns_server import DnsServer  # noqa: E402
from dsn_report import address_field, parse_dsn  # noqa: E402
from sluice import Daemon, free_port, submit  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

SENDER = "s@origin.test"
RECIPIENT = "nobody@null.test"


class NullMxBounces(unittest.TestCase):
    def test_null_mx_bounces_without_connecting(self):
        port = free_port()
        records = {"mx": {"origin.test": [(10, "mx.origin.test")]},
                   "a": {"mx.origin.test": "127.0.0.3", "null.test": "127.0.0.2"},
                   "null_mx": ["null.test"]}
        with DnsServer(**records) as dns, \
                SmtpSink("127.0.0.2", port) as trap, SmtpSink("127.0.0.3", port) as origin, \
                Daemon(top=delivery_top(dns.address, port)) as daemon:
            queue_id = submit(daemon.port, SENDER, [RECIPIENT], b"Subject: null mx\r\n\r\nb\r\n")
            final = wait_for_final(daemon, RECIPIENT)
            dsn_message = origin.wait_for_recipient(SENDER)
            wait_for_empty_spool(daemon)

            self.assertEqual((final["outcome"], final["enhanced_code"], final["mx_ip"]),
                             ("bounced", "5.1.10", ""), describe([final]))
            self.assertEqual(final["queue_id"], queue_id)
            attempts = records_for(daemon, RECIPIENT, "attempt")
            self.assertEqual(len(attempts), 1, describe(attempts))
            self.assertEqual(final["reply"], attempts[0]["reply"], describe([attempts[0], final]))
            self.assertTrue(final["reply"].startswith("550 5.1.10 "), describe([final]))
            dsn = parse_dsn(dsn_message.content)
            self.assertEqual(dsn_message.sender, "")
            fields = dsn.recipients[0]
            self.assertEqual(address_field(fields["final-recipient"]), ("rfc822", RECIPIENT))
            self.assertEqual((fields["action"], fields["status"]), ("failed", "5.1.10"), fields)

            self.assertEqual(trap.connections, 0, "connected to null.test's own address")
            self.assertEqual(origin.rcpt_count(RECIPIENT), 0)
            self.assertEqual(dns.queries_for("null.test"), ["MX"])


if __name__ == "__main__":
    unittest.main()
