"""Outbound TLS (RFC 3207) against real aiosmtpd sinks on loopback, each reached by a static
route: by default (opportunistic) a sink offering STARTTLS gets the message over TLS, the sink
records it, and the accounting record names the version and cipher; delivery.tls = "required"
to a sink without STARTTLS defers (synthetic 451 4.7.4) and sends nothing in clear;
"verified" to a sink with a self-signed certificate defers (4.7.5); an opportunistic delivery
to a sink whose TLS handshake fails is sent again in clear; a reply a server (or a man in the
middle) sends in clear right after its 220 to STARTTLS is discarded, never read as the reply to
the EHLO inside TLS (CVE-2021-38371); an ISP's own tls setting overrides delivery.tls for its
domains only. Certificates are made at test time
in temporary directories."""

import os
import shutil
import socket
import ssl
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import delivery_top, describe, records_for, wait_for_final  # noqa: E402
from sluice import Daemon, free_port, submit, wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from tls_material import server_context  # noqa: E402

SINK = "127.0.0.8"
RECIPIENT = "user@tls.test"


class InjectingServer(threading.Thread):
    """A one-connection SMTP server that answers STARTTLS with "220" and, in the same write,
    an extra "250" reply in clear text, then speaks correctly inside TLS. It records the
    commands it got inside TLS and whether the message arrived."""

    def __init__(self, address, port, context):
        super().__init__(daemon=True)
        self.listener = socket.create_server((address, port))
        self.context = context
        self.commands = []
        self.delivered = False
        self.error = None

    def run(self):
        try:
            conn, _ = self.listener.accept()
            with conn:
                self.converse(conn)
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.error = error
        finally:
            self.listener.close()

    @staticmethod
    def lines(sock):
        buffer = b""
        while True:
            while b"\r\n" in buffer:
                line, buffer = buffer.split(b"\r\n", 1)
                yield line.decode()
            chunk = sock.recv(65536)
            if not chunk:
                return
            buffer += chunk

    def converse(self, conn):
        conn.sendall(b"220 injector.test ESMTP\r\n")
        clear = self.lines(conn)
        assert next(clear).upper().startswith("EHLO")
        conn.sendall(b"250-injector.test\r\n250 STARTTLS\r\n")
        assert next(clear).upper() == "STARTTLS"
        conn.sendall(b"220 2.0.0 go ahead\r\n250-injected.test\r\n250 PIPELINING\r\n")
        tls = self.context.wrap_socket(conn, server_side=True)
        replies = {"EHLO": b"250-inside.test\r\n250 8BITMIME\r\n", "MAIL": b"250 2.1.0 ok\r\n",
                   "RCPT": b"250 2.1.5 ok\r\n", "DATA": b"354 go\r\n",
                   "QUIT": b"221 bye\r\n", "RSET": b"250 ok\r\n"}
        inside = self.lines(tls)
        for line in inside:
            verb = line.split(" ")[0].upper()
            self.commands.append(verb)
            if verb == "DATA":
                tls.sendall(replies["DATA"])
                for content in inside:
                    if content == ".":
                        break
                self.delivered = True
                tls.sendall(b"250 2.0.0 queued\r\n")
                continue
            tls.sendall(replies.get(verb, b"500 what\r\n"))
            if verb == "QUIT":
                return


class DeliveryTls(unittest.TestCase):
    def material(self):
        directory = tempfile.mkdtemp(prefix="sluice-sink-tls-")
        self.addCleanup(shutil.rmtree, directory, ignore_errors=True)
        return directory

    def daemon(self, port, tls=None):
        route = {"domains": ["tls.test"], "host": SINK, "port": port}
        delivery = {"tls": tls} if tls else None
        return Daemon(top=delivery_top("127.0.0.1:9", port, routes=[route], delivery=delivery,
                                       retry_intervals=["1h"], queue_lifetime="2h"))

    def test_opportunistic_uses_tls_when_offered(self):
        port = free_port()
        with SmtpSink(SINK, port, tls_context=server_context(self.material())) as sink, \
                self.daemon(port) as daemon:
            submit(daemon.port, "s@origin.test", [RECIPIENT], b"Subject: tls\r\n\r\nhi\r\n")
            record = wait_for_final(daemon, RECIPIENT)
            self.assertEqual(record["outcome"], "delivered", describe([record]))
            self.assertRegex(record["tls"], r"^TLSv1\.[23] with cipher \S+ \(\d+ bits\)$")
            delivered = sink.delivered_to(RECIPIENT)
            self.assertEqual(len(delivered), 1, sink.summary())
            self.assertIn(delivered[0].tls, ("TLSv1.2", "TLSv1.3"))
            self.assertTrue(record["tls"].startswith(delivered[0].tls + " "), record["tls"])

    def test_required_to_a_sink_without_starttls_defers(self):
        port = free_port()
        with SmtpSink(SINK, port) as sink, self.daemon(port, tls="required") as daemon:
            submit(daemon.port, "s@origin.test", [RECIPIENT], b"Subject: clear\r\n\r\nno\r\n")
            attempt = wait_for(lambda: records_for(daemon, RECIPIENT, "attempt"),
                               what="an attempt record")[0]
            self.assertEqual(attempt["outcome"], "deferred", describe([attempt]))
            self.assertEqual(attempt["enhanced_code"], "4.7.4", describe([attempt]))
            self.assertIn("TLS is required, but was not offered", attempt["reply"])
            self.assertEqual(attempt["tls"], "")
            self.assertEqual(sink.rcpts(), [], sink.summary())
            self.assertEqual(sink.messages(), [], sink.summary())
            self.assertEqual(len(daemon.spool_ids()), 1)

    def test_an_isps_own_tls_policy_overrides_delivery_tls(self):
        # delivery.tls stays opportunistic; the ISP "Strict" requires TLS for its domain only.
        port = free_port()
        routes = [{"domains": ["tls.test", "plain.test"], "host": SINK, "port": port}]
        base = delivery_top("127.0.0.1:9", port, routes=routes, retry_intervals=["1h"],
                            queue_lifetime="2h")
        policy = ('isps = ( { name = "Strict"; domains = [ "tls.test" ]; tls = "required"; },\n'
                  '         { name = "Lax"; domains = [ "plain.test" ]; } );\n')
        with SmtpSink(SINK, port) as sink, \
                Daemon(top=lambda directory: base(directory) + "\n" + policy) as daemon:
            submit(daemon.port, "s@origin.test", [RECIPIENT], b"Subject: strict\r\n\r\nno\r\n")
            submit(daemon.port, "s@origin.test", ["user@plain.test"],
                   b"Subject: lax\r\n\r\nyes\r\n")
            lax = wait_for_final(daemon, "user@plain.test")
            self.assertEqual((lax["outcome"], lax["queue"], lax["tls"]),
                             ("delivered", "Lax/default", ""), describe([lax]))
            strict = wait_for(lambda: records_for(daemon, RECIPIENT, "attempt"),
                              what="an attempt record")[0]
            self.assertEqual((strict["outcome"], strict["enhanced_code"], strict["queue"]),
                             ("deferred", "4.7.4", "Strict/default"), describe([strict]))
            self.assertEqual(sink.delivered_to(RECIPIENT), [], sink.summary())

    def test_verified_refuses_a_self_signed_certificate(self):
        port = free_port()
        with SmtpSink(SINK, port, tls_context=server_context(self.material())) as sink, \
                self.daemon(port, tls="verified") as daemon:
            submit(daemon.port, "s@origin.test", [RECIPIENT], b"Subject: v\r\n\r\nno\r\n")
            attempt = wait_for(lambda: records_for(daemon, RECIPIENT, "attempt"),
                               what="an attempt record")[0]
            self.assertEqual(attempt["outcome"], "deferred", describe([attempt]))
            self.assertEqual(attempt["enhanced_code"], "4.7.5", describe([attempt]))
            self.assertIn("certificate verify failed", attempt["reply"])
            self.assertEqual(sink.messages(), [], sink.summary())

    def test_broken_tls_is_remembered_and_mail_goes_in_clear(self):
        port = free_port()
        # A sink that offers STARTTLS but speaks only TLS 1.1, which Sluice refuses.
        broken = server_context(self.material(), maximum_version=ssl.TLSVersion.TLSv1_1)
        with SmtpSink(SINK, port, tls_context=broken) as sink, self.daemon(port) as daemon:
            submit(daemon.port, "s@origin.test", [RECIPIENT], b"Subject: 1\r\n\r\none\r\n")
            record = wait_for_final(daemon, RECIPIENT)
            self.assertEqual(record["outcome"], "delivered", describe([record]))
            self.assertEqual(record["tls"], "")
            self.assertEqual([m.tls for m in sink.delivered_to(RECIPIENT)], [""], sink.summary())
            connections = sink.connections
            self.assertEqual(connections, 2, "one failed TLS connection, one in clear")
            # The next message goes in clear at once: the failure is remembered.
            other = "other@tls.test"
            submit(daemon.port, "s@origin.test", [other], b"Subject: 2\r\n\r\ntwo\r\n")
            self.assertEqual(wait_for_final(daemon, other)["outcome"], "delivered")
            self.assertEqual(sink.connections, connections + 1, sink.summary())

    def test_reply_injected_after_starttls_is_discarded(self):
        port = free_port()
        server = InjectingServer(SINK, port, server_context(self.material()))
        server.start()
        with self.daemon(port) as daemon:
            submit(daemon.port, "s@origin.test", [RECIPIENT], b"Subject: i\r\n\r\nhi\r\n")
            record = wait_for_final(daemon, RECIPIENT)
            server.join(10)
            self.assertIsNone(server.error)
            self.assertEqual(record["outcome"], "delivered", describe([record]))
            self.assertNotEqual(record["tls"], "")
            # Pipelining was announced only in the injected reply: had it been taken as the EHLO
            # reply inside TLS, MAIL, RCPT and DATA would have come in one write, and every
            # reply would have been read one late.
            self.assertEqual(server.commands[:4], ["EHLO", "MAIL", "RCPT", "DATA"],
                             server.commands)
            self.assertTrue(server.delivered)


if __name__ == "__main__":
    unittest.main()
