"""A static route bypasses DNS: routes = ( { domains = [ "relay.test" ]; host = "127.0.0.6";
port = SINKPORT; } ) sends mail for relay.test straight to the sink on 127.0.0.6, and dnsmasq
receives no query at all for relay.test (while a recipient at a.test, not routed, is still found
through its MX)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import (delivery_top, describe, records_for, wait_for_empty_spool,  # noqa: E402
                             wait_for_final)
from dns_server import DnsServer  # noqa: E402
from sluice import Daemon, free_port, submit  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

ROUTED = "user@relay.test"
NOT_ROUTED = "user@a.test"


class StaticRoute(unittest.TestCase):
    def test_route_bypasses_dns(self):
        port = free_port()
        route = {"domains": ["relay.test"], "host": "127.0.0.6", "port": port}
        # relay.test has an MX too, pointing elsewhere: the route must win without asking.
        records = {"mx": {"a.test": [(10, "mx.a.test")], "relay.test": [(10, "mx.a.test")]},
                   "a": {"mx.a.test": "127.0.0.2"}}
        with DnsServer(**records) as dns, \
                SmtpSink("127.0.0.6", port) as relay, SmtpSink("127.0.0.2", port) as sink_a, \
                Daemon(top=delivery_top(dns.address, port, routes=[route])) as daemon:
            submit(daemon.port, "s@origin.test", [ROUTED, NOT_ROUTED],
                   b"Subject: routed\r\n\r\nb\r\n")
            routed = wait_for_final(daemon, ROUTED)
            not_routed = wait_for_final(daemon, NOT_ROUTED)
            wait_for_empty_spool(daemon)

            self.assertEqual(routed["outcome"], "delivered", describe([routed]))
            self.assertEqual(routed["mx_ip"], "127.0.0.6", describe([routed]))
            self.assertEqual(not_routed["outcome"], "delivered", describe([not_routed]))
            self.assertEqual(len(relay.delivered_to(ROUTED)), 1, relay.summary())
            self.assertEqual(relay.rcpt_count(NOT_ROUTED), 0, relay.summary())
            self.assertEqual(len(sink_a.delivered_to(NOT_ROUTED)), 1, sink_a.summary())
            self.assertEqual(sink_a.rcpt_count(ROUTED), 0, sink_a.summary())
            self.assertEqual(dns.queries_for("relay.test"), [],
                             describe(records_for(daemon)))
            self.assertIn("MX", dns.queries_for("a.test"))


if __name__ == "__main__":
    unittest.main()
