"""The long tail is queued per destination. With max_connections_per_destination = 3 and no ISP
entry, 30 domains on 30 MX hosts (one sink each, 0.3 s per message) get more than 3 connections
at once in total but never more than 3 per domain; three domains whose MX host sets are the same
(listed in another order) share one site queue and its 3 connections; and a lock rule of scope
isp hit by one domain locks that site only: the others keep sending while it is locked, and
unlocking that site by name lets it go. The status endpoint lists the site queues, filters them
by domain, sorts and pages them."""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import wait_for_empty_spool  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port, submit, wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from status_api import curl, get, post, status_top  # noqa: E402

DOMAINS = 30
PER_DOMAIN = 6
SHARED = ["s1.test", "s2.test", "s3.test"]
SHARED_SITE = "default:mx1.shared.test,mx2.shared.test"
LOCK_SECONDS = 120  # far longer than the test: the end unlocks it by hand
POLICY = {
    "lock_rules": [{"name": "blocked", "code": "450", "text": "blocked", "scope": "isp",
                    "lock_for": f"{LOCK_SECONDS}s"}],
    "defaults": {"locks": ["blocked"]},
}


class OpenConnections:
    """Samples the sum of the sinks' open connections every 5 ms; keeps the largest."""

    def __init__(self, sinks):
        self.sinks = sinks
        self.most = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.most = max(self.most, sum(s.open_connections for s in self.sinks))
            time.sleep(0.005)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def dns_records():
    mx = {f"d{n}.test": [(10, f"mx.d{n}.test")] for n in range(DOMAINS)}
    a = {f"mx.d{n}.test": f"127.0.0.{10 + n}" for n in range(DOMAINS)}
    # The same MX host set, listed in different orders and preferences.
    mx["s1.test"] = [(10, "mx1.shared.test"), (20, "mx2.shared.test")]
    mx["s2.test"] = [(10, "mx2.shared.test"), (20, "mx1.shared.test")]
    mx["s3.test"] = [(5, "mx1.shared.test"), (5, "mx2.shared.test")]
    a["mx1.shared.test"] = a["mx2.shared.test"] = "127.0.0.60"
    mx["lockme.test"] = [(10, "mx.lockme.test")]
    a["mx.lockme.test"] = "127.0.0.61"
    return {"mx": mx, "a": a}


class QueuePerSite(unittest.TestCase):
    def test_caps_apply_per_site_and_a_lock_stops_one_site(self):
        port = free_port()
        sinks = [SmtpSink(f"127.0.0.{10 + n}", port, data_delay=0.3, name=f"d{n}")
                 for n in range(DOMAINS)]
        shared = SmtpSink("127.0.0.60", port, data_delay=0.3, name="shared")
        locked = SmtpSink("127.0.0.61", port, {"first@lockme.test": "450 4.7.1 blocked for now once then 250"},
                          name="lockme")
        with DnsServer(**dns_records()) as dns:
            top = status_top(policy_top(
                dns.address, port, POLICY,
                delivery={"max_connections_per_destination": 3,
                          "max_messages_per_connection": 2, "max_connections": 200},
                queue_lifetime="5m"))
            for sink in sinks + [shared, locked]:
                sink.start()
            try:
                with Daemon(top=top) as daemon:
                    self.run_scenario(daemon, sinks, shared, locked)
            finally:
                for sink in sinks + [shared, locked]:
                    sink.stop()

    def run_scenario(self, daemon, sinks, shared, locked):
        # The lock first: lockme's site is locked before the rest arrives.
        submit(daemon.port, "s@origin.test", ["first@lockme.test"], b"Subject: l\r\n\r\nx\r\n")
        daemon.wait_for_log(r"default:mx\.lockme\.test/default: locked by rule blocked",
                            timeout=20)
        locked_at = time.monotonic()
        submit(daemon.port, "s@origin.test", ["second@lockme.test"], b"Subject: l\r\n\r\nx\r\n")

        with OpenConnections(sinks) as open_connections:
            for n in range(PER_DOMAIN):
                for domain in [f"d{d}.test" for d in range(DOMAINS)] + SHARED:
                    submit(daemon.port, "s@origin.test", [f"r{n}@{domain}"],
                           b"Subject: tail\r\n\r\nbody\r\n")
            tail = DOMAINS * PER_DOMAIN
            deadline = time.monotonic() + 60
            while sum(len(s.messages()) for s in sinks) < tail:
                self.assertLess(time.monotonic(), deadline, "the long tail was not delivered")
                time.sleep(0.1)
            shared.wait_for_messages(len(SHARED) * PER_DOMAIN, timeout=60)
        total = tail + len(SHARED) * PER_DOMAIN

        # Delivered while lockme's site stayed locked: nothing reached it after the lock.
        self.assertLess(time.monotonic(), locked_at + LOCK_SECONDS,
                        "the test ran past the lock: it proves nothing")
        self.assertEqual(locked.messages(), [], locked.summary())

        per_domain = {s.name: s.max_concurrent for s in sinks}
        self.assertLessEqual(max(per_domain.values()), 3, per_domain)
        self.assertGreater(open_connections.most, 3,
                           "30 destinations shared 3 connections between them")
        self.assertLessEqual(shared.max_concurrent, 3, "one site, one cap: " + shared.summary())
        self.assertEqual(shared.max_concurrent, 3, shared.summary())
        print(f"{DOMAINS} domains: at most {open_connections.most} connections at once, "
              f"per domain at most {max(per_domain.values())}; shared site at most "
              f"{shared.max_concurrent}")

        # The status endpoint: one queue per site, filterable, sortable, paged. (The sinks saw
        # the last dots a moment before sluiced counted the replies.)
        wait_for(lambda: get(daemon, "/status")["totals"]["delivered"] >= total,
                 what="the deliveries counted")
        everything = get(daemon, "/queues?limit=10000")
        names = {q["name"] for q in everything["queues"]}
        self.assertIn("default:mx.d0.test/default", names)
        self.assertIn(SHARED_SITE + "/default", names)
        self.assertEqual(everything["total"], DOMAINS + 2, sorted(names))
        for domain in SHARED:
            only = get(daemon, f"/queues?domain={domain}")["queues"]
            self.assertEqual([q["name"] for q in only], [SHARED_SITE + "/default"])
            self.assertEqual(only[0]["site"], "mx1.shared.test,mx2.shared.test")
            self.assertEqual(only[0]["counts"]["delivered"], len(SHARED) * PER_DOMAIN)
        lockme = get(daemon, "/queues?domain=lockme.test")["queues"][0]
        self.assertEqual(lockme["state"], "isp-locked", lockme)
        self.assertEqual(lockme["lock"]["scope"], "site")
        first = get(daemon, "/queues?sort=waiting&limit=1")
        self.assertEqual(first["total"], DOMAINS + 2)
        self.assertEqual([q["name"] for q in first["queues"]],
                         ["default:mx.lockme.test/default"], "the only queue with mail waiting")
        page = get(daemon, "/queues?limit=5&offset=5")
        self.assertEqual(len(page["queues"]), 5)
        self.assertEqual(get(daemon, "/queues/default")["total"], DOMAINS + 2)
        self.assertEqual(get(daemon, "/queues/default:mx.d7.test")["queues"][0]["name"],
                         "default:mx.d7.test/default")

        # /metrics sums the 32 sites into the one series of the default rules and this source.
        code, metrics = curl(daemon, "GET", "/metrics")
        self.assertEqual(code, 200)
        delivered = [line for line in metrics.splitlines()
                     if line.startswith("sluice_queue_recipients_total{")
                     and 'outcome="delivered"' in line]
        self.assertEqual(delivered, ['sluice_queue_recipients_total{isp="default",'
                                     f'source="default",outcome="delivered"}} {total}'])

        # Unlocking that one site lets it deliver too.
        status, body = post(daemon, "/unlock", {"isp": "default:mx.lockme.test"})
        self.assertEqual(status, 200, body)
        locked.wait_for_messages(2, timeout=30)
        wait_for_empty_spool(daemon)


if __name__ == "__main__":
    unittest.main()
