"""SIGTERM stops sluiced gracefully: idle sessions get 421 4.3.2 and are closed at once, new
connections are refused, a client in the middle of DATA may finish and gets its 250 (then
421 4.3.2 and close), the process exits 0 and the message is in the spool afterwards."""

import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, connect_refused, open_session, queued_id, split_stored, wait_for  # noqa: E402

SHUTTING_DOWN = "421 4.3.2 mx.sluice.test Service shutting down"


class SigtermFinishesOpenTransactions(unittest.TestCase):
    def test_sigterm_with_a_transaction_in_data(self):
        with Daemon() as daemon:
            port = daemon.port
            a = open_session(port, helo="a.client.test")
            b = open_session(port, helo="b.client.test")
            try:
                self.assertEqual(a.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
                self.assertEqual(a.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")
                self.assertEqual(a.command("DATA"), "354 End data with <CR><LF>.<CR><LF>")
                first_half = b"Subject: during shutdown\r\n\r\nfirst half\r\n"
                a.send(first_half)

                daemon.process.send_signal(signal.SIGTERM)
                self.assertEqual(b.reply(), [SHUTTING_DOWN])
                self.assertTrue(b.is_closed())
                wait_for(lambda: connect_refused(port), timeout=10, what="connections refused")
                self.assertIsNone(daemon.process.poll(), "exited with a transaction open")

                second_half = b"second half\r\n"
                a.send(second_half + b".\r\n")
                reply = a.reply_line()
                queue_id = queued_id(reply)
                self.assertTrue(queue_id, reply)
                # The 421 may come at once or as the answer to the next command.
                if a.nothing_arrives(2.0):
                    a.send("NOOP\r\n")
                try:
                    self.assertEqual(a.reply(), [SHUTTING_DOWN])
                except ConnectionError:
                    pass  # closed without one: allowed
                self.assertTrue(a.is_closed())
            finally:
                a.close()
                b.close()

            daemon.process.wait(30)
            self.assertEqual(daemon.process.returncode, 0)
            self.assertIn(queue_id, daemon.spool_ids())
            _, rest = split_stored(daemon.spool_show(queue_id), True, True)
            self.assertEqual(rest, first_half + second_half)

    def test_sigterm_between_commands_of_a_transaction(self):
        with Daemon() as daemon:
            client = open_session(daemon.port)
            with client:
                self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
                # Between commands inside a transaction: it may go on until the transaction ends.
                daemon.process.send_signal(signal.SIGTERM)
                wait_for(lambda: connect_refused(daemon.port), timeout=10,
                         what="connections refused")
                self.assertEqual(client.command("RSET"), "250 2.0.0 Ok")
                self.assertEqual(client.reply(), [SHUTTING_DOWN])
                self.assertTrue(client.is_closed())
            self.assertEqual(daemon.stop(timeout=10), 0)
            self.assertIn("sluiced stopped", daemon.log())


if __name__ == "__main__":
    unittest.main()
