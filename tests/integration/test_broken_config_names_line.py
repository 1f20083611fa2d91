"""A broken configuration stops sluiced before it listens, and every error names the file, the
line and the setting: a syntax error, an unknown key and an out-of-range value. --check-config
reports the same and exits 1, exits 0 for a good file, and the bundled conf/sluice.conf passes."""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import SLUICED, free_port, render_config  # noqa: E402

SOURCE_DIR = os.environ.get("SLUICE_SOURCE_DIR",
                            os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))


def config_lines(spool, port, smtp_extra):
    """A config whose line numbers the test knows: line 1 hostname, 2 'smtp = {', 3 listen,
    4 relay_networks, then one line per `smtp_extra` item from line 5."""
    return ['hostname = "mx.sluice.test";',
            "smtp = {",
            f'  listen = ( {{ address = "127.0.0.1"; port = {port}; }} );',
            '  relay_networks = [ "127.0.0.0/8" ];',
            *smtp_extra,
            "};",
            f'spool = {{ directory = "{spool}"; }};']


class BrokenConfigNamesLine(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="sluice-it-config-")
        self.spool = os.path.join(self.dir.name, "spool")
        self.port = free_port()

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, lines):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def run_sluiced(self, *args):
        result = subprocess.run([SLUICED, *args], capture_output=True, text=True, timeout=30)
        if result.returncode == 0 and "--check-config" not in args:
            self.fail(f"sluiced started with {args}:\n{result.stdout}{result.stderr}")
        return result

    def assert_refused(self, path, wanted):
        """Both ways of loading `path` fail with exit 1 and print every `wanted` fragment."""
        for args in (["-c", path], ["--check-config", "-c", path]):
            result = self.run_sluiced(*args)
            self.assertEqual(result.returncode, 1, f"{args}: {result.stdout}{result.stderr}")
            for fragment in wanted:
                self.assertIn(fragment, result.stderr, f"{args}: stderr:\n{result.stderr}")
            # It exited before listening (run() returned); it never said it listened either.
            self.assertNotIn("listening on", result.stdout + result.stderr)
        self.assertFalse(os.path.exists(self.spool), "sluiced created its spool anyway")

    def test_syntax_error_names_file_and_line(self):
        path = self.write("syntax.conf",
                          config_lines(self.spool, self.port, ["  max_recipients = 10;",
                                                               "  max_errors = ;"]))
        self.assert_refused(path, [f"{path}:6"])

    def test_issue13_unterminated_string_names_the_line_it_opened(self):
        # The 9-line file of the issue: the runaway string opens on the last line (libconfig
        # notices on line 10), and the same mistake in the middle of the file.
        lines = config_lines(self.spool, self.port, []) + ["# the pool header", ""]
        lines.append('pool_header = "X-Sluice-Pool;')
        self.assertEqual(len(lines), 9)
        path = self.write("runaway_last.conf", lines)
        self.assert_refused(path, [f"{path}:9: unterminated string"])
        middle = lines[:6] + ['pool_header = "X-Sluice-Pool;',
                              'status = { listen = "127.0.0.1:0"; };']
        path = self.write("runaway_middle.conf", middle)
        self.assert_refused(path, [f"{path}:7: unterminated string"])

    def test_unknown_key_names_file_line_and_setting(self):
        path = self.write("unknown.conf",
                          config_lines(self.spool, self.port, ["  max_recipients = 10;",
                                                               "  max_recipientz = 10;"]))
        self.assert_refused(path, [f"{path}:6: smtp.max_recipientz", "unknown setting"])

    def test_out_of_range_names_file_line_and_setting(self):
        path = self.write("range.conf",
                          config_lines(self.spool, self.port, ["  max_errors = 5;",
                                                               "  max_recipients = 0;",
                                                               "  max_line_length = 100;"]))
        self.assert_refused(path, [f"{path}:6: smtp.max_recipients", "at least 1",
                                   f"{path}:7: smtp.max_line_length", "between 512 and 65536"])

    def test_every_error_is_reported_at_once(self):
        path = self.write("several.conf",
                          config_lines(self.spool, self.port, ["  max_recipients = 0;",
                                                               '  idle_timeout = 30;',
                                                               '  colour = "blue";']))
        self.assert_refused(path, [f"{path}:5: smtp.max_recipients",
                                   f"{path}:6: smtp.idle_timeout",
                                   f"{path}:7: smtp.colour"])

    def test_check_config_accepts_good_files(self):
        good = self.write("good.conf", render_config(self.spool).splitlines())
        result = self.run_sluiced("--check-config", "-c", good)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(result.stderr, "")
        self.assertFalse(os.path.exists(self.spool), "--check-config created the spool")

        bundled = subprocess.run([os.path.abspath(SLUICED), "--check-config", "-c",
                                  "conf/sluice.conf"], cwd=SOURCE_DIR,
                                 capture_output=True, text=True, timeout=30)
        self.assertEqual(bundled.returncode, 0, bundled.stdout + bundled.stderr)


if __name__ == "__main__":
    unittest.main()
