"""The evidence an assessment's answers cite: items of the organisation's library linked
to questions, added and removed only while the assessment is a draft.

A link is never deleted: removing it records who and when. Once the assessment is
submitted its links, and the files they point to (which never change), stay as they
were; an item removed from the library later is still there for it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.evidence import services as library
from compliance.evidence.models import EvidenceFile, EvidenceItem
from compliance.questionnaires.models import Question

from .models import Assessment, EvidenceLink
from .services import AssessmentLocked, record_change


def links_by_question(assessment: Assessment, questions=None) -> dict[int, list[EvidenceLink]]:
    """The current links of the assessment (of ``questions`` only, when given), by
    question id, each with its item, the item's files and who linked it: two queries."""
    links = (
        EvidenceLink.objects.current()
        .filter(assessment=assessment)
        .select_related("item", "item__created_by", "linked_by")
        .prefetch_related(Prefetch("item__files", queryset=EvidenceFile.objects.order_by("pk")))
        .order_by("linked_at", "pk")
    )
    if questions is not None:
        links = links.filter(question__in=[q.pk for q in questions])
    found: dict[int, list[EvidenceLink]] = defaultdict(list)
    for link in links:
        found[link.question_id].append(link)
    return found


def only_expired(links: list[EvidenceLink], day: date) -> bool:
    """True when an answer has evidence and every item of it has expired."""
    return bool(links) and all(link.item.expired_on(day) for link in links)


def _locked_draft(assessment: Assessment, user) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_draft:
        raise AssessmentLocked(
            _("This assessment is submitted: its evidence stays as it was at submission.")
        )
    locked.last_changed_by = user
    return locked


def attach_upload(
    assessment: Assessment,
    question: Question,
    user,
    *,
    title: str,
    files: list,
    document_date: date | None = None,
    valid_until: date | None = None,
) -> EvidenceItem:
    """A new library item from ``files``, linked to the question's answer; nothing is
    stored when the assessment is submitted or a file is refused (``library.Refused``).
    The files are checked and stored before the assessment is locked, and recorded with
    the link in one short transaction (a submission meanwhile refuses it, and the stored
    files are deleted)."""
    with library.storing() as keys:
        if not Assessment.objects.filter(pk=assessment.pk, status=Assessment.Status.DRAFT).exists():
            raise AssessmentLocked(
                _("This assessment is submitted: its evidence stays as it was at submission.")
            )
        stored = library.store_files(assessment.organisation, files, keys)
        with transaction.atomic():
            locked = _locked_draft(assessment, user)
            item = library.record_item(
                assessment.organisation,
                user,
                stored,
                title=title,
                document_date=document_date,
                valid_until=valid_until,
            )
            EvidenceLink.objects.create(
                assessment=locked, question=question, item=item, linked_by=user
            )
            record_change(locked)
    return item


@transaction.atomic
def link_item(assessment: Assessment, question: Question, item: EvidenceItem, user) -> bool:
    """Link a library item to the question's answer; False when it was linked already."""
    locked = _locked_draft(assessment, user)
    # Read again under its lock: an item being removed meanwhile is not linked.
    item = EvidenceItem.objects.select_for_update().filter(pk=item.pk).first()
    if item is None or item.organisation_id != locked.organisation_id or item.removed_at:
        raise ValueError(_("That evidence is not in this organisation's library."))
    if (
        EvidenceLink.objects.current()
        .filter(assessment=locked, question=question, item=item)
        .exists()
    ):
        return False
    EvidenceLink.objects.create(assessment=locked, question=question, item=item, linked_by=user)
    record_change(locked)
    return True


@transaction.atomic
def unlink(assessment: Assessment, link_id: int, user) -> EvidenceLink | None:
    """Remove one of the assessment's current links (recorded); None when there is none."""
    locked = _locked_draft(assessment, user)
    link = (
        EvidenceLink.objects.current()
        .select_related("item")
        .filter(assessment=locked, pk=link_id)
        .first()
    )
    if link is None:
        return None
    link.removed_at = timezone.now()
    link.removed_by = user
    link.save(update_fields=["removed_at", "removed_by"])
    record_change(locked)
    return link


def carry_over_links(source: Assessment, target: Assessment, questions: dict, user) -> int:
    """Link the new assessment's questions to the evidence the same questions (by code)
    cite in ``source``, as long as the item is still in the library."""
    copies = [
        EvidenceLink(assessment=target, question=questions[code], item_id=item_id, linked_by=user)
        for code, item_id in EvidenceLink.objects.current()
        .filter(assessment=source, item__removed_at__isnull=True)
        .order_by()
        .values_list("question__code", "item_id")
        .distinct()
        if code in questions
    ]
    EvidenceLink.objects.bulk_create(copies)
    return len(copies)


def unlink_removed_item(sender, item: EvidenceItem, user, **kwargs) -> None:
    """An item removed from the library leaves the drafts that cite it (recorded);
    submitted assessments keep it."""
    citing = EvidenceLink.objects.current().filter(item=item).values("assessment_id")
    # The drafts under their locks (as a submission takes it), so that none is submitted
    # between being found a draft and losing the link.
    drafts = list(
        Assessment.objects.select_for_update()
        .filter(pk__in=citing, status=Assessment.Status.DRAFT)
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    EvidenceLink.objects.current().filter(item=item, assessment_id__in=drafts).update(
        removed_at=now, removed_by=user
    )
    # Their pages show the evidence: they changed.
    Assessment.objects.filter(pk__in=drafts).update(last_changed_at=now, last_changed_by=user)
