"""A strategy's connection limits hold at the sink: with max_connections = 3 and
messages_per_connection = 5, 60 messages for one ISP (a sink that takes 0.2 s per message)
never see more than 3 connections at once, do see 3 (the cap is used, not undershot), and no
connection carries more than 5 messages."""

import collections
import os
import smtplib
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import wait_for_empty_spool  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

COUNT = 60
POLICY = {
    "strategies": [{"name": "capped", "max_connections": 3, "messages_per_connection": 5}],
    "isps": [{"name": "Capped", "domains": ["capped.test"], "strategy": "capped"}],
}


class ConnectionCap(unittest.TestCase):
    def test_connection_limits_are_never_exceeded(self):
        port = free_port()
        with DnsServer(mx={"capped.test": [(10, "mx.capped.test")]},
                       a={"mx.capped.test": "127.0.0.2"}) as dns, \
                SmtpSink("127.0.0.2", port, data_delay=0.2) as sink, \
                Daemon(top=policy_top(dns.address, port, POLICY)) as daemon:
            with smtplib.SMTP("127.0.0.1", daemon.port, "load.test", timeout=30) as client:
                for n in range(COUNT):
                    self.assertFalse(client.sendmail("s@origin.test", [f"r{n}@capped.test"],
                                                     b"Subject: capped\r\n\r\nbody\r\n"))
            sink.wait_for_messages(COUNT, timeout=60)
            wait_for_empty_spool(daemon)
            self.assertEqual(sink.max_concurrent, 3, sink.summary())
            per_connection = collections.Counter(m.connection for m in sink.messages())
            self.assertLessEqual(max(per_connection.values()), 5, per_connection)
            self.assertGreaterEqual(sink.connections, COUNT // 5)
            print(f"{COUNT} messages over {sink.connections} connections, "
                  f"max {sink.max_concurrent} at once")


if __name__ == "__main__":
    unittest.main()
