"""A temporary failure is retried and then delivered: the sink answers RCPT for later@a.test
with 450 4.2.1 the first time and 250 afterwards; with delivery.retry_intervals = [ "1s" ] the
recipient is delivered on the second attempt, exactly once, and the accounting log shows attempt
1 deferred (with the sink's reply), attempt 2 delivered and one final record, delivered."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import (delivery_top, describe, records_for, wait_for_empty_spool,  # noqa: E402
                             wait_for_final)
from dns_server import DnsServer  # noqa: E402
from sluice import Daemon, free_port, submit  # noqa: E402
from smtp_sink import DEFER, SmtpSink  # noqa: E402

RECIPIENT = "later@a.test"
CONTENT = b"Subject: retried\r\n\r\nbody\r\n"


class RetriesTemporaryFailures(unittest.TestCase):
    def test_deferred_then_delivered(self):
        port = free_port()
        with DnsServer(mx={"a.test": [(10, "mx.a.test")]}, a={"mx.a.test": "127.0.0.2"}) as dns, \
                SmtpSink("127.0.0.2", port, {RECIPIENT: "450 once then 250"}) as sink, \
                Daemon(top=delivery_top(dns.address, port, retry_intervals=["1s"])) as daemon:
            queue_id = submit(daemon.port, "s@origin.test", [RECIPIENT], CONTENT)
            final = wait_for_final(daemon, RECIPIENT, timeout=30)
            wait_for_empty_spool(daemon)

            records = records_for(daemon, RECIPIENT)
            self.assertEqual([(r["type"], r["attempt"], r["outcome"]) for r in records],
                             [("attempt", 1, "deferred"), ("attempt", 2, "delivered"),
                              ("final", 2, "delivered")], describe(records))
            self.assertEqual(final["queue_id"], queue_id)
            first = records[0]
            self.assertEqual(first["reply"], DEFER, describe([first]))
            self.assertEqual(first["enhanced_code"], "4.2.1", describe([first]))
            self.assertEqual((first["mx_host"], first["mx_ip"]), ("mx.a.test", "127.0.0.2"))
            # the retry waited for the interval (1 s), not less
            waited_us = records[1]["time_unix_us"] - first["time_unix_us"]
            self.assertGreaterEqual(waited_us, 900_000, describe(records))

            self.assertEqual(sink.rcpt_count(RECIPIENT), 2)
            delivered = sink.delivered_to(RECIPIENT)
            self.assertEqual(len(delivered), 1, sink.summary())
            self.assertTrue(delivered[0].content.endswith(CONTENT))


if __name__ == "__main__":
    unittest.main()
