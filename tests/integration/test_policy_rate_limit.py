"""A strategy's message rate is met at the sink: 130 messages for one ISP are queued at once
under message_rate = "60/m"; over the two minutes they take, the sink receives them one second
apart — the rate measured from the first arrival to the last is within ±5 % of 1/s, and no
30-second window holds more than its share plus one, and the queue does not open connections that
would only wait (at most two at once, of the four allowed). Another ISP without a rate limit is
not slowed by it."""

import os
import smtplib
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

RATE_PER_SECOND = 1.0
MEASURED = 121  # arrivals measured: 120 intervals of a second
POLICY = {
    "strategies": [{"name": "paced", "max_connections": 4, "messages_per_connection": 50,
                    "message_rate": "60/m"}],
    "isps": [{"name": "Paced", "domains": ["paced.test"], "strategy": "paced"},
             {"name": "Free", "domains": ["free.test"]}],
}


def submit_many(port, recipients):
    """Submits one message per recipient over one session."""
    with smtplib.SMTP("127.0.0.1", port, "load.test", timeout=30) as client:
        for recipient in recipients:
            refused = client.sendmail("s@origin.test", [recipient],
                                      b"Subject: paced\r\n\r\nbody\r\n")
            assert not refused, refused


class RateLimit(unittest.TestCase):
    def test_message_rate_is_met_within_five_percent(self):
        port = free_port()
        dns_records = {"mx": {"paced.test": [(10, "mx.paced.test")],
                              "free.test": [(10, "mx.free.test")]},
                       "a": {"mx.paced.test": "127.0.0.2", "mx.free.test": "127.0.0.3"}}
        with DnsServer(**dns_records) as dns, \
                SmtpSink("127.0.0.2", port, name="paced sink") as paced, \
                SmtpSink("127.0.0.3", port, name="free sink") as free, \
                Daemon(top=policy_top(dns.address, port, POLICY, queue_lifetime="10m")) as daemon:
            submit_many(daemon.port, [f"r{n}@paced.test" for n in range(MEASURED + 9)])
            submit_many(daemon.port, [f"f{n}@free.test" for n in range(20)])
            free.wait_for_messages(20, timeout=15)  # the other ISP is not held back

            messages = paced.wait_for_messages(MEASURED, timeout=MEASURED / RATE_PER_SECOND + 30)
            daemon.assert_running()
            times = sorted(m.received_at for m in messages)[:MEASURED]
            rate = (len(times) - 1) / (times[-1] - times[0])
            self.assertAlmostEqual(rate, RATE_PER_SECOND, delta=0.05 * RATE_PER_SECOND,
                                   msg=f"measured {rate:.4f}/s over {times[-1] - times[0]:.1f} s")
            window = 30.0
            for start in times:
                inside = sum(start <= t < start + window for t in times)
                self.assertLessEqual(inside, window * RATE_PER_SECOND + 1,
                                     f"{inside} messages in {window} s")
            # A paced queue does not hoard connections that would only wait for the rate.
            self.assertLessEqual(paced.max_concurrent, 2, paced.summary())
            print(f"paced: {len(times)} messages at {rate:.4f}/s "
                  f"(target {RATE_PER_SECOND}/s) over {times[-1] - times[0]:.1f} s; "
                  f"{paced.connections} connections, max {paced.max_concurrent} at once")


if __name__ == "__main__":
    unittest.main()
