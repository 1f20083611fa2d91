"""The status endpoint counts what really happened: 10 messages injected (6 for IspA, 4 for
IspB), all delivered to a real sink, show up as accepted 10 / delivered 10 in GET /status, as
6 and 4 delivered in GET /queues and in /metrics (parsed by Debian's prometheus_client), and in
sluicectl's tables; the spool totals go back to zero once everything is delivered."""

import os
import smtplib
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import wait_for_empty_spool  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port, wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from status_api import get, queue_of, sluicectl, status_top  # noqa: E402

from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

POLICY = {"isps": [{"name": "IspA", "domains": ["a.test"]},
                   {"name": "IspB", "domains": ["b.test"]}]}
COUNTS = {"a.test": 6, "b.test": 4}


class StatusCounts(unittest.TestCase):
    def test_counts_match_injected_and_delivered(self):
        port = free_port()
        with DnsServer(mx={"a.test": [(10, "mx.a.test")], "b.test": [(10, "mx.b.test")]},
                       a={"mx.a.test": "127.0.0.2", "mx.b.test": "127.0.0.2"}) as dns, \
                SmtpSink("127.0.0.2", port) as sink, \
                Daemon(top=status_top(policy_top(dns.address, port, POLICY))) as daemon:
            with smtplib.SMTP("127.0.0.1", daemon.port, "load.test", timeout=30) as client:
                for domain, count in COUNTS.items():
                    for n in range(count):
                        self.assertFalse(client.sendmail("s@origin.test", [f"r{n}@{domain}"],
                                                         b"Subject: count\r\n\r\nbody\r\n"))
            sink.wait_for_messages(10, timeout=60)
            wait_for_empty_spool(daemon)
            status = wait_for(lambda: (s := get(daemon, "/status"))["totals"]["delivered"] == 10
                              and s, 20, what="10 deliveries in /status")
            self.assertEqual(status["totals"]["accepted"], 10, status)
            self.assertEqual(status["totals"]["bounced"], 0, status)
            self.assertEqual(status["spool"]["messages"], 0, status)
            self.assertEqual(status["config"]["generation"], 1)
            self.assertTrue(status["accepting"])
            self.assertEqual(status["listeners"][0]["state"], "listening")
            self.assertGreater(status["spool"]["free_bytes"], 0)

            for isp, count in (("IspA", 6), ("IspB", 4)):
                queue = queue_of(daemon, isp)
                self.assertIsNotNone(queue, isp)
                self.assertEqual(queue["counts"]["delivered"], count, queue)
                self.assertEqual(queue["queued"], 0)
                self.assertEqual(queue["state"], "idle", queue)
                self.assertTrue(queue["last_replies"][0].startswith("250"), queue)
            one = get(daemon, "/queues/IspA")["queues"]
            self.assertEqual({q["isp"] for q in one}, {"IspA"})

            families = {f.name: f for f in text_string_to_metric_families(get(daemon, "/metrics"))}
            delivered = {s.labels["isp"]: s.value for s in families["sluice_queue_recipients"].samples
                         if s.name == "sluice_queue_recipients_total"
                         and s.labels["outcome"] == "delivered"}
            self.assertEqual(delivered, {"IspA": 6.0, "IspB": 4.0})
            accepted = families["sluice_messages_accepted"].samples[0]
            self.assertEqual(accepted.value, 10.0)
            self.assertEqual(families["sluice_spool_messages"].samples[0].value, 0.0)

            table = sluicectl(daemon, "status")
            self.assertEqual(table.returncode, 0, table.stderr)
            self.assertIn("accepted 10  delivered 10", table.stdout)
            queues = sluicectl(daemon, "queues")
            self.assertEqual(queues.returncode, 0, queues.stderr)
            self.assertRegex(queues.stdout, r"IspA/\S+\s+idle\s+0\s+0\s+0\s+\S+\s+\S+\s+6\s")
            detail = sluicectl(daemon, "queue", "IspB")
            self.assertIn("delivered 4,", detail.stdout)
            print(f"accepted {status['totals']['accepted']}, delivered "
                  f"{status['totals']['delivered']}; per ISP {delivered}")


if __name__ == "__main__":
    unittest.main()
