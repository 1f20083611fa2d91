"""Hostile byte streams against the real daemon, beyond test_bare_cr_lf_never_end_data.py (which
covers "\\n.\\n", "\\r.\\r", "\\n.\\r\\n", "\\r\\n.\\n" and "\\r.\\r\\n" in DATA):
  - more fake ends of DATA: "\\r\\n.\\r" + other, "\\r\\n.\\r\\r\\n", "\\r\\n.\\0\\r\\n" (unstuffed),
    "\\r\\n .\\r\\n", "\\r\\n..\\r\\n": none ends DATA, the commands after them stay content, and
    exactly one message is stored; a real "\\r\\n.\\r\\n" cut across three writes still ends it;
  - a BDAT chunk that holds "\\r\\n.\\r\\nMAIL FROM:..." is opaque content, not commands;
  - a 200 KB header line inside DATA is stored whole (no line limit inside content);
  - 64 KiB of random binary garbage gets only 5xx refusals (with max_errors high enough), and the
    same session then still runs a clean transaction; with the default max_errors the garbage
    ends in "421 4.7.0 ... too many errors" and close.
The daemon serves after each."""

import os
import random
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, open_session, queued_id, split_stored  # noqa: E402

HEADER = b"Subject: adversarial\r\nDate: Tue, 03 Mar 2026 10:00:00 +0000\r\n" \
         b"Message-ID: <adv@client.test>\r\n\r\n"
SMUGGLED = b"MAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>\r\nDATA\r\nsmuggled\r\n"
FAKE_ENDS = [b"\r\n.\r", b"\r\n.\r\r\n", b"\r\n.\x00\r\n", b"\r\n .\r\n", b"\r\n..\r\n"]


def normalized(content):
    return re.sub(rb"\r\n|\r|\n", b"\r\n", content)


def start_data(test, client):
    test.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
    test.assertEqual(client.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")
    test.assertEqual(client.command("DATA"), "354 End data with <CR><LF>.<CR><LF>")


def stored_content(daemon, queue_id):
    _, rest = split_stored(daemon.spool_show(queue_id), False, False)
    return rest


def assert_serves(test, daemon):
    daemon.assert_running()
    with open_session(daemon.port) as client:
        test.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
        test.assertEqual(client.command("QUIT"), "221 2.0.0 Bye")


class GarbageAndSmuggling(unittest.TestCase):
    def test_more_fake_ends_of_data_are_content(self):
        with Daemon() as daemon:
            with open_session(daemon.port) as client:
                for fake in FAKE_ENDS:
                    start_data(self, client)
                    content = HEADER + b"before" + fake + SMUGGLED
                    client.send(content)
                    self.assertTrue(client.nothing_arrives(0.3),
                                    f"{fake!r} ended DATA: {client.buffer!r}")
                    client.send(b"after\r\n.\r\n")
                    reply = client.reply_line()
                    queue_id = queued_id(reply)
                    self.assertTrue(queue_id, f"{fake!r}: {reply}")
                    expected = normalized(content + b"after\r\n")
                    # A line-initial "." before anything but CR or LF is dot-stuffing: it goes.
                    if fake in (b"\r\n..\r\n", b"\r\n.\x00\r\n"):
                        expected = expected.replace(fake, fake.replace(b".", b"", 1))
                    self.assertEqual(stored_content(daemon, queue_id), expected, repr(fake))
                self.assertEqual(len(daemon.spool_ids()), len(FAKE_ENDS), "a smuggled message")
                # The real end, cut across three writes, still ends DATA.
                start_data(self, client)
                client.send(HEADER + b"split end\r\n")
                for piece in (b".", b"\r", b"\nNOOP\r\n"):
                    self.assertTrue(client.nothing_arrives(0.2), f"early reply before {piece!r}")
                    client.send(piece)
                self.assertTrue(queued_id(client.reply_line()))
                self.assertEqual(client.reply_line(), "250 2.0.0 Ok")
            assert_serves(self, daemon)

    def test_bdat_chunk_with_end_of_data_and_commands_is_content(self):
        with Daemon() as daemon:
            with open_session(daemon.port) as client:
                self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
                self.assertEqual(client.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")
                chunk = HEADER + b"line\r\n.\r\n" + SMUGGLED + b".\r\n"
                client.send(b"BDAT %d LAST\r\n" % len(chunk) + chunk)
                queue_id = queued_id(client.reply_line())
                self.assertTrue(queue_id)
                self.assertTrue(client.nothing_arrives(0.3), f"extra replies: {client.buffer!r}")
                self.assertEqual(stored_content(daemon, queue_id), chunk)
                self.assertEqual(daemon.spool_ids(), {queue_id})
            assert_serves(self, daemon)

    def test_very_long_header_line_is_stored_whole(self):
        with Daemon(smtp={"max_message_size": '"1M"'}) as daemon:
            with open_session(daemon.port) as client:
                start_data(self, client)
                content = b"X-Long: " + b"v" * 200_000 + b"\r\n" + HEADER + b"body\r\n"
                client.send(content + b".\r\n")
                queue_id = queued_id(client.reply_line())
                self.assertTrue(queue_id)
                self.assertEqual(stored_content(daemon, queue_id), content)
            assert_serves(self, daemon)

    def test_random_garbage_gets_refusals_then_a_clean_transaction(self):
        garbage = random.Random(8).randbytes(64 * 1024)
        refusal = re.compile(r"5\d\d 5\.\d+\.\d+ \S")
        with Daemon(smtp={"max_errors": "100000"}) as daemon:
            with open_session(daemon.port) as client:
                for at in range(0, len(garbage), 4096):
                    client.send(garbage[at:at + 4096])
                # End any half line and any transaction the garbage may have started.
                client.send(b"\r\nRSET\r\nNOOP GARBAGE-END\r\n")
                lines = []
                while not lines or lines[-1] != "250 2.0.0 Ok" or len(lines) < 2 \
                        or lines[-2] != "250 2.0.0 Ok":
                    lines.append(client.reply_line())
                for line in lines[:-2]:
                    self.assertRegex(line, refusal)
                self.assertTrue(client.nothing_arrives(0.3), f"extra replies: {client.buffer!r}")
                start_data(self, client)
                client.send(HEADER + b"clean\r\n.\r\n")
                self.assertTrue(queued_id(client.reply_line()))
                self.assertEqual(len(daemon.spool_ids()), 1)
            assert_serves(self, daemon)

    def test_random_garbage_ends_in_too_many_errors(self):
        garbage = random.Random(9).randbytes(4096).replace(b"\n", b"") + b"\n"
        with Daemon(smtp={"max_errors": "3"}) as daemon:
            with open_session(daemon.port) as client:
                for _ in range(3):
                    client.send(garbage[:1000] + b"\r\n")
                replies = client.reply()
                while replies[-1].startswith("5"):
                    replies = client.reply()
                self.assertEqual(replies, ["421 4.7.0 mx.sluice.test Error: too many errors"])
                self.assertTrue(client.is_closed())
                self.assertEqual(daemon.spool_ids(), set())
            assert_serves(self, daemon)


if __name__ == "__main__":
    unittest.main()
