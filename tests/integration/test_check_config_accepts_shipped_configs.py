"""`sluiced --check-config` accepts every configuration the project ships: the bundled
conf/sluice.conf, the annotated conf/sluice.conf.example and the packaged conf/system/sluice.conf,
the last two with the ISP library conf/isps.conf pulled in by @include (relative to the including
file's directory, which is the main file's here). And a copy of isps.conf with one broken
reference is refused with the included file's name and line."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import SLUICED  # noqa: E402

SOURCE_DIR = os.environ.get("SLUICE_SOURCE_DIR",
                            os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))


def check_config(path):
    return subprocess.run([os.path.abspath(SLUICED), "--check-config", "-c", path],
                          capture_output=True, text=True, timeout=30)


class CheckConfigAcceptsShippedConfigs(unittest.TestCase):
    def test_shipped_configs_pass(self):
        for name in ("conf/sluice.conf", "conf/sluice.conf.example", "conf/system/sluice.conf"):
            with self.subTest(name=name):
                result = check_config(os.path.join(SOURCE_DIR, name))
                self.assertEqual(result.returncode, 0, f"{name}:\n{result.stdout}{result.stderr}")

    def test_error_in_included_isps_conf_names_that_file(self):
        with tempfile.TemporaryDirectory(prefix="sluice-it-isps-") as d:
            shutil.copy(os.path.join(SOURCE_DIR, "conf", "sluice.conf.example"), d)
            with open(os.path.join(SOURCE_DIR, "conf", "isps.conf")) as f:
                lines = f.read().split("\n")
            at = next(i for i, line in enumerate(lines) if 'strategy = "gmail"' in line)
            lines[at] = lines[at].replace('strategy = "gmail"', 'strategy = "turbo"')
            with open(os.path.join(d, "isps.conf"), "w") as f:
                f.write("\n".join(lines))
            result = check_config(os.path.join(d, "sluice.conf.example"))
            self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
            self.assertIn(f'{d}/isps.conf:{at + 1}: isps.[0].strategy: unknown strategy "turbo"',
                          result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
