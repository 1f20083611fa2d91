#!/usr/bin/python3
"""Polls a status endpoint URL in a loop (a new connection per request, as a monitoring system
does) until SIGTERM or SIGINT, then prints "count= p50_ms= p99_ms= max_ms= errors=" on stdout.
Each request's latency runs from before connect to the last byte of the body."""

import http.client
import signal
import sys
import time
import urllib.parse

url = urllib.parse.urlsplit(sys.argv[1])
interval = float(sys.argv[2]) if len(sys.argv) > 2 else 0.01
stop = False


def stopping(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, stopping)
signal.signal(signal.SIGINT, stopping)
latencies, errors = [], 0
while not stop:
    start = time.perf_counter()
    try:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        connection.request("GET", url.path or "/")
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            errors += 1
        else:
            latencies.append((time.perf_counter() - start) * 1000)
    except OSError:
        errors += 1
    time.sleep(interval)
latencies.sort()


def pct(p):
    return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else 0


print(f"count={len(latencies)} p50_ms={pct(50):.2f} p99_ms={pct(99):.2f} "
      f"max_ms={(latencies[-1] if latencies else 0):.2f} errors={errors}")
