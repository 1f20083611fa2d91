"""A loopback HTTPS server for MTA-STS policies (RFC 8461 §3.3): answers
GET /.well-known/mta-sts.txt with the policy text registered for the Host header's name
("mta-sts.DOMAIN"), as text/plain, and 404 otherwise, after `delay` seconds (a slow server);
counts the requests per host. Runs in a
thread (http.server with Python's ssl); use as a context manager, or stop() it mid-test."""

import http.server
import threading
import time


class MtaStsServer:
    def __init__(self, address, port, context, policies):
        """policies: {"mta-sts.a.test": "version: STSv1\\r\\n..."}."""
        self.policies = dict(policies)
        self.requests = {}
        self.delay = 0.0
        # {"mta-sts.a.test": (status, {header: value}, body)}: answered as given instead.
        self.responses = {}
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                with server.lock:
                    server.requests[host] = server.requests.get(host, 0) + 1
                body = server.policies.get(host)
                time.sleep(server.delay)
                if host in server.responses:
                    status, headers, raw = server.responses[host]
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                    return
                if self.path != "/.well-known/mta-sts.txt" or body is None:
                    self.send_error(404)
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer((address, port), Handler)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.running = False

    def start(self):
        self.thread.start()
        self.running = True
        return self

    def stop(self):
        if self.running:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.running = False

    def request_count(self, host):
        with self.lock:
            return self.requests.get(host, 0)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False
