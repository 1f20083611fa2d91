"""Ten kill -9 cycles under load lose nothing, counted at the receiving end: 4 smtplib clients
send marked messages to one recipient each at rcpt.test, which a static route sends to a real
sink. Ten times, once at least 25 more messages were answered 250, sluiced is killed with
SIGKILL (while clients are sending and deliveries are in flight) and restarted on the same
spool. After the last cycle the load stops and the queue drains. Then every message answered
250 has reached the sink with its exact content (a message in delivery at a kill may arrive
twice: counted and printed, never a failure), and no message answered otherwise has arrived.
(test_kill9_under_load_loses_nothing.py checks one kill against the spool itself.)"""

import os
import smtplib
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import delivery_top, wait_for_empty_spool  # noqa: E402
from sluice import NO_DNS_SERVER, Daemon, free_port, queued_id, wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

CYCLES = 10
PER_CYCLE = 25
CLIENTS = 4


def message(marker):
    lines = [f"Subject: cycle {marker}", "Date: Tue, 03 Mar 2026 10:00:00 +0000",
             f"Message-ID: <{marker}@client.test>", "", f"marker {marker}"]
    lines += [f"line {i:02d} " + "y" * 70 for i in range(20)]
    return ("\r\n".join(lines) + "\r\n").encode()


class Load:
    """Client threads that send until stopped, reconnecting to whatever port is current."""

    def __init__(self, port):
        self.port = port
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.replies = {}  # marker -> final reply line, or None if none came
        self.accepted = 0
        self.threads = [threading.Thread(target=self.client, args=(n,), daemon=True)
                        for n in range(CLIENTS)]

    def count_accepted(self):
        with self.lock:
            return self.accepted

    def client(self, number):
        sequence = 0
        while not self.stop.is_set():
            try:
                connection = smtplib.SMTP("127.0.0.1", self.port, f"c{number}.test", timeout=20)
                connection.ehlo()
            except (OSError, smtplib.SMTPException):
                time.sleep(0.05)  # the daemon is being restarted
                continue
            try:
                while not self.stop.is_set():
                    marker = f"k-{number}-{sequence}"
                    sequence += 1
                    with self.lock:
                        self.replies[marker] = None
                    reply = self.send_one(connection, marker)
                    with self.lock:
                        self.replies[marker] = reply
                        if reply and queued_id(reply):
                            self.accepted += 1
                    if reply is None:
                        break
            finally:
                connection.close()

    @staticmethod
    def send_one(connection, marker):
        try:
            if connection.mail("load@sender.test")[0] != 250:
                return "MAIL refused"
            if connection.rcpt(f"{marker}@rcpt.test")[0] != 250:
                return "RCPT refused"
            code, text = connection.data(message(marker))
            return f"{code} {text.decode(errors='replace')}"
        except smtplib.SMTPDataError as error:
            return f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}"
        except (smtplib.SMTPException, OSError, socket.timeout):
            return None


class Kill9CyclesDeliverEverything(unittest.TestCase):
    def test_ten_kill9_cycles_under_load(self):
        port = free_port("127.0.0.10")
        route = {"domains": ["rcpt.test"], "host": "127.0.0.10", "port": port}
        top = delivery_top(NO_DNS_SERVER, port, retry_intervals=["1s"], queue_lifetime="1h",
                           routes=[route])
        with SmtpSink("127.0.0.10", port) as sink, Daemon(top=top) as daemon:
            load = Load(daemon.port)
            for thread in load.threads:
                thread.start()
            try:
                for cycle in range(CYCLES):
                    target = load.count_accepted() + PER_CYCLE
                    wait_for(lambda: load.count_accepted() >= target, timeout=60,
                             what=f"{PER_CYCLE} more messages answered 250 (cycle {cycle})")
                    daemon.kill9()
                    daemon.start()
                    load.port = daemon.port
            finally:
                load.stop.set()
                for thread in load.threads:
                    thread.join(60)
            self.assertFalse(any(t.is_alive() for t in load.threads), "client threads hang")
            wait_for_empty_spool(daemon, timeout=120)
            daemon.assert_running()

            with load.lock:
                replies = dict(load.replies)
            arrived = {}
            for received in sink.messages():
                marker = received.content.split(b"marker ")[1].split(b"\r\n")[0].decode()
                arrived.setdefault(marker, []).append(received.content)
            accepted = [m for m, reply in replies.items() if reply and queued_id(reply)]
            refused = [m for m, reply in replies.items() if reply and not queued_id(reply)]
            unanswered = [m for m, reply in replies.items() if reply is None]
            self.assertGreaterEqual(len(accepted), CYCLES * PER_CYCLE)
            for marker in accepted:
                self.assertIn(marker, arrived, f"{marker} was answered 250 but never delivered")
                for content in arrived[marker]:
                    self.assertTrue(content.endswith(message(marker)), f"{marker} changed")
            for marker in refused:
                self.assertNotIn(marker, arrived, f"{marker} got {replies[marker]!r} but arrived")
            strangers = set(arrived) - set(replies)
            self.assertEqual(strangers, set(), "the sink got messages nobody sent")
            duplicates = sum(len(copies) - 1 for copies in arrived.values())
            print(f"\n{CYCLES} kill -9 cycles: answered 250 = {len(accepted)} (all delivered), "
                  f"other reply = {len(refused)}, unanswered = {len(unanswered)} (delivered: "
                  f"{sum(m in arrived for m in unanswered)}), duplicates = {duplicates}",
                  file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
