"""Hostile remote servers during delivery: a greeting that never comes, a multi-line reply that
never ends, and a greeting sent one byte per second. With the delivery timeouts set to 2 s, each
attempt ends within a few seconds as "deferred" (never bounced, no DSN), the message stays in the
spool for the next retry, and the daemon keeps running and accepting mail. The remote is a
static route to a HostileServer on loopback, so no DNS is involved."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import delivery_top, describe, records_for  # noqa: E402
from hostile_server import HostileServer  # noqa: E402
from sluice import NO_DNS_SERVER, Daemon, free_port, open_session, submit, wait_for  # noqa: E402

RECIPIENT = "victim@hostile.test"
SHORT_TIMEOUTS = {"connect_timeout": "2s", "greeting_timeout": "2s", "command_timeout": "2s",
                  "data_init_timeout": "2s", "data_block_timeout": "2s",
                  "data_done_timeout": "2s"}


class HostileRemote(unittest.TestCase):
    def assert_defers(self, behaviour, max_seconds):
        port = free_port("127.0.0.9")
        route = {"domains": ["hostile.test"], "host": "127.0.0.9", "port": port}
        # One retry an hour: the test sees exactly one attempt.
        top = delivery_top(NO_DNS_SERVER, port, retry_intervals=["1h"], queue_lifetime="1d",
                           delivery=SHORT_TIMEOUTS, routes=[route])
        with HostileServer("127.0.0.9", port, behaviour) as remote, Daemon(top=top) as daemon:
            started = time.monotonic()
            queue_id = submit(daemon.port, "s@origin.test", [RECIPIENT],
                              b"Subject: to a hostile server\r\n\r\nbody\r\n")
            remote.wait_for_connections(1)

            def attempt():
                daemon.assert_running()
                return records_for(daemon, RECIPIENT, "attempt")
            records = wait_for(attempt, timeout=max_seconds + 10,
                               what=f"the attempt against a {behaviour} server to end")
            took = time.monotonic() - started
            self.assertEqual([r["outcome"] for r in records], ["deferred"], describe(records))
            self.assertLess(took, max_seconds, describe(records))
            self.assertEqual(records_for(daemon, RECIPIENT, "final"), [])
            self.assertIn(queue_id, daemon.spool_ids())
            # No DSN: the only message in the spool is the one that was deferred.
            self.assertEqual(daemon.spool_ids(), {queue_id})
            with open_session(daemon.port) as client:
                self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
            daemon.assert_running()
            return records[0]

    def test_greeting_never_comes(self):
        self.assert_defers("silent", max_seconds=8)

    def test_endless_multiline_reply(self):
        self.assert_defers("endless_reply", max_seconds=8)

    def test_one_byte_per_second_greeting(self):
        # 27 bytes at one per second would take 27 s; the greeting deadline is 2 s in total.
        self.assert_defers("slow_reply", max_seconds=8)


if __name__ == "__main__":
    unittest.main()
