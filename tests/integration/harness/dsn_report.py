"""Reads a delivery status notification with Python's email package the way a mail client
would: parse_dsn() checks the RFC 3464 structure (multipart/report; report-type=delivery-status
with a message/delivery-status part) and returns its per-message and per-recipient fields.
Stateless; raises AssertionError naming what is wrong with the structure.
"""

import email
import email.policy
from dataclasses import dataclass


@dataclass
class Dsn:
    message: email.message.EmailMessage  # the whole DSN
    per_message: dict                    # field name (lower case) → value
    recipients: list                     # one dict per recipient, field names lower case
    human_text: str                      # the first (text/plain) part
    returned: object                     # the third part (message/rfc822 or text/rfc822-headers)


def _fields(block):
    return {name.lower(): " ".join(str(value).split()) for name, value in block.items()}


def parse_dsn(content):
    """Parses the bytes of a DSN as received; see Dsn."""
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert message.get_content_type() == "multipart/report", \
        f"got Content-Type {message.get_content_type()}, want multipart/report"
    report_type = message.get_param("report-type")
    assert report_type == "delivery-status", \
        f"got report-type {report_type!r}, want 'delivery-status'"
    parts = message.get_payload()
    assert len(parts) >= 2, f"got {len(parts)} parts, want at least 2"
    assert parts[0].get_content_type() == "text/plain", parts[0].get_content_type()
    assert parts[1].get_content_type() == "message/delivery-status", parts[1].get_content_type()
    blocks = parts[1].get_payload()  # the email package gives one Message per field block
    assert len(blocks) >= 2, f"got {len(blocks)} field blocks in the delivery-status part"
    return Dsn(message, _fields(blocks[0]), [_fields(b) for b in blocks[1:]],
               parts[0].get_content(), parts[2] if len(parts) > 2 else None)


def address_field(value):
    """'rfc822; X@A.test' → ('rfc822', 'x@a.test')."""
    kind, _, address = value.partition(";")
    return kind.strip().lower(), address.strip().lower()
