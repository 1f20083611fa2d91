"""Connection limits and timeouts: beyond smtp.max_connections_per_ip and smtp.max_connections a
client gets 421 4.7.0 and is closed; an idle client gets 421 4.4.2 after smtp.idle_timeout; the
max_errors-th error is followed by 421 4.7.0 and close. The daemon keeps serving afterwards."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, SmtpClient, open_session, wait_for  # noqa: E402

GREETING = "220 mx.sluice.test ESMTP Sluice"
PER_IP = "421 4.7.0 mx.sluice.test Error: too many connections from your address"
TOTAL = "421 4.7.0 mx.sluice.test Error: too many connections"


def greeted(port, source):
    """A new client from `source` once the daemon greets it (slots of closed clients are
    released asynchronously), or None to try again."""
    client = SmtpClient(port, source_address=source)
    try:
        if client.reply_line() == GREETING:
            return client
    except ConnectionError:
        pass
    client.close()
    return None


class ConnectionLimitsAndTimeouts(unittest.TestCase):
    def assert_refused_with(self, port, source, reply):
        with SmtpClient(port, source_address=source) as client:
            self.assertEqual(client.reply(), [reply])
            self.assertTrue(client.is_closed())

    def assert_serves(self, daemon):
        with open_session(daemon.port) as client:
            self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
            self.assertEqual(client.command("QUIT"), "221 2.0.0 Bye")

    def test_per_ip_and_total_limits(self):
        with Daemon(smtp={"max_connections_per_ip": "2", "max_connections": "3"}) as daemon:
            port = daemon.port
            first = SmtpClient(port, source_address="127.0.0.1")
            second = SmtpClient(port, source_address="127.0.0.1")
            try:
                self.assertEqual(first.reply_line(), GREETING)
                self.assertEqual(second.reply_line(), GREETING)
                self.assert_refused_with(port, "127.0.0.1", PER_IP)
                with SmtpClient(port, source_address="127.0.0.2") as other:
                    self.assertEqual(other.reply_line(), GREETING)
                    self.assertTrue(other.command("EHLO other.test").startswith("250 "))
                    self.assertEqual(other.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
                    # Three open: the fourth from a third address hits the total limit.
                    self.assert_refused_with(port, "127.0.0.3", TOTAL)
                    # The refused ones took no slot: the sessions still work.
                    self.assertEqual(first.command("NOOP"), "250 2.0.0 Ok")
                    self.assertEqual(other.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")
            finally:
                first.close()
                second.close()
            # Closed clients free their slots.
            clients = [wait_for(lambda: greeted(port, "127.0.0.1"), timeout=10,
                                what="a slot for 127.0.0.1") for _ in range(2)]
            clients.append(wait_for(lambda: greeted(port, "127.0.0.4"), timeout=10,
                                    what="a slot for 127.0.0.4"))
            for client in clients:
                client.close()
            self.assertIn("refused connection from [127.0.0.1]", daemon.log())
            wait_for(lambda: greeted(port, "127.0.0.1"), timeout=10, what="a free slot").close()

    def test_idle_timeout(self):
        with Daemon(smtp={"idle_timeout": '"1s"'}) as daemon:
            with open_session(daemon.port) as client:
                started = time.monotonic()
                client.sock.settimeout(10)
                self.assertEqual(client.reply(), ["421 4.4.2 mx.sluice.test Error: timeout exceeded"])
                waited = time.monotonic() - started
                self.assertTrue(client.is_closed())
                self.assertGreaterEqual(waited, 0.9)
                self.assertLess(waited, 5)
            # Mid-transaction too: the command timeout applies between commands.
            with open_session(daemon.port) as client:
                self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
                client.send("RCPT TO:<b@y.test>\r\n")
                self.assertEqual(client.reply_line(), "250 2.1.5 Ok")
                self.assertEqual(client.reply(), ["421 4.4.2 mx.sluice.test Error: timeout exceeded"])
                self.assertTrue(client.is_closed())
            self.assertEqual(daemon.spool_ids(), set())
            self.assert_serves(daemon)

    def test_too_many_errors(self):
        with Daemon(smtp={"max_errors": "3"}) as daemon:
            with open_session(daemon.port) as client:
                self.assertEqual(client.command("FOO"), "500 5.5.2 Error: command not recognized")
                self.assertEqual(client.command("RCPT TO:<b@y.test>"),
                                 "503 5.5.1 Error: need MAIL command")
                client.send("BAR\r\n")
                self.assertEqual(client.replies(2), ["500 5.5.2 Error: command not recognized",
                                                     "421 4.7.0 mx.sluice.test Error: too many errors"])
                self.assertTrue(client.is_closed())
            # Replies that are not errors (452 4.5.3) do not count.
            with Daemon(smtp={"max_errors": "3", "max_recipients": "1"}) as limited, \
                    open_session(limited.port) as client:
                self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
                self.assertEqual(client.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")
                for _ in range(5):
                    self.assertEqual(client.command("RCPT TO:<c@y.test>"),
                                     "452 4.5.3 Too many recipients")
                self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
            self.assert_serves(daemon)


if __name__ == "__main__":
    unittest.main()
