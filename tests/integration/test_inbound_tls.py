"""Inbound TLS: `openssl s_client -starttls smtp` negotiates TLS 1.2+ with a STARTTLS listener;
STARTTLS is announced only before TLS and only where enabled; commands pipelined after
STARTTLS in the same write are dropped, never answered inside TLS (CVE-2011-0411); an
implicit-TLS listener speaks TLS from the first byte; a message submitted over TLS carries
ESMTPS and the version and cipher in its Received: header; SIGHUP loads a new certificate for
new sessions. The certificate is generated at test time in the daemon's temp dir."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, SmtpClient, wait_for  # noqa: E402
from tls_material import client_context, make_certificate, tls_settings  # noqa: E402

LISTENERS = ['{ address = "127.0.0.1"; port = 0; name = "starttls"; tls = "starttls"; }',
             '{ address = "127.0.0.1"; port = 0; name = "implicit"; tls = "implicit"; }',
             '{ address = "127.0.0.1"; port = 0; name = "plain"; }']


def tls_daemon(test):
    material = tempfile.mkdtemp(prefix="sluice-tls-")
    test.addCleanup(shutil.rmtree, material, ignore_errors=True)
    daemon = Daemon(smtp=tls_settings(material), listen=LISTENERS)
    daemon.material = material
    return daemon


def s_client(port, *extra, stdin=b"EHLO client.test\nQUIT\n"):
    return subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
                           "-servername", "mx.sluice.test", "-crlf", "-nocommands", "-ign_eof", *extra],
                          input=stdin, capture_output=True, timeout=30)


def ehlo_keywords(client, name="client.test"):
    client.send(f"EHLO {name}\r\n")
    return [line[4:] for line in client.reply()]


class InboundTls(unittest.TestCase):
    def test_openssl_s_client_starttls_smtp(self):
        with tls_daemon(self) as daemon:
            starttls_port = daemon.ports[0]
            result = s_client(starttls_port, "-starttls", "smtp")
            out = result.stdout.decode(errors="replace")
            self.assertEqual(result.returncode, 0, out + result.stderr.decode(errors="replace"))
            self.assertRegex(out, r"New, TLSv1\.[23], Cipher is ")
            # The EHLO sent inside TLS is answered without STARTTLS, then QUIT closes.
            self.assertIn("250-mx.sluice.test", out)
            self.assertNotIn("250-STARTTLS", out.split("New, TLSv1")[1])
            self.assertIn("221 2.0.0 Bye", out)
            daemon.wait_for_log(r"TLS with \[127\.0\.0\.1\]: TLSv1\.[23] with cipher ")

    def test_tls_1_1_is_refused(self):
        with tls_daemon(self) as daemon:
            result = s_client(daemon.ports[1], "-tls1_1")
            self.assertNotEqual(result.returncode, 0, result.stdout.decode(errors="replace"))

    def test_starttls_advertised_only_before_tls_and_where_enabled(self):
        with tls_daemon(self) as daemon:
            with SmtpClient(daemon.ports[0]) as client:
                client.reply()
                self.assertIn("STARTTLS", ehlo_keywords(client))
                self.assertEqual(client.command("STARTTLS"), "220 2.0.0 Ready to start TLS")
                version, _ = client.start_tls(client_context())
                self.assertIn(version, ("TLSv1.2", "TLSv1.3"))
                # Session state is gone: MAIL needs a new EHLO.
                self.assertEqual(client.command("MAIL FROM:<a@x.test>"),
                                 "503 5.5.1 Error: send HELO/EHLO first")
                self.assertNotIn("STARTTLS", ehlo_keywords(client))
                self.assertEqual(client.command("STARTTLS"), "554 5.5.1 Error: TLS already active")
            with SmtpClient(daemon.ports[2]) as plain:
                plain.reply()
                self.assertNotIn("STARTTLS", ehlo_keywords(plain))
                self.assertEqual(plain.command("STARTTLS"),
                                 "502 5.5.1 Error: command not implemented")

    def test_commands_pipelined_after_starttls_are_dropped(self):
        with tls_daemon(self) as daemon:
            with SmtpClient(daemon.ports[0]) as client:
                client.reply()
                ehlo_keywords(client)
                # One write: STARTTLS and an injected RSET (CVE-2011-0411).
                client.send("STARTTLS\r\nRSET\r\n")
                self.assertEqual(client.reply_line(), "220 2.0.0 Ready to start TLS")
                self.assertEqual(client.buffer, b"", "nothing but the 220 before the handshake")
                client.start_tls(client_context())
                # The RSET was plaintext: it must not be answered inside TLS.
                self.assertTrue(client.nothing_arrives(1.0), client.buffer)
                self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")

    def test_implicit_tls_listener(self):
        with tls_daemon(self) as daemon:
            result = s_client(daemon.ports[1])
            out = result.stdout.decode(errors="replace")
            self.assertEqual(result.returncode, 0, out)
            self.assertIn("220 mx.sluice.test ESMTP Sluice", out)
            self.assertIn("250-mx.sluice.test", out)
            self.assertNotIn("STARTTLS", out)
            with SmtpClient(daemon.ports[1]) as client:
                client.start_tls(client_context())
                self.assertEqual(client.reply_line(), "220 mx.sluice.test ESMTP Sluice")

    def test_received_header_records_esmtps_and_cipher(self):
        with tls_daemon(self) as daemon:
            with SmtpClient(daemon.ports[0]) as client:
                client.reply()
                ehlo_keywords(client)
                client.command("STARTTLS")
                version, cipher = client.start_tls(client_context())
                ehlo_keywords(client)
                self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
                self.assertEqual(client.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")
                self.assertTrue(client.command("DATA").startswith("354 "))
                reply = client.command("Subject: tls\r\n\r\nhello\r\n.")
                self.assertTrue(reply.startswith("250 2.0.0 Ok: queued as "), reply)
                queue_id = reply.split()[-1]
            shown = daemon.spool_show(queue_id).decode(errors="replace")
            self.assertIn(f"(using {version} with cipher {cipher} (", shown)
            self.assertRegex(shown, r"by mx\.sluice\.test \(Sluice\) with ESMTPS id ")

    def test_sighup_loads_the_new_certificate_for_new_sessions(self):
        with tls_daemon(self) as daemon:
            first = s_client(daemon.ports[1], "-showcerts").stdout.decode(errors="replace")
            self.assertIn("CN = mx.sluice.test", first)
            # Same paths, new contents: a certificate for another name.
            make_certificate(daemon.material, "renewed.sluice.test")
            daemon.process.send_signal(1)  # SIGHUP
            daemon.wait_for_log(r"reloaded configuration .*generation 2")

            def renewed():
                out = s_client(daemon.ports[1]).stdout.decode(errors="replace")
                return "CN = renewed.sluice.test" in out
            wait_for(renewed, 10, what="the renewed certificate")


if __name__ == "__main__":
    unittest.main()
