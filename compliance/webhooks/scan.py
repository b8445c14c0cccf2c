"""The daily events: actions overdue and evidence expiring, each told once per endpoint
(the delivery's key names the object and its date, so a new due date is told again)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction

from compliance.actions.models import Action
from compliance.actions.selectors import overdue_q
from compliance.evidence.models import EvidenceItem
from compliance.evidence.selectors import EXPIRING_DAYS

from . import outbox
from .models import Endpoint, Event


def _tell(organisation, event: str, key: str, data: dict) -> int:
    """Queue one object's event in a transaction of its own; how many deliveries."""
    with transaction.atomic():
        return len(outbox.queue(organisation, event, key, data))


def scan(day: date) -> int:
    """Queue the day's events for the organisations with endpoints; how many queued."""
    organisations = set(
        Endpoint.objects.filter(active=True).values_list("organisation_id", flat=True)
    )
    queued = 0
    actions = (
        Action.objects.filter(organisation_id__in=organisations)
        .filter(overdue_q(day))
        .select_related("organisation")
    )
    for action in actions:
        queued += _tell(
            action.organisation,
            Event.ACTION_OVERDUE,
            f"action-{action.uuid}-{action.due_date.isoformat()}",
            {
                "id": str(action.uuid),
                "title": action.title,
                "question_code": action.question_code,
                "status": action.status,
                "due_date": action.due_date.isoformat(),
                "url": f"{settings.SITE_URL}/api/v1/actions/{action.uuid}/",
            },
        )
    items = (
        EvidenceItem.objects.current()
        .filter(
            organisation_id__in=organisations,
            valid_until__isnull=False,
            valid_until__lte=day + timedelta(days=EXPIRING_DAYS),
        )
        .select_related("organisation")
    )
    for item in items:
        queued += _tell(
            item.organisation,
            Event.EVIDENCE_EXPIRING,
            f"evidence-{item.uuid}-{item.valid_until.isoformat()}",
            {
                "id": str(item.uuid),
                "title": item.title,
                "valid_until": item.valid_until.isoformat(),
                "url": f"{settings.SITE_URL}/api/v1/evidence/{item.uuid}/",
            },
        )
    return queued
