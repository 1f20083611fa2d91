"""A failed disk operation while spooling never becomes a 250: with an LD_PRELOAD shim
(tests/fault_injection/spool_fault_shim.c) making the spool's write, fsync or rename fail with
EIO, the end of DATA is answered "451 4.3.0 Error: queue file write error", no file is left in the
spool's queue directory, and the message is never delivered; with the fault disarmed the same
session's next message is spooled and delivered to the sink (through a static route), and only
that one arrives."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import delivery_top  # noqa: E402
from sluice import NO_DNS_SERVER, Daemon, free_port, open_session, queued_id  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

SHIM = os.environ.get("SLUICE_FAULT_SHIM", "build/tests/libsluice_spool_fault_shim.so")
WRITE_ERROR = "451 4.3.0 Error: queue file write error"
RECIPIENT = "user@sink.test"


def message(marker):
    return (f"Subject: {marker}\r\nDate: Tue, 03 Mar 2026 10:00:00 +0000\r\n"
            f"Message-ID: <{marker}@client.test>\r\n\r\nmarker {marker}\r\n").encode()


class SpoolWriteErrors(unittest.TestCase):
    def send(self, client, marker):
        self.assertEqual(client.command("MAIL FROM:<a@x.test>"), "250 2.1.0 Ok")
        self.assertEqual(client.command(f"RCPT TO:<{RECIPIENT}>"), "250 2.1.5 Ok")
        self.assertEqual(client.command("DATA"), "354 End data with <CR><LF>.<CR><LF>")
        client.send(message(marker) + b".\r\n")
        return client.reply_line()

    def test_failed_write_fsync_or_rename_gives_451_and_no_message(self):
        self.assertTrue(os.path.exists(SHIM), f"the fault shim is not built: {SHIM}")
        port = free_port("127.0.0.8")
        route = {"domains": ["sink.test"], "host": "127.0.0.8", "port": port}
        top = delivery_top(NO_DNS_SERVER, port, routes=[route])
        control = None
        with SmtpSink("127.0.0.8", port) as sink:
            daemon = Daemon(top=top, env={})
            control = os.path.join(daemon.dir, "fault")
            # The shim loads before the sanitizer runtime in a sanitized build; allow that.
            asan = os.environ.get("ASAN_OPTIONS", "")
            daemon.env = {"LD_PRELOAD": SHIM, "SLUICE_FAULT_CONTROL": control,
                          "ASAN_OPTIONS": (asan + ":" if asan else "") + "verify_asan_link_order=0"}
            with daemon, open_session(daemon.port) as client:
                queue_dir = os.path.join(daemon.spool, "queue")
                delivered = []
                for fault in ("write", "fsync", "rename"):
                    with open(control, "w") as f:
                        f.write(fault)
                    hits_before = self.hits(control)
                    self.assertEqual(self.send(client, f"failed-{fault}"), WRITE_ERROR, fault)
                    self.assertGreater(self.hits(control), hits_before, f"{fault} never failed")
                    self.assertEqual(os.listdir(queue_dir), [], f"left in queue/ after {fault}")
                    self.assertEqual(daemon.spool_ids(), set(), fault)

                    os.remove(control)
                    reply = self.send(client, f"delivered-after-{fault}")
                    self.assertTrue(queued_id(reply), f"after {fault}: {reply}")
                    delivered.append(f"delivered-after-{fault}")
                    sink.wait_for_messages(len(delivered))
                self.assertEqual(client.command("QUIT"), "221 2.0.0 Bye")
                daemon.assert_running()
            markers = sorted(m.content.split(b"marker ")[1].split(b"\r\n")[0].decode()
                             for m in sink.messages())
            self.assertEqual(markers, sorted(delivered), sink.summary())

    @staticmethod
    def hits(control):
        try:
            return os.path.getsize(control + ".hits")
        except FileNotFoundError:
            return 0


if __name__ == "__main__":
    unittest.main()
