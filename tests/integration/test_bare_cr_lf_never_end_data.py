"""Only <CRLF>.<CRLF> ends DATA (no SMTP smuggling): "\\n.\\n", "\\r.\\r", "\\n.\\r\\n",
"\\r\\n.\\n" and "\\r.\\r\\n" inside the content end nothing. With the default
smtp.bare_line_endings = "normalize" each bare CR or LF is stored as CRLF and the "." line stays
content; with "reject" the message gets 550 5.6.0 and is not spooled. Proper CRLF content is
stored unchanged."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, open_session, queued_id, split_stored  # noqa: E402

VARIANTS = [b"\n.\n", b"\r.\r", b"\n.\r\n", b"\r\n.\n", b"\r.\r\n"]
HEADER = b"Subject: bare line endings\r\nDate: Tue, 03 Mar 2026 10:00:00 +0000\r\n" \
         b"Message-ID: <bare@client.test>\r\n\r\n"
# What a smuggler would put after the fake end of data.
SMUGGLED = b"MAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>\r\nDATA\r\nsmuggled\r\n"


def normalized(content):
    return re.sub(rb"\r\n|\r|\n", b"\r\n", content)


class BareCrLfNeverEndData(unittest.TestCase):
    def start_data(self, client):
        self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
        self.assertEqual(client.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")
        self.assertEqual(client.command("DATA"), "354 End data with <CR><LF>.<CR><LF>")

    def test_normalize_keeps_dot_lines_as_content(self):
        with Daemon() as daemon, open_session(daemon.port) as client:
            # No subTest: a failure has to leave the `with` so the daemon log is printed.
            for variant in VARIANTS:
                self.start_data(client)
                content = HEADER + b"before" + variant + SMUGGLED
                client.send(content)
                self.assertTrue(client.nothing_arrives(0.3),
                                f"{variant!r} ended DATA: {client.buffer!r}")
                client.send(b"after\r\n.\r\n")
                reply = client.reply_line()
                queue_id = queued_id(reply)
                self.assertTrue(queue_id, f"{variant!r}: {reply}")
                _, rest = split_stored(daemon.spool_show(queue_id), False, False)
                self.assertEqual(rest, normalized(content + b"after\r\n"), repr(variant))
                self.assertIn(b"before\r\n.\r\n", rest)
            self.assertEqual(len(daemon.spool_ids()), len(VARIANTS), "a smuggled message")

    def test_crlf_only_message_is_unchanged(self):
        with Daemon() as daemon, open_session(daemon.port) as client:
            self.start_data(client)
            content = HEADER + b"line one\r\n\r\n\ttabbed\r\nend \r\n"
            client.send(content + b".\r\n")
            queue_id = queued_id(client.reply_line())
            self.assertTrue(queue_id)
            _, rest = split_stored(daemon.spool_show(queue_id), False, False)
            self.assertEqual(rest, content)

    def test_reject_mode_refuses_and_spools_nothing(self):
        with Daemon(smtp={"bare_line_endings": '"reject"'}) as daemon, \
                open_session(daemon.port) as client:
            for variant in VARIANTS:
                self.start_data(client)
                client.send(HEADER + b"before" + variant + SMUGGLED)
                self.assertTrue(client.nothing_arrives(0.3),
                                f"{variant!r} ended DATA: {client.buffer!r}")
                client.send(b"after\r\n.\r\n")
                self.assertEqual(client.reply_line(),
                                 "550 5.6.0 Message contains bare CR or LF characters",
                                 repr(variant))
            self.assertEqual(daemon.spool_ids(), set())
            # A clean message still goes through in reject mode.
            self.start_data(client)
            client.send(HEADER + b"clean\r\n.\r\n")
            self.assertTrue(queued_id(client.reply_line()))


if __name__ == "__main__":
    unittest.main()
