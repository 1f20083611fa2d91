"""A remote that takes the whole message and drops the connection before its reply to the final
dot (RFC 1047): the attempt is "possibly-delivered", never a bounce. With the default
delivery.retry_possibly_delivered = true the message is sent again (a duplicate is better than a
loss) and its final record is "delivered"; with false it is not retried and its final record is
"possibly-delivered". The remote is a real sink reached through a static route."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import (delivery_top, describe, records_for, wait_for_empty_spool,  # noqa: E402
                             wait_for_final)
from sluice import NO_DNS_SERVER, Daemon, free_port, submit  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

RECIPIENT = "user@dropper.test"
CONTENT = b"Subject: dropped\r\n\r\nthe reply to this never comes\r\n"


class RemoteDropsAfterData(unittest.TestCase):
    def run_case(self, retry):
        port = free_port("127.0.0.11")
        route = {"domains": ["dropper.test"], "host": "127.0.0.11", "port": port}
        top = delivery_top(NO_DNS_SERVER, port, retry_intervals=["1s"],
                           delivery={"retry_possibly_delivered": retry}, routes=[route])
        with SmtpSink("127.0.0.11", port, drop_after_data=1) as sink, \
                Daemon(top=top) as daemon:
            queue_id = submit(daemon.port, "s@origin.test", [RECIPIENT], CONTENT)
            final = wait_for_final(daemon, RECIPIENT, timeout=30)
            wait_for_empty_spool(daemon)
            records = records_for(daemon, RECIPIENT)
            self.assertEqual(final["queue_id"], queue_id)
            self.assertNotIn("bounced", [r["outcome"] for r in records], describe(records))
            self.assertEqual(daemon.spool_ids(), set())  # no DSN either
            copies = [m for m in sink.messages() if RECIPIENT in m.recipients]
            self.assertTrue(all(c.content.endswith(CONTENT) for c in copies), sink.summary())
            return records, copies

    def test_retried_by_default(self):
        records, copies = self.run_case(True)
        self.assertEqual([(r["type"], r["attempt"], r["outcome"]) for r in records],
                         [("attempt", 1, "possibly-delivered"), ("attempt", 2, "delivered"),
                          ("final", 2, "delivered")], describe(records))
        self.assertEqual([c.replied for c in copies], [False, True])

    def test_not_retried_when_configured(self):
        records, copies = self.run_case(False)
        self.assertEqual([(r["type"], r["attempt"], r["outcome"]) for r in records],
                         [("attempt", 1, "possibly-delivered"), ("final", 1, "possibly-delivered")],
                         describe(records))
        self.assertEqual([c.replied for c in copies], [False])


if __name__ == "__main__":
    unittest.main()
