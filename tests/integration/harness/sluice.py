"""Shared harness for the integration scenarios: runs the real sluiced on loopback with a private
config and spool, waits for readiness by reading its log, and offers a raw SMTP client that
sends exact bytes and reads exact replies. Waits are for conditions with a timeout, never bare
sleeps. Needs Debian's /usr/bin/python3 (run by ctest with SLUICED and SLUICECTL set).
"""

import json
import os
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request

SLUICED = os.environ.get("SLUICED", "build/daemon/sluiced")
SLUICECTL = os.environ.get("SLUICECTL", "build/daemon/sluicectl")

NO_DNS_SERVER = "127.0.0.1:9"  # the discard port: no DNS server answers there

DEFAULT_SETTINGS = {
    "hostname": '"mx.sluice.test"',
    "smtp.relay_networks": '[ "127.0.0.0/8", "::1/128" ]',
}


def wait_for(predicate, timeout=10.0, interval=0.02, what="condition"):
    """Polls predicate until it returns a true value; raises TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def render_config(spool_dir, smtp=None, top=None, listen=None, spool=None):
    """A sluice.conf text: defaults overridden by `smtp` (dict of smtp.* settings, values as
    libconfig literals), `spool` (further spool.* settings, alike) and `top` (extra top-level text, or a callable that takes the daemon's
    directory and returns that text)."""
    smtp_settings = {"relay_networks": '[ "127.0.0.0/8", "::1/128" ]'}
    smtp_settings.update(smtp or {})
    listen = listen or ['{ address = "127.0.0.1"; port = 0; name = "test"; }']
    lines = ['hostname = "mx.sluice.test";', "smtp = {", f"  listen = ( {', '.join(listen)} );"]
    lines += [f"  {key} = {value};" for key, value in smtp_settings.items()]
    spool_settings = "".join(f" {key} = {value};" for key, value in (spool or {}).items())
    lines += ["};", f'spool = {{ directory = "{spool_dir}";{spool_settings} }};']
    if not top or not re.search(r"^\s*dns\s*=", top, re.MULTILINE):
        # Keep delivery hermetic: never the machine's resolver (the default, /etc/resolv.conf).
        # Nothing listens there, so every lookup fails at once and mail stays deferred.
        lines.append(f'dns = {{ servers = [ "{NO_DNS_SERVER}" ]; timeout = "1s"; tries = 1; }};')
    if not top or not re.search(r"^\s*status\s*=", top, re.MULTILINE):
        # Port 0: scenarios run in parallel; the daemon logs the port it got.
        lines.append('status = { listen = "127.0.0.1:0"; };')
    if top:
        lines.append(top)
    return "\n".join(lines) + "\n"


class Daemon:
    """One sluiced process with its own directory (config, spool, log)."""

    def __init__(self, smtp=None, top=None, listen=None, config_text=None, env=None, spool=None):
        self.dir = tempfile.mkdtemp(prefix="sluice-it-")
        self.spool = os.path.join(self.dir, "spool")
        self.config_path = os.path.join(self.dir, "sluice.conf")
        self.log_path = os.path.join(self.dir, "sluiced.log")
        if callable(top):
            top = top(self.dir)
        text = config_text or render_config(self.spool, smtp, top, listen, spool)
        with open(self.config_path, "w") as f:
            f.write(text)
        self.env = dict(env or {})  # extra environment for sluiced only (e.g. LD_PRELOAD)
        self.process = None
        self.ports = []
        self._log_offset = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, timeout=15.0):
        self._log_offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        log = open(self.log_path, "ab")
        # SLUICE_DAEMON_WRAPPER="gdb -batch -ex run -ex bt --args" (or valgrind) for debugging.
        wrapper = os.environ.get("SLUICE_DAEMON_WRAPPER", "").split()
        self.process = subprocess.Popen([*wrapper, SLUICED, "-c", self.config_path],
                                        stdout=log, stderr=log, env={**os.environ, **self.env})
        log.close()

        def ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"sluiced exited with {self.process.returncode}:\n{self.log()}")
            ports = re.findall(r"listening on \S+ port (\d+)", self.new_log())
            return [int(p) for p in ports] if "sluiced started" in self.new_log() else None

        self.ports = wait_for(ready, timeout, what="sluiced to listen")
        found = re.search(r"status endpoint on \S+ port (\d+)", self.new_log())
        self.status_port = int(found.group(1)) if found else None
        return self

    @property
    def status_url(self):
        return f"http://127.0.0.1:{self.status_port}"

    @property
    def port(self):
        return self.ports[0]

    def assert_running(self):
        """Raises AssertionError (with the log's tail) if sluiced has exited."""
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"sluiced exited with {self.process.returncode}; log tail:\n"
                                 f"{self.log()[-3000:]}")

    def stop(self, timeout=30.0):
        """SIGTERM and wait; returns the exit status."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise
        return self.process.returncode if self.process else None

    def reload(self, config_text=None, outcome=r"reloaded configuration|reload failed",
               timeout=10.0):
        """Rewrites the config (if `config_text`), sends SIGHUP and waits for the log line that
        reports the reload's outcome; returns the match."""
        if config_text is not None:
            with open(self.config_path, "w") as f:
                f.write(config_text)
        before = len(self.new_log())
        self.process.send_signal(signal.SIGHUP)
        return wait_for(lambda: re.search(outcome, self.new_log()[before:]), timeout,
                        what="the reload to be reported")

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def __enter__(self):
        return self.start()

    def past_lifetime_recipients(self):
        """/status's count of recipients accepted, not final and past their lifetime, or None
        when the status endpoint cannot say (not reachable, or a config that refuses reads)."""
        try:
            with urllib.request.urlopen(self.status_url + "/status", timeout=10) as response:
                return json.loads(response.read())["delivery"]["past_lifetime_recipients"]
        except (OSError, ValueError, KeyError, AttributeError):
            return None

    def __exit__(self, *exc):
        # The expiry invariant, after every scenario that ends normally: no recipient waits
        # past its lifetime (sluice.conf(5), delivery.queue_lifetime).
        overdue = None
        if exc[0] is None and self.process and self.process.poll() is None:
            overdue = self.past_lifetime_recipients()
        failed = exc[0] is not None or bool(overdue)
        try:
            if self.process and self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        finally:
            if failed:
                print(f"--- sluiced log ({self.log_path}) ---\n{self.log()[-6000:]}")
                accounting = os.path.join(self.dir, "accounting.jsonl")
                if os.path.exists(accounting):
                    with open(accounting, "rb") as f:
                        tail = f.read()[-6000:].decode("utf-8", "replace")
                    print(f"--- accounting log ({accounting}) ---\n{tail}")
            elif not os.environ.get("SLUICE_KEEP_TEST_DIRS"):
                shutil.rmtree(self.dir, ignore_errors=True)
        if overdue:
            raise AssertionError(f"{overdue} recipients are past their lifetime")
        return False

    # -- observation -----------------------------------------------------------------------
    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def new_log(self):
        """The log written since the last start()."""
        with open(self.log_path, "rb") as f:
            f.seek(self._log_offset)
            return f.read().decode("utf-8", "replace")

    def ctl(self, *args, check=True):
        """Runs sluicectl with this daemon's config; returns CompletedProcess (bytes)."""
        result = subprocess.run([SLUICECTL, *args[:2], "-c", self.config_path, *args[2:]]
                                if args and args[0] == "spool" else [SLUICECTL, *args],
                                capture_output=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"sluicectl {args} failed ({result.returncode}): "
                                 f"{result.stderr.decode(errors='replace')}")
        return result

    def spool_ids(self):
        """Queue IDs listed by `sluicectl spool list` (first column)."""
        return set(self.spool_list())

    def spool_list(self):
        """`sluicectl spool list` as {queue ID: its whole line}."""
        out = self.ctl("spool", "list").stdout.decode("utf-8", "replace")
        return {line.split()[0]: line for line in out.splitlines()
                if line.strip() and QUEUE_ID.fullmatch(line.split()[0])}

    def wait_for_log(self, pattern, timeout=10.0, since_start=True):
        """Waits until the log (since the last start, by default) matches the regex `pattern`;
        returns the match."""
        def found():
            return re.search(pattern, self.new_log() if since_start else self.log())
        return wait_for(found, timeout, what=f"log line matching {pattern!r}")

    @property
    def pid(self):
        return self.process.pid

    def spool_show(self, queue_id):
        return self.ctl("spool", "show", queue_id).stdout


class SmtpClient:
    """A raw SMTP client: exact bytes out, exact replies in."""

    def __init__(self, port, source_address=None, timeout=10.0, host="127.0.0.1"):
        self.sock = socket.create_connection(
            (host, port), timeout=timeout,
            source_address=(source_address, 0) if source_address else None)
        self.timeout = timeout
        self.buffer = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def read_line(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"connection closed; unread: {self.buffer!r}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def reply(self):
        """One (possibly multi-line) reply as the list of its lines."""
        lines = [self.read_line()]
        while len(lines[-1]) >= 4 and lines[-1][3] == "-":
            lines.append(self.read_line())
        return lines

    def reply_line(self):
        """The last line of the next reply, e.g. '250 2.1.0 Ok'."""
        return self.reply()[-1]

    def command(self, line):
        self.send(line + "\r\n")
        return self.reply_line()

    def start_tls(self, context, server_hostname="mx.sluice.test"):
        """Wraps the connection in TLS (after the server's 220 to STARTTLS, or at once for
        implicit TLS). Bytes already buffered would be plaintext the server must not see as
        commands: the caller checks that there are none."""
        self.sock = context.wrap_socket(self.sock, server_hostname=server_hostname)
        return self.sock.version(), self.sock.cipher()[0]

    def is_closed(self, timeout=5.0):
        """True once the server has closed the connection (after any buffered bytes)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buffer += chunk
        except (ConnectionResetError, BrokenPipeError):
            return True
        except ssl.SSLError:
            return True  # the peer closed a TLS connection without close_notify
        except socket.timeout:
            return False

    def replies(self, count):
        """The last lines of the next `count` replies."""
        return [self.reply_line() for _ in range(count)]

    def nothing_arrives(self, timeout=0.3):
        """True if the server sends nothing within `timeout` (a check for the absence of a
        reply, not a synchronisation); anything that does arrive stays readable."""
        if self.buffer:
            return False
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return True
        finally:
            self.sock.settimeout(self.timeout)
        self.buffer += chunk
        return False

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def open_session(port, helo="client.sluice.test", **kwargs):
    """A connected client past the greeting and EHLO."""
    client = SmtpClient(port, **kwargs)
    greeting = client.reply_line()
    assert greeting.startswith("220 "), greeting
    ehlo = client.command(f"EHLO {helo}")
    assert ehlo.startswith("250 "), ehlo
    return client


QUEUE_ID = re.compile(r"[0-9A-V]{16}")


def submit(port, sender, recipients, content, helo="submit.client.test"):
    """Sends one message with smtplib (which dot-stuffs); returns its queue ID. Raises
    AssertionError unless every recipient and the data were accepted."""
    with smtplib.SMTP("127.0.0.1", port, helo, timeout=30) as client:
        client.ehlo()
        code, text = client.mail(sender)
        assert code == 250, f"MAIL FROM:<{sender}> got {code} {text!r}"
        for recipient in recipients:
            code, text = client.rcpt(recipient)
            assert code == 250, f"RCPT TO:<{recipient}> got {code} {text!r}"
        code, text = client.data(content)
    line = f"{code} {text.decode(errors='replace')}"
    assert queued_id(line), f"DATA got {line!r}"
    return queued_id(line)


def queued_id(reply_line):
    """The queue ID from '250 2.0.0 Ok: queued as ID', or None."""
    match = re.match(r"250 2\.0\.0 Ok: queued as (\S+)$", reply_line)
    return match.group(1) if match else None


def split_stored(stored, date_added, message_id_added):
    """Splits a stored message (bytes, as `sluicectl spool show` prints it) into the headers
    Sluice added and the content as received. Returns ({"Received": unfolded value, "Date": ...,
    "Message-ID": ...}, rest). `date_added`/`message_id_added` say whether the test expects
    those two; an AssertionError names what is missing. If the content had no header block, the
    rest starts with the empty line Sluice inserted."""
    added = {}
    rest = stored
    match = re.match(rb"Received: ((?:[^\r\n]*\r\n)(?:[ \t][^\r\n]*\r\n)*)", rest)
    if not match:
        raise AssertionError(f"stored message does not start with Received:: {stored[:300]!r}")
    added["Received"] = re.sub(rb"\r\n[ \t]", b" ", match.group(1)).rstrip(b"\r\n").decode()
    rest = rest[match.end():]
    for name, wanted in (("Date", date_added), ("Message-ID", message_id_added)):
        if not wanted:
            continue
        match = re.match(rb"%s: ([^\r\n]*)\r\n" % name.encode(), rest)
        if not match:
            raise AssertionError(f"no {name}: added after Received:: {stored[:400]!r}")
        added[name] = match.group(1).decode()
        rest = rest[match.end():]
    return added, rest


def swaks(port, *args, server="127.0.0.1", timeout=60):
    """Runs swaks against `server`:`port` with `args`; returns CompletedProcess (text). swaks
    dot-stuffs, turns LF into CRLF and ends the data with CRLF.CRLF."""
    return subprocess.run(["swaks", "--server", server, "--port", str(port), *args],
                          capture_output=True, text=True, timeout=timeout)


def swaks_replies(output):
    """The server reply lines in a swaks transcript ("<-  250 ..." and "<** 550 ...", and
    "<~  " / "<~* " for those read inside TLS)."""
    return [line[4:].strip() for line in output.splitlines()
            if line[:4] in ("<-  ", "<** ", "<~  ", "<~* ")]


def free_port(host="127.0.0.1"):
    """A TCP port that was free a moment ago (for configs that need a fixed port)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def connect_refused(port, host="127.0.0.1", timeout=2.0):
    """True if a TCP connection to host:port is refused. A connection reset while the listener is
    being closed (it was still queued in the backlog) is not a refusal yet: False, ask again."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except ConnectionRefusedError:
        return True
    except ConnectionResetError:
        return False
    return False
