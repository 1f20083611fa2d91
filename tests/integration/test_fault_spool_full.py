"""A full spool filesystem loses nothing. The spool is a small tmpfs mounted by the test in its
own mount namespace (the test re-runs itself under `unshare --mount`; it needs root, as the
suite has inside `unshare --net`):
  - with the default free-space floor (1.5 x max_message_size) messages are accepted until the
    floor is reached, then MAIL gets "452 4.3.1 Insufficient system storage";
  - with the floor set to 1 byte, a message that does not fit gets
    "451 4.3.0 Error: queue file write error" at the end of DATA, and leaves no file behind;
  - every message answered 250 is listed with its exact content, and once space is freed the
    daemon accepts mail again."""

import base64
import os
import random
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, open_session, queued_id, split_stored  # noqa: E402

NAMESPACE_MARK = "SLUICE_TEST_IN_MOUNT_NAMESPACE"
NO_STORAGE = "452 4.3.1 Insufficient system storage"
WRITE_ERROR = "451 4.3.0 Error: queue file write error"


def message(n, size):
    """About `size` bytes of incompressible (base64 of random) text with a unique header."""
    body = base64.encodebytes(random.Random(n).randbytes(size * 3 // 4))
    return (f"Subject: fill {n}\r\nDate: Tue, 03 Mar 2026 10:00:00 +0000\r\n"
            f"Message-ID: <fill-{n}@client.test>\r\n\r\n").encode() + body.replace(b"\n", b"\r\n")


class SpoolFull(unittest.TestCase):
    def mount_tmpfs(self, daemon, size):
        os.makedirs(daemon.spool)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "sluice-test-spool",
                        daemon.spool], check=True)
        self.addCleanup(subprocess.run, ["umount", "-l", daemon.spool])

    def send(self, client, content):
        """The reply to MAIL if it was refused, else the reply to the end of data."""
        reply = client.command("MAIL FROM:<a@x.test>")
        if reply != "250 2.1.0 Ok":
            return reply
        self.assertEqual(client.command("RCPT TO:<b@y.test>"), "250 2.1.5 Ok")
        self.assertEqual(client.command("DATA"), "354 End data with <CR><LF>.<CR><LF>")
        client.send(content + b".\r\n")
        return client.reply_line()

    def assert_all_kept(self, daemon, accepted):
        self.assertEqual(daemon.spool_ids(), set(accepted))
        for queue_id, content in accepted.items():
            _, stored = split_stored(daemon.spool_show(queue_id), False, False)
            self.assertEqual(stored, content, f"{queue_id} damaged")

    def test_free_space_floor_gives_452_and_keeps_every_accepted_message(self):
        daemon = Daemon(smtp={"max_message_size": '"512k"'})  # floor: 768 KiB
        self.mount_tmpfs(daemon, "3m")
        with daemon, open_session(daemon.port) as client:
            accepted = {}
            for n in range(20):
                content = message(n, 256 * 1024)
                reply = self.send(client, content)
                if reply == NO_STORAGE:
                    break
                self.assertTrue(queued_id(reply), f"message {n}: {reply}")
                accepted[queued_id(reply)] = content
            self.assertEqual(reply, NO_STORAGE, "the spool never filled up")
            self.assertGreaterEqual(len(accepted), 3)
            # Still refused, and the session is usable (452 4.3.1 is not counted as an error).
            self.assertEqual(client.command("MAIL FROM:<a@x.test>"), NO_STORAGE)
            self.assertEqual(client.command("NOOP"), "250 2.0.0 Ok")
            self.assert_all_kept(daemon, accepted)
            daemon.assert_running()

    def test_write_that_does_not_fit_gives_451_and_leaves_nothing(self):
        daemon = Daemon(smtp={"max_message_size": '"2M"'}, spool={"min_free_space": "1"})
        self.mount_tmpfs(daemon, "2m")
        with daemon, open_session(daemon.port) as client:
            accepted = {}
            small = message(100, 200 * 1024)
            reply = self.send(client, small)
            self.assertTrue(queued_id(reply), reply)
            accepted[queued_id(reply)] = small
            # Fill what is left, then send more than fits.
            filler = os.path.join(daemon.spool, "filler")
            with open(filler, "wb") as f:
                try:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                except OSError:
                    pass
            os.truncate(filler, os.path.getsize(filler) - 300 * 1024)
            self.assertEqual(self.send(client, message(101, 1024 * 1024)), WRITE_ERROR)
            self.assertEqual(sorted(os.listdir(os.path.join(daemon.spool, "queue"))),
                             sorted(accepted), "a partial file was left behind")
            self.assert_all_kept(daemon, accepted)
            # Space freed: mail is accepted again, in the same session.
            os.remove(filler)
            again = message(102, 200 * 1024)
            reply = self.send(client, again)
            self.assertTrue(queued_id(reply), reply)
            accepted[queued_id(reply)] = again
            self.assert_all_kept(daemon, accepted)
            daemon.assert_running()


def in_own_mount_namespace():
    """Re-runs this file under `unshare --mount` (once); returns False if that is impossible."""
    if os.environ.get(NAMESPACE_MARK):
        return True
    if os.geteuid() != 0 or subprocess.run(["unshare", "--mount", "true"]).returncode != 0:
        return False
    os.environ[NAMESPACE_MARK] = "1"
    os.execvp("unshare", ["unshare", "--mount", "--propagation", "private",
                          sys.executable, *sys.argv])


if __name__ == "__main__":
    if not in_own_mount_namespace():
        print("test_fault_spool_full: needs root and unshare --mount (run the suite as root)")
        sys.exit(1)
    unittest.main()
