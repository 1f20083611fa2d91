"""A recipient domain that does not exist bounces at once: dnsmasq answers NXDOMAIN for
nowhere.test, the recipient gets a final "bounced" record with 5.1.2 after one attempt, and the
sender's domain receives a DSN (from the null sender) with Action: failed, Status: 5.1.2."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import (delivery_top, describe, records_for, wait_for_empty_spool,  # noqa: E402
                             wait_for_final)
from dns_server import DnsServer, query  # noqa: E402
from dsn_report import address_field, parse_dsn  # noqa: E402
from sluice import Daemon, free_port, submit  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

SENDER = "s@origin.test"
RECIPIENT = "user@nowhere.test"


class NxdomainBounces(unittest.TestCase):
    def test_nxdomain_bounces_with_5_1_2(self):
        port = free_port()
        records = {"mx": {"origin.test": [(10, "mx.origin.test")]},
                   "a": {"mx.origin.test": "127.0.0.3"}}
        with DnsServer(**records) as dns, SmtpSink("127.0.0.3", port) as origin, \
                Daemon(top=delivery_top(dns.address, port)) as daemon:
            self.assertEqual(query(dns.port, "nowhere.test", "MX"), ("NXDOMAIN", []))
            queue_id = submit(daemon.port, SENDER, [RECIPIENT], b"Subject: nx\r\n\r\nb\r\n")
            final = wait_for_final(daemon, RECIPIENT)
            dsn_message = origin.wait_for_recipient(SENDER)
            wait_for_empty_spool(daemon)

            self.assertEqual((final["outcome"], final["enhanced_code"], final["queue_id"]),
                             ("bounced", "5.1.2", queue_id), describe([final]))
            self.assertEqual(len(records_for(daemon, RECIPIENT, "attempt")), 1,
                             describe(records_for(daemon, RECIPIENT)))
            self.assertEqual(dsn_message.sender, "")
            fields = parse_dsn(dsn_message.content).recipients[0]
            self.assertEqual(address_field(fields["final-recipient"]), ("rfc822", RECIPIENT))
            self.assertEqual((fields["action"], fields["status"]), ("failed", "5.1.2"), fields)


if __name__ == "__main__":
    unittest.main()
