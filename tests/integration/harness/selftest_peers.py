"""Self-test of the delivery harness's peers, without sluiced: dnsmasq answers the records it was
given (MX, A, null MX "MX 0 .", TXT, NXDOMAIN for other .test names) and logs each query; the
aiosmtpd sink answers swaks and smtplib per recipient (250, 450, 550, once-then-250), records
exact content, drops after the final dot when told, counts concurrent connections, and two sinks
share one port on different loopback addresses. Run: /usr/bin/python3 harness/selftest_peers.py
"""

import os
import smtplib
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from dns_server import DnsServer, query  # noqa: E402
from dsn_report import address_field, parse_dsn  # noqa: E402
from sluice import connect_refused, free_port, swaks, swaks_replies  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402


class DnsServerAnswers(unittest.TestCase):
    def test_records(self):
        with DnsServer(mx={"a.test": [(10, "mx1.a.test"), (20, "mx2.a.test")]},
                       a={"mx1.a.test": "127.0.0.2", "mx2.a.test": ["127.0.0.3", "::3"]},
                       null_mx=["null.test"], txt={"t.test": "v=spf1 -all"}) as dns:
            cases = [
                ("a.test", "MX", ("NOERROR", [("MX", 60, (10, "mx1.a.test")),
                                              ("MX", 60, (20, "mx2.a.test"))])),
                ("mx1.a.test", "A", ("NOERROR", [("A", 60, "127.0.0.2")])),
                ("mx2.a.test", "AAAA", ("NOERROR", [("AAAA", 60, "::3")])),
                ("null.test", "MX", ("NOERROR", [("MX", 60, (0, "."))])),
                ("t.test", "TXT", ("NOERROR", [("TXT", 60, ["v=spf1 -all"])])),
                ("nx.test", "MX", ("NXDOMAIN", [])),
                ("nx.test", "A", ("NXDOMAIN", [])),
            ]
            for name, qtype, want in cases:
                got = query(dns.port, name, qtype)
                if got and got[1]:
                    got = (got[0], sorted(got[1]))
                self.assertEqual(got, want, f"{qtype} {name}: got {got}, want {want}")
            self.assertEqual(dns.queries_for("a.test"), ["MX"])
            self.assertEqual(dns.queries_for("nx.test"), ["MX", "A"])
            self.assertEqual(dns.queries_for("relay.test"), [])

    def test_tcp_port_is_the_same(self):
        with DnsServer(a={"h.test": "127.0.0.9"}) as dns:
            socket.create_connection(("127.0.0.1", dns.port), timeout=5).close()


class SinkAnswers(unittest.TestCase):
    def test_per_recipient_replies_with_swaks(self):
        port = free_port()
        behaviours = {"ok@a.test": "250", "later@a.test": "450 4.2.1 Try later",
                      "gone@a.test": "550 5.1.1 No such user", "once@a.test": "450 once then 250"}
        with SmtpSink("127.0.0.2", port, behaviours) as sink:
            result = swaks(port, "--from", "s@origin.test",
                           "--to", "ok@a.test,later@a.test,gone@a.test,once@a.test",
                           "--body", "hello\n.dot line", server="127.0.0.2")
            replies = swaks_replies(result.stdout)
            for want in ("450 4.2.1 Try later", "550 5.1.1 No such user"):
                self.assertEqual(replies.count(want), 2 if want.startswith("450") else 1,
                                 replies)
            message = sink.wait_for_recipient("ok@a.test")
            self.assertEqual(message.recipients, ["ok@a.test"])
            self.assertEqual(message.sender, "s@origin.test")
            self.assertIn(b"\r\n\r\nhello\r\n.dot line\r\n", message.content)
            # the second RCPT for once@a.test is accepted
            with smtplib.SMTP("127.0.0.2", port, "client.test", timeout=10) as c:
                c.ehlo()
                c.mail("")
                self.assertEqual(c.rcpt("once@a.test")[0], 250)
                self.assertEqual(c.rcpt("later@a.test")[0], 450)
                c.data(b"Subject: x\r\n\r\nbody\r\n")
            self.assertEqual(sink.delivered_to("once@a.test")[0].sender, "")
            self.assertEqual(sink.rcpt_count("once@a.test"), 2)
            self.assertEqual(sink.rcpt_count("later@a.test"), 2)
            self.assertEqual(sink.connections, 2)

    def test_two_sinks_share_a_port_and_a_closed_address_refuses(self):
        port = free_port()
        with SmtpSink("127.0.0.2", port) as two, SmtpSink("127.0.0.3", port) as three:
            for address, sink in (("127.0.0.2", two), ("127.0.0.3", three)):
                with smtplib.SMTP(address, port, "client.test", timeout=10) as c:
                    c.sendmail("s@origin.test", [f"to@{address}.test"], b"Subject: s\r\n\r\nb\r\n")
                self.assertEqual([m.content for m in sink.messages()], [b"Subject: s\r\n\r\nb\r\n"])
            self.assertTrue(connect_refused(port, host="127.0.0.4"))

    def test_drop_after_data_and_concurrency(self):
        port = free_port()
        with SmtpSink("127.0.0.2", port, drop_after_data=1, held=True) as sink:
            with smtplib.SMTP("127.0.0.2", port, "client.test", timeout=10) as c:
                with self.assertRaises(smtplib.SMTPServerDisconnected):
                    c.sendmail("s@origin.test", ["d@a.test"], b"Subject: d\r\n\r\nb\r\n")
            self.assertFalse(sink.messages()[0].replied)
            errors = []

            def send(n):
                try:
                    with smtplib.SMTP("127.0.0.2", port, "client.test", timeout=10) as c:
                        c.sendmail("s@origin.test", [f"c{n}@a.test"], b"Subject: c\r\n\r\nb\r\n")
                except Exception as error:  # noqa: BLE001 - reported below
                    errors.append(error)
            threads = [threading.Thread(target=send, args=(n,)) for n in range(3)]
            for thread in threads:
                thread.start()
            sink.wait_for_messages(4)  # all three wait for their reply
            sink.release()
            for thread in threads:
                thread.join(10)
            self.assertEqual(errors, [])
            self.assertEqual(sink.max_concurrent, 3)
            self.assertEqual(len(sink.delivered_to("c1@a.test")), 1)


class DsnParser(unittest.TestCase):
    def test_parses_rfc3464(self):
        dsn = (b"From: MAILER-DAEMON@mx.test\r\nTo: s@origin.test\r\nSubject: failed\r\n"
               b"MIME-Version: 1.0\r\n"
               b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n"
               b"\r\n--B\r\nContent-Type: text/plain\r\n\r\nIt failed.\r\n"
               b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
               b"Reporting-MTA: dns; mx.test\r\n\r\n"
               b"Final-Recipient: rfc822; x@a.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
               b"\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nSubject: hi\r\n\r\n--B--\r\n")
        parsed = parse_dsn(dsn)
        self.assertEqual(parsed.per_message["reporting-mta"], "dns; mx.test")
        self.assertEqual(len(parsed.recipients), 1)
        self.assertEqual(address_field(parsed.recipients[0]["final-recipient"]),
                         ("rfc822", "x@a.test"))
        self.assertEqual(parsed.recipients[0]["status"], "5.1.1")


if __name__ == "__main__":
    unittest.main()
