"""Deliveries queued in the transaction of their event and sent after it commits (the pattern
of ``notifications.outbox``).

``queue`` writes one ``Delivery`` per active endpoint that wants the event, once per
(endpoint, event, key) ever; after commit the ``deliver_webhook`` task sends each. A row
is claimed by one conditional update, so that of the processes racing for it one sends
it, and no transaction stays open during the request. A 2xx answer delivers it; any
other answer, a timeout or a refused address is a failure, tried again after one minute,
doubling to six hours, ``WEBHOOK_MAX_ATTEMPTS`` times at most.
"""

from __future__ import annotations

import http.client
import json
import logging
import ssl
from collections.abc import Callable
from datetime import timedelta
from uuid import uuid4

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import delivery, signing
from .models import Delivery, Endpoint

logger = logging.getLogger(__name__)

CLAIM = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
RESPONSE_CAP = 64 * 1024
USER_AGENT = "ICP-Self-Assessment-Webhooks/1"


def body_of(event: str, organisation, data: dict, delivery_id) -> str:
    return json.dumps(
        {
            "id": str(delivery_id),
            "event": event,
            "created_at": timezone.now().isoformat(),
            "organisation": {"id": str(organisation.uuid), "name": organisation.name},
            "data": data,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def queue_to(endpoint: Endpoint, event: str, data: dict) -> Delivery:
    """One delivery of ``event`` to ``endpoint`` alone (the owners' test event), each time
    anew."""
    identity = uuid4()
    row = Delivery.objects.create(
        uuid=identity,
        endpoint=endpoint,
        event=event,
        key=f"{event}-{identity}",
        body=body_of(event, endpoint.organisation, data, identity),
    )
    transaction.on_commit(lambda: _enqueue([row.pk]))
    return row


def queue(organisation, event: str, key: str, data: dict | Callable[[], dict]) -> list[Delivery]:
    """Queue ``event`` (about ``key``) for each of the organisation's endpoints that want
    it, in the caller's transaction; sent once it commits. ``data`` may be a function,
    called only if an endpoint wants the event (one query for an organisation without)."""
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(organisation=organisation, active=True)
        if event in endpoint.events
    ]
    if endpoints and callable(data):
        data = data()
    rows = []
    for endpoint in endpoints:
        identity = uuid4()
        row = Delivery(
            uuid=identity,
            endpoint=endpoint,
            event=event,
            key=key,
            body=body_of(event, organisation, data, identity),
        )
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            continue  # told already
        rows.append(row)
    if rows:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: _enqueue(ids))
    return rows


def _enqueue(ids: list[int]) -> None:
    from .tasks import deliver_webhook

    for delivery_id in ids:
        try:
            deliver_webhook.enqueue(delivery_id)
        except Exception:
            logger.exception("Delivery %s could not be handed to the task backend", delivery_id)


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 20), LONGEST_RETRY)


def _claim(delivery_id: int) -> Delivery | None:
    now = timezone.now()
    claimed = Delivery.objects.filter(
        Q(status=Delivery.Status.PENDING) | Q(status=Delivery.Status.RETRYING),
        pk=delivery_id,
        next_attempt_at__lte=now,
    ).update(next_attempt_at=now + CLAIM)
    if not claimed:
        return None
    return Delivery.objects.select_related("endpoint").get(pk=delivery_id)


def deliver(delivery_id: int) -> bool:
    """Send one due delivery; whether it was delivered. Never raises."""
    row = _claim(delivery_id)
    if row is None:
        return False
    body = row.body.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Webhook-Event": row.event,
        "X-Webhook-Delivery": str(row.uuid),
        signing.HEADER: signing.sign(row.endpoint.secret, body),
    }
    try:
        target = delivery.vet_configured(row.endpoint.url)
        answer = delivery.post(
            target, body, headers, timeout=settings.WEBHOOK_TIMEOUT, cap=RESPONSE_CAP
        )
    except Exception as error:  # a refused address, a timeout, a broken connection or answer
        return _failed(row, reason(error), None, None)
    if 200 <= answer.status < 300:
        Delivery.objects.filter(pk=row.pk).update(
            status=Delivery.Status.DELIVERED,
            attempts=row.attempts + 1,
            last_status_code=answer.status,
            last_duration_ms=answer.duration_ms,
            last_error="",
            delivered_at=timezone.now(),
        )
        return True
    return _failed(row, f"http|HTTP {answer.status}", answer.status, answer.duration_ms)


def reason(error: Exception) -> str:
    """Why a delivery failed, as ``kind|detail`` (``Delivery.error_text`` words the kind
    in the reader's language)."""
    if isinstance(error, delivery.Refused):
        return f"address|{error}"
    if isinstance(error, TimeoutError):
        return "timeout|"
    if isinstance(error, ssl.SSLError):
        return f"tls|{getattr(error, 'verify_message', '') or error.reason or error}"
    if isinstance(error, http.client.HTTPException):
        return f"protocol|{type(error).__name__}"
    if isinstance(error, OSError):
        return f"connection|{error.strerror or type(error).__name__}"
    return f"other|{type(error).__name__}"


def _failed(row: Delivery, error: str, code, duration) -> bool:
    attempts = row.attempts + 1
    given_up = attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    Delivery.objects.filter(pk=row.pk).update(
        status=Delivery.Status.GIVEN_UP if given_up else Delivery.Status.RETRYING,
        attempts=attempts,
        last_status_code=code,
        last_duration_ms=duration,
        last_error=error[:500],
        next_attempt_at=timezone.now() + retry_delay(attempts),
    )
    logger.warning("Delivery %s failed (attempt %s): %s", row.pk, attempts, error)
    return False


def send_again(row: Delivery) -> None:
    """An owner's "send again": due now, with its attempts counted afresh."""
    Delivery.objects.filter(pk=row.pk).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue([row.pk]))


def due(limit: int = 100) -> list[int]:
    return list(
        Delivery.objects.filter(
            status__in=(Delivery.Status.PENDING, Delivery.Status.RETRYING),
            next_attempt_at__lte=timezone.now(),
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
