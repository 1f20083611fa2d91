"""Oversized input in bulk, beyond test_size_and_recipient_limits.py (which checks each limit at
its edge): a 4 MiB command line without any line break, sent in one go, gets exactly one
"500 5.5.2 Error: line too long" and none of it runs; 1000 RCPT commands pipelined in one write
with smtp.max_recipients = 100 get 100 x "250 2.1.5 Ok" then 900 x "452 4.5.3 Too many
recipients" (not counted as errors, so the session is not closed), and the message is stored
with exactly the first 100 recipients. The daemon serves afterwards."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, open_session, queued_id  # noqa: E402

TOO_LONG = "500 5.5.2 Error: line too long"


class OversizedInput(unittest.TestCase):
    def test_megabytes_without_a_line_break(self):
        with Daemon() as daemon:
            with open_session(daemon.port) as client:
                client.send(b"MAIL FROM:<a@x.test> " + b"A" * (4 * 1024 * 1024) + b"QUIT\r\n")
                self.assertEqual(client.reply_line(), TOO_LONG)
                self.assertTrue(client.nothing_arrives(0.3), f"more replies: {client.buffer!r}")
                # Nothing of it ran: no transaction was started.
                self.assertEqual(client.command("RCPT TO:<b@y.test>"),
                                 "503 5.5.1 Error: need MAIL command")
                self.assertEqual(client.command("QUIT"), "221 2.0.0 Bye")
            daemon.assert_running()
            with open_session(daemon.port) as client:
                self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")

    def test_thousand_pipelined_recipients(self):
        with Daemon(smtp={"max_recipients": "100", "max_errors": "5"}) as daemon:
            with open_session(daemon.port) as client:
                self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
                client.send(b"".join(b"RCPT TO:<r%d@y.test>\r\n" % n for n in range(1000)))
                replies = client.replies(1000)
                self.assertEqual(replies, ["250 2.1.5 Ok"] * 100
                                 + ["452 4.5.3 Too many recipients"] * 900)
                self.assertEqual(client.command("DATA"), "354 End data with <CR><LF>.<CR><LF>")
                client.send(b"Subject: many\r\n\r\nbody\r\n.\r\n")
                queue_id = queued_id(client.reply_line())
                self.assertTrue(queue_id)
            listed = daemon.spool_list()[queue_id]
            daemon.assert_running()
            for n in range(100):
                self.assertIn(f"r{n}@y.test", listed)
            self.assertNotIn("r100@y.test", listed)
            with open_session(daemon.port) as client:
                self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")


if __name__ == "__main__":
    unittest.main()
