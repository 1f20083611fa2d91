"""A message accepted with 250 is stored as sent: swaks and smtplib submit messages with several
recipients and dot-stuffed lines; `sluicectl spool show` prints Sluice's headers (Received:
first, Date:/Message-ID: only when missing) followed by the content exactly as sent after
dot-unstuffing, and `sluicectl spool list` names the ID, the sender and every recipient."""

import os
import re
import smtplib
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, queued_id, split_stored, swaks, swaks_replies  # noqa: E402

RECIPIENTS = ["a@x.test", "b@y.test", "c@z.test"]
SENDER = "sender@origin.test"

# Lines starting with "." exercise dot-stuffing; a lone "." line is content once stuffed.
SWAKS_LINES = ["Subject: dots via swaks", "From: <sender@origin.test>", "",
               ".leading dot", "..two dots", ".", "...", "middle", ". dot space", "last line"]

WITH_DATE_AND_ID = (b"Subject: has both\r\n"
                    b"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n"
                    b"Message-ID: <already@origin.test>\r\n"
                    b"\r\n"
                    b".dot line\r\n"
                    b"body\r\n")
WITHOUT_DATE_AND_ID = (b"Subject: has neither\r\n"
                       b"From: <sender@origin.test>\r\n"
                       b"\r\n"
                       b"..two dots\r\n"
                       b".\r\n"
                       b"body\r\n")


class AcceptAndShow(unittest.TestCase):
    def check_stored(self, daemon, queue_id, content, helo, headers_present):
        """spool show == Received (+ Date + Message-ID unless present) + content."""
        stored = daemon.spool_show(queue_id)
        added, rest = split_stored(stored, not headers_present, not headers_present)
        self.assertEqual(rest, content, f"stored content of {queue_id}")
        received = added["Received"]
        self.assertTrue(received.startswith(f"from {helo} "), received)
        self.assertIn("[127.0.0.1]", received)
        self.assertIn("by mx.sluice.test (Sluice) with ESMTP id " + queue_id, received)
        self.assertRegex(received, r"; \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$")
        if not headers_present:
            self.assertRegex(added["Date"], r"^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$")
            self.assertEqual(added["Message-ID"], f"<{queue_id}@mx.sluice.test>")
        else:
            self.assertNotIn(b"Message-ID: <" + queue_id.encode(), stored)
            self.assertEqual(stored.count(b"\r\nDate: "), 1, stored)

    def check_listed(self, daemon, queue_id, recipients):
        listing = daemon.spool_list()
        self.assertIn(queue_id, listing)
        line = listing[queue_id]
        self.assertIn(SENDER, line)
        for recipient in recipients:
            self.assertIn(recipient, line)

    def test_swaks_multiple_recipients_dot_stuffed(self):
        with Daemon() as daemon, tempfile.NamedTemporaryFile("w", suffix=".eml") as data:
            data.write("\n".join(SWAKS_LINES))  # swaks ends the data with CRLF.CRLF
            data.flush()
            result = swaks(daemon.port, "--to", ",".join(RECIPIENTS), "--from", SENDER,
                           "--helo", "swaks.client.test", "--data", "@" + data.name)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            replies = swaks_replies(result.stdout)
            self.assertEqual(replies.count("250 2.1.5 Ok"), 3, replies)
            self.assertIn("354 End data with <CR><LF>.<CR><LF>", replies)
            ids = [queued_id(r) for r in replies if queued_id(r)]
            self.assertEqual(len(ids), 1, replies)
            content = ("\r\n".join(SWAKS_LINES) + "\r\n").encode()
            self.check_stored(daemon, ids[0], content, "swaks.client.test",
                              headers_present=False)
            self.check_listed(daemon, ids[0], RECIPIENTS)

    def test_smtplib_sendmail(self):
        with Daemon() as daemon:
            with smtplib.SMTP("127.0.0.1", daemon.port, "sendmail.client.test", timeout=10) as c:
                refused = c.sendmail(SENDER, RECIPIENTS, WITHOUT_DATE_AND_ID)
                self.assertEqual(refused, {})
            ids = daemon.spool_ids()
            self.assertEqual(len(ids), 1, ids)
            queue_id = ids.pop()
            self.check_stored(daemon, queue_id, WITHOUT_DATE_AND_ID, "sendmail.client.test",
                              headers_present=False)
            self.check_listed(daemon, queue_id, RECIPIENTS)

    def test_smtplib_explicit_transaction(self):
        with Daemon() as daemon:
            queue_ids = []
            with smtplib.SMTP("127.0.0.1", daemon.port, "explicit.client.test", timeout=10) as c:
                c.ehlo()
                for content in (WITH_DATE_AND_ID, WITHOUT_DATE_AND_ID):
                    self.assertEqual(c.mail(SENDER), (250, b"2.1.0 Ok"))
                    for recipient in RECIPIENTS:
                        self.assertEqual(c.rcpt(recipient), (250, b"2.1.5 Ok"))
                    code, text = c.data(content)  # smtplib dot-stuffs
                    line = f"{code} {text.decode()}"
                    self.assertTrue(queued_id(line), line)
                    queue_ids.append(queued_id(line))
            self.assertNotEqual(queue_ids[0], queue_ids[1])
            self.check_stored(daemon, queue_ids[0], WITH_DATE_AND_ID, "explicit.client.test",
                              headers_present=True)
            self.check_stored(daemon, queue_ids[1], WITHOUT_DATE_AND_ID, "explicit.client.test",
                              headers_present=False)
            self.assertEqual(daemon.spool_ids(), set(queue_ids))
            for queue_id in queue_ids:
                self.check_listed(daemon, queue_id, RECIPIENTS)

    def test_single_recipient_received_names_it(self):
        with Daemon() as daemon:
            with smtplib.SMTP("127.0.0.1", daemon.port, "one.client.test", timeout=10) as c:
                c.ehlo()
                c.mail(SENDER)
                c.rcpt("only@x.test")
                code, text = c.data(WITHOUT_DATE_AND_ID)
            queue_id = queued_id(f"{code} {text.decode()}")
            self.assertTrue(queue_id, text)
            added, rest = split_stored(daemon.spool_show(queue_id), True, True)
            self.assertEqual(rest, WITHOUT_DATE_AND_ID)
            self.assertTrue(re.search(r" for <only@x\.test>; ", added["Received"]),
                            added["Received"])


if __name__ == "__main__":
    unittest.main()
