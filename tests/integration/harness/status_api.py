"""Helpers for the status endpoint scenarios: a config fragment with a token file, and HTTP
calls made with the real curl (GET/POST, optional bearer token) that return the status code and
the parsed body. sluicectl() runs the real sluicectl against the daemon's endpoint."""

import json
import os
import subprocess

from sluice import SLUICECTL

TOKEN = "it-token-5f0c2a"


def status_top(base=None, allow=None):
    """Daemon(top=...) callable: `base`'s text (a callable or None) plus a status group on
    port 0 with a token file written into the daemon's directory."""
    def render(daemon_dir):
        token_file = os.path.join(daemon_dir, "status.token")
        with open(token_file, "w") as f:
            f.write(TOKEN + "\n")
        allow_text = ""
        if allow is not None:
            allow_text = " allow = [ " + ", ".join(f'"{a}"' for a in allow) + " ];"
        text = base(daemon_dir) + "\n" if base else ""
        return text + (f'status = {{ listen = "127.0.0.1:0"; token_file = "{token_file}";'
                       f"{allow_text} }};")
    return render


def curl(daemon, method, path, token=None, body=None, headers=()):
    """(status, parsed JSON body or text) of one request made with curl."""
    command = ["curl", "-sS", "-X", method, "-o", "-", "-w", "\n%{http_code}",
               "--max-time", "20", daemon.status_url + path]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    for header in headers:
        command += ["-H", header]
    if body is not None:
        command += ["-H", "Content-Type: application/json", "--data-binary",
                    body if isinstance(body, str) else json.dumps(body)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise AssertionError(f"curl {method} {path} failed: {done.stderr}")
    text, _, code = done.stdout.rpartition("\n")
    try:
        return int(code), json.loads(text)
    except ValueError:
        return int(code), text


def get(daemon, path):
    status, body = curl(daemon, "GET", path)
    if status != 200:
        raise AssertionError(f"GET {path}: {status} {body}")
    return body


def post(daemon, path, body=None, token=TOKEN):
    return curl(daemon, "POST", path, token=token, body=body)


def queue_of(daemon, isp):
    """The first queue of `isp` in /queues, or None."""
    for queue in get(daemon, "/queues")["queues"]:
        if queue["isp"] == isp:
            return queue
    return None


def sluicectl(daemon, *args, token_file=True):
    """Runs sluicectl against the daemon; returns the CompletedProcess (text)."""
    command = [SLUICECTL, *args, "--url", daemon.status_url]
    if token_file:
        command += ["--token-file", os.path.join(daemon.dir, "status.token")]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)
