"""Who answers which section of an assessment being filled in: an owner or editor assigns
a section to a member who may answer (an owner or an editor); the section page, the
sidebar and the assignee's "My work" show it. Each assignment is an event on the
assessment's timeline, and the assignee is told by the next reminders run."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from compliance.organisations.models import Membership

from .models import Assessment, AssessmentEvent, SectionAssignment
from .services import AssessmentLocked


def assignable(organisation) -> QuerySet[Membership]:
    """The members a section can be assigned to: those who may answer."""
    return (
        Membership.objects.filter(
            organisation=organisation,
            role__in=(Membership.Role.OWNER, Membership.Role.EDITOR),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


def by_section(assessment: Assessment) -> dict[int, SectionAssignment]:
    """The assessment's assignments by section id, with their assignees."""
    return {
        assignment.section_id: assignment
        for assignment in SectionAssignment.objects.filter(assessment=assessment).select_related(
            "assignee"
        )
    }


@transaction.atomic
def assign(assessment: Assessment, section, assignee, by) -> SectionAssignment | None:
    """Assign ``section`` of ``assessment`` to ``assignee`` (None: to nobody); the
    assignment, or None. Only while the assessment is being filled in."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_draft:
        raise AssessmentLocked(_("Sections are assigned while the assessment is being filled in."))
    if section.version_id != assessment.version_id:
        raise ValidationError(_("This section is not in the assessment's questionnaire."))
    current = SectionAssignment.objects.filter(assessment=assessment, section=section).first()
    if assignee is not None:
        if not assignable(assessment.organisation).filter(user=assignee).exists():
            raise ValidationError(
                _("%(person)s cannot answer in this organisation: choose an owner or an editor.")
                % {"person": assignee}
            )
        if current is not None and current.assignee_id == assignee.pk:
            return current
    elif current is None:
        return None
    if current is not None:
        current.delete()
    note = _note(assessment, section, current.assignee if current else None, assignee)
    AssessmentEvent.objects.create(
        assessment=assessment,
        kind=AssessmentEvent.Kind.ASSIGNED,
        user=by,
        from_status=assessment.status,
        to_status=assessment.status,
        note=note,
    )
    if assignee is None:
        return None
    return SectionAssignment.objects.create(
        assessment=assessment, section=section, assignee=assignee, assigned_by=by
    )


def _note(assessment: Assessment, section, old, new) -> str:
    """The event's note, in no language (the section's number and the people's names),
    so that it reads the same on a page in English and in Chinese."""
    numbers = list(assessment.version.sections.order_by("order").values_list("pk", flat=True))
    number = numbers.index(section.pk) + 1 if section.pk in numbers else "?"
    return f"{number}. {old or '—'} → {new or '—'}"


def drop_assignments_of(sender, organisation, user, by=None, **kwargs) -> None:
    """Receiver of ``member_removed``: a member who leaves is assigned nothing."""
    for assignment in SectionAssignment.objects.filter(
        assessment__organisation=organisation, assignee=user
    ).select_related("assessment", "section"):
        AssessmentEvent.objects.create(
            assessment=assignment.assessment,
            kind=AssessmentEvent.Kind.ASSIGNED,
            user=by,
            from_status=assignment.assessment.status,
            to_status=assignment.assessment.status,
            note=_note(assignment.assessment, assignment.section, user, None),
        )
        assignment.delete()


def assigned_to(user) -> QuerySet[SectionAssignment]:
    """The sections assigned to ``user`` in drafts of organisations they belong to."""
    from .models import EDITABLE

    return (
        SectionAssignment.objects.filter(
            assignee=user,
            assessment__status__in=EDITABLE,
            assessment__organisation__memberships__user=user,
        )
        .select_related("assessment__organisation", "section")
        .order_by("assessment__created_at", "section__order")
    )
