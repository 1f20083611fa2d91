"""The dashboard at GET / renders in Debian's headless Chromium and shows the queues of a running
daemon: with mail for IspA held, the DOM after the page's JavaScript ran lists the queue IspA/...
with its state "held" and the accepted total; a screenshot is written to the test's temporary
directory (kept when SLUICE_KEEP_SCREENSHOT names a path to copy it to)."""

import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port, wait_for  # noqa: E402
from status_api import post, queue_of, status_top  # noqa: E402

POLICY = {"isps": [{"name": "IspA", "domains": ["a.test"]}]}
CHROMIUM = shutil.which("chromium")


def chromium(*args, home):
    # --no-sandbox: CI runs as root; a private HOME keeps the profile out of the real one.
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               f"--user-data-dir={home}/profile", "--virtual-time-budget=6000", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HOME": home})


@unittest.skipUnless(CHROMIUM, "chromium is not installed (contrib/install-deps)")
class DashboardRenders(unittest.TestCase):
    def test_dashboard_shows_the_queues(self):
        port = free_port()
        with DnsServer(mx={"a.test": [(10, "mx.a.test")]}, a={"mx.a.test": "127.0.0.2"}) as dns, \
                Daemon(top=status_top(policy_top(dns.address, port, POLICY))) as daemon, \
                tempfile.TemporaryDirectory(prefix="sluice-dashboard-") as home:
            self.assertEqual(post(daemon, "/hold", {"isp": "IspA"})[0], 200)
            with smtplib.SMTP("127.0.0.1", daemon.port, "load.test", timeout=30) as client:
                for n in range(3):
                    client.sendmail("s@origin.test", [f"d{n}@a.test"], b"Subject: d\r\n\r\nx\r\n")
            queue = wait_for(lambda: (q := queue_of(daemon, "IspA")) and q["queued"] == 3 and q,
                             20, what="IspA's queue")
            url = daemon.status_url + "/"

            dom = chromium("--dump-dom", url, home=home)
            self.assertEqual(dom.returncode, 0, dom.stderr[-2000:])
            self.assertIn(f'data-queue="{queue["name"]}"', dom.stdout, dom.stdout[-3000:])
            self.assertIn(f'<td class="queue-name">{queue["name"]}</td>', dom.stdout)
            self.assertIn('<td class="state-held"', dom.stdout)
            self.assertIn('<div class="card"><b>3</b>accepted</div>', dom.stdout)
            self.assertIn('<div id="error"></div>', dom.stdout, "the page reached the daemon")
            self.assertNotIn("<td colspan=\"12\">loading…", dom.stdout)

            png = os.path.join(home, "dashboard.png")
            shot = chromium(f"--screenshot={png}", "--window-size=1400,700", url, home=home)
            self.assertEqual(shot.returncode, 0, shot.stderr[-2000:])
            with open(png, "rb") as f:
                header = f.read(8)
            self.assertEqual(header, b"\x89PNG\r\n\x1a\n")
            self.assertGreater(os.path.getsize(png), 10000)
            keep = os.environ.get("SLUICE_KEEP_SCREENSHOT")
            if keep:
                shutil.copy(png, keep)
            print(f"dashboard shows {queue['name']}; screenshot {os.path.getsize(png)} bytes")


if __name__ == "__main__":
    unittest.main()
