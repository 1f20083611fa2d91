"""`sluicectl test-reply` judges remote replies under conf/sluice.conf.example (which includes
conf/isps.conf) without a daemon: Gmail's throttling locks the source queue and retries, a
missing mailbox bounces, Yahoo's [TSS04] deferral locks for an hour, a synthetic reply never
locks, unmatched domains fall back to the default rules, --json carries the same verdict, and
bad input or a broken config exits non-zero with the reason."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import SLUICECTL  # noqa: E402

SOURCE_DIR = os.environ.get("SLUICE_SOURCE_DIR",
                            os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
EXAMPLE = os.path.join(SOURCE_DIR, "conf", "sluice.conf.example")


def test_reply(*args, config=EXAMPLE):
    return subprocess.run([SLUICECTL, "test-reply", "-c", config, *args],
                          capture_output=True, text=True, timeout=30)


def verdict(*args):
    result = test_reply("--json", *args)
    if result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr}")
    return json.loads(result.stdout)


class CtlTestReply(unittest.TestCase):
    def test_gmail_throttling_locks_the_source_queue_and_retries(self):
        result = test_reply("--isp", "Gmail", "421 4.7.0 [TS04] Messages temporarily deferred")
        self.assertEqual(result.returncode, 0, result.stderr)
        out = result.stdout
        self.assertIn("isp:            Gmail", out)
        self.assertIn("bounce pattern: gmail-rate-limited (isps.[0].bounce_patterns.[4]), "
                      "class soft, category rate-limit", out)
        self.assertIn("lock rule:      gmail-rate-limited, scope source, lock for 30m", out)
        self.assertIn("retry rule:     standard (growing): next intervals 5m, 10m, 20m, 40m, "
                      "1h20m; expires 3d after arrival", out)
        self.assertIn("action:         lock source queue Gmail/default for 30m, retry in 5m", out)

    def test_json_carries_the_same_verdict(self):
        v = verdict("--isp", "Gmail", "--source", "a", "421 4.7.0 [TS04] deferred")
        self.assertEqual(v["reply"], {"code": 421, "enhanced": "4.7.0", "text": "[TS04] deferred",
                                      "synthetic": False})
        self.assertEqual(v["bounce_pattern"]["name"], "gmail-rate-limited")
        self.assertEqual(v["lock"], {"name": "gmail-rate-limited", "scope": "source",
                                     "lock_for_seconds": 1800, "queue": "Gmail/a"})
        self.assertEqual(v["retry"]["intervals_seconds"], [300, 600, 1200, 2400, 4800])
        self.assertEqual(v["action"], "retry")
        self.assertEqual(v["summary"], "lock source queue Gmail/a for 30m, retry in 5m")

    def test_missing_mailbox_bounces_now(self):
        v = verdict("--isp", "Gmail", "550-5.1.1 The email account that you tried to reach does "
                    "not exist.\n550 5.1.1 Please try double-checking the recipient's address")
        self.assertEqual((v["action"], v["class"], v["category"]), ("bounce", "hard", "bad-mailbox"))
        self.assertEqual(v["bounce_pattern"]["name"], "gmail-no-such-user")
        self.assertIsNone(v["lock"])
        self.assertEqual(v["summary"], "bounce now with a DSN")

    def test_yahoo_deferral_locks_for_an_hour(self):
        v = verdict("--domain", "AOL.com", "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily "
                    "deferred due to unexpected volume or user complaints")
        self.assertEqual(v["isp"], "Yahoo")
        self.assertEqual(v["lock"]["name"], "yahoo-deferred")
        self.assertEqual(v["lock"]["lock_for_seconds"], 3600)
        self.assertEqual(v["retry"]["name"], "patient")

    def test_outlook_block_list_bounces_and_locks(self):
        v = verdict("--isp", "Outlook", "550 5.7.1 Unfortunately, messages from [192.0.2.1] "
                    "weren't sent. (S3150)")
        self.assertEqual((v["action"], v["category"]), ("bounce", "spam-block"))
        self.assertEqual(v["lock"]["name"], "microsoft-blocked")

    def test_synthetic_reply_never_locks(self):
        v = verdict("--isp", "Gmail", "--synthetic", "421 4.7.0 [TS04] too many connections")
        self.assertIsNone(v["lock"])
        self.assertEqual(v["action"], "retry")
        self.assertTrue(v["reply"]["synthetic"])

    def test_unmatched_domain_uses_the_default_rules(self):
        v = verdict("--domain", "example.net", "452 4.2.2 mailbox full")
        self.assertEqual(v["isp"], "default")
        self.assertEqual(v["retry"]["name"], "default")
        self.assertEqual(v["retry"]["kind"], "list")
        self.assertEqual(v["retry"]["intervals_seconds"], [300, 600, 1200, 2400, 3600])
        self.assertEqual((v["action"], v["category"]), ("retry", "quota"))
        v = verdict("554 5.9.9 something unknown")
        self.assertEqual((v["action"], v["class"], v["bounce_pattern"]), ("bounce", "hard", None))

    def test_bad_input_and_bad_config(self):
        result = test_reply("--isp", "Nope", "250 ok")
        self.assertEqual(result.returncode, 1)
        self.assertIn('no ISP named "Nope"', result.stderr)
        result = test_reply("hello")
        self.assertEqual(result.returncode, 2)
        self.assertIn("not an SMTP reply", result.stderr)
        result = test_reply()
        self.assertEqual(result.returncode, 2)
        self.assertIn("usage: sluicectl test-reply", result.stderr)
        with tempfile.TemporaryDirectory(prefix="sluice-it-test-reply-") as d:
            path = os.path.join(d, "bad.conf")
            with open(path, "w") as f:
                f.write('hostname = "mx.sluice.test";\nspool = { directory = "s"; };\n'
                        'smtp = { listen = ( { address = "127.0.0.1"; port = 0; } ); };\n'
                        'isps = ( { name = "A"; domains = [ "a.test" ]; strategy = "fast"; } );\n')
            result = test_reply("--isp", "A", "421 x", config=path)
            self.assertEqual(result.returncode, 1)
            self.assertIn(f'{path}:4: isps.[0].strategy: unknown strategy "fast"', result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
