"""A lock rule stops a queue: the ISP's sink answers the first RCPT with "421 4.7.0 Too many
connections"; the lock rule "throttled" (code 421, text "too many connections", 6 s, scope
source) locks the queue Lockme/default. During the lock no connection reaches that ISP's sink
although more mail for it arrives, while mail for another ISP still flows; once the lock expires
everything is delivered exactly once. The accounting log names the queue, and the deferral of
the locked recipient is not a bounce."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import describe, records_for, wait_for_empty_spool  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port, submit  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

LOCK_SECONDS = 6
POLICY = {
    "lock_rules": [{"name": "throttled", "code": "421", "text": "too many connections",
                    "lock_for": f"{LOCK_SECONDS}s", "scope": "source"}],
    "retry_rules": [{"name": "quick", "kind": "fixed", "interval": "1s", "expire_after": "5m"}],
    "isps": [{"name": "Lockme", "domains": ["lock.test"], "locks": ["throttled"],
              "retry": "quick"},
             {"name": "Other", "domains": ["other.test"], "retry": "quick"}],
}


class LockRule(unittest.TestCase):
    def test_421_locks_the_queue_until_the_lock_expires(self):
        port = free_port()
        dns_records = {"mx": {"lock.test": [(10, "mx.lock.test")],
                              "other.test": [(10, "mx.other.test")]},
                       "a": {"mx.lock.test": "127.0.0.2", "mx.other.test": "127.0.0.3"}}
        with DnsServer(**dns_records) as dns, \
                SmtpSink("127.0.0.2", port,
                         {"first@lock.test": "421 4.7.0 Too many connections once then 250"},
                         name="lock sink") as locked_sink, \
                SmtpSink("127.0.0.3", port, name="other sink") as other_sink, \
                Daemon(top=policy_top(dns.address, port, POLICY)) as daemon:
            submit(daemon.port, "s@origin.test", ["first@lock.test"], b"Subject: 1\r\n\r\nx\r\n")
            daemon.wait_for_log(r"Lockme/default: locked by rule throttled", timeout=20)
            locked_at = time.monotonic()
            connections_at_lock = locked_sink.connections

            for n in range(3):
                submit(daemon.port, "s@origin.test", [f"later{n}@lock.test"],
                       b"Subject: later\r\n\r\nx\r\n")
            submit(daemon.port, "s@origin.test", ["free@other.test"], b"Subject: o\r\n\r\nx\r\n")
            other_sink.wait_for_recipient("free@other.test", timeout=10)

            # Nothing reaches the locked ISP while the lock holds (1 s of margin).
            while time.monotonic() < locked_at + LOCK_SECONDS - 1:
                self.assertEqual(locked_sink.connections, connections_at_lock,
                                 f"a connection during the lock: {locked_sink.summary()}")
                time.sleep(0.1)

            for address in ["first@lock.test"] + [f"later{n}@lock.test" for n in range(3)]:
                locked_sink.wait_for_recipient(address, timeout=LOCK_SECONDS + 15)
            self.assertGreaterEqual(time.monotonic() - locked_at, LOCK_SECONDS - 1)
            wait_for_empty_spool(daemon)
            for address in ["first@lock.test"] + [f"later{n}@lock.test" for n in range(3)]:
                self.assertEqual(len(locked_sink.delivered_to(address)), 1, locked_sink.summary())

            first = records_for(daemon, "first@lock.test")
            self.assertEqual([(r["type"], r["outcome"]) for r in first],
                             [("attempt", "deferred"), ("attempt", "delivered"),
                              ("final", "delivered")], describe(first))
            self.assertEqual(first[0]["queue"], "Lockme/default", describe(first))
            self.assertEqual(first[0]["reply"], "421 4.7.0 Too many connections")
            self.assertEqual(records_for(daemon, "free@other.test")[0]["queue"],
                             "Other/default")


if __name__ == "__main__":
    unittest.main()
