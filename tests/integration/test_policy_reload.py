"""SIGHUP applies a changed policy without a restart, and a broken file changes nothing. The
ISP "Paced" starts at message_rate = "6/m" (one message every 10 s) with 8 messages queued. A
reload with a syntax error is refused, the log names the file and line, and the rate stays
(still one message per 10 s). A reload with "600/m" takes effect at once: the remaining
messages arrive within seconds, the log summarises the change, the daemon's PID is the same,
and every message arrives exactly once."""

import os
import smtplib
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import wait_for_empty_spool  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

COUNT = 8


def policy(rate):
    return {"strategies": [{"name": "paced", "message_rate": rate}],
            "isps": [{"name": "Paced", "domains": ["paced.test"], "strategy": "paced"}]}


class Reload(unittest.TestCase):
    def test_sighup_changes_the_rate_and_a_broken_file_keeps_it(self):
        port = free_port()
        with DnsServer(mx={"paced.test": [(10, "mx.paced.test")]},
                       a={"mx.paced.test": "127.0.0.2"}) as dns, \
                SmtpSink("127.0.0.2", port) as sink, \
                Daemon(top=policy_top(dns.address, port, policy("6/m"))) as daemon:
            with open(daemon.config_path) as f:
                slow_config = f.read()
            pid = daemon.pid
            with smtplib.SMTP("127.0.0.1", daemon.port, "load.test", timeout=30) as client:
                for n in range(COUNT):
                    self.assertFalse(client.sendmail("s@origin.test", [f"r{n}@paced.test"],
                                                     b"Subject: paced\r\n\r\nbody\r\n"))
            sink.wait_for_messages(1, timeout=15)
            first_at = time.monotonic()

            broken = slow_config + "\nstrategies = ( { name = \"oops\" ; ) ;\n"
            match = daemon.reload(broken)
            self.assertEqual(match.group(0), "reload failed")
            lines = len(broken.rstrip("\n").split("\n"))
            daemon.wait_for_log(rf"reload failed.*{daemon.config_path}:{lines}")
            time.sleep(max(0.0, first_at + 7 - time.monotonic()))
            self.assertEqual(len(sink.messages()), 1, "the broken reload changed the rate")

            fast_config = slow_config.replace('message_rate = "6/m"', 'message_rate = "600/m"')
            self.assertNotEqual(fast_config, slow_config)
            self.assertEqual(daemon.reload(fast_config).group(0), "reloaded configuration")
            daemon.wait_for_log(r"reload: changed: Paced \(strategy\)")
            reloaded_at = time.monotonic()
            sink.wait_for_messages(COUNT, timeout=15)
            self.assertLess(time.monotonic() - reloaded_at, 8,
                            "the new rate did not take effect at once")
            wait_for_empty_spool(daemon)
            self.assertEqual(daemon.pid, pid)
            received = sorted(r for m in sink.messages() for r in m.recipients)
            self.assertEqual(received, sorted(f"r{n}@paced.test" for n in range(COUNT)))


if __name__ == "__main__":
    unittest.main()
