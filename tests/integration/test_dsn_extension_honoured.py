"""The DSN extension (RFC 3461), offered and honoured end to end, against real peers (Python's
smtplib as the client, aiosmtpd sinks as the mail servers, which do not offer DSN):
  - EHLO offers DSN; malformed xtext in ORCPT=/ENVID= (bad hex, a decoded CR LF) gets 501 5.5.4;
  - NOTIFY=NEVER: a bounce sends no DSN; NOTIFY=FAILURE with RET=FULL: the failure report
    returns the whole message, echoes ENVID= and ORCPT=; NOTIFY=SUCCESS: a "relayed" report,
    since the receiving server offers no DSN of its own;
  - delivery.delay_warning: a recipient still deferred after it gets one "delayed" report,
    not one more after a kill -9 and restart (the mark is in the spool), and a recipient whose
    NOTIFY= leaves out DELAY gets none."""

import os
import smtplib
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import (delivery_top, describe, records_for, wait_for_empty_spool,  # noqa: E402
                             wait_for_final)
from dns_server import DnsServer  # noqa: E402
from dsn_report import address_field, parse_dsn  # noqa: E402
from sluice import Daemon, free_port, queued_id, wait_for  # noqa: E402
from smtp_sink import DEFER, NO_SUCH_USER, SmtpSink  # noqa: E402

SENDER = "s@origin.test"
DNS_RECORDS = {"mx": {"a.test": [(10, "mx.a.test")], "origin.test": [(10, "mx.origin.test")]},
               "a": {"mx.a.test": "127.0.0.2", "mx.origin.test": "127.0.0.3"}}
TABLE = {"bounced@a.test": NO_SUCH_USER, "silent@a.test": NO_SUCH_USER,
         "slow@a.test": DEFER, "quiet@a.test": DEFER}


def content(subject):
    return (f"Subject: {subject}\r\nMessage-ID: <{subject}@origin.test>\r\n\r\n"
            f"the body of {subject}\r\n").encode()


def submit(daemon, recipient, subject, mail_options=(), rcpt_options=()):
    with smtplib.SMTP("127.0.0.1", daemon.port, "dsn.client.test", timeout=30) as client:
        client.ehlo()
        code, text = client.mail(SENDER, list(mail_options))
        assert code == 250, (code, text)
        code, text = client.rcpt(recipient, list(rcpt_options))
        assert code == 250, (code, text)
        code, text = client.data(content(subject))
    return queued_id(f"{code} {text.decode()}")


def reports_for(origin, subject):
    """The DSNs at the sender's server that return the message with this subject, parsed."""
    found = []
    for message in origin.messages():
        dsn = parse_dsn(message.content)
        if dsn.returned is not None and f"<{subject}@origin.test>".encode() in \
                dsn.returned.as_bytes():
            found.append(dsn)
    return found


class DsnExtensionHonoured(unittest.TestCase):
    def test_offered_and_malformed_xtext_refused(self):
        port = free_port()
        with DnsServer(**DNS_RECORDS) as dns, \
                Daemon(top=delivery_top(dns.address, port)) as daemon, \
                smtplib.SMTP("127.0.0.1", daemon.port, "dsn.client.test", timeout=30) as client:
            client.ehlo()
            self.assertTrue(client.has_extn("dsn"), client.esmtp_features)
            self.assertEqual(client.mail(SENDER, ["ENVID=a+0D+0Ab"])[0], 501)
            self.assertEqual(client.mail(SENDER, ["RET=FULL", "ENVID=QQ+2B314"])[0], 250)
            # The example: the xtext decodes to a CR LF and a header line.
            code, text = client.rcpt("a@b.invalid", ["NOTIFY=FAILURE",
                                                     "ORCPT=rfc822;a+0D+0ABcc:+20x@y"])
            self.assertEqual((code, text[:5]), (501, b"5.5.4"), text)
            self.assertEqual(client.rcpt("a@b.invalid", ["ORCPT=rfc822;a+4g@y"])[0], 501)
            self.assertEqual(client.rcpt("a@b.invalid", ["NOTIFY=NEVER,DELAY"])[0], 501)
            self.assertEqual(client.rcpt("a@b.invalid", ["NOTIFY=NEVER",
                                                         "ORCPT=rfc822;a+2Bb@y"])[0], 250)

    def test_notify_and_ret_shape_the_reports(self):
        port = free_port()
        with DnsServer(**DNS_RECORDS) as dns, SmtpSink("127.0.0.2", port, TABLE) as sink, \
                SmtpSink("127.0.0.3", port) as origin, \
                Daemon(top=delivery_top(dns.address, port)) as daemon:
            submit(daemon, "bounced@a.test", "full", ["RET=FULL", "ENVID=QQ+2B314"],
                   ["NOTIFY=FAILURE", "ORCPT=rfc822;Bounced+2Btag@a.test"])
            submit(daemon, "silent@a.test", "never", rcpt_options=["NOTIFY=NEVER"])
            submit(daemon, "told@a.test", "success", ["ENVID=told-1"], ["NOTIFY=SUCCESS"])
            finals = {r: wait_for_final(daemon, r)
                      for r in ("bounced@a.test", "silent@a.test", "told@a.test")}
            wait_for_empty_spool(daemon)  # every report that was spooled is delivered
            self.assertEqual(finals["silent@a.test"]["outcome"], "bounced")
            self.assertEqual(finals["silent@a.test"]["dsn_queue_id"], "",
                             describe([finals["silent@a.test"]]))
            self.assertNotEqual(finals["bounced@a.test"]["dsn_queue_id"], "")
            self.assertEqual(reports_for(origin, "never"), [], "NOTIFY=NEVER: no report")
            self.assertEqual(len(origin.messages()), 2, origin.summary())

            [failed] = reports_for(origin, "full")
            fields = failed.recipients[0]
            self.assertEqual(fields["action"], "failed", fields)
            self.assertEqual(address_field(fields["original-recipient"]),
                             ("rfc822", "bounced+tag@a.test"), fields)
            self.assertEqual(failed.per_message.get("original-envelope-id"), "QQ+314",
                             failed.per_message)
            self.assertEqual(failed.returned.get_content_type(), "message/rfc822")
            self.assertIn(b"the body of full", failed.returned.as_bytes(), "RET=FULL")

            [relayed] = reports_for(origin, "success")
            fields = relayed.recipients[0]
            self.assertEqual((fields["action"], fields["status"]), ("relayed", "2.0.0"), fields)
            self.assertEqual(address_field(fields["final-recipient"]), ("rfc822", "told@a.test"))
            self.assertIn("250", fields.get("diagnostic-code", ""), fields)
            self.assertEqual(relayed.per_message.get("original-envelope-id"), "told-1")
            self.assertEqual(relayed.returned.get_content_type(), "text/rfc822-headers")
            self.assertNotIn(b"the body of success", relayed.returned.as_bytes())
            self.assertEqual(relayed.message["Subject"], "Successful Mail Delivery Report")
            self.assertEqual(len(sink.delivered_to("told@a.test")), 1)

    def test_delay_warning_once_even_across_a_restart(self):
        port = free_port()
        with DnsServer(**DNS_RECORDS) as dns, SmtpSink("127.0.0.2", port, TABLE), \
                SmtpSink("127.0.0.3", port) as origin, \
                Daemon(top=delivery_top(dns.address, port, retry_intervals=["1s"],
                                        queue_lifetime="60s",
                                        delivery={"delay_warning": "2s"})) as daemon:
            submit(daemon, "slow@a.test", "slow")
            submit(daemon, "quiet@a.test", "quiet", rcpt_options=["NOTIFY=FAILURE"])
            wait_for(lambda: reports_for(origin, "slow"), timeout=20,
                     what="the delay warning at the sender's server")
            [delayed] = reports_for(origin, "slow")
            fields = delayed.recipients[0]
            self.assertEqual(fields["action"], "delayed", fields)
            self.assertEqual(fields["status"][:2], "4.", fields)
            self.assertIn("will-retry-until", fields, fields)
            self.assertEqual(delayed.message["Subject"], "Delayed Mail (still being retried)")

            # The mark survives a crash: no second warning after the restart.
            daemon.kill9()
            daemon.start()
            time.sleep(4)  # several sweeps past the warning time, with retries in between
            self.assertEqual(len(reports_for(origin, "slow")), 1, origin.summary())
            self.assertEqual(reports_for(origin, "quiet"), [], "NOTIFY=FAILURE: no delay report")
            self.assertEqual(len(origin.messages()), 1, origin.summary())
            self.assertGreaterEqual(len(records_for(daemon, "slow@a.test", "attempt")), 3)
            print(f"\ndelay warning sent once; {len(records_for(daemon, 'slow@a.test'))} "
                  "attempts recorded across the restart", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
