"""The status endpoint refuses what it must and keeps serving: an operation without the token
gets 401, with a wrong one 403 (and sluicectl says to check the token); unknown paths 404, wrong
methods 405, bad JSON or scope 400, an unknown ISP 404, an oversized body 413, an oversized
header 431, garbage on the socket 400, a client that stalls is simply dropped. Afterwards the
endpoint and SMTP still work. POST /reload with a config whose status.allow leaves loopback out
makes reads 403 (and bumps the generation) while operations still work with the token; a
broken config is reported in /status. sluicectl against a stopped daemon says it cannot reach
it."""

import os
import smtplib
import socket
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "harness"))
from sluice import Daemon  # noqa: E402
from status_api import curl, get, post, sluicectl, status_top  # noqa: E402


def raw_exchange(port, data, timeout=10):
    """Sends raw bytes; returns what comes back until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


class RefusesBadRequests(unittest.TestCase):
    def test_refusals_and_keeps_serving(self):
        with Daemon(top=status_top()) as daemon:
            self.assertEqual(curl(daemon, "POST", "/hold")[0], 401)
            self.assertEqual(post(daemon, "/hold", token="wrong")[0], 403)
            self.assertEqual(curl(daemon, "POST", "/hold", headers=["Authorization: Basic eDp5"])[0],
                             401)
            wrong = os.path.join(daemon.dir, "wrong.token")
            with open(wrong, "w") as f:
                f.write("nope\n")
            ctl = sluicectl(daemon, "hold", "--token-file", wrong, token_file=False)
            self.assertEqual(ctl.returncode, 1)
            self.assertIn("403", ctl.stderr)
            self.assertIn("token", ctl.stderr)

            cases = [("GET", "/nope", None, 404), ("GET", "/hold", None, 405),
                     ("DELETE", "/status", None, 405), ("POST", "/hold", "{not json", 400),
                     ("POST", "/hold", '{"isp": 5}', 400), ("POST", "/hold", '{"source": "x"}', 400),
                     ("POST", "/hold", '{"isp": "NoSuchIsp"}', 404),
                     ("POST", "/clear", "{}", 400),  # a node-wide clear needs "all": true
                     ("GET", "/queues/NoSuchIsp", None, 404),
                     ("POST", "/hold", "x" * 100000, 413)]
            for method, path, body, want in cases:
                token = "it-token-5f0c2a" if method == "POST" else None
                status, answer = curl(daemon, method, path, token=token, body=body)
                self.assertEqual(status, want, f"{method} {path} {str(body)[:40]}: {answer}")
                self.assertIn("error", answer, f"{method} {path}: a JSON error body")
            status, _ = curl(daemon, "GET", "/status", headers=["X-Big: " + "y" * 20000])
            self.assertEqual(status, 431)
            garbage = raw_exchange(daemon.status_port, b"GARBAGE\r\n\r\n")
            self.assertTrue(garbage.startswith(b"HTTP/1.1 400"), garbage[:200])
            smuggle = raw_exchange(daemon.status_port,
                                   b"GET /status HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                   b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            self.assertTrue(smuggle.startswith(b"HTTP/1.1 400"), smuggle[:200])
            # A client that connects and says nothing does not hold anything up.
            idle = socket.create_connection(("127.0.0.1", daemon.status_port))
            self.assertEqual(get(daemon, "/health"), {"alive": True, "ready": True})
            idle.close()

            with smtplib.SMTP("127.0.0.1", daemon.port, "load.test", timeout=30) as client:
                self.assertFalse(client.sendmail("s@origin.test", ["r@nowhere.test"],
                                                 b"Subject: still\r\n\r\nbody\r\n"))
            self.assertEqual(get(daemon, "/status")["totals"]["accepted"], 1)
            daemon.assert_running()

            # Reload by POST: reads now come only from 10.0.0.0/8.
            with open(daemon.config_path) as f:
                config = f.read()
            with open(daemon.config_path, "w") as f:
                f.write(config.replace('token_file =', 'allow = [ "10.0.0.0/8" ]; token_file ='))
            status, body = post(daemon, "/reload")
            self.assertEqual((status, body["generation"]), (200, 2), body)
            self.assertEqual(curl(daemon, "GET", "/status")[0], 403)
            with open(daemon.config_path, "w") as f:
                f.write(config.replace("smtp = {", "smtp = { bogus_setting = 1;"))
            status, body = post(daemon, "/reload")
            self.assertEqual(status, 422, body)
            self.assertIn("bogus_setting", body["error"])
            with open(daemon.config_path, "w") as f:
                f.write(config)
            self.assertEqual(post(daemon, "/reload")[0], 200)
            status = get(daemon, "/status")
            self.assertEqual(status["config"]["generation"], 3)
            self.assertTrue(status["config"]["last_reload_ok"])

            url = daemon.status_url
            daemon.stop()
            down = sluicectl(daemon, "status")
            self.assertEqual(down.returncode, 1)
            self.assertIn(f"cannot reach sluiced at {url}", down.stderr)


if __name__ == "__main__":
    unittest.main()
