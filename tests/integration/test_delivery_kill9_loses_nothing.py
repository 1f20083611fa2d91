"""kill -9 during delivery loses nothing and re-sends no finished recipient: 200 messages (one
recipient each) are spooled while the k.test sink holds its replies, then the sink answers each
message after 20 ms over at most 4 connections; once 80 have arrived sluiced is killed with
SIGKILL and restarted on the same spool. Finally every message has arrived at least once, the
spool is empty, no recipient that was final before the kill (its spool file gone) arrives twice,
the duplicates (the messages in flight at the kill) are at most one per connection, and every
recipient has a "final" accounting record (records are written before the progress is durable,
so a kill can repeat one but never lose one)."""

import os
import sys
import threading
import unittest
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import delivery_top, describe, records_for, wait_for_empty_spool  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from sluice import Daemon, free_port, submit, wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

MESSAGES = 200
ARRIVED_BEFORE_KILL = 80
CONNECTIONS = 4  # delivery.max_connections_per_destination
SUBMITTERS = 4


def recipient(n):
    return f"m{n:03d}@k.test"


def content(n):
    lines = [f"X-Test-Marker: m{n:03d}", f"Subject: kill -9 during delivery {n}", ""]
    lines += [f"line {i:02d} " + "x" * 70 for i in range(50)]  # ~4 KiB
    return ("\r\n".join(lines) + "\r\n").encode()


def submit_all(port):
    """Spools MESSAGES messages from SUBMITTERS threads; returns the failures."""
    errors = []

    def run(first):
        for n in range(first, MESSAGES, SUBMITTERS):
            try:
                submit(port, "s@origin.test", [recipient(n)], content(n))
            except Exception as error:  # noqa: BLE001 - reported by the caller
                errors.append(f"message {n}: {error!r}")
    threads = [threading.Thread(target=run, args=(k,)) for k in range(SUBMITTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


class Kill9DuringDeliveryLosesNothing(unittest.TestCase):
    def test_kill9_during_delivery(self):
        port = free_port()
        with DnsServer(mx={"k.test": [(10, "mx.k.test")]}, a={"mx.k.test": "127.0.0.2"}) as dns, \
                SmtpSink("127.0.0.2", port, data_delay=0.02, held=True) as sink:
            top = delivery_top(dns.address, port, retry_intervals=["1s"], delivery={
                "max_connections_per_destination": CONNECTIONS, "data_done_timeout": "60s"})
            with Daemon(top=top) as daemon:
                self.assertEqual(submit_all(daemon.port), [])
                sink.release()
                wait_for(lambda: daemon.assert_running() or
                         len(sink.messages()) >= ARRIVED_BEFORE_KILL, timeout=30,
                         what=f"{ARRIVED_BEFORE_KILL} messages at the sink")
                daemon.kill9()
                arrived_at_kill = len(sink.messages())
                # One recipient per message: its spool file is gone exactly when it is final.
                still_spooled = {address for line in daemon.spool_list().values()
                                 for address in line.split("\t")[4].strip().split(",")}
                final_before_kill = {recipient(n) for n in range(MESSAGES)} - still_spooled

                daemon.start()
                everyone = {recipient(n) for n in range(MESSAGES)}
                try:
                    wait_for(lambda: daemon.assert_running() or everyone <= arrived(sink),
                             timeout=60, what=f"all {MESSAGES} messages at the sink")
                except TimeoutError as error:
                    missing = sorted(everyone - arrived(sink))
                    raise AssertionError(f"{error}; {len(missing)} missing: {missing[:20]}")
                wait_for_empty_spool(daemon)

                copies = Counter(r for m in sink.messages() for r in m.recipients)
                duplicates = sorted(r for r, count in copies.items() if count > 1)
                print(f"\nkill -9 with {arrived_at_kill} of {MESSAGES} arrived "
                      f"({len(final_before_kill)} final in the spool); "
                      f"duplicates after restart: {len(duplicates)} {duplicates}; "
                      f"sink connections {sink.connections}, max {sink.max_concurrent} at once",
                      file=sys.stderr)
                self.assertEqual(set(copies), everyone)
                resent_finished = sorted(set(duplicates) & final_before_kill)
                self.assertEqual(resent_finished, [],
                                 "re-sent although final before the kill:\n" + describe(
                                     [r for r in records_for(daemon)
                                      if r["recipient"] in resent_finished]))
                self.assertLessEqual(len(duplicates), CONNECTIONS, duplicates)
                for n in (0, MESSAGES - 1):
                    first = next(m for m in sink.messages() if recipient(n) in m.recipients)
                    self.assertTrue(first.content.endswith(content(n)), recipient(n))
                finals = Counter(r["recipient"] for r in records_for(daemon, type="final"))
                self.assertEqual(set(finals), everyone)


def arrived(sink):
    return {r for m in sink.messages() for r in m.recipients}


if __name__ == "__main__":
    unittest.main()
