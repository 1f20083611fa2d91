"""Start-up spool recovery: a leftover "<id>.tmp" (never acknowledged) is removed, a truncated and
a bit-flipped message file are moved to <spool>/corrupt/ with one log line each naming the file,
the valid messages stay listed, and the daemon starts and serves."""

import os
import smtplib
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon, queued_id  # noqa: E402


def submit(port, n):
    with smtplib.SMTP("127.0.0.1", port, "recovery.client.test", timeout=10) as client:
        client.ehlo()
        client.mail("a@x.test")
        client.rcpt(f"r{n}@y.test")
        code, text = client.data(f"Subject: message {n}\r\n\r\nbody {n}\r\n".encode())
    queue_id = queued_id(f"{code} {text.decode()}")
    assert queue_id, text
    return queue_id


class SpoolRecoveryOnStart(unittest.TestCase):
    def test_tmp_removed_corrupt_moved_valid_kept(self):
        with Daemon() as daemon:
            ids = [submit(daemon.port, n) for n in range(3)]
            self.assertEqual(daemon.stop(), 0)
            self.assertEqual(daemon.spool_ids(), set(ids))

            queue_dir = os.path.join(daemon.spool, "queue")
            corrupt_dir = os.path.join(daemon.spool, "corrupt")
            self.assertEqual(sorted(os.listdir(queue_dir)), sorted(ids))
            valid, truncated, flipped = ids

            with open(os.path.join(queue_dir, truncated), "r+b") as f:
                size = os.fstat(f.fileno()).st_size
                f.truncate(size // 2)
            with open(os.path.join(queue_dir, flipped), "r+b") as f:
                data = bytearray(f.read())
                for offset in range(len(data) // 2, len(data) // 2 + 4):
                    data[offset] ^= 0xFF
                f.seek(0)
                f.write(bytes(data))
            # A batch member that was being committed when the daemon died: a complete copy
            # of a message under a later ID, never renamed into place.
            later = next(valid[:-1] + c for c in "VUTS" if valid[:-1] + c not in ids)
            leftover = later + ".tmp"
            with open(os.path.join(queue_dir, valid), "rb") as src, \
                    open(os.path.join(queue_dir, leftover), "wb") as dst:
                dst.write(src.read())

            daemon.start()
            log = daemon.new_log()
            self.assertFalse(os.path.exists(os.path.join(queue_dir, leftover)), ".tmp kept")
            self.assertEqual(sorted(os.listdir(queue_dir)), [valid])
            self.assertEqual(sorted(os.listdir(corrupt_dir)), sorted([truncated, flipped]))
            for name in (truncated, flipped):
                lines = [line for line in log.splitlines() if name in line]
                self.assertEqual(len(lines), 1, f"log lines naming {name}:\n{log}")
                self.assertIn("corrupt", lines[0])
            self.assertEqual(daemon.spool_ids(), {valid})

            new_id = submit(daemon.port, 3)
            self.assertEqual(daemon.spool_ids(), {valid, new_id})


if __name__ == "__main__":
    unittest.main()
