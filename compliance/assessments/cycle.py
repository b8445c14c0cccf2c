"""The assessment cycle: an organisation assesses itself again every
``reassessment_months`` months, counted from its last submitted assessment.

The dashboard shows when the next one is due; the daily reminders tell the owners as
the day comes near.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from compliance.organisations.models import Organisation

from .models import LOCKED, Assessment


def add_months(day: date, months: int) -> date:
    """``day`` moved on by ``months`` calendar months; a day of the month that the
    target month lacks becomes its last day (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_submitted_at(organisation: Organisation) -> datetime | None:
    """When the organisation last submitted an assessment that still stands (submitted,
    in review or approved); None if it never did."""
    return Assessment.objects.filter(
        organisation=organisation, status__in=LOCKED, submitted_at__isnull=False
    ).aggregate(last=Max("submitted_at"))["last"]


def next_due(organisation: Organisation) -> date | None:
    """The day the organisation's next assessment is due; None before its first
    submission."""
    last = last_submitted_at(organisation)
    if last is None:
        return None
    return add_months(timezone.localdate(last), organisation.reassessment_months)


def with_last_submitted() -> QuerySet[Organisation]:
    """The organisations that submitted an assessment, each annotated with
    ``last_submitted_at`` (one query for all)."""
    return Organisation.objects.annotate(
        last_submitted_at=Max("assessments__submitted_at", filter=Q(assessments__status__in=LOCKED))
    ).filter(last_submitted_at__isnull=False)
