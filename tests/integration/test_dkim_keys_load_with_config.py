"""DKIM keys are part of the configuration: a key file that is missing, is not a key, is RSA
under 1024 bits or is not of the type `algorithm` names makes --check-config and start-up fail
with file, line and setting; an RSA key under 2048 bits only warns. On SIGHUP the keys are
read again with the new file: a reload naming a key that does not load keeps the running
configuration and keys (mail is still signed with the old selector), and a good reload swaps
both (mail is then signed with the new selector and verifies)."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from delivery_config import delivery_top, wait_for_empty_spool  # noqa: E402
from dkim_verifiers import dkimpy_verify, txt_strings  # noqa: E402
from sluice import NO_DNS_SERVER, SLUICECTL, SLUICED, Daemon, free_port, submit  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

MESSAGE = (b"From: ann@example.com\r\nTo: bob@example.org\r\nSubject: reload\r\n"
           b"Message-ID: <r@example.com>\r\n\r\nbody\r\n")


def keygen(directory, key_type, selector, bits=None):
    path = os.path.join(directory, f"{selector}.pem")
    args = [SLUICECTL, "dkim-keygen", "--type", key_type, "--domain", "example.com",
            "--selector", selector, "--out", path] + (["--bits", str(bits)] if bits else [])
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    name, strings = txt_strings(result.stdout.strip())
    return path, name, "".join(strings), result.stderr


def keys_text(*entries):
    """keys = ( ... ); with one element per line, each (selector, path[, algorithm])."""
    lines = []
    for selector, path, *algorithm in entries:
        extra = f' algorithm = "{algorithm[0]}";' if algorithm else ""
        lines.append(f'  {{ domain = "example.com"; selector = "{selector}";\n'
                     f'    private_key = "{path}";{extra} }}')
    return "keys = (\n" + ",\n".join(lines) + "\n);\n"


class DkimKeysLoadWithConfig(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sluice-it-dkim-load-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def check_config(self, keys):
        path = os.path.join(self.dir, "check.conf")
        with open(path, "w") as f:
            f.write('hostname = "mx.test";\n'
                    'smtp = { listen = ( { address = "127.0.0.1"; port = 0; } ); };\n'
                    f'spool = {{ directory = "{self.dir}/spool"; }};\n' + keys)
        return subprocess.run([SLUICED, "--check-config", "-c", path], capture_output=True,
                              text=True, timeout=30), path

    def test_bad_key_files_name_file_line_and_setting(self):
        ed, _, _, _ = keygen(self.dir, "ed25519", "ed")
        small, _, _, warning = keygen(self.dir, "rsa", "small", bits=1024)
        self.assertIn("weak", warning)
        junk = os.path.join(self.dir, "junk.pem")
        with open(junk, "w") as f:
            f.write("not a key\n")
        result, path = self.check_config(keys_text(
            ("a", os.path.join(self.dir, "missing.pem")), ("b", junk),
            ("c", ed, "rsa-sha256")))
        self.assertEqual(result.returncode, 1, result.stderr)
        # keys = ( starts on line 4; each element takes two lines, private_key on the second.
        self.assertIn(f"{path}:6: keys.[0].private_key: cannot read "
                      f"{self.dir}/missing.pem: No such file or directory", result.stderr)
        self.assertRegex(result.stderr, re.escape(f"{path}:8: keys.[1].private_key: {junk} "
                                                  "holds no usable unencrypted PEM private key"))
        self.assertIn(f"{path}:10: keys.[2].private_key: {ed} is not an RSA key",
                      result.stderr)

        result, path = self.check_config(keys_text(("small", small)))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f"{path}:6: keys.[0].private_key: {small} is an RSA key of 1024 bits; "
                      "2048 are recommended", result.stderr)

    def test_reload_swaps_keys_with_the_config_or_keeps_both(self):
        old_key, old_name, old_text, _ = keygen(self.dir, "ed25519", "old")
        new_key, new_name, new_text, _ = keygen(self.dir, "rsa", "new")
        records = {old_name: old_text, new_name: new_text}
        port = free_port()
        route = {"domains": ["example.org"], "host": "127.0.0.6", "port": port}
        base = delivery_top(NO_DNS_SERVER, port, routes=[route])
        with SmtpSink("127.0.0.6", port) as sink, \
                Daemon(top=lambda d: base(d) + keys_text(("old", old_key))) as daemon:
            with open(daemon.config_path) as f:
                good_config = f.read()

            def deliver_and_get_selector(count):
                submit(daemon.port, "ann@example.com", ["bob@example.org"], MESSAGE)
                sink.wait_for_messages(count)
                wait_for_empty_spool(daemon)
                content = sink.messages()[count - 1].content
                ok, detail = dkimpy_verify(content, records)
                self.assertTrue(ok, detail + "\n" + content.decode())
                return re.search(rb"s=([a-z0-9]+);", content).group(1).decode()

            self.assertEqual(deliver_and_get_selector(1), "old")

            # A reload naming a missing key: refused, old config and key stay.
            with open(daemon.config_path, "w") as f:
                f.write(good_config.replace(old_key, os.path.join(self.dir, "gone.pem")))
            os.kill(daemon.pid, signal.SIGHUP)
            daemon.wait_for_log(r"reload failed, keeping the running configuration: .*"
                                r"keys\.\[0\]\.private_key: cannot read .*gone\.pem")
            self.assertEqual(deliver_and_get_selector(2), "old")

            # A good reload with another key: mail is signed with it from then on.
            with open(daemon.config_path, "w") as f:
                f.write(good_config.replace(old_key, new_key).replace('"old"', '"new"'))
            os.kill(daemon.pid, signal.SIGHUP)
            daemon.wait_for_log(r"reloaded configuration from .* 1 DKIM keys")
            self.assertEqual(deliver_and_get_selector(3), "new")


if __name__ == "__main__":
    unittest.main()
