"""When the preferred MX refuses connections the next one is used: fb.test has MX 10 on
127.0.0.4, where nothing listens on the delivery port, and MX 20 on 127.0.0.5, a sink. The
message is delivered once, on the first attempt, through the second MX, and the accounting log
names that MX host and address."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import (delivery_top, describe, records_for, wait_for_empty_spool,  # noqa: E402
                             wait_for_final)
from dns_server import DnsServer  # noqa: E402
from sluice import Daemon, connect_refused, free_port, submit  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

RECIPIENT = "user@fb.test"


class MxFallback(unittest.TestCase):
    def test_second_mx_after_refused_connection(self):
        port = free_port()
        records = {"mx": {"fb.test": [(10, "mx1.fb.test"), (20, "mx2.fb.test")]},
                   "a": {"mx1.fb.test": "127.0.0.4", "mx2.fb.test": "127.0.0.5"}}
        with DnsServer(**records) as dns, SmtpSink("127.0.0.5", port) as sink, \
                Daemon(top=delivery_top(dns.address, port)) as daemon:
            self.assertTrue(connect_refused(port, host="127.0.0.4"))
            submit(daemon.port, "s@origin.test", [RECIPIENT], b"Subject: fallback\r\n\r\nb\r\n")
            final = wait_for_final(daemon, RECIPIENT)
            wait_for_empty_spool(daemon)

            self.assertEqual(len(sink.delivered_to(RECIPIENT)), 1, sink.summary())
            records = records_for(daemon, RECIPIENT)
            self.assertEqual([(r["type"], r["attempt"], r["outcome"]) for r in records],
                             [("attempt", 1, "delivered"), ("final", 1, "delivered")],
                             describe(records))
            self.assertEqual((final["mx_host"], final["mx_ip"]), ("mx2.fb.test", "127.0.0.5"),
                             describe([final]))


if __name__ == "__main__":
    unittest.main()
