"""A hostile SMTP server for the delivery scenarios: an asyncio server on 127.0.0.N:PORT, in a
background thread, that misbehaves in one chosen way so tests can check that delivery defers
(never bounces, never hangs, never crashes). Behaviours:
  "silent"        accepts the connection and never sends a greeting;
  "endless_reply" sends "220-" lines forever (a multi-line reply that never ends);
  "slow_reply"    sends a correct greeting at one byte per second.
It counts connections and keeps every byte received, guarded by one lock. No real SMTP."""

import asyncio

from loopback_server import LoopbackServer
from sluice import wait_for

BEHAVIOURS = ("silent", "endless_reply", "slow_reply")


class HostileServer(LoopbackServer):
    def __init__(self, address, port, behaviour):
        assert behaviour in BEHAVIOURS, behaviour
        super().__init__(address, port)
        self.behaviour = behaviour
        self._connections = 0
        self._received = b""

    # -- behaviours ------------------------------------------------------------------------
    async def _serve(self, reader, writer):
        with self.lock:
            self._connections += 1
        collector = asyncio.ensure_future(self._collect(reader))
        try:
            if self.behaviour == "endless_reply":
                line = b"220-mx.hostile.test says hello, and again, and again\r\n"
                while not reader.at_eof():
                    writer.write(line * 64)
                    await writer.drain()
            elif self.behaviour == "slow_reply":
                for byte in b"220 mx.hostile.test ESMTP\r\n":
                    writer.write(bytes([byte]))
                    await writer.drain()
                    await asyncio.sleep(1.0)
            await collector  # "silent", and after the others: hold the line until the peer goes
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            collector.cancel()
            writer.close()

    async def _collect(self, reader):
        while True:
            data = await reader.read(65536)
            if not data:
                return
            with self.lock:
                self._received += data

    # -- observation -----------------------------------------------------------------------
    def connections(self):
        with self.lock:
            return self._connections

    def received(self):
        with self.lock:
            return self._received

    def wait_for_connections(self, count, timeout=20.0):
        wait_for(lambda: self.connections() >= count, timeout,
                 what=f"{count} connection(s) to the hostile server")
