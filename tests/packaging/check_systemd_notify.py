"""sluiced speaks systemd's notify protocol (Type=notify, WatchdogSec=) without systemd: the test
plays the service manager with its own NOTIFY_SOCKET (a Unix datagram socket) and
WATCHDOG_USEC, then checks READY=1 with a STATUS= line after start-up, WATCHDOG=1 repeated at
about half the watchdog interval, RELOADING=1 (with MONOTONIC_USEC) then READY=1 around a
SIGHUP reload, and STOPPING=1 on SIGTERM with exit status 0. Runs the binary named by SLUICED
(the build tree under ctest, /usr/sbin/sluiced from tests/packaging/check_deb.sh)."""

import os
import signal
import socket
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration", "harness"))
from sluice import Daemon  # noqa: E402

WATCHDOG_USEC = 400_000  # pings expected every 200 ms


class NotifySocket:
    """The service manager's end: collects every datagram sluiced sends, with its arrival time."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sluice-notify-")
        self.path = os.path.join(self.dir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages = []  # (monotonic time, {key: value})

    def collect(self, seconds):
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                break
            fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
            self.messages.append((time.monotonic(), fields))

    def wait_for(self, key, value="1", after=-1, timeout=10.0):
        """Collects until a message with key=value arrives after index `after`; returns its
        index in messages."""
        deadline = time.monotonic() + timeout
        seen = after + 1
        while True:
            for i in range(seen, len(self.messages)):
                if self.messages[i][1].get(key) == value:
                    return i
            seen = len(self.messages)
            if time.monotonic() > deadline:
                raise AssertionError(f"got {[m for _, m in self.messages]}, want {key}={value}")
            self.collect(0.05)

    def close(self):
        self.sock.close()
        os.unlink(self.path)
        os.rmdir(self.dir)


class SystemdNotifyTest(unittest.TestCase):
    def test_ready_watchdog_reload_stop(self):
        notify = NotifySocket()
        self.addCleanup(notify.close)
        # As systemd sets them; WATCHDOG_PID stays unset, so the watchdog applies to sluiced.
        os.environ.pop("WATCHDOG_PID", None)
        os.environ.update(NOTIFY_SOCKET=notify.path, WATCHDOG_USEC=str(WATCHDOG_USEC))
        self.addCleanup(lambda: [os.environ.pop(k) for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC")])
        with Daemon() as daemon:
            ready = notify.wait_for("READY")
            self.assertIn("accepting mail", notify.messages[ready][1].get("STATUS", ""),
                          f"got {notify.messages[ready][1]}, want a STATUS= line")

            notify.collect(1.0)
            pings = [t for t, m in notify.messages if m.get("WATCHDOG") == "1"]
            # 1 s at one ping per 200 ms: about 5 (plus the one sent at once); allow for load.
            self.assertGreaterEqual(len(pings), 3, f"got {len(pings)} pings in 1 s, want >= 3")
            gaps = [b - a for a, b in zip(pings, pings[1:])]
            self.assertGreater(min(gaps), 0.1, f"got gaps {gaps}, want about 0.2 s")

            daemon.process.send_signal(signal.SIGHUP)
            reloading = notify.wait_for("RELOADING", after=ready)
            self.assertIn("MONOTONIC_USEC", notify.messages[reloading][1])
            notify.wait_for("READY", after=reloading)
            daemon.wait_for_log(r"reloaded configuration")

            daemon.process.send_signal(signal.SIGTERM)
            notify.wait_for("STOPPING", after=reloading)
            # Waited for, not daemon.stop(): a second SIGTERM during teardown (after the signal
            # handler is gone) would kill the process and hide its own exit status.
            status = daemon.process.wait(30)
            self.assertEqual(status, 0, f"got exit status {status}, want 0")
            self.assertIn("systemd watchdog", daemon.log())


if __name__ == "__main__":
    unittest.main()
