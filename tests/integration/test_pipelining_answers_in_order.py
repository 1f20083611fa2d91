"""PIPELINING (RFC 2920): commands sent in one write are answered in order, one reply each, and
a client that sends message content before the 354 is stopped with 554 5.5.0 and nothing is
spooled."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, SmtpClient, queued_id  # noqa: E402


class PipeliningAnswersInOrder(unittest.TestCase):
    def connect(self, daemon):
        client = SmtpClient(daemon.port)
        self.assertEqual(client.reply(), ["220 mx.sluice.test ESMTP Sluice"])
        return client

    def test_ehlo_advertises_extensions(self):
        with Daemon() as daemon, self.connect(daemon) as client:
            client.send("EHLO pipe.client.test\r\n")
            self.assertEqual(client.reply(), [
                "250-mx.sluice.test", "250-PIPELINING", "250-SIZE 52428800", "250-8BITMIME",
                "250-SMTPUTF8", "250-ENHANCEDSTATUSCODES", "250-DSN", "250 CHUNKING"])

    def test_transaction_in_one_write(self):
        with Daemon() as daemon, self.connect(daemon) as client:
            client.send("EHLO pipe.client.test\r\n")
            self.assertIn("250-PIPELINING", client.reply())
            client.send("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<bad>\r\n"
                        "RCPT TO:<c@y.test>\r\nDATA\r\n")
            self.assertEqual(client.replies(5), [
                "250 2.1.0 Ok",
                "250 2.1.5 Ok",
                "501 5.1.3 Bad recipient address syntax",
                "250 2.1.5 Ok",
                "354 End data with <CR><LF>.<CR><LF>"])
            client.send("Subject: pipelined\r\n\r\nbody\r\n.\r\n")
            reply = client.reply_line()
            self.assertTrue(queued_id(reply), reply)
            self.assertEqual(daemon.spool_ids(), {queued_id(reply)})
            self.assertIn("b@y.test", daemon.spool_list()[queued_id(reply)])
            self.assertIn("c@y.test", daemon.spool_list()[queued_id(reply)])

            client.send("RSET\r\nNOOP\r\nMAIL FROM:<>\r\n")
            self.assertEqual(client.replies(3), ["250 2.0.0 Ok", "250 2.0.0 Ok", "250 2.1.0 Ok"])
            client.send("RCPT TO:<d@y.test>\r\nQUIT\r\n")
            self.assertEqual(client.replies(2), ["250 2.1.5 Ok", "221 2.0.0 Bye"])
            self.assertTrue(client.is_closed())

    def test_content_before_354_is_a_synchronization_error(self):
        with Daemon() as daemon, self.connect(daemon) as client:
            client.send("EHLO pipe.client.test\r\n")
            client.reply()
            client.send("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n"
                        "Subject: x\r\n\r\nbody\r\n.\r\n")
            self.assertEqual(client.replies(3), [
                "250 2.1.0 Ok",
                "250 2.1.5 Ok",
                "554 5.5.0 Error: SMTP protocol synchronization"])
            self.assertTrue(client.is_closed())
            self.assertEqual(client.buffer, b"", "nothing may follow the 554")
            self.assertEqual(daemon.spool_ids(), set())


if __name__ == "__main__":
    unittest.main()
