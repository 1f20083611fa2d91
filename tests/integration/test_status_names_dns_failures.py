"""GET /queues says "dns-failure" when Sluice's own lookup of the recipient domain failed, and
only then: with dns.servers pointing where nothing answers, the waiting queue's state is
"dns-failure" and its "why" quotes Sluice's 451 4.4.3 reply; when a real server defers with a
reply that happens to carry 4.4.3, the queue is only "waiting-for-retry" (the delivery code
records the DNS failure as a fact; the reply text is never searched)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import delivery_top  # noqa: E402
from dns_server import DnsServer, free_udp_tcp_port  # noqa: E402
from sluice import Daemon, free_port, submit, wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from status_api import get, status_top  # noqa: E402

RECIPIENT = "user@a.test"


def waiting_queue(daemon):
    """The one queue once its recipient waits for a retry and the reply is remembered (just
    after the deferral), else None."""
    queues = get(daemon, "/queues")["queues"]
    if len(queues) == 1 and queues[0]["deferred"] == 1 and queues[0]["last_replies"]:
        return queues[0]
    return None


class StatusNamesDnsFailures(unittest.TestCase):
    def test_unanswered_dns_is_a_dns_failure(self):
        silent = f"127.0.0.1:{free_udp_tcp_port()}"
        top = delivery_top(silent, free_port(), retry_intervals=["1h"], queue_lifetime="2h",
                           dns={"timeout": "500ms", "tries": 1})
        with Daemon(top=status_top(top)) as daemon:
            submit(daemon.port, "s@origin.test", [RECIPIENT], b"Subject: d\r\n\r\nb\r\n")
            queue = wait_for(lambda: waiting_queue(daemon), 30, what="a recipient waiting")
            self.assertEqual(queue["state"], "dns-failure", queue)
            self.assertTrue(queue["why"].startswith(
                "waiting for retry after a DNS failure: 451 4.4.3 DNS lookup failed"), queue)

    def test_a_servers_4_4_3_is_not_a_dns_failure(self):
        port = free_port()
        with DnsServer(mx={"a.test": [(10, "mx.a.test")]}, a={"mx.a.test": "127.0.0.2"}) as dns, \
                SmtpSink("127.0.0.2", port, default="451 4.4.3 Their own DNS trouble"), \
                Daemon(top=status_top(delivery_top(dns.address, port, retry_intervals=["1h"],
                                                   queue_lifetime="2h"))) as daemon:
            submit(daemon.port, "s@origin.test", [RECIPIENT], b"Subject: d\r\n\r\nb\r\n")
            queue = wait_for(lambda: waiting_queue(daemon), 30, what="a recipient waiting")
            self.assertEqual(queue["state"], "waiting-for-retry", queue)
            self.assertEqual(queue["why"], "waiting for retry", queue)
            self.assertIn("4.4.3 Their own DNS trouble", queue["last_replies"][0], queue)


if __name__ == "__main__":
    unittest.main()
