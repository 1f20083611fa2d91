"""When the DNS server does not answer, delivery is deferred, never bounced: dns.servers names a
port on 127.0.0.1 where nothing listens; the recipient is tried again by the retry schedule
(1 s), every attempt is "deferred" with a 4.x.x code, no final record is written and the message
stays in the spool (nothing is bounced, so no DSN is queued either)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import delivery_top, describe, records_for  # noqa: E402
from dns_server import free_udp_tcp_port  # noqa: E402
from sluice import Daemon, free_port, submit, wait_for  # noqa: E402

RECIPIENT = "user@a.test"
ATTEMPTS = 3


class DnsDownDefers(unittest.TestCase):
    def test_unanswered_dns_defers(self):
        silent = f"127.0.0.1:{free_udp_tcp_port()}"
        top = delivery_top(silent, free_port(), retry_intervals=["1s"],
                           dns={"timeout": "500ms", "tries": 1})
        with Daemon(top=top) as daemon:
            queue_id = submit(daemon.port, "s@origin.test", [RECIPIENT], b"Subject: d\r\n\r\nb\r\n")
            def attempted():
                daemon.assert_running()
                return len(records_for(daemon, RECIPIENT, "attempt")) >= ATTEMPTS
            wait_for(attempted, timeout=30, what=f"{ATTEMPTS} attempts for {RECIPIENT}")

            everything = records_for(daemon)
            attempts = records_for(daemon, RECIPIENT, "attempt")
            self.assertEqual([r["attempt"] for r in attempts[:ATTEMPTS]],
                             list(range(1, ATTEMPTS + 1)), describe(everything))
            for record in attempts:
                self.assertEqual(record["outcome"], "deferred", describe([record]))
                self.assertTrue(record["enhanced_code"].startswith("4."), describe([record]))
                self.assertEqual(record["mx_ip"], "", describe([record]))
            self.assertEqual(records_for(daemon, type="final"), [], describe(everything))
            self.assertEqual({r["queue_id"] for r in everything}, {queue_id}, describe(everything))
            self.assertEqual(daemon.spool_ids(), {queue_id})


if __name__ == "__main__":
    unittest.main()
