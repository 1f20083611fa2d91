"""DKIM signing end to end: sluicectl dkim-keygen makes an RSA and an Ed25519 key for
example.com (at test time, in a temporary directory); sluiced, configured with both, delivers a
message From example.com to the loopback sink through a static route, and the message as
received carries two DKIM-Signature fields above everything else. Each signature verifies with
python3-dkim and with opendkim-testmsg (two independent implementations), also after changes
relaxed canonicalization allows (headers refolded, whitespace changed, empty lines added at the
end), and fails with both after a real change (one word of the body; an added Reply-To, which is
over-signed though the message had none). Mail From a domain without a key, or for a pool the
key is not for, goes out unsigned."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import (delivery_top, describe, wait_for_empty_spool,  # noqa: E402
                             wait_for_final)
from dkim_verifiers import dkimpy_verify, opendkim_verify, txt_strings  # noqa: E402
from sluice import NO_DNS_SERVER, SLUICECTL, Daemon, free_port, submit  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

RECIPIENT = "bob@example.org"
MESSAGE = (b"From: \"Ann Example\" <ann@example.com>\r\n"
           b"To: Bob <bob@example.org>\r\n"
           b"Subject: Quarterly report,\r\n"
           b"  second line of the subject\r\n"
           b"Date: Sun, 29 Nov 2026 12:00:00 +0000\r\n"
           b"Message-ID: <dkim-1@example.com>\r\n"
           b"MIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=us-ascii\r\n"
           b"\r\n"
           b"Hello Bob,\r\n"
           b"\r\n"
           b".a line that starts with a dot (stuffed on the wire)\r\n"
           b"numbers:  1\t2  3   \r\n"
           b"\r\n"
           b"Ann\r\n")
UNSIGNED = MESSAGE.replace(b"ann@example.com", b"ann@unsigned.test")


def keygen(directory, key_type, selector, domain="example.com"):
    """Runs sluicectl dkim-keygen; returns (key path, record name, [TXT strings])."""
    path = os.path.join(directory, f"{selector}.pem")
    result = subprocess.run([SLUICECTL, "dkim-keygen", "--type", key_type, "--domain", domain,
                             "--selector", selector, "--out", path],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert os.stat(path).st_mode & 0o777 == 0o600, oct(os.stat(path).st_mode)
    name, strings = txt_strings(result.stdout.strip())
    return path, name, strings


def header_fields(message):
    """The header fields of `message` (bytes), each with its continuation lines."""
    head = message.split(b"\r\n\r\n", 1)[0]
    return re.split(rb"\r\n(?![ \t])", head)


def only_signature(message, selector):
    """`message` without the DKIM-Signature fields of other selectors (they sign nothing of
    each other: DKIM-Signature is not in h=)."""
    head, body = message.split(b"\r\n\r\n", 1)
    kept = [f for f in header_fields(message)
            if not f.lower().startswith(b"dkim-signature:")
            or re.search(rb"[;\s]s=" + selector.encode() + rb";", f)]
    return b"\r\n".join(kept) + b"\r\n\r\n" + body


def relaxed_equivalent(message):
    """Changes relaxed/relaxed canonicalization ignores: header folding and whitespace, field
    name case, whitespace at line ends and inside lines of the body, empty lines at the end."""
    head, body = message.split(b"\r\n\r\n", 1)
    head = head.replace(b"Subject: Quarterly report,", b"SUBJECT:\r\n\t Quarterly   report,\t")
    head = head.replace(b"To: Bob <bob@example.org>", b"TO:  Bob\r\n <bob@example.org>  ")
    body = body.replace(b"Hello Bob,", b"Hello \t Bob,   ").replace(b"1\t2", b"1 2")
    return head + b"\r\n\r\n" + body + b"\r\n \r\n\r\n"


class DkimSignaturesVerify(unittest.TestCase):
    def setUp(self):
        self.keys_dir = tempfile.mkdtemp(prefix="sluice-it-dkim-keys-")
        self.addCleanup(shutil.rmtree, self.keys_dir, ignore_errors=True)
        self.keys = {"rsa": keygen(self.keys_dir, "rsa", "rsa2026"),
                     "ed25519": keygen(self.keys_dir, "ed25519", "ed2026")}
        # A key that must not apply: only for pool "bulk" (this mail goes through pool "default").
        self.bulk_key = keygen(self.keys_dir, "ed25519", "bulk2026")
        self.records = {name: strings for _, name, strings in
                        [*self.keys.values(), self.bulk_key]}
        # RSA 2048's record is longer than one TXT string.
        self.assertGreater(len(self.keys["rsa"][2]), 1)

    def config_top(self, sink_port):
        route = {"domains": ["example.org"], "host": "127.0.0.6", "port": sink_port}
        base = delivery_top(NO_DNS_SERVER, sink_port, routes=[route])
        keys = [f'{{ domain = "example.com"; selector = "rsa2026"; '
                f'private_key = "{self.keys["rsa"][0]}"; }}',
                f'{{ domain = "example.com"; selector = "ed2026"; algorithm = "ed25519-sha256"; '
                f'private_key = "{self.keys["ed25519"][0]}"; }}',
                f'{{ domain = "example.com"; selector = "bulk2026"; pools = [ "bulk" ]; '
                f'private_key = "{self.bulk_key[0]}"; }}']
        bulk_pool = ('pools = ( { name = "bulk"; sender_domains = [ "bulk.example.com" ]; '
                     'sources = ( { name = "bulk-source"; } ); } );\n')
        return lambda directory: (base(directory) + "\n" + bulk_pool + "keys = ( " +
                                  ", ".join(keys) + " );\n")

    def deliver(self, messages):
        port = free_port()
        with SmtpSink("127.0.0.6", port) as sink, Daemon(top=self.config_top(port)) as daemon:
            for content in messages:
                submit(daemon.port, "ann@example.com", [RECIPIENT], content)
            sink.wait_for_messages(len(messages))
            record = wait_for_final(daemon, RECIPIENT)
            self.assertEqual(record["outcome"], "delivered", describe([record]))
            wait_for_empty_spool(daemon)
            return [m.content for m in sink.messages()]

    def assert_verifies(self, message, selector, want, what):
        records = {n: "".join(s) for n, s in self.records.items()}
        single = only_signature(message, selector)
        ok, detail = dkimpy_verify(single, records)
        self.assertEqual(ok, want, f"{what}, s={selector}: {detail}\n{single.decode()}")
        ok, detail = opendkim_verify(single, self.records)
        self.assertEqual(ok, want, f"{what}, s={selector}: {detail}\n{single.decode()}")
        if not want:  # a verdict on the signature, not a failure to parse or to find the key
            self.assertIn("Bad signature", detail)

    def test_signatures_verify_and_catch_changes(self):
        signed, unsigned = self.deliver([MESSAGE, UNSIGNED])
        if b"unsigned.test" in signed:
            signed, unsigned = unsigned, signed
        fields = header_fields(signed)
        self.assertTrue(fields[0].startswith(b"DKIM-Signature:"), signed.decode())
        self.assertTrue(fields[1].startswith(b"DKIM-Signature:"), signed.decode())
        self.assertFalse(fields[2].startswith(b"DKIM-Signature:"), signed.decode())
        self.assertIn(b"a=rsa-sha256", fields[0])
        self.assertIn(b"a=ed25519-sha256", fields[1])
        for field in fields[:2]:
            self.assertNotIn(b"l=", field.replace(b"\r\n", b""))
            self.assertTrue(all(len(line.expandtabs(8)) <= 78 for line in field.split(b"\r\n")),
                            field.decode())
            # Over-signed: From is named twice for one From field.
            h = re.search(rb"h=([^;]*)", re.sub(rb"\s", b"", field)).group(1).lower()
            self.assertEqual(h.split(b":").count(b"from"), 2, h)
        self.assertTrue(signed.endswith(MESSAGE), "the message itself must be unchanged")
        self.assertNotIn(b"DKIM-Signature", unsigned)

        for selector in ("rsa2026", "ed2026"):
            self.assert_verifies(signed, selector, True, "as delivered")
            self.assert_verifies(relaxed_equivalent(signed), selector, True,
                                 "after changes relaxed canonicalization allows")
            self.assert_verifies(signed.replace(b"Hello Bob", b"Hello Eve"), selector, False,
                                 "after a change of the body")
            added = signed.replace(b"\r\nDate:", b"\r\nReply-To: eve@evil.test\r\nDate:")
            self.assert_verifies(added, selector, False, "after adding an over-signed field")


if __name__ == "__main__":
    unittest.main()
