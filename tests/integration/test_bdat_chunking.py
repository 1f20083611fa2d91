"""CHUNKING (RFC 3030): BDAT chunks, pipelined or one at a time, are answered per chunk and the
LAST one queues the message with exactly the chunks' bytes; a refused BDAT still consumes its
bytes (none of them run as commands); DATA after BDAT and a malformed BDAT are refused."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, open_session, queued_id, split_stored  # noqa: E402

MAX_SIZE = 10000
LIMITS = {"max_message_size": str(MAX_SIZE)}
NEED_MAIL = "503 5.5.1 Error: need MAIL command"


class BdatChunking(unittest.TestCase):
    def begin(self, client):
        self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
        self.assertEqual(client.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")

    def stored_content(self, daemon, queue_id):
        return split_stored(daemon.spool_show(queue_id), True, True)[1]

    def test_chunks_pipelined_in_one_write(self):
        with Daemon(smtp=LIMITS) as daemon, open_session(daemon.port) as client:
            self.begin(client)
            client.send(b"BDAT 10\r\n0123456789BDAT 5 LAST\r\nabcde")
            first, last = client.replies(2)
            self.assertEqual(first, "250 2.0.0 10 octets received")
            queue_id = queued_id(last)
            self.assertTrue(queue_id, last)
            # No header block: Sluice separates its headers with an empty line.
            self.assertEqual(self.stored_content(daemon, queue_id), b"\r\n0123456789abcde")

    def test_chunks_one_at_a_time(self):
        with Daemon(smtp=LIMITS) as daemon, open_session(daemon.port) as client:
            content = b"Subject: chunked\r\n\r\n.not stuffed\r\nline\r\n"
            self.begin(client)
            client.send(b"BDAT 20\r\n" + content[:20])
            self.assertEqual(client.reply_line(), "250 2.0.0 20 octets received")
            client.send(b"BDAT %d\r\n" % (len(content) - 25) + content[20:-5])
            self.assertEqual(client.reply_line(), f"250 2.0.0 {len(content) - 25} octets received")
            client.send(b"BDAT 5 LAST\r\n" + content[-5:])
            queue_id = queued_id(client.reply_line())
            self.assertTrue(queue_id)
            self.assertEqual(self.stored_content(daemon, queue_id), content)
            # The session goes on with a new transaction.
            self.begin(client)
            client.send(b"BDAT 0 LAST\r\n")
            self.assertTrue(queued_id(client.reply_line()))

    def test_bdat_without_mail_consumes_its_bytes(self):
        with Daemon(smtp=LIMITS) as daemon, open_session(daemon.port) as client:
            client.send(b"BDAT 6\r\nQUIT\r\n")
            self.assertEqual(client.reply_line(), NEED_MAIL)
            self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
            client.send(b"BDAT 12 LAST\r\nQUIT\r\nRSET\r\n")
            self.assertEqual(client.reply_line(), NEED_MAIL)
            self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
            self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
            client.send(b"BDAT 6 LAST\r\nQUIT\r\n")
            self.assertEqual(client.reply_line(), "554 5.5.1 Error: no valid recipients")
            self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
            self.assertEqual(daemon.spool_ids(), set())

    def test_bdat_over_max_message_size(self):
        with Daemon(smtp=LIMITS) as daemon, open_session(daemon.port) as client:
            self.begin(client)
            chunk = (b"QUIT\r\n" * (MAX_SIZE // 6 + 100))[:MAX_SIZE + 500]
            client.send(b"BDAT %d LAST\r\n" % len(chunk) + chunk)
            self.assertEqual(client.reply_line(),
                             "552 5.3.4 Message size exceeds fixed maximum message size")
            self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
            # Over the limit across chunks: each later chunk is consumed and refused too.
            self.begin(client)
            client.send(b"BDAT 6000\r\n" + b"a" * 6000)
            self.assertEqual(client.reply_line(), "250 2.0.0 6000 octets received")
            client.send(b"BDAT 6000\r\n" + b"QUIT\r\n" * 1000)
            self.assertEqual(client.reply_line(),
                             "552 5.3.4 Message size exceeds fixed maximum message size")
            client.send(b"BDAT 6 LAST\r\nQUIT\r\n")
            self.assertEqual(client.reply_line(),
                             "552 5.3.4 Message size exceeds fixed maximum message size")
            self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
            self.assertEqual(daemon.spool_ids(), set())
            # And the next transaction is fine.
            self.begin(client)
            client.send(b"BDAT 4 LAST\r\nok\r\n")
            self.assertTrue(queued_id(client.reply_line()))

    def test_data_after_bdat(self):
        with Daemon(smtp=LIMITS) as daemon, open_session(daemon.port) as client:
            self.begin(client)
            client.send(b"BDAT 5\r\nhello")
            self.assertEqual(client.reply_line(), "250 2.0.0 5 octets received")
            self.assertEqual(client.command("DATA"), "503 5.5.1 Error: DATA not allowed after BDAT")
            client.send(b"BDAT 7 LAST\r\n world\n")
            queue_id = queued_id(client.reply_line())
            self.assertTrue(queue_id)
            self.assertEqual(self.stored_content(daemon, queue_id), b"\r\nhello world\r\n")

    def test_bdat_syntax(self):
        with Daemon(smtp=LIMITS) as daemon, open_session(daemon.port) as client:
            self.begin(client)
            for command in ("BDAT x", "BDAT", "BDAT 5 FIRST", "BDAT -1", "BDAT 5 LAST extra"):
                self.assertEqual(client.command(command), "501 5.5.4 Syntax: BDAT size [LAST]",
                                 command)
            self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")


if __name__ == "__main__":
    unittest.main()
