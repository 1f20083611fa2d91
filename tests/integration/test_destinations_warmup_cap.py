"""A warming source's day-1 cap holds at the sink and across kill -9, and over the cap mail waits
or moves to a warm source as its schedule says.

1. Pool "bulk" has one source, "fresh" (127.0.0.4), on day 1 of a schedule allowing 7 a day to
   the ISP "Capped" (over_cap = "wait"). Six messages are delivered; sluiced is killed with
   SIGKILL and restarted on the same spool; six more are submitted: exactly one more arrives
   (7 in all), the other five stay spooled, the queue says "warmup-cap" and /status shows the
   day's budget spent. A domain of the long tail has no row in the schedule: it is not capped.
2. Pool "bulk" has "fresh" (cap 3, over_cap = "warm_sources") and the warm "seasoned"
   (127.0.0.5): of ten messages "fresh" sends exactly three and "seasoned" the other seven.

The schedule's time zone is a fixed-offset zone where it is about noon, so no day turns during
the test; `sluicectl warmup` prints the plan from the same file."""

import datetime
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import wait_for_empty_spool  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port, submit, wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from status_api import curl, get, status_top  # noqa: E402

FRESH = "127.0.0.4"
SEASONED = "127.0.0.5"


def noon_zone():
    """An Etc/GMT±N zone where it is now about noon, and today's date there."""
    now = datetime.datetime.now(datetime.timezone.utc)
    offset = 12 - now.hour  # hours east of UTC
    # Etc/GMT-N is N hours *east* of UTC (POSIX signs).
    zone = f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"
    today = (now + datetime.timedelta(hours=offset)).date().isoformat()
    return zone, today


def policy(sources, daily_cap, over_cap):
    zone, today = noon_zone()
    return {
        "warmups": [{"name": "new-ip", "time_zone": zone, "warm_from_day": 30,
                     "over_cap": over_cap,
                     "days": [{"day": 1, "isp": "Capped", "daily": daily_cap, "growth": 2.0}]}],
        "pools": [{"name": "bulk", "sender_domains": ["bulk.test"],
                   "sources": [dict(s, warmup="new-ip", warmup_start=today)
                               if s["name"] == "fresh" else s for s in sources]}],
        "isps": [{"name": "Capped", "domains": ["capped.test"]}],
    }


def dns():
    return DnsServer(mx={"capped.test": [(10, "mx.capped.test")],
                         "tail.test": [(10, "mx.tail.test")]},
                     a={"mx.capped.test": "127.0.0.2", "mx.tail.test": "127.0.0.2"})


def send(daemon, first, count, domain="capped.test"):
    for n in range(first, first + count):
        submit(daemon.port, "news@bulk.test", [f"r{n}@{domain}"],
               f"Subject: warm-up {n}\r\n\r\nbody\r\n".encode())


def from_source(sink, address):
    return [m for m in sink.messages() if m.peer[0] == address]


class WarmupCap(unittest.TestCase):
    def test_day_one_cap_holds_across_kill9_and_the_rest_waits(self):
        port = free_port()
        sources = [{"name": "fresh", "address": FRESH}]
        with dns() as server, SmtpSink("127.0.0.2", port) as sink:
            top = status_top(policy_top(server.address, port, policy(sources, 7, "wait"),
                                        queue_lifetime="10m"))
            with Daemon(top=top) as daemon:
                send(daemon, 0, 6)
                sink.wait_for_messages(6, timeout=30)
                wait_for_empty_spool(daemon)
                daemon.kill9()
                daemon.start()
                self.assertIn("warm-up: 1 counts of today restored", daemon.new_log())

                send(daemon, 6, 6)
                send(daemon, 0, 3, domain="tail.test")  # the long tail: no row, no cap
                wait_for(lambda: len(sink.messages()) >= 10, timeout=30,
                         what="the capped message and the long tail's three")
                time.sleep(2)  # nothing more may arrive
                capped = [m for m in sink.messages() if "capped.test" in m.recipients[0]]
                self.assertEqual(len(capped), 7)
                self.assertEqual(len(sink.messages()), 10)
                self.assertEqual(len(daemon.spool_ids()), 5)

                queue = get(daemon, "/queues/Capped")["queues"][0]
                self.assertEqual(queue["state"], "warmup-cap")
                self.assertEqual(queue["queued"], 5)
                self.assertIn("warm-up cap for this ISP is spent", queue["why"])
                warmup = get(daemon, "/status")["warmups"]
                self.assertEqual(len(warmup), 1)
                self.assertEqual((warmup[0]["source"], warmup[0]["day"], warmup[0]["warm"]),
                                 ("fresh", 1, False))
                isps = {row["isp"]: row for row in warmup[0]["isps"]}
                self.assertEqual((isps["Capped"]["daily_cap"], isps["Capped"]["taken"],
                                  isps["Capped"]["left"]), (7, 7, 0))
                self.assertEqual(isps["default"]["daily_cap"], None)  # sent to, not capped
                self.assertEqual(isps["default"]["taken"], 3)

                metrics = curl(daemon, "GET", "/metrics")[1]
                self.assertIn('sluice_warmup_taken_recipients{source="fresh",isp="Capped"} 7',
                              metrics)
                self.assertIn('sluice_warmup_daily_cap{source="fresh",isp="Capped"} 7', metrics)
                self.assertIn('sluice_warmup_day{source="fresh"} 1', metrics)

                plan = daemon.ctl("warmup", "-c", daemon.config_path, "--days", "3", "--json")
                days = json.loads(plan.stdout)[0]["days"]
                self.assertEqual([d["isps"]["Capped"]["daily_cap"] for d in days], [7, 14, 28])
                self.assertEqual([d["day"] for d in days], [1, 2, 3])
                text = daemon.ctl("warmup", "-c", daemon.config_path, "--days", "2").stdout
                self.assertIn(b"7/day", text)
                self.assertIn(b"14/day", text)

    def test_over_the_cap_mail_goes_through_a_warm_source(self):
        port = free_port()
        sources = [{"name": "fresh", "address": FRESH}, {"name": "seasoned", "address": SEASONED}]
        with dns() as server, SmtpSink("127.0.0.2", port) as sink, \
                Daemon(top=status_top(policy_top(server.address, port,
                                                 policy(sources, 3, "warm_sources"),
                                                 queue_lifetime="10m"))) as daemon:
            send(daemon, 0, 10)
            sink.wait_for_messages(10, timeout=30)
            wait_for_empty_spool(daemon)
            self.assertEqual(len(from_source(sink, FRESH)), 3)
            self.assertEqual(len(from_source(sink, SEASONED)), 7)


if __name__ == "__main__":
    unittest.main()
