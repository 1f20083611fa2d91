"""A scripted remote mail server for delivery scenarios, byte-exact: an asyncio server on
127.0.0.N:PORT, in a background thread, that plays a script per connection. A script is a list
of steps:
  ("read",)          read one command line from the client (sluiced)
  ("content",)       read the message content up to and including its final "."
  ("send", bytes)    send exactly these bytes (several sends may make one answer)
  ("pause", seconds)
  ("close",)         end the connection
After the script the server only reads (and records) until the client leaves. Connection k plays
scripts[k], the last script again for any further connection. Each connection keeps a transcript
of both directions ("C: ...", "S: ..." with escapes) and its exchanges: groups of things the
client said, each followed by the bytes the server sent before the client said more.
confirmed_recipients() judges from those what the server meant to accept (the same rule as the
client's unit tests, tests/unit/daemon/delivery/delivery_invariant.hpp): a recipient whose RCPT
got a 2xx and whose content then got a 2xx while every earlier answer had exactly one reply per
thing said."""

import asyncio
import re

from loopback_server import LoopbackServer
from sluice import wait_for

REPLY_LINE = re.compile(rb"[2-5][0-9]{2}([ -].*)?")


def greeting_and_ehlo(extensions=("ENHANCEDSTATUSCODES",), greeting=b"220 mx.fake.test ESMTP\r\n"):
    """The steps of a greeting and an EHLO answered with `extensions`."""
    lines = [b"mx.fake.test"] + [e.encode() for e in extensions]
    ehlo = b"".join((b"250-" if i + 1 < len(lines) else b"250 ") + line + b"\r\n"
                    for i, line in enumerate(lines))
    return [("send", greeting), ("read",), ("send", ehlo)]


def lockstep(recipients, final=b"250 2.0.0 queued\r\n"):
    """MAIL, each RCPT and DATA answered in turn with 250/354, then the content with `final`."""
    steps = [("read",), ("send", b"250 2.1.0 ok\r\n")]
    for _ in range(recipients):
        steps += [("read",), ("send", b"250 2.1.5 ok\r\n")]
    return steps + [("read",), ("send", b"354 go ahead\r\n"), ("content",), ("send", final)]


def quit_steps():
    return [("read",), ("send", b"221 2.0.0 bye\r\n")]


def escaped(data):
    out = []
    for byte in data:
        char = chr(byte)
        if char == "\r":
            out.append("\\r")
        elif char == "\n":
            out.append("\\n")
        elif char == "\\":
            out.append("\\\\")
        elif byte < 0x20 or byte >= 0x7f:
            out.append(f"\\x{byte:02X}")
        else:
            out.append(char)
    return "".join(out)


def reply_codes(answer):
    """(codes of the complete well-formed replies at the start of `answer`, clean): clean is
    False when anything else follows them."""
    codes, code = [], None
    rest = answer
    while b"\n" in rest:
        line, rest = rest.split(b"\n", 1)
        line = line[:-1] if line.endswith(b"\r") else line
        if not REPLY_LINE.fullmatch(line) or (code is not None and int(line[:3]) != code):
            return codes, False
        if len(line) > 3 and line[3:4] == b"-":
            code = int(line[:3])
            continue
        codes.append(int(line[:3]))
        code = None
    return codes, rest == b"" and code is None


def confirmed_recipients(exchanges):
    """The recipients the server confirmed in one connection's exchanges (see the module text)."""
    confirmed, accepted = set(), set()
    for said, answer in exchanges:
        codes, clean = reply_codes(answer)
        expected = max(1, len(said))
        usable = 0 if len(codes) < len(said) else len(said)
        for (is_content, text), code in zip(said[:usable], codes):
            positive = code // 100 == 2
            if is_content:
                if positive:
                    confirmed |= accepted
                accepted = set()
            elif text.startswith(b"MAIL ") or text.startswith(b"RSET"):
                accepted = set()
            elif text.startswith(b"RCPT TO:<") and positive:
                accepted.add(text[len(b"RCPT TO:<"):text.index(b">")].decode().lower())
        if not clean or len(codes) != expected:
            break
    return confirmed


class FakeMx(LoopbackServer):
    def __init__(self, address, port, scripts):
        super().__init__(address, port)
        self.scripts = scripts
        self.connections = []  # per connection: {"transcript": [...], "exchanges": [...]}

    async def _serve(self, reader, writer):
        record = {"transcript": [], "exchanges": [], "done": False}
        with self.lock:
            index = len(self.connections)
            self.connections.append(record)
        script = self.scripts[min(index, len(self.scripts) - 1)]
        said, answer = [], b""  # the exchange in progress (the greeting answers nothing said)
        try:
            for step in script:
                if step[0] in ("read", "content"):
                    if step[0] == "read":
                        got = await reader.readline()
                    else:
                        got = await self._read_content(reader)
                    with self.lock:
                        record["transcript"].append("C: " + escaped(got))
                    if not got:
                        break
                    if answer:
                        with self.lock:
                            record["exchanges"].append((said, answer))
                        said, answer = [], b""
                    said.append((step[0] == "content", got))
                elif step[0] == "send":
                    writer.write(step[1])
                    await writer.drain()
                    answer += step[1]
                    with self.lock:
                        record["transcript"].append("S: " + escaped(step[1]))
                elif step[0] == "pause":
                    await asyncio.sleep(step[1])
                elif step[0] == "close":
                    break
            with self.lock:
                record["exchanges"].append((said, answer))
            if not script or script[-1][0] != "close":
                while True:
                    rest = await reader.readline()
                    if not rest:
                        break
                    with self.lock:
                        record["transcript"].append("C: " + escaped(rest) + "   (after the script)")
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            with self.lock:
                record["done"] = True

    @staticmethod
    async def _read_content(reader):
        data = b""
        while not (data == b".\r\n" or data.endswith(b"\r\n.\r\n")):
            line = await reader.readline()
            if not line:
                return b""
            data += line
        return data

    # -- observation -----------------------------------------------------------------------
    def connection_count(self):
        with self.lock:
            return len(self.connections)

    def transcripts(self):
        with self.lock:
            return "\n".join(f"--- connection {k} ---\n" + "\n".join(c["transcript"])
                             for k, c in enumerate(self.connections))

    def confirmed(self):
        with self.lock:
            exchanges = [list(c["exchanges"]) for c in self.connections]
        found = set()
        for one in exchanges:
            found |= confirmed_recipients(one)
        return found

    def wait_until_idle(self, timeout=20.0):
        """Waits until every connection so far has ended (its exchanges are complete)."""
        def idle():
            with self.lock:
                return all(c["done"] for c in self.connections)
        wait_for(idle, timeout, what="the fake MX's connections to end")

    def wait_for_connections(self, count, timeout=20.0):
        wait_for(lambda: self.connection_count() >= count, timeout,
                 what=f"{count} connection(s) to the fake MX")
