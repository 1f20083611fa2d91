"""Locks and the node-wide hold through the status endpoint:
- a 421 locks Lockme/default for an hour by lock rule "throttled": /queues shows the lock (rule,
  reply, expiry), the state "locked" and the queued mail; `sluicectl unlock Lockme` lifts it and
  the mail is delivered at once;
- `POST /hold` without an ISP pauses all sending while mail is still accepted: /status says
  sending_paused, the queue says node-held and opens no connection; `POST /release` resumes."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import wait_for_empty_spool  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port, submit, wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from status_api import get, post, queue_of, sluicectl, status_top  # noqa: E402

POLICY = {
    "lock_rules": [{"name": "throttled", "code": "421", "text": "too many connections",
                    "lock_for": "1h", "scope": "source"}],
    "retry_rules": [{"name": "quick", "kind": "fixed", "interval": "1s", "expire_after": "5m"}],
    "isps": [{"name": "Lockme", "domains": ["lock.test"], "locks": ["throttled"],
              "retry": "quick"},
             {"name": "Other", "domains": ["other.test"], "retry": "quick"}],
}


class UnlockAndNodeHold(unittest.TestCase):
    def test_unlock_and_node_hold(self):
        port = free_port()
        with DnsServer(mx={"lock.test": [(10, "mx.lock.test")],
                           "other.test": [(10, "mx.other.test")]},
                       a={"mx.lock.test": "127.0.0.2", "mx.other.test": "127.0.0.3"}) as dns, \
                SmtpSink("127.0.0.2", port,
                         {"first@lock.test": "421 4.7.0 Too many connections once then 250"},
                         name="lock sink") as locked_sink, \
                SmtpSink("127.0.0.3", port, name="other sink") as other_sink, \
                Daemon(top=status_top(policy_top(dns.address, port, POLICY))) as daemon:
            submit(daemon.port, "s@origin.test", ["first@lock.test"], b"Subject: 1\r\n\r\nx\r\n")
            submit(daemon.port, "s@origin.test", ["later@lock.test"], b"Subject: 2\r\n\r\nx\r\n")
            locked = wait_for(lambda: (q := queue_of(daemon, "Lockme")) and q["lock"]
                              and q["queued"] + q["deferred"] >= 2 and q, 20,
                              what="the lock in /queues")
            self.assertEqual(locked["state"], "locked", locked)
            self.assertEqual(locked["lock"]["rule"], "throttled")
            self.assertEqual(locked["lock"]["scope"], "queue")
            self.assertIn("421 4.7.0", locked["lock"]["reply"])
            self.assertGreater(locked["lock"]["until"], time.time() + 3000)
            self.assertEqual(locked_sink.delivered_to("later@lock.test"), [])

            unlocked = sluicectl(daemon, "unlock", "Lockme")
            self.assertEqual(unlocked.returncode, 0, unlocked.stderr)
            self.assertIn('"unlocked":true', unlocked.stdout)
            for address in ("first@lock.test", "later@lock.test"):
                locked_sink.wait_for_recipient(address, timeout=20)
            self.assertIsNone(queue_of(daemon, "Lockme")["lock"])

            status, body = post(daemon, "/hold", {})
            self.assertEqual((status, body["sending_paused"]), (200, True), body)
            self.assertTrue(get(daemon, "/status")["sending_paused"])
            submit(daemon.port, "s@origin.test", ["paused@other.test"], b"Subject: 3\r\n\r\nx\r\n")
            paused = wait_for(lambda: (q := queue_of(daemon, "Other")) and q["queued"] == 1 and q,
                              20, what="the paused message queued")
            self.assertEqual(paused["state"], "node-held", paused)
            self.assertEqual(paused["held"], "node")
            self.assertEqual(paused["counts"]["connections"], 0)
            self.assertEqual(other_sink.delivered_to("paused@other.test"), [])
            self.assertEqual(post(daemon, "/release", {})[0], 200)
            other_sink.wait_for_recipient("paused@other.test", timeout=20)
            wait_for_empty_spool(daemon)
            self.assertFalse(get(daemon, "/status")["sending_paused"])


if __name__ == "__main__":
    unittest.main()
