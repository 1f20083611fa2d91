"""ISPs by MX rollup and pools of sources. Two domains nobody lists whose MX host is
mx1.rollup.test belong to the ISP "Rolled" (mx = [ "*.rollup.test" ]); a domain with another MX
gets the default rules. Mail from bulk.example uses pool "bulk" (sources a = 127.0.0.4 and
b = 127.0.0.5 in round robin: the sink sees both addresses, alternating, and the EHLO name of
each); a message whose X-Sluice-Pool header names "vip" goes from 127.0.0.6 — and the header
is removed before delivery. The pool's and the ISP's header policies are applied (X-Mailer
removed, their fields added at the top, pool first)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import records_for, wait_for_empty_spool, wait_for_final  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from policy_config import policy_top  # noqa: E402
from sluice import Daemon, free_port, submit  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

POLICY = {
    "pools": [{"name": "bulk", "sender_domains": ["bulk.example"],
               "headers": {"add": ["X-Campaign-Pool: bulk"], "remove": ["X-Mailer"]},
               "sources": [{"name": "a", "address": "127.0.0.4", "helo": "a.bulk.test"},
                           {"name": "b", "address": "127.0.0.5", "helo": "b.bulk.test"}]},
              {"name": "vip", "sources": [{"name": "v", "address": "127.0.0.6",
                                           "helo": "vip.test"}]}],
    "isps": [{"name": "Rolled", "mx": ["*.rollup.test"],
              "headers": {"add": ["X-Rolled: yes"]}}],
}


class MxRollupAndPools(unittest.TestCase):
    def test_isp_by_mx_and_sources_by_pool(self):
        port = free_port()
        dns_records = {"mx": {"one.test": [(10, "mx1.rollup.test")],
                              "two.test": [(10, "mx1.rollup.test")],
                              "plain.test": [(10, "mx.plain.test")]},
                       "a": {"mx1.rollup.test": "127.0.0.2", "mx.plain.test": "127.0.0.3"}}
        with DnsServer(**dns_records) as dns, \
                SmtpSink("127.0.0.2", port, name="rollup sink") as rolled, \
                SmtpSink("127.0.0.3", port, name="plain sink") as plain, \
                Daemon(top=policy_top(dns.address, port, POLICY)) as daemon:
            for n in range(4):
                submit(daemon.port, "news@bulk.example", [f"u{n}@one.test"],
                       b"X-Mailer: Old\r\nSubject: bulk\r\n\r\nx\r\n")
            submit(daemon.port, "news@bulk.example", ["u@two.test"], b"Subject: 2\r\n\r\nx\r\n")
            submit(daemon.port, "boss@bulk.example", ["ceo@plain.test"],
                   b"X-Sluice-Pool: vip\r\nSubject: vip\r\n\r\nx\r\n")
            for address in [f"u{n}@one.test" for n in range(4)] + ["u@two.test"]:
                wait_for_final(daemon, address)
            wait_for_final(daemon, "ceo@plain.test")
            wait_for_empty_spool(daemon)

            queues = [records_for(daemon, f"u{n}@one.test", "final")[0]["queue"]
                      for n in range(4)]
            self.assertEqual(sorted(queues), ["Rolled/a", "Rolled/a", "Rolled/b", "Rolled/b"])
            self.assertIn(records_for(daemon, "u@two.test", "final")[0]["queue"],
                          ("Rolled/a", "Rolled/b"))
            peers = {m.peer[0] for m in rolled.messages()}
            self.assertEqual(peers, {"127.0.0.4", "127.0.0.5"}, rolled.summary())
            helos = {(m.peer[0], m.helo) for m in rolled.messages()}
            self.assertLessEqual(helos, {("127.0.0.4", "a.bulk.test"),
                                         ("127.0.0.5", "b.bulk.test")})

            # Header policies: the pool's (remove, add) then the ISP's add, at the top.
            first = rolled.messages()[0].content
            self.assertTrue(first.startswith(b"X-Campaign-Pool: bulk\r\nX-Rolled: yes\r\n"),
                            first[:200])
            self.assertNotIn(b"X-Mailer", first)

            vip = records_for(daemon, "ceo@plain.test", "final")[0]
            self.assertEqual((vip["queue"], vip["source_ip"]), ("default:mx.plain.test/v", "127.0.0.6"))
            message = plain.wait_for_recipient("ceo@plain.test")
            self.assertEqual(message.peer[0], "127.0.0.6")
            self.assertNotIn(b"x-sluice-pool", message.content.lower())
            self.assertIn(b"Subject: vip", message.content)


if __name__ == "__main__":
    unittest.main()
