"""A source's own shaping sets its pace: the pool "bulk" sends from two sources in round robin
to one ISP whose strategy allows 10 messages a second per source; the source "fresh" overrides
message_rate to 5 a second. Measured at the sink from the arrival times of each source's
messages, "seasoned" runs at 10/s and "fresh" at 5/s, each within 5 %; the status endpoint and
sluicectl show each queue's effective strategy and what shaped it."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import wait_for_empty_spool  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port, submit  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from status_api import get, sluicectl, status_top  # noqa: E402

PER_SOURCE = 41  # 40 intervals each: 4 s at 10/s, 8 s at 5/s
POLICY = {
    "strategies": [{"name": "paced", "max_connections": 2, "messages_per_connection": 1000,
                    "message_rate": "10/s"}],
    "pools": [{"name": "bulk", "sender_domains": ["bulk.test"],
               "sources": [{"name": "seasoned", "address": "127.0.0.4"},
                           {"name": "fresh", "address": "127.0.0.5",
                            "shaping": [{"isp": "Paced", "message_rate": "5/s"}]}]}],
    "isps": [{"name": "Paced", "domains": ["paced.test"], "strategy": "paced"}],
}


def measured_rate(messages):
    """Messages per second over the span from the first arrival to the last."""
    times = sorted(m.received_at for m in messages)
    return (len(times) - 1) / (times[-1] - times[0])


class SourceShaping(unittest.TestCase):
    def test_a_source_override_sets_its_rate_at_the_sink(self):
        port = free_port()
        with DnsServer(mx={"paced.test": [(10, "mx.paced.test")]},
                       a={"mx.paced.test": "127.0.0.2"}) as dns, \
                SmtpSink("127.0.0.2", port) as sink, \
                Daemon(top=status_top(policy_top(dns.address, port, POLICY,
                                                 queue_lifetime="5m"))) as daemon:
            for n in range(2 * PER_SOURCE):
                submit(daemon.port, "news@bulk.test", [f"r{n}@paced.test"],
                       b"Subject: paced\r\n\r\nbody\r\n")
            sink.wait_for_messages(2 * PER_SOURCE, timeout=60)
            wait_for_empty_spool(daemon)

            by_source = {"127.0.0.4": [], "127.0.0.5": []}
            for message in sink.messages():
                by_source[message.peer[0]].append(message)
            self.assertEqual([len(v) for v in by_source.values()], [PER_SOURCE, PER_SOURCE])
            seasoned = measured_rate(by_source["127.0.0.4"])
            fresh = measured_rate(by_source["127.0.0.5"])
            print(f"measured at the sink: seasoned {seasoned:.2f}/s (want 10), "
                  f"fresh {fresh:.2f}/s (want 5)")
            self.assertAlmostEqual(seasoned, 10.0, delta=0.5)
            self.assertAlmostEqual(fresh, 5.0, delta=0.25)

            queues = {q["source"]: q for q in get(daemon, "/queues/Paced")["queues"]}
            fresh_strategy = queues["fresh"]["strategy"]
            self.assertEqual(fresh_strategy["name"], "paced")
            self.assertEqual(fresh_strategy["shaped_by"], ["source fresh for Paced: message_rate"])
            self.assertEqual(fresh_strategy["message_rate_per_hour"], 18000)
            self.assertEqual(fresh_strategy["max_connections"], 2)
            self.assertEqual(queues["seasoned"]["strategy"]["shaped_by"], [])
            self.assertEqual(queues["seasoned"]["strategy"]["message_rate_per_hour"], 36000)

            shown = sluicectl(daemon, "queue", "Paced")
            self.assertEqual(shown.returncode, 0, shown.stderr)
            self.assertIn("strategy: paced; shaped by source fresh for Paced: message_rate",
                          shown.stdout)
            self.assertIn("message_rate/h 18000", shown.stdout)


if __name__ == "__main__":
    unittest.main()
