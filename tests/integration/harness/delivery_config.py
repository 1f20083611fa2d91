"""Config and accounting helpers for the delivery scenarios: delivery_top() renders the dns,
delivery, routes and accounting sections (libconfig text) that point sluiced at a test dnsmasq
and at sinks on one port, with short retry intervals and the accounting log in the daemon's own
directory; accounting_records() reads that JSON-lines log back. No state of its own; a malformed
accounting line raises (the log must always be valid JSON lines).
"""

import json
import os

from sluice import wait_for

ACCOUNTING_FILE = "accounting.jsonl"


def _value(value):
    """A Python value as a libconfig literal: str → "…", list/tuple → [ … ], bool, int."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[ " + ", ".join(_value(v) for v in value) + " ]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _group(name, settings):
    body = " ".join(f"{key} = {_value(value)};" for key, value in settings.items())
    return f"{name} = {{ {body} }};"


def delivery_top(dns_address, sink_port, retry_intervals=("1s",), queue_lifetime="30s",
                 delivery=None, dns=None, routes=(), accounting=None):
    """A callable for Daemon(top=…): daemon directory → the top-level config text.

    dns_address: "127.0.0.1:PORT" of the test dnsmasq (or of a port where nothing answers).
    sink_port: delivery.port, the port of every MX sink.
    delivery / dns: further settings of those groups, e.g. {"max_connections_per_destination": 2}.
    routes: [{"domains": ["relay.test"], "host": "127.0.0.6", "port": 2526}, ...].
    accounting: further accounting settings, e.g. {"sync": "batch"} (the file and the JSON
    format are the defaults, and accounting_records() reads only that format).
    """
    dns_settings = {"servers": [dns_address], "timeout": "1s", "tries": 1}
    dns_settings.update(dns or {})
    delivery_settings = {"port": sink_port, "retry_intervals": list(retry_intervals),
                         "queue_lifetime": queue_lifetime, "connect_timeout": "5s",
                         "greeting_timeout": "10s", "command_timeout": "10s",
                         "data_init_timeout": "10s", "data_block_timeout": "10s",
                         "data_done_timeout": "10s", "idle_connection_timeout": "1s"}
    delivery_settings.update(delivery or {})

    def render(daemon_dir):
        accounting_settings = {"file": os.path.join(daemon_dir, ACCOUNTING_FILE),
                               "format": "json"}
        accounting_settings.update(accounting or {})
        lines = [_group("dns", dns_settings), _group("delivery", delivery_settings),
                 _group("accounting", accounting_settings)]
        if routes:
            lines.append("routes = ( " + ", ".join(
                "{ " + " ".join(f"{k} = {_value(v)};" for k, v in route.items()) + " }"
                for route in routes) + " );")
        return "\n".join(lines)
    return render


def accounting_path(daemon):
    return os.path.join(daemon.dir, ACCOUNTING_FILE)


def accounting_records(daemon):
    """Every complete line of the daemon's accounting log, parsed, in order."""
    try:
        with open(accounting_path(daemon), "rb") as f:
            text = f.read().decode("utf-8")
    except FileNotFoundError:
        return []
    lines = text.split("\n")[:-1]  # a line still being written has no newline yet
    return [json.loads(line) for line in lines if line]


def records_for(daemon, recipient=None, type=None, queue_id=None):
    """Accounting records filtered by recipient (any case), type ("attempt"/"final"), queue ID."""
    return [r for r in accounting_records(daemon)
            if (recipient is None or r["recipient"].lower() == recipient.lower())
            and (type is None or r["type"] == type)
            and (queue_id is None or r["queue_id"] == queue_id)]


def wait_for_final(daemon, recipient, timeout=20.0, queue_id=None):
    """Waits for the "final" accounting record of `recipient`; returns it."""
    def found():
        daemon.assert_running()
        return records_for(daemon, recipient, "final", queue_id)[:1]
    return wait_for(found, timeout, what=f"a final accounting record for {recipient}")[0]


def wait_for_empty_spool(daemon, timeout=20.0):
    """Waits until `sluicectl spool list` lists nothing."""
    def empty():
        daemon.assert_running()
        return not daemon.spool_ids()
    wait_for(empty, timeout, what="the spool to be empty")


def describe(records):
    """Accounting records as short lines, for assertion messages."""
    return "\n".join(f"  {r['type']} {r['queue_id']} {r['recipient']} #{r['attempt']} "
                     f"{r['outcome']} {r['enhanced_code']} mx={r['mx_host']}/{r['mx_ip']} "
                     f"{r['reply']!r} dsn={r['dsn_queue_id']}" for r in records)
