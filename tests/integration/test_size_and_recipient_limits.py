"""Size, recipient and line limits: SIZE= over smtp.max_message_size and content over it get
552 5.3.4 (the session goes on), the recipient beyond smtp.max_recipients gets 452 4.5.3, and a
command line longer than smtp.max_line_length gets 500 5.5.2 with none of its bytes run as a
command."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, open_session, queued_id  # noqa: E402

# max_message_size may not be below 1024 and max_line_length not below 512
# (policy/config/load.cpp); max_line_length counts the CRLF.
MAX_SIZE = 10000
MAX_LINE = 1000
LIMITS = {"max_message_size": str(MAX_SIZE), "max_recipients": "3",
          "max_line_length": str(MAX_LINE)}
TOO_LARGE = "552 5.3.4 Message size exceeds fixed maximum message size"


class SizeAndRecipientLimits(unittest.TestCase):
    def send_message(self, client, content):
        self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
        self.assertEqual(client.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")
        self.assertEqual(client.command("DATA"), "354 End data with <CR><LF>.<CR><LF>")
        client.send(content + b".\r\n")
        return client.reply_line()

    def test_size_parameter_over_limit(self):
        with Daemon(smtp=LIMITS) as daemon, open_session(daemon.port) as client:
            client.send("EHLO size.client.test\r\n")
            self.assertIn(f"250-SIZE {MAX_SIZE}", client.reply())
            self.assertEqual(client.command("MAIL FROM:<a@x> SIZE=20000"), TOO_LARGE)
            self.assertEqual(client.command(f"MAIL FROM:<a@x> SIZE={MAX_SIZE}"), "250 2.1.0 Ok")

    def test_content_over_limit_then_next_transaction(self):
        with Daemon(smtp=LIMITS) as daemon, open_session(daemon.port) as client:
            line = b"y" * 98 + b"\r\n"
            big = b"Subject: big\r\n\r\n" + line * (2 * MAX_SIZE // len(line))
            self.assertEqual(self.send_message(client, big), TOO_LARGE)
            self.assertEqual(daemon.spool_ids(), set())
            self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
            reply = self.send_message(client, b"Subject: small\r\n\r\nsmall\r\n")
            self.assertTrue(queued_id(reply), reply)
            self.assertEqual(daemon.spool_ids(), {queued_id(reply)})

    def test_recipients_beyond_limit(self):
        with Daemon(smtp=LIMITS) as daemon, open_session(daemon.port) as client:
            self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
            for n in range(3):
                self.assertEqual(client.command(f"RCPT TO:<r{n}@y.test>"), "250 2.1.5 Ok")
            self.assertEqual(client.command("RCPT TO:<r3@y.test>"), "452 4.5.3 Too many recipients")
            self.assertEqual(client.command("RCPT TO:<r4@y.test>"), "452 4.5.3 Too many recipients")
            self.assertEqual(client.command("DATA"), "354 End data with <CR><LF>.<CR><LF>")
            client.send(b"Subject: three\r\n\r\nbody\r\n.\r\n")
            queue_id = queued_id(client.reply_line())
            self.assertTrue(queue_id)
            listed = daemon.spool_list()[queue_id]
            for n in range(3):
                self.assertIn(f"r{n}@y.test", listed)
            self.assertNotIn("r3@y.test", listed)

    def test_line_at_limit_is_a_command(self):
        with Daemon(smtp=LIMITS) as daemon, open_session(daemon.port) as client:
            line = b"NOOP " + b"x" * (MAX_LINE - 7) + b"\r\n"
            self.assertEqual(len(line), MAX_LINE)
            client.send(line)
            self.assertEqual(client.reply_line(), "250 2.0.0 Ok")

    def test_long_line_is_refused_and_not_executed(self):
        with Daemon(smtp=LIMITS) as daemon, open_session(daemon.port) as client:
            # One octet over the limit.
            client.send(b"NOOP " + b"x" * (MAX_LINE - 6) + b"\r\n")
            self.assertEqual(client.reply_line(), "500 5.5.2 Error: line too long")
            # "QUIT" right where the limit cuts the line, at 5000 bytes, and past 4 KiB reads.
            for prefix in (MAX_LINE - 5, 5000, 4096 - 5, 65536 - 5):
                client.send(b"NOOP " + b"x" * prefix + b"QUIT\r\n")
                self.assertEqual(client.reply_line(), "500 5.5.2 Error: line too long",
                                 f"prefix {prefix}")
                self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok", f"prefix {prefix}")
            # A bare CR does not end a command line: "\rQUIT" is part of the dropped line.
            client.send(b"NOOP " + b"z" * 5000 + b"\rQUIT\r\nMAIL FROM:<a@x.test>\r\n")
            self.assertEqual(client.replies(2), ["500 5.5.2 Error: line too long", "250 2.1.0 Ok"])
            self.assertEqual(client.command("QUIT"), "221 2.0.0 Bye")


if __name__ == "__main__":
    unittest.main()
