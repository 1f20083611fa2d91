"""Only clients inside smtp.relay_networks may relay: with relay_networks = [ "127.0.0.1/32" ] a
client bound to 127.0.0.2 is refused at RCPT with 550 5.7.1, one on 127.0.0.1 is not."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, open_session, swaks, swaks_replies  # noqa: E402

ONLY_LOCALHOST = {"relay_networks": '[ "127.0.0.1/32" ]'}


class RelayDeniedOutsideRelayNetworks(unittest.TestCase):
    def test_raw_client_outside_is_denied_inside_is_allowed(self):
        with Daemon(smtp=ONLY_LOCALHOST) as daemon:
            with open_session(daemon.port, source_address="127.0.0.2") as outside:
                self.assertEqual(outside.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
                self.assertEqual(outside.command("RCPT TO:<b@y.test>"),
                                 "550 5.7.1 Relay access denied")
                self.assertEqual(outside.command("DATA"), "554 5.5.1 Error: no valid recipients")
            with open_session(daemon.port, source_address="127.0.0.1") as inside:
                self.assertEqual(inside.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
                self.assertEqual(inside.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")
            self.assertEqual(daemon.spool_ids(), set())

    def test_swaks_from_outside_fails(self):
        with Daemon(smtp=ONLY_LOCALHOST) as daemon:
            result = swaks(daemon.port, "--local-interface", "127.0.0.2", "--to", "b@y.test",
                           "--from", "a@x.test")
            self.assertNotEqual(result.returncode, 0, result.stdout)
            self.assertIn("550 5.7.1 Relay access denied", swaks_replies(result.stdout),
                          result.stdout)
            self.assertNotIn("354 End data with <CR><LF>.<CR><LF>", swaks_replies(result.stdout))

            result = swaks(daemon.port, "--local-interface", "127.0.0.1", "--to", "b@y.test",
                           "--from", "a@x.test")
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            self.assertIn("250 2.1.5 Ok", swaks_replies(result.stdout))
            self.assertEqual(len(daemon.spool_ids()), 1)


if __name__ == "__main__":
    unittest.main()
