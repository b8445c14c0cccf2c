"""The signature of a delivery: HMAC-SHA256 with the endpoint's secret over the
timestamp, a dot and the body, sent as ``X-Webhook-Signature: t=<unix>,v1=<hex>``
(docs/webhooks.md shows a receiver how to check it)."""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Webhook-Signature"
#: How old a signature a receiver should still accept (docs/webhooks.md).
TOLERANCE = 300


def signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def sign(secret: str, body: bytes, now: float | None = None) -> str:
    return signature(secret, body, int(now if now is not None else time.time()))


def verify(secret: str, body: bytes, header: str, now: float | None = None) -> bool:
    """What a receiver does: the header's signature is ours and recent."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    now = now if now is not None else time.time()
    if abs(now - timestamp) > TOLERANCE:
        return False
    expected = signature(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))
