"""Hostile clients that attack time and connection slots, against the real daemon: a client
that trickles a command line one byte per second (slowloris) is cut off with 421 4.4.2 once
smtp.idle_timeout has passed since its previous command, however many bytes it sends; message
content trickled slower than smtp.min_data_rate is cut off the same way; a flood
of connections far over smtp.max_connections and smtp.max_connections_per_ip gets the exact
421 4.7.0 refusals, never more sessions than the limits; the daemon serves afterwards."""

import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, SmtpClient, open_session, queued_id, wait_for  # noqa: E402

GREETING = "220 mx.sluice.test ESMTP Sluice"
TIMEOUT = "421 4.4.2 mx.sluice.test Error: timeout exceeded"
PER_IP = "421 4.7.0 mx.sluice.test Error: too many connections from your address"
TOTAL = "421 4.7.0 mx.sluice.test Error: too many connections"


def assert_serves(test, daemon):
    """A new session works (slots of closed clients are released asynchronously: retried)."""
    daemon.assert_running()

    def session():
        try:
            return open_session(daemon.port)
        except (AssertionError, ConnectionError):
            return None
    with wait_for(session, timeout=10, what="a session to be greeted") as client:
        test.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
        test.assertEqual(client.command("QUIT"), "221 2.0.0 Bye")


def trickle_until_reply(client, data, interval):
    """Sends `data` one byte every `interval` seconds until the server answers or closes;
    returns (bytes sent, seconds taken)."""
    started = time.monotonic()
    for sent, byte in enumerate(data):
        try:
            client.send(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return sent, time.monotonic() - started
        if not client.nothing_arrives(interval):
            return sent + 1, time.monotonic() - started
    return len(data), time.monotonic() - started


class SlowAndFloodingClients(unittest.TestCase):
    def test_slowloris_command_line_is_cut_off(self):
        with Daemon(smtp={"idle_timeout": '"3s"'}) as daemon:
            with open_session(daemon.port) as client:
                # 40 bytes at one per second would take 40 s; the line must die after ~3 s.
                line = b"MAIL FROM:<slowloris@client.sluice.test>\r\n"
                sent, took = trickle_until_reply(client, line, 1.0)
                self.assertLess(sent, len(line), "the whole trickled line was accepted")
                self.assertEqual(client.reply(), [TIMEOUT])
                self.assertTrue(client.is_closed())
                self.assertGreaterEqual(took, 2.5)
                self.assertLess(took, 6.0)
            # The deadline counts from the previous command: a client that answers each reply
            # promptly but trickles the next line is cut off mid-transaction too.
            with open_session(daemon.port) as client:
                self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
                sent, took = trickle_until_reply(client, b"RCPT TO:<b@y.test>\r\n", 0.5)
                self.assertEqual(client.reply(), [TIMEOUT])
                self.assertLess(took, 6.0)
            self.assertEqual(daemon.spool_ids(), set())
            assert_serves(self, daemon)

    def test_trickled_message_content_is_cut_off_by_min_data_rate(self):
        # A byte every 0.5 s never leaves the content silent for data_timeout (2 s), so only
        # smtp.min_data_rate (100 B/s: each byte earns 10 ms) can end it, ~2 s in.
        body = b"Subject: trickle\r\n\r\n" + b"x" * 200 + b"\r\n.\r\n"
        with Daemon(smtp={"data_timeout": '"2s"', "min_data_rate": "100"}) as daemon:
            for command in ("DATA", "BDAT 300 LAST"):
                with open_session(daemon.port) as client:
                    self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
                    self.assertEqual(client.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")
                    if command == "DATA":
                        self.assertEqual(client.command(command),
                                         "354 End data with <CR><LF>.<CR><LF>")
                    else:
                        client.send(b"BDAT 300 LAST\r\n")
                    sent, took = trickle_until_reply(client, body, 0.5)
                    self.assertLess(sent, len(body), f"{command}: the trickle was accepted")
                    self.assertEqual(client.reply(), [TIMEOUT])
                    self.assertTrue(client.is_closed())
                    self.assertGreaterEqual(took, 1.5, command)
                    self.assertLess(took, 4.0, command)
            self.assertEqual(daemon.spool_ids(), set())
            assert_serves(self, daemon)

    def test_min_data_rate_zero_allows_a_trickle_that_is_never_silent(self):
        with Daemon(smtp={"data_timeout": '"2s"', "min_data_rate": "0"}) as daemon:
            with open_session(daemon.port) as client:
                self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
                self.assertEqual(client.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")
                self.assertEqual(client.command("DATA"), "354 End data with <CR><LF>.<CR><LF>")
                content = b"Subject: s\r\n\r\nslow\r\n"
                sent, took = trickle_until_reply(client, content, 0.5)
                self.assertEqual(sent, len(content))
                self.assertGreater(took, 4.0)  # twice data_timeout, never silent for 2 s
                self.assertIsNotNone(queued_id(client.command(".")))

    def test_commands_sent_promptly_are_not_cut_off(self):
        # The line deadline restarts with each command: a session longer than idle_timeout in
        # total, whose lines each come quickly, is never timed out.
        with Daemon(smtp={"idle_timeout": '"2s"'}) as daemon:
            with open_session(daemon.port) as client:
                started = time.monotonic()
                while time.monotonic() - started < 5:
                    self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
                    time.sleep(0.5)
                self.assertEqual(client.command("QUIT"), "221 2.0.0 Bye")

    def test_connection_flood_over_total_and_per_ip_limits(self):
        limits = {"max_connections": "12", "max_connections_per_ip": "4"}
        with Daemon(smtp=limits) as daemon:
            clients = []
            replies = {}
            try:
                # 8 addresses x 15 connections = 120 attempts against 12 slots, 4 per address;
                # address by address, so the per-address limit bites before the total one.
                for n in range(2, 10):
                    for attempt in range(15):
                        source = f"127.0.0.{n}"
                        client = SmtpClient(daemon.port, source_address=source)
                        clients.append((source, client))
                greeted = {}
                for source, client in clients:
                    try:
                        reply = client.reply()
                    except (ConnectionError, socket.timeout) as e:
                        self.fail(f"{source}: no reply at all ({e})")
                    self.assertEqual(len(reply), 1, reply)
                    replies[reply[0]] = replies.get(reply[0], 0) + 1
                    self.assertIn(reply[0], (GREETING, PER_IP, TOTAL), source)
                    if reply[0] == GREETING:
                        greeted[source] = greeted.get(source, 0) + 1
                    else:
                        self.assertTrue(client.is_closed(), f"{source} refused but left open")
                self.assertEqual(sum(greeted.values()), 12, replies)
                self.assertTrue(all(count <= 4 for count in greeted.values()), greeted)
                self.assertGreater(replies.get(PER_IP, 0), 0, replies)
                self.assertGreater(replies.get(TOTAL, 0), 0, replies)
                daemon.assert_running()
            finally:
                for _, client in clients:
                    client.close()
            # Every slot comes back once the flood is gone.
            wait_for(lambda: all_slots_free(daemon.port), timeout=10,
                     what="all 12 slots free again")
            assert_serves(self, daemon)


def all_slots_free(port):
    """True if 12 new clients, 4 from each of 3 addresses, are all greeted."""
    clients = [SmtpClient(port, source_address=f"127.0.1.{n % 3 + 1}") for n in range(12)]
    try:
        return all(client.reply_line() == GREETING for client in clients)
    except ConnectionError:
        return False
    finally:
        for client in clients:
            client.close()


if __name__ == "__main__":
    unittest.main()
