"""The lifecycle the scripted test servers share: an asyncio server on address:port in a
background thread, started and stopped by the test (or used as a context manager). A subclass
provides `async def _serve(self, reader, writer)` for each connection; `self.lock` guards what
it records for the test to read."""

import asyncio
import threading


class LoopbackServer:
    def __init__(self, address, port):
        self.address = address
        self.port = port
        self.lock = threading.Lock()
        self._loop = None
        self._thread = None
        self._ready = threading.Event()
        self._error = None

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error:
            raise self._error
        return self

    def stop(self):
        if self._loop:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def _run(self):
        self._loop = asyncio.new_event_loop()
        try:
            server = self._loop.run_until_complete(
                asyncio.start_server(self._serve, self.address, self.port))
        except OSError as error:
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            for task in asyncio.all_tasks(self._loop):
                task.cancel()
            self._loop.run_until_complete(asyncio.sleep(0))
            self._loop.close()

    async def _serve(self, reader, writer):
        raise NotImplementedError
