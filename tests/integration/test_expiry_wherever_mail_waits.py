"""A recipient is never tried after arrival + its lifetime, wherever it waits (sluice.conf(5),
delivery.queue_lifetime): with a 4-second lifetime,
  - mail for an ISP an admin holds gets its final "expired" record and a DSN while the hold
    is still on, within a scheduler pass of its deadline, and is not delivered after the release;
  - mail held by a node-wide hold likewise;
  - the second message for an ISP whose rate allows one an hour expires while it waits for the
    rate (the first is delivered).
The status endpoint's count of recipients past their lifetime reads 0 throughout (the harness
also checks it when any scenario ends)."""

import os
import smtplib
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import describe, records_for, wait_for_final  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port, wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from status_api import get, post, status_top  # noqa: E402

LIFETIME = 4
POLICY = {
    "strategies": [{"name": "one-an-hour", "max_connections": 1, "messages_per_connection": 1,
                    "message_rate": "1/h"}],
    "isps": [{"name": "Held", "domains": ["held.test"]},
             {"name": "Slow", "domains": ["slow.test"], "strategy": "one-an-hour"}],
}


def submit(daemon, recipient, subject):
    with smtplib.SMTP("127.0.0.1", daemon.port, "load.test", timeout=30) as client:
        client.sendmail("s@origin.test", [recipient], f"Subject: {subject}\r\n\r\nb\r\n".encode())
    return time.monotonic()


class ExpiryWhereverMailWaits(unittest.TestCase):
    def past_lifetime(self, daemon):
        return get(daemon, "/status")["delivery"]["past_lifetime_recipients"]

    def assert_expired_in_time(self, daemon, recipient, submitted):
        final = wait_for_final(daemon, recipient, timeout=LIFETIME + 10)
        took = time.monotonic() - submitted
        self.assertEqual((final["outcome"], final["enhanced_code"]), ("expired", "4.4.7"),
                         describe([final]))
        self.assertTrue(final["dsn_queue_id"], describe([final]))
        # The deadline is whole seconds after arrival; one pass later at most.
        self.assertLess(took, LIFETIME + 2.5, describe([final]))
        self.assertGreaterEqual(took, LIFETIME - 1, describe([final]))
        self.assertEqual(self.past_lifetime(daemon), 0)
        return final

    def test_held_isp_node_hold_and_rate_limit(self):
        port = free_port()
        with DnsServer(mx={"held.test": [(10, "mx.test")], "slow.test": [(10, "mx.test")],
                           "node.test": [(10, "mx.test")]},
                       a={"mx.test": "127.0.0.2"}) as dns, SmtpSink("127.0.0.2", port) as sink, \
                Daemon(top=status_top(policy_top(dns.address, port, POLICY,
                                                 queue_lifetime=f"{LIFETIME}s",
                                                 retry_intervals=["1s"]))) as daemon:
            # An ISP on hold.
            self.assertEqual(post(daemon, "/hold", {"isp": "Held"})[0], 200)
            submitted = submit(daemon, "u@held.test", "held")
            self.assertEqual(self.past_lifetime(daemon), 0)
            self.assert_expired_in_time(daemon, "u@held.test", submitted)
            self.assertEqual([r["type"] for r in records_for(daemon, "u@held.test")], ["final"],
                             "never attempted")
            self.assertEqual(post(daemon, "/release", {"isp": "Held"})[0], 200)

            # A message for an ISP that may have one an hour: the second waits for the rate.
            submit(daemon, "first@slow.test", "first")
            wait_for_final(daemon, "first@slow.test")
            submitted = submit(daemon, "second@slow.test", "second")
            self.assert_expired_in_time(daemon, "second@slow.test", submitted)

            # All sending paused.
            self.assertEqual(post(daemon, "/hold", {})[0], 200)
            submitted = submit(daemon, "u@node.test", "node")
            self.assert_expired_in_time(daemon, "u@node.test", submitted)
            self.assertEqual(post(daemon, "/release", {})[0], 200)

            # Released: new mail for the same queues goes, the expired recipients do not.
            submit(daemon, "after@held.test", "after")
            submit(daemon, "after@node.test", "after")
            sink.wait_for_messages(3, timeout=20)
            wait_for_final(daemon, "after@held.test")
            wait_for_final(daemon, "after@node.test")
            delivered = sorted(r for m in sink.messages() for r in m.recipients)
            self.assertEqual(delivered, ["after@held.test", "after@node.test",
                                         "first@slow.test"], delivered)
            self.assertEqual(self.past_lifetime(daemon), 0)
            print(f"expired while held, rate-limited and node-held; delivered {delivered}")


if __name__ == "__main__":
    unittest.main()
