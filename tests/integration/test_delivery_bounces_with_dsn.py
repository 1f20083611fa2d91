"""A permanent failure bounces once, with a DSN to the sender: the a.test sink answers RCPT for
x@a.test with 550 5.1.1; the recipient is tried once only (no retry), and a delivery status
notification from the null sender arrives at the sink of the sender's domain (origin.test) that
parses as RFC 3464 (multipart/report; report-type=delivery-status, Action: failed, Status: 5.1.1,
Final-Recipient: rfc822;x@a.test). A bounced message whose sender is null gets no DSN."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import (delivery_top, describe, records_for, wait_for_empty_spool,  # noqa: E402
                             wait_for_final)
from dns_server import DnsServer  # noqa: E402
from dsn_report import address_field, parse_dsn  # noqa: E402
from sluice import Daemon, free_port, submit  # noqa: E402
from smtp_sink import NO_SUCH_USER, SmtpSink  # noqa: E402

SENDER = "s@origin.test"
BOUNCED = "x@a.test"
NULL_SENDER_BOUNCED = "y@a.test"
CONTENT = (b"Subject: will bounce\r\n"
           b"Message-ID: <bounce-me@origin.test>\r\n"
           b"\r\n"
           b"body\r\n")
DNS_RECORDS = {"mx": {"a.test": [(10, "mx.a.test")], "origin.test": [(10, "mx.origin.test")]},
               "a": {"mx.a.test": "127.0.0.2", "mx.origin.test": "127.0.0.3"}}
TABLE = {BOUNCED: NO_SUCH_USER, NULL_SENDER_BOUNCED: NO_SUCH_USER}


class BouncesWithDsn(unittest.TestCase):
    def run_scenario(self, check):
        port = free_port()
        with DnsServer(**DNS_RECORDS) as dns, \
                SmtpSink("127.0.0.2", port, TABLE) as sink_a, \
                SmtpSink("127.0.0.3", port) as origin, \
                Daemon(top=delivery_top(dns.address, port, retry_intervals=["1s"])) as daemon:
            check(daemon, sink_a, origin)

    def test_hard_bounce_sends_one_rfc3464_dsn(self):
        self.run_scenario(self.check_dsn)

    def check_dsn(self, daemon, sink_a, origin):
        queue_id = submit(daemon.port, SENDER, [BOUNCED], CONTENT)
        dsn_message = origin.wait_for_recipient(SENDER, timeout=30)
        final = wait_for_final(daemon, BOUNCED)
        wait_for_empty_spool(daemon)

        self.assertEqual(dsn_message.sender, "", "a DSN comes from the null sender")
        self.assertEqual(dsn_message.recipients, [SENDER])
        dsn = parse_dsn(dsn_message.content)
        self.assertEqual(len(dsn.recipients), 1, dsn.recipients)
        fields = dsn.recipients[0]
        self.assertEqual(address_field(fields["final-recipient"]), ("rfc822", BOUNCED), fields)
        self.assertEqual(fields["action"], "failed", fields)
        self.assertEqual(fields["status"], "5.1.1", fields)
        self.assertIn("550 5.1.1 No such user", fields.get("diagnostic-code", ""), fields)
        self.assertEqual(address_field(fields.get("remote-mta", "dns;")),
                         ("dns", "mx.a.test"), fields)
        self.assertIn("reporting-mta", dsn.per_message, dsn.per_message)
        self.assertEqual(dsn.message["To"].addresses[0].addr_spec, SENDER)
        self.assertIsNotNone(dsn.returned, "the DSN returns the original or its headers")
        self.assertIn(b"<bounce-me@origin.test>", dsn.returned.as_bytes())

        self.assertEqual(sink_a.rcpt_count(BOUNCED), 1, "a 5xx recipient must not be retried")
        self.assertEqual(sink_a.messages(), [], "nothing was accepted at a.test")
        records = records_for(daemon, BOUNCED)
        self.assertEqual([(r["type"], r["attempt"], r["outcome"]) for r in records],
                         [("attempt", 1, "bounced"), ("final", 1, "bounced")], describe(records))
        self.assertEqual(final["queue_id"], queue_id)
        self.assertEqual(final["enhanced_code"], "5.1.1", describe([final]))
        self.assertEqual([r["reply"] for r in records], [NO_SUCH_USER, NO_SUCH_USER],
                         "both records carry the remote reply as received:\n"
                         + describe(records))
        self.assertNotEqual(final["dsn_queue_id"], "", describe([final]))
        dsn_records = records_for(daemon, SENDER, "final", final["dsn_queue_id"])
        self.assertEqual([(r["outcome"], r["sender"]) for r in dsn_records], [("delivered", "")],
                         describe(records_for(daemon)))

    def test_bounce_of_null_sender_message_sends_no_dsn(self):
        self.run_scenario(self.check_no_dsn)

    def check_no_dsn(self, daemon, sink_a, origin):
        queue_id = submit(daemon.port, "", [NULL_SENDER_BOUNCED], CONTENT)
        final = wait_for_final(daemon, NULL_SENDER_BOUNCED)
        self.assertEqual((final["outcome"], final["dsn_queue_id"]), ("bounced", ""),
                         describe([final]))
        wait_for_empty_spool(daemon)
        everything = records_for(daemon)
        self.assertEqual({r["queue_id"] for r in everything}, {queue_id},
                         "no other message (no DSN) was queued:\n" + describe(everything))
        self.assertEqual(sink_a.rcpt_count(NULL_SENDER_BOUNCED), 1)
        self.assertEqual(origin.connections, 0, origin.summary())


if __name__ == "__main__":
    unittest.main()
