"""BDAT edge cases against the real daemon, beyond test_bdat_chunking.py (which covers syntax,
BDAT without MAIL, over-size chunks and DATA after BDAT):
  - "BDAT 0 LAST" queues an empty message (RFC 3030 §2: a zero-length last chunk is legal), and
    "BDAT 0" answers "0 octets received" and changes nothing;
  - a size one past 2^64-1 is a syntax error (501), not a wrapped-around small chunk;
  - a huge size (2^64-1) is refused only after its bytes, which never come: the client gets
    nothing until smtp.data_timeout, then 421 4.4.2 and close, and nothing is stored;
  - a client that sends "BDAT 100 LAST" and 10 bytes, then disconnects, leaves nothing stored.
The daemon serves after each."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, open_session, queued_id, split_stored, wait_for  # noqa: E402

TIMEOUT = "421 4.4.2 mx.sluice.test Error: timeout exceeded"
SYNTAX = "501 5.5.4 Syntax: BDAT size [LAST]"


def begin(test, client):
    test.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
    test.assertEqual(client.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")


def assert_serves(test, daemon):
    daemon.assert_running()
    with open_session(daemon.port) as client:
        test.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
        test.assertEqual(client.command("QUIT"), "221 2.0.0 Bye")


class BdatEdges(unittest.TestCase):
    def test_zero_sized_chunks(self):
        with Daemon() as daemon:
            with open_session(daemon.port) as client:
                begin(self, client)
                self.assertEqual(client.command("BDAT 0"), "250 2.0.0 0 octets received")
                client.send(b"BDAT 4\r\nab\r\n")
                self.assertEqual(client.reply_line(), "250 2.0.0 4 octets received")
                self.assertEqual(client.command("BDAT 0"), "250 2.0.0 0 octets received")
                queue_id = queued_id(client.command("BDAT 0 LAST"))
                self.assertTrue(queue_id)
                self.assertEqual(split_stored(daemon.spool_show(queue_id), True, True)[1],
                                 b"\r\nab\r\n")
                # An empty message: the whole content is one zero-length last chunk.
                begin(self, client)
                empty_id = queued_id(client.command("BDAT 0 LAST"))
                self.assertTrue(empty_id)
                self.assertEqual(split_stored(daemon.spool_show(empty_id), True, True)[1], b"\r\n")
                self.assertEqual(daemon.spool_ids(), {queue_id, empty_id})
            assert_serves(self, daemon)

    def test_size_overflow_is_a_syntax_error(self):
        with Daemon() as daemon:
            with open_session(daemon.port) as client:
                begin(self, client)
                for size in ("18446744073709551616", "99999999999999999999999", "0x10", "+5"):
                    self.assertEqual(client.command(f"BDAT {size} LAST"), SYNTAX, size)
                # Nothing was taken as chunk bytes: the next command runs.
                self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
                self.assertEqual(daemon.spool_ids(), set())
            assert_serves(self, daemon)

    def test_huge_size_waits_for_bytes_then_times_out(self):
        with Daemon(smtp={"data_timeout": '"2s"'}) as daemon:
            with open_session(daemon.port) as client:
                begin(self, client)
                started = time.monotonic()
                client.send(b"BDAT 18446744073709551615 LAST\r\nQUIT\r\nNOOP\r\n")
                self.assertTrue(client.nothing_arrives(1.0), f"early reply: {client.buffer!r}")
                self.assertEqual(client.reply(), [TIMEOUT])
                self.assertTrue(client.is_closed())
                self.assertLess(time.monotonic() - started, 6)
                self.assertEqual(daemon.spool_ids(), set())
            assert_serves(self, daemon)

    def test_truncated_last_chunk_then_disconnect_stores_nothing(self):
        with Daemon() as daemon:
            with open_session(daemon.port) as client:
                begin(self, client)
                client.send(b"BDAT 100 LAST\r\n" + b"x" * 10)
                self.assertTrue(client.nothing_arrives(0.3))
            wait_for(lambda: "disconnect" in daemon.log() or "closed" in daemon.log(),
                     timeout=5, what="the session to end")
            self.assertEqual(daemon.spool_ids(), set())
            assert_serves(self, daemon)


if __name__ == "__main__":
    unittest.main()
