"""kill -9 under load loses no accepted message: 8 smtplib clients send marked messages in a
loop; once at least 200 were answered 250 the daemon is killed with SIGKILL while they are still
sending. After a restart on the same spool every 250'd queue ID is listed and its stored content
is the message as sent (plus Sluice's headers); nothing answered with another reply is stored;
messages left without a reply may or may not be stored (counted and printed)."""

import os
import re
import smtplib
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, queued_id, split_stored, wait_for  # noqa: E402

CLIENTS = 8
ANSWERED_BEFORE_KILL = 200
MESSAGES_PER_CONNECTION = 20
MARKER = re.compile(rb"X-Test-Marker: (m-\d+-\d+)")


def message(marker):
    lines = [f"X-Test-Marker: {marker}", f"Subject: load {marker}", "",
             f"marker {marker} in the body", ".a stuffed line"]
    lines += [f"line {i:03d} of {marker} " + "x" * 60 for i in range(50)]  # ~4 KiB
    return ("\r\n".join(lines) + "\r\n").encode()


class Outcome:
    def __init__(self, marker, content):
        self.marker = marker
        self.content = content
        self.reply = None      # "code text" if the server answered the end of data
        self.queue_id = None   # set when the reply was 250 queued
        self.data_sent = False  # DATA was reached, so the daemon may have stored it


class Load:
    """Client threads sending until told to stop or until the daemon goes away."""

    def __init__(self, port):
        self.port = port
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.outcomes = []
        self.answered_250 = 0
        self.errors = []
        self.threads = [threading.Thread(target=self.client, args=(n,), daemon=True)
                        for n in range(CLIENTS)]

    def count_250(self):
        with self.lock:
            return self.answered_250

    def client(self, number):
        sequence = 0
        while not self.stop.is_set():
            try:
                connection = smtplib.SMTP("127.0.0.1", self.port, f"load{number}.test", timeout=30)
            except OSError:
                return  # the daemon is gone
            try:
                connection.ehlo()
                for _ in range(MESSAGES_PER_CONNECTION):
                    if self.stop.is_set():
                        break
                    marker = f"m-{number}-{sequence}"
                    sequence += 1
                    outcome = Outcome(marker, message(marker))
                    with self.lock:
                        self.outcomes.append(outcome)
                    self.send_one(connection, outcome)
                    if outcome.reply is None:
                        return  # the connection died
                connection.quit()
            except (smtplib.SMTPException, OSError):
                return
            finally:
                connection.close()

    def send_one(self, connection, outcome):
        try:
            code, _ = connection.mail("load@sender.test")
            if code != 250:
                outcome.reply = f"{code} (MAIL)"
                return
            code, _ = connection.rcpt(f"{outcome.marker}@rcpt.test")
            if code != 250:
                outcome.reply = f"{code} (RCPT)"
                return
            outcome.data_sent = True
            code, text = connection.data(outcome.content)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPDataError, ConnectionError,
                socket.timeout, OSError) as error:
            if isinstance(error, smtplib.SMTPDataError):  # a non-354 answer to DATA
                outcome.reply = f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}"
            return
        outcome.reply = f"{code} {text.decode(errors='replace')}"
        outcome.queue_id = queued_id(outcome.reply)
        if outcome.queue_id:
            with self.lock:
                self.answered_250 += 1


class Kill9UnderLoadLosesNothing(unittest.TestCase):
    def test_kill9_under_load(self):
        with Daemon() as daemon:
            load = Load(daemon.port)
            for thread in load.threads:
                thread.start()
            try:
                wait_for(lambda: load.count_250() >= ANSWERED_BEFORE_KILL, timeout=90,
                         what=f"{ANSWERED_BEFORE_KILL} messages answered 250")
                before_kill = load.count_250()
                daemon.kill9()
            finally:
                load.stop.set()
                for thread in load.threads:
                    thread.join(60)
            self.assertFalse(any(t.is_alive() for t in load.threads), "client threads hang")

            daemon.start()
            outcomes = list(load.outcomes)
            accepted = [o for o in outcomes if o.queue_id]
            refused = [o for o in outcomes if o.reply is not None and not o.queue_id]
            unanswered = [o for o in outcomes if o.reply is None and o.data_sent]

            listed = daemon.spool_list()
            stored_by_marker = {}
            for queue_id in listed:
                stored = daemon.spool_show(queue_id)
                match = MARKER.search(stored)
                self.assertIsNotNone(match, f"{queue_id} has no marker: {stored[:300]!r}")
                stored_by_marker[match.group(1).decode()] = (queue_id, stored)

            for outcome in accepted:
                self.assertIn(outcome.queue_id, listed,
                              f"250'd {outcome.queue_id} ({outcome.marker}) lost after kill -9")
                queue_id, stored = stored_by_marker[outcome.marker]
                self.assertEqual(queue_id, outcome.queue_id, outcome.marker)
                _, rest = split_stored(stored, True, True)
                self.assertEqual(rest, outcome.content, f"content of {queue_id} changed")
            for outcome in refused:
                self.assertNotIn(outcome.marker, stored_by_marker,
                                 f"{outcome.marker} answered {outcome.reply!r} but is spooled")
            unanswered_stored = sum(o.marker in stored_by_marker for o in unanswered)
            self.assertEqual(len(listed), len(accepted) + unanswered_stored,
                             "the spool holds messages nobody sent")

            print(f"\nkill -9 after {before_kill} answered 250: answered 250 = {len(accepted)}, "
                  f"other reply = {len(refused)}, in spool = {len(listed)}, "
                  f"unanswered = {len(unanswered)} (of which stored: {unanswered_stored})",
                  file=sys.stderr)

            with smtplib.SMTP("127.0.0.1", daemon.port, "after.restart.test", timeout=10) as c:
                c.ehlo()
                self.assertEqual(c.mail("after@sender.test")[0], 250)
                self.assertEqual(c.rcpt("after@rcpt.test")[0], 250)
                code, text = c.data(message("after-restart"))
            queue_id = queued_id(f"{code} {text.decode()}")
            self.assertTrue(queue_id, text)
            self.assertIn(queue_id, daemon.spool_ids())


if __name__ == "__main__":
    unittest.main()
