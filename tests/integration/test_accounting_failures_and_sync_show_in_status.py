"""Issue 13 item 5: the accounting log's failures are visible and accounting.sync = "batch"
syncs it. With the log on /dev/full (every write fails) the deliveries still happen and
/status and /metrics count each lost record; with a real file and "batch" every record
arrives, as AKMTA lines here (accounting.format = "akmta", issue 13 item 6), and /status counts
the fdatasync calls made and none failed."""

import os
import re
import smtplib
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import accounting_path, wait_for_empty_spool  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port, wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from status_api import get, status_top  # noqa: E402

from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

POLICY = {"isps": [{"name": "IspA", "domains": ["a.test"]}]}
AKMTA_LINE = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d '[^']*'(,'(?:[^'\\]|\\.)*'){19}$")


def metric(daemon, name):
    families = {f.name: f for f in text_string_to_metric_families(get(daemon, "/metrics"))}
    return families[name].samples[0].value


class AccountingFailuresAndSync(unittest.TestCase):
    def deliver(self, accounting, count):
        """Runs a daemon with these accounting settings, delivers `count` messages to a sink
        and returns (daemon, /status) once the spool is empty; the daemon is still running."""
        port = free_port()
        dns = DnsServer(mx={"a.test": [(10, "mx.a.test")]}, a={"mx.a.test": "127.0.0.2"})
        sink = SmtpSink("127.0.0.2", port)
        self.enterContext(dns)
        self.enterContext(sink)
        daemon = self.enterContext(Daemon(top=status_top(
            policy_top(dns.address, port, POLICY, accounting=accounting))))
        with smtplib.SMTP("127.0.0.1", daemon.port, "load.test", timeout=30) as client:
            for n in range(count):
                self.assertFalse(client.sendmail("s@origin.test", [f"r{n}@a.test"],
                                                 b"Subject: acct\r\n\r\nbody\r\n"))
        sink.wait_for_messages(count, timeout=60)
        wait_for_empty_spool(daemon)
        status = wait_for(lambda: (s := get(daemon, "/status"))["totals"]["delivered"] == count
                          and s, 20, what=f"{count} deliveries in /status")
        return daemon, status

    def test_failed_writes_show_in_status_and_metrics(self):
        daemon, status = self.deliver({"file": "/dev/full", "sync": "batch"}, 2)
        # An attempt and a final record per recipient, none of which reached the file.
        self.assertEqual(status["accounting"],
                         {"write_failures": 4, "sync_failures": 0, "syncs": 0}, status)
        self.assertEqual(metric(daemon, "sluice_accounting_write_failures"), 4.0)
        self.assertEqual(metric(daemon, "sluice_accounting_sync_failures"), 0.0)
        daemon.wait_for_log(r"accounting log /dev/full: write failed")

    def test_sync_batch_writes_every_record_and_counts_its_syncs(self):
        daemon, status = self.deliver({"format": "akmta", "sync": "batch"}, 3)
        with open(accounting_path(daemon), encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), 6, lines)
        for line in lines:
            self.assertRegex(line, AKMTA_LINE)
        self.assertEqual(status["accounting"]["write_failures"], 0, status)
        self.assertEqual(status["accounting"]["sync_failures"], 0, status)
        self.assertGreaterEqual(status["accounting"]["syncs"], 1, status)
        self.assertLessEqual(status["accounting"]["syncs"], 6, status)
        self.assertEqual(metric(daemon, "sluice_accounting_syncs"),
                         float(status["accounting"]["syncs"]))
        print(f"{len(lines)} records, {status['accounting']['syncs']} fdatasync calls")


if __name__ == "__main__":
    unittest.main()
