"""Reads of the evidence library, through the organisations' access rule."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.organisations.selectors import organisations_for

from .models import EvidenceFile, EvidenceItem

#: Evidence whose "valid until" falls within this many days is listed as expiring.
EXPIRING_DAYS = 30


def today() -> date:
    return timezone.localdate()


def page_dates(day: date | None = None) -> dict:
    """What a page that marks expired and expiring evidence needs, and the upload limit."""
    from django.conf import settings

    day = day or today()
    return {
        "today": day,
        "soon": day + timedelta(days=EXPIRING_DAYS),
        "max_file": settings.EVIDENCE_MAX_FILE_BYTES,
    }


def with_files(items: QuerySet[EvidenceItem]) -> QuerySet[EvidenceItem]:
    return items.select_related("created_by").prefetch_related(
        Prefetch("files", queryset=EvidenceFile.objects.order_by("pk"))
    )


def library(organisation, query: str = "") -> QuerySet[EvidenceItem]:
    """The organisation's current items, with their files; ``query`` matches a title or
    a file name."""
    items = EvidenceItem.objects.current().filter(organisation=organisation)
    query = query.strip()
    if query:
        items = items.filter(Q(title__icontains=query) | Q(files__name__icontains=query)).distinct()
    return with_files(items.order_by("title", "pk"))


def expiring(organisation, day: date | None = None) -> list[EvidenceItem]:
    """Current items expired or expiring within ``EXPIRING_DAYS``, soonest first."""
    day = day or today()
    return list(
        EvidenceItem.objects.current()
        .filter(organisation=organisation, valid_until__lte=day + timedelta(days=EXPIRING_DAYS))
        .order_by("valid_until", "title")
    )


def item_or_404(organisation, item_uuid: UUID | str) -> EvidenceItem:
    try:
        return EvidenceItem.objects.get(organisation=organisation, uuid=item_uuid)
    except (EvidenceItem.DoesNotExist, ValueError, ValidationError):
        raise Http404(_("No such evidence.")) from None


def file_or_404(user, file_uuid: UUID | str) -> EvidenceFile:
    """A file of an organisation the user belongs to (any role), or 404."""
    try:
        return EvidenceFile.objects.select_related("item").get(
            uuid=file_uuid, item__organisation__in=organisations_for(user)
        )
    except (EvidenceFile.DoesNotExist, ValueError, ValidationError):
        raise Http404(_("No such file.")) from None
