"""A real SMTP receiving server for the delivery scenarios: Debian's python3-aiosmtpd on
127.0.0.N:PORT (each test domain's MX host gets its own loopback address, all on the port that
sluiced delivers to), answering each recipient by a table, in a background thread with its own
asyncio loop. It records every RCPT (with its reply) and every message (envelope and exact
content bytes, dot-unstuffed) in lists guarded by one lock, with wait helpers that poll with a
timeout. Needs /usr/bin/python3; raises on start-up if aiosmtpd is missing or the port is taken.
"""

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field

from sluice import wait_for

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP
except ImportError as error:  # pragma: no cover - a missing Debian package
    raise ImportError("aiosmtpd is missing: apt-get install python3-aiosmtpd "
                      "(and run under /usr/bin/python3)") from error

logging.getLogger("mail.log").setLevel(logging.CRITICAL)  # aiosmtpd chatter; we record ourselves

ACCEPT = "250 2.1.5 Ok"
DEFER = "450 4.2.1 Try later"
NO_SUCH_USER = "550 5.1.1 No such user"
ONCE_SUFFIX = " once then 250"


@dataclass
class Message:
    """One message as received after the final dot."""
    sender: str            # "" for the null sender
    recipients: list       # the recipients accepted for this transaction
    content: bytes         # exactly as sent, dot-unstuffed, without the final ".\r\n"
    helo: str
    peer: tuple
    connection: int        # which connection (1, 2, ...) carried it
    replied: bool = True   # False when the sink dropped the connection instead of replying
    received_at: float = 0.0  # time.monotonic() when the final dot arrived
    tls: str = ""          # the TLS version ("TLSv1.3") when it came over STARTTLS, else ""


@dataclass
class Rcpt:
    address: str
    reply: str
    sender: str
    connection: int


@dataclass
class _Counters:
    open: int = 0
    max_open: int = 0
    total: int = 0
    next_id: int = 0
    ids: dict = field(default_factory=dict)


def _sender(envelope):
    """The envelope sender as recorded: "" for the null sender."""
    return "" if envelope.mail_from in (None, "<>") else envelope.mail_from


def _tls_version(session):
    """The TLS version of an aiosmtpd session after STARTTLS, else ""."""
    extra = getattr(session, "ssl", None)
    if not extra:
        return ""
    ssl_object = extra.get("ssl_object")
    return ssl_object.version() if ssl_object is not None else "TLS"


class Behaviour:
    """Per-recipient replies. `table` maps an address (any case) to "250", any reply text
    ("450 4.2.1 Try later", "550 5.1.1 No such user") or "<reply> once then 250" (that reply to
    the first RCPT for the address, 250 afterwards; "450 once then 250" uses DEFER's text)."""

    def __init__(self, table=None, default="250"):
        self.table = {address.lower(): reply for address, reply in (table or {}).items()}
        self.default = default
        self.seen = {}

    def reply(self, address):
        """The RCPT reply for `address` now (io thread of the sink only)."""
        key = address.lower()
        rule = self.table.get(key, self.default)
        count = self.seen.get(key, 0)
        self.seen[key] = count + 1
        if rule.endswith(ONCE_SUFFIX):
            first = rule[:-len(ONCE_SUFFIX)]
            first = DEFER if first == "450" else first
            return first if count == 0 else ACCEPT
        return ACCEPT if rule == "250" else rule


class _CountingSmtp(SMTP):
    """aiosmtpd's server session, counting concurrent connections."""

    def __init__(self, handler, sink, **kwargs):
        super().__init__(handler, **kwargs)
        self.sink_ = sink

    def connection_made(self, transport):
        self.sink_._connection_opened(self)
        super().connection_made(transport)

    def connection_lost(self, error):
        self.sink_._connection_closed(self)
        super().connection_lost(error)


class _Controller(Controller):
    def __init__(self, sink, **kwargs):
        super().__init__(sink, **kwargs)
        self.sink_ = sink

    def factory(self):
        return _CountingSmtp(self.handler, self.sink_, **self.SMTP_kwargs)


class SmtpSink:
    """An aiosmtpd server on address:port; use as a context manager.

    behaviours: {address: reply rule} (see Behaviour); default: rule for other addresses.
    drop_after_data: how many messages to answer by closing the connection after the final dot
      instead of replying (True: all of them); the message is still recorded, replied=False.
    data_delay: seconds the sink waits after the final dot before replying (a slow server).
    held: if True, replies after the final dot wait until release() (see hold()).
    tls_context: an ssl.SSLContext (server side) to offer STARTTLS with; None: no STARTTLS.
    """

    def __init__(self, address, port, behaviours=None, default="250", drop_after_data=0,
                 data_delay=0.0, held=False, name=None, tls_context=None):
        self.address = address
        self.port = port
        self.name = name or f"sink {address}:{port}"
        self.behaviour = Behaviour(behaviours, default)
        self.drop_after_data = drop_after_data
        self.data_delay = data_delay
        self.tls_context = tls_context
        self.lock = threading.Lock()
        self._messages = []
        self._rcpts = []
        self._senders = []
        self._counters = _Counters()
        self._released = threading.Event()
        if not held:
            self._released.set()
        self.controller = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self):
        extra = {"tls_context": self.tls_context} if self.tls_context else {}
        self.controller = _Controller(self, hostname=self.address, port=self.port,
                                      server_hostname=f"sink-{self.address}.test",
                                      ready_timeout=10.0, **extra)
        self.controller.start()
        with self.lock:  # forget the controller's own start-up probe connection
            self._counters = _Counters(open=self._counters.open)
        return self

    def stop(self):
        if self.controller is not None:
            self.release()
            self.controller.stop()
            self.controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if exc[0] is not None:
            print(f"--- {self.name}: {self.summary()}")
        return False

    def hold(self):
        """Until release(), every reply after the final dot waits (messages are recorded)."""
        self._released.clear()

    def release(self):
        self._released.set()

    # -- aiosmtpd handler hooks (the sink's loop thread) -----------------------------------
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        envelope.mail_from = address  # "<>" for the null sender (aiosmtpd needs it non-empty)
        envelope.mail_options.extend(mail_options)
        with self.lock:
            self._senders.append(_sender(envelope))
        return "250 2.1.0 Ok"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.behaviour.reply(address)
        with self.lock:
            self._rcpts.append(Rcpt(address, reply, _sender(envelope),
                                    self._counters.ids.get(id(server), 0)))
        if reply.startswith("2"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            drop = self.drop_after_data is True or self.drop_after_data > 0
            if drop and self.drop_after_data is not True:
                self.drop_after_data -= 1
            self._messages.append(Message(
                _sender(envelope), list(envelope.rcpt_tos), bytes(envelope.original_content),
                session.host_name or "", session.peer, self._counters.ids.get(id(server), 0),
                replied=not drop, received_at=time.monotonic(),
                tls=_tls_version(session)))
        if drop:
            server.transport.abort()
            return "451 4.3.0 (never sent)"
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        while not self._released.is_set():  # hold(): polled, so release() works from any thread
            await asyncio.sleep(0.01)
        return "250 2.0.0 Ok: queued"

    def _connection_opened(self, server):
        with self.lock:
            counters = self._counters
            counters.next_id += 1
            counters.ids[id(server)] = counters.next_id
            counters.total += 1
            counters.open += 1
            counters.max_open = max(counters.max_open, counters.open)

    def _connection_closed(self, server):
        with self.lock:
            self._counters.open -= 1

    # -- observation (any thread) ----------------------------------------------------------
    def messages(self):
        with self.lock:
            return list(self._messages)

    def rcpts(self):
        with self.lock:
            return list(self._rcpts)

    def senders(self):
        with self.lock:
            return list(self._senders)

    def rcpt_count(self, address):
        """How many RCPT TO commands named `address` (any reply)."""
        return sum(r.address.lower() == address.lower() for r in self.rcpts())

    def delivered_to(self, address):
        """The messages accepted for `address` (after a reply to the final dot)."""
        return [m for m in self.messages()
                if m.replied and address.lower() in (r.lower() for r in m.recipients)]

    @property
    def connections(self):
        """How many connections were opened (since start)."""
        with self.lock:
            return self._counters.total

    @property
    def max_concurrent(self):
        """The most connections open at once."""
        with self.lock:
            return self._counters.max_open

    @property
    def open_connections(self):
        with self.lock:
            return self._counters.open

    def wait_for_messages(self, count, timeout=20.0):
        """Waits until at least `count` messages were received; returns them all."""
        return self._wait(lambda: len(self.messages()) >= count and self.messages(), timeout,
                          f"{count} messages")

    def wait_for_recipient(self, address, timeout=20.0):
        """Waits until a message for `address` was accepted; returns the first one."""
        return self._wait(lambda: self.delivered_to(address)[:1], timeout,
                          f"a message for {address}")[0]

    def wait_for_rcpts(self, address, count, timeout=20.0):
        """Waits until `count` RCPT commands named `address`; returns those records."""
        def enough():
            found = [r for r in self.rcpts() if r.address.lower() == address.lower()]
            return found if len(found) >= count else None
        return self._wait(enough, timeout, f"{count} RCPT for {address}")

    def _wait(self, predicate, timeout, what):
        try:
            return wait_for(predicate, timeout, what=f"{what} at {self.name}")
        except TimeoutError as error:
            raise TimeoutError(f"{error}; it has {self.summary()}") from None

    def summary(self):
        with self.lock:
            return (f"{len(self._messages)} messages, {len(self._rcpts)} RCPT, "
                    f"{self._counters.total} connections (max {self._counters.max_open} at once)"
                    + "".join(f"\n  RCPT {r.address} from <{r.sender}> -> {r.reply}"
                              for r in self._rcpts[-20:]))


