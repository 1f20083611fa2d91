"""SMTP AUTH (RFC 4954) on a STARTTLS listener with auth = "required": refused before TLS (538,
and not announced), accepted after it with the right password (PLAIN with smtplib, LOGIN with
swaks), refused with a wrong one (535 5.7.8), each failure answered later than the one before
and the connection closed with 421 after smtp.auth_max_failures; MAIL before AUTH gets 530; an
authenticated client outside relay_networks may relay, and its user name is in the accounting
log record of the message; a command pipelined after "AUTH LOGIN" is never taken as the
response. Users file and certificate are made at test time with the openssl command."""

import base64
import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import delivery_top, describe, wait_for_final  # noqa: E402
from sluice import Daemon, SmtpClient, free_port, swaks, swaks_replies  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from tls_material import client_context, tls_settings  # noqa: E402

USER, PASSWORD = "alice", "correct horse battery"
LISTENER = ['{ address = "127.0.0.1"; port = 0; name = "submission"; tls = "starttls"; '
            'auth = "required"; }']
DELAY = 0.3  # smtp.auth_failure_delay in seconds


def plain(user, password):
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


def write_users(directory):
    hashed = subprocess.run(["openssl", "passwd", "-6", PASSWORD], check=True,
                            capture_output=True, text=True, timeout=30).stdout.strip()
    path = os.path.join(directory, "users")
    with open(path, "w") as f:
        f.write(f"# made by the test\n{USER}:{hashed}\n")
    return path


class SmtpAuth(unittest.TestCase):
    def daemon(self, top=None):
        material = tempfile.mkdtemp(prefix="sluice-auth-")
        self.addCleanup(shutil.rmtree, material, ignore_errors=True)
        smtp = tls_settings(material)
        # Nobody may relay without AUTH: relay_networks does not hold the test's addresses.
        smtp.update({"relay_networks": '[ "192.0.2.0/24" ]',
                     "auth_users_file": f'"{write_users(material)}"',
                     "auth_max_failures": "3", "auth_failure_delay": f'"{int(DELAY * 1000)}ms"'})
        return Daemon(smtp=smtp, listen=LISTENER, top=top)

    def secured_client(self, daemon):
        client = SmtpClient(daemon.port)
        client.reply()
        client.command("EHLO client.test")
        self.assertEqual(client.command("STARTTLS"), "220 2.0.0 Ready to start TLS")
        client.start_tls(client_context())
        client.send("EHLO client.test\r\n")
        self.assertIn("AUTH PLAIN LOGIN", [line[4:] for line in client.reply()])
        return client

    def test_refused_before_tls(self):
        with self.daemon() as daemon, SmtpClient(daemon.port) as client:
            client.reply()
            client.send("EHLO client.test\r\n")
            ehlo = client.reply()
            self.assertFalse([line for line in ehlo if "AUTH" in line], ehlo)
            self.assertEqual(client.command("AUTH PLAIN " + plain(USER, PASSWORD)),
                             "538 5.7.11 Encryption required for requested authentication "
                             "mechanism")
            self.assertEqual(client.command("MAIL FROM:<a@x.test>"),
                             "530 5.7.0 Authentication required")

    def test_right_password_accepted_wrong_refused(self):
        with self.daemon() as daemon, self.secured_client(daemon) as client:
            self.assertEqual(client.command("MAIL FROM:<a@x.test>"),
                             "530 5.7.0 Authentication required")
            self.assertEqual(client.command("AUTH PLAIN " + plain(USER, "wrong")),
                             "535 5.7.8 Authentication credentials invalid")
            self.assertEqual(client.command("AUTH PLAIN " + plain("mallory", PASSWORD)),
                             "535 5.7.8 Authentication credentials invalid")
            self.assertEqual(client.command("AUTH LOGIN"), "334 VXNlcm5hbWU6")
            self.assertEqual(client.command(base64.b64encode(USER.encode()).decode()),
                             "334 UGFzc3dvcmQ6")
            self.assertEqual(client.command(base64.b64encode(PASSWORD.encode()).decode()),
                             "235 2.7.0 Authentication successful")
            self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
            self.assertEqual(client.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")

    def test_failures_slowed_then_disconnected(self):
        with self.daemon() as daemon, self.secured_client(daemon) as client:
            took = []
            for _ in range(3):
                start = time.monotonic()
                reply = client.command("AUTH PLAIN " + plain(USER, "guess"))
                took.append(time.monotonic() - start)
                self.assertEqual(reply, "535 5.7.8 Authentication credentials invalid")
            for failure, seconds in enumerate(took, start=1):
                self.assertGreaterEqual(seconds, DELAY * failure * 0.95, took)
            self.assertGreater(took[2], took[0] + DELAY, took)
            self.assertEqual(client.reply_line(),
                             "421 4.7.0 mx.sluice.test Error: too many authentication failures")
            self.assertTrue(client.is_closed())

    def test_command_pipelined_after_auth_is_not_the_response(self):
        with self.daemon() as daemon, self.secured_client(daemon) as client:
            client.send("AUTH LOGIN\r\nMAIL FROM:<a@x.test>\r\n")
            self.assertEqual(client.reply_line(), "554 5.5.0 Error: SMTP protocol synchronization")
            self.assertTrue(client.is_closed())

    def test_smtplib_and_swaks_authenticate_relay_and_are_accounted(self):
        port = free_port()
        route = {"domains": ["y.test"], "host": "127.0.0.7", "port": port}
        with SmtpSink("127.0.0.7", port) as sink, \
                self.daemon(top=delivery_top("127.0.0.1:9", port, routes=[route])) as daemon:
            with smtplib.SMTP("127.0.0.1", daemon.port, "app.test", timeout=30) as client:
                client.starttls(context=client_context())
                client.ehlo()
                self.assertIn("plain", client.esmtp_features.get("auth", "").lower())
                code, _ = client.login(USER, PASSWORD)  # AUTH PLAIN (smtplib's choice here)
                self.assertEqual(code, 235)
                refused = client.sendmail("a@x.test", ["b@y.test"],
                                          b"Subject: authenticated\r\n\r\nhello\r\n")
                self.assertEqual(refused, {})
            record = wait_for_final(daemon, "b@y.test")
            self.assertEqual(record["outcome"], "delivered", describe([record]))
            self.assertEqual(record["auth_user"], USER, describe([record]))
            self.assertEqual(len(sink.delivered_to("b@y.test")), 1, sink.summary())
            received = sink.delivered_to("b@y.test")[0]
            self.assertIn(b"with ESMTPSA id", received.content)

            result = swaks(daemon.port, "--tls", "--auth", "LOGIN", "--auth-user", USER,
                           "--auth-password", PASSWORD, "--from", "a@x.test", "--to",
                           "c@y.test")
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            self.assertIn("235 2.7.0 Authentication successful", swaks_replies(result.stdout))
            self.assertEqual(wait_for_final(daemon, "c@y.test")["auth_user"], USER)

            bad = swaks(daemon.port, "--tls", "--auth", "LOGIN", "--auth-user", USER,
                        "--auth-password", "nope", "--from", "a@x.test", "--to", "d@y.test")
            self.assertNotEqual(bad.returncode, 0, bad.stdout)
            self.assertIn("535 5.7.8 Authentication credentials invalid",
                          swaks_replies(bad.stdout))


if __name__ == "__main__":
    unittest.main()
