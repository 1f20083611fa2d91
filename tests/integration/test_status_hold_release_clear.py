"""Queue administration through the status endpoint against a real sink:
- hold IspA (curl, with the token): IspB's mail is delivered, IspA's stays queued and its queue
  says "held"; release (sluicectl) and IspA's mail is delivered;
- a hold survives a restart (the holds file in the spool) and a reload;
- clear IspA (sluicectl) removes exactly IspA's queued mail, and recipients waiting for a
  retry too (with a DSN to the sender when asked) — each message gets a final
  "admin-cleared" accounting record, IspB's mail is untouched and delivered, the sink never
  sees a cleared message and the spool ends empty."""

import os
import smtplib
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import accounting_records, wait_for_empty_spool  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port, wait_for  # noqa: E402
from smtp_sink import DEFER, SmtpSink  # noqa: E402
from status_api import get, post, queue_of, sluicectl, status_top  # noqa: E402

POLICY = {"isps": [{"name": "IspA", "domains": ["a.test"]},
                   {"name": "IspB", "domains": ["b.test"]}]}


def send(daemon, recipients, subject):
    with smtplib.SMTP("127.0.0.1", daemon.port, "load.test", timeout=30) as client:
        for recipient in recipients:
            client.sendmail("s@origin.test", [recipient],
                            f"Subject: {subject}\r\n\r\nbody\r\n".encode())


def delivered_to(sink, domain):
    return sorted(r for m in sink.messages() for r in m.recipients if r.endswith(domain))


class HoldReleaseClear(unittest.TestCase):
    def test_hold_release_clear(self):
        port = free_port()
        with DnsServer(mx={"a.test": [(10, "mx.a.test")], "b.test": [(10, "mx.b.test")]},
                       a={"mx.a.test": "127.0.0.2", "mx.b.test": "127.0.0.2"}) as dns, \
                SmtpSink("127.0.0.2", port) as sink, \
                Daemon(top=status_top(policy_top(dns.address, port, POLICY))) as daemon:
            status, body = post(daemon, "/hold", {"isp": "IspA"})
            self.assertEqual(status, 200, body)
            self.assertEqual(body["holds"], ["IspA"])

            send(daemon, [f"h{n}@a.test" for n in range(3)] + [f"h{n}@b.test" for n in range(2)],
                 "hold")
            sink.wait_for_messages(2, timeout=30)
            held = wait_for(lambda: (q := queue_of(daemon, "IspA")) and q["queued"] == 3 and q,
                            20, what="IspA's 3 recipients queued")
            self.assertEqual(held["state"], "held", held)
            self.assertEqual(held["held"], "isp")
            self.assertEqual(delivered_to(sink, "a.test"), [])

            released = sluicectl(daemon, "release", "IspA")
            self.assertEqual(released.returncode, 0, released.stderr)
            sink.wait_for_messages(5, timeout=30)
            self.assertEqual(delivered_to(sink, "a.test"), [f"h{n}@a.test" for n in range(3)])
            wait_for_empty_spool(daemon)

            # A hold outlives a restart.
            self.assertEqual(post(daemon, "/hold", {"isp": "IspA"})[0], 200)
            self.assertEqual(daemon.stop(), 0)
            daemon.start()
            send(daemon, [f"c{n}@a.test" for n in range(4)] + ["c0@b.test"], "clear")
            sink.wait_for_messages(6, timeout=30)
            queue = wait_for(lambda: (q := queue_of(daemon, "IspA")) and q["queued"] == 4 and q,
                             20, what="IspA's 4 recipients queued after the restart")
            self.assertEqual(queue["state"], "held", queue)
            # ... and a reload.
            reloaded = sluicectl(daemon, "reload")
            self.assertEqual(reloaded.returncode, 0, reloaded.stderr)
            self.assertEqual(queue_of(daemon, "IspA")["state"], "held")

            cleared = sluicectl(daemon, "clear", "IspA", "--json")
            self.assertEqual(cleared.returncode, 0, cleared.stderr)
            self.assertIn('"cleared_recipients":4', cleared.stdout)
            wait_for_empty_spool(daemon)
            records = [r for r in accounting_records(daemon) if r["outcome"] == "admin-cleared"]
            self.assertEqual(sorted(r["recipient"] for r in records),
                             [f"c{n}@a.test" for n in range(4)])
            self.assertTrue(all(r["type"] == "final" and r["queue"].startswith("IspA/")
                                for r in records), records)
            self.assertEqual(len({r["queue_id"] for r in records}), 4)
            self.assertEqual(delivered_to(sink, "a.test"), [f"h{n}@a.test" for n in range(3)])
            self.assertEqual(delivered_to(sink, "b.test"), ["c0@b.test", "h0@b.test", "h1@b.test"])
            after = queue_of(daemon, "IspA")
            self.assertEqual((after["queued"], after["counts"]["cleared"]), (0, 4), after)
            self.assertEqual(get(daemon, "/status")["totals"]["cleared"], 4)
            print(f"held 3 then released; cleared {len(records)} after a restart with the hold "
                  f"kept; sink got {len(sink.messages())} messages")

    def test_clear_reaches_recipients_waiting_for_retry(self):
        port = free_port()
        with DnsServer(mx={"a.test": [(10, "mx.a.test")]}, a={"mx.a.test": "127.0.0.2"}) as dns, \
                SmtpSink("127.0.0.2", port, default=DEFER) as sink, \
                Daemon(top=status_top(policy_top(dns.address, port, POLICY,
                                                 retry_intervals=("1h",),
                                                 queue_lifetime="2h"))) as daemon:
            send(daemon, ["w0@a.test", "w1@a.test"], "waiting")
            queue = wait_for(lambda: (q := queue_of(daemon, "IspA")) and q["deferred"] == 2 and q,
                             20, what="2 deferred recipients")
            self.assertEqual(queue["state"], "waiting-for-retry", queue)
            self.assertIsNotNone(queue["next_attempt"])
            status, body = post(daemon, "/clear", {"isp": "IspA", "dsn": True})
            self.assertEqual((status, body["cleared_recipients"]), (200, 2), body)
            records = [r for r in accounting_records(daemon) if r["outcome"] == "admin-cleared"]
            self.assertEqual(sorted(r["recipient"] for r in records), ["w0@a.test", "w1@a.test"])
            # Each sender was told: a DSN per message, itself delivered (or, here, bounced: the
            # sender's domain does not exist) like any other message.
            dsn_ids = {r["dsn_queue_id"] for r in records}
            self.assertEqual(len(dsn_ids), 2, records)
            self.assertNotIn("", dsn_ids)
            wait_for_empty_spool(daemon)
            dsn_records = [r for r in accounting_records(daemon)
                           if r["queue_id"] in dsn_ids and r["type"] == "final"]
            self.assertEqual(sorted(r["recipient"] for r in dsn_records),
                             ["s@origin.test", "s@origin.test"], dsn_records)
            self.assertEqual(queue_of(daemon, "IspA")["deferred"], 0)
            self.assertEqual(len(sink.messages()), 0)


if __name__ == "__main__":
    unittest.main()
