"""The review of a submitted assessment: comments, return for changes, approval, and an
approval's withdrawal. Submitting and reopening are in ``services``.

States (``AssessmentStatus``)::

    draft --submit--> submitted --start review--> in review --approve--> approved
      ^                   |  \\                        |  ^                  |
      |                   |   `-------return----------+  `---withdraw--------'
      |                   |                           v
      `---reopen (owner)--'           returned (editable) --submit--> submitted

Every change is an ``AssessmentEvent`` (who, when, from, to, note) written in the
transaction that changes the state, under the assessment's row lock, so that two people
acting at once cannot both succeed: the second finds the new state and is refused
(``Conflict``, a 409). A role that may not act is refused with ``PermissionDenied`` (403).

Approving renders and signs the reports, which takes seconds, so it happens in two steps
(``compliance.reports.approval``): the record is built and the documents signed outside
any transaction, then ``record_approval`` checks under the lock that nothing of the
record changed meanwhile and commits the approval with its signed documents, or refuses.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.core.text import clean_text
from compliance.notifications import outbox
from compliance.notifications.models import MailKind
from compliance.organisations.models import Membership

from . import record as records
from .models import (
    Answer,
    Approval,
    Assessment,
    AssessmentEvent,
    ReviewComment,
)


class Conflict(Exception):
    """The assessment is not (or no longer) in a state that allows this: nothing changed."""


def require_reviewer(membership: Membership) -> None:
    if not membership.can_review:
        raise PermissionDenied(
            _("Only a reviewer or an owner of the organisation can review assessments.")
        )


def _locked(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update()
        .select_related("organisation", "version__questionnaire")
        .get(pk=assessment.pk)
    )


def _event(assessment: Assessment, kind: str, user, before: str, note: str = "") -> None:
    AssessmentEvent.objects.create(
        assessment=assessment,
        kind=kind,
        user=user,
        from_status=before,
        to_status=assessment.status,
        note=note,
    )


def _awaiting(assessment: Assessment) -> None:
    if not assessment.awaiting_review:
        if assessment.is_approved:
            raise Conflict(_("This assessment is already approved."))
        if assessment.is_draft:
            raise Conflict(_("This assessment is not submitted: there is nothing to review."))
        raise Conflict(_("This assessment does not need a review."))


def _start(assessment: Assessment, user) -> None:
    if assessment.status == Assessment.Status.SUBMITTED:
        before = assessment.status
        assessment.status = Assessment.Status.IN_REVIEW
        assessment.save(update_fields=["status"])
        _event(assessment, AssessmentEvent.Kind.REVIEW_STARTED, user, before)


@transaction.atomic
def start_review(assessment: Assessment, user, membership: Membership) -> Assessment:
    require_reviewer(membership)
    assessment = _locked(assessment)
    _awaiting(assessment)
    if assessment.status == Assessment.Status.IN_REVIEW:
        raise Conflict(_("The review has already started."))
    _start(assessment, user)
    return assessment


@transaction.atomic
def add_comment(
    assessment: Assessment, user, membership: Membership, body: str, question=None
) -> ReviewComment:
    """A reviewer's comment on one question (or on the whole assessment): the first one
    starts the review."""
    require_reviewer(membership)
    body = clean_text(body, required=True, what=_("The comment"))
    assessment = _locked(assessment)
    _awaiting(assessment)
    if question is not None and question.version_id != assessment.version_id:
        raise ValidationError(_("That question is not part of this assessment."))
    _start(assessment, user)
    return ReviewComment.objects.create(
        assessment=assessment, question=question, author=user, body=body
    )


@transaction.atomic
def resolve_comment(comment: ReviewComment, user, membership: Membership) -> ReviewComment:
    """A respondent marks a comment resolved, while the assessment can be edited."""
    if not membership.can_edit:
        raise PermissionDenied(_("Only an owner or an editor can resolve review comments."))
    assessment = _locked(comment.assessment)
    if not assessment.is_draft:
        raise Conflict(_("Comments are resolved while the assessment is returned for changes."))
    comment = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    if comment.resolved_at is None:
        comment.resolved_at = timezone.now()
        comment.resolved_by = user
        comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


@transaction.atomic
def return_for_changes(
    assessment: Assessment, user, membership: Membership, note: str = "", *, site: str = ""
) -> Assessment:
    """Send the assessment back to its respondents. It needs at least one open comment
    (``note``, when given, becomes the general one)."""
    require_reviewer(membership)
    note = clean_text(note, required=False, what=_("The note"))
    assessment = _locked(assessment)
    _awaiting(assessment)
    _start(assessment, user)
    if note:
        ReviewComment.objects.create(assessment=assessment, author=user, body=note)
    open_comments = ReviewComment.objects.filter(
        assessment=assessment, resolved_at__isnull=True
    ).count()
    if not open_comments:
        raise ValidationError(
            _("Say what should change: add at least one comment before returning it.")
        )
    before = assessment.status
    assessment.status = Assessment.Status.RETURNED
    assessment.submitted_at = None
    assessment.result = None
    assessment.save(update_fields=["status", "submitted_at", "result"])
    _event(assessment, AssessmentEvent.Kind.RETURNED, user, before, note)
    _tell(
        assessment,
        respondents(assessment),
        MailKind.REVIEW_RETURNED,
        "review_returned",
        user,
        note,
        reverse("assessment_overview", args=[assessment.uuid]),
        site,
        comment_count=open_comments,
    )
    return assessment


def submitter(assessment: Assessment):
    """Who submitted the assessment last (None before it is submitted)."""
    event = (
        AssessmentEvent.objects.filter(assessment=assessment, kind=AssessmentEvent.Kind.SUBMITTED)
        .select_related("user")
        .order_by("-at", "-pk")
        .first()
    )
    return event.user if event else None


def author_ids(assessment: Assessment) -> set[int]:
    """Everyone who wrote any answer of the assessment, at any time (its history): an
    answer carried over from an earlier assessment counts for whoever confirmed or
    changed it, not for whoever started the assessment."""
    return set(
        Answer.history.filter(assessment_id=assessment.pk, carried_over=False)
        .exclude(history_user__isnull=True)
        .values_list("history_user_id", flat=True)
        .distinct()
    )


def respondents(assessment: Assessment) -> list:
    """The members who can edit and who answered or submitted it."""
    ids = author_ids(assessment)
    who = submitter(assessment)
    if who is not None:
        ids.add(who.pk)
    members = Membership.objects.filter(
        organisation_id=assessment.organisation_id,
        user_id__in=ids,
        role__in=[Membership.Role.OWNER, Membership.Role.EDITOR],
    ).select_related("user")
    return [membership.user for membership in members]


def check_approver(assessment: Assessment, user, membership: Membership) -> None:
    """Whether ``user`` may approve ``assessment`` now; raises if not."""
    require_reviewer(membership)
    _awaiting(assessment)
    if assessment.organisation.approver_independent:
        who = submitter(assessment)
        if who is not None and who.pk == user.pk:
            raise PermissionDenied(
                _(
                    "You submitted this assessment: the organisation requires an approver "
                    "who did not."
                )
            )
        if user.pk in author_ids(assessment):
            raise PermissionDenied(
                _(
                    "You answered questions of this assessment: the organisation requires "
                    "an approver who did not."
                )
            )


def build_record(assessment: Assessment, user, approved_at, statement: str) -> tuple[str, str]:
    """The record an approval would sign now, as canonical JSON, and its SHA-256."""
    text = records.canonical(
        records.build(assessment, approver=user, approved_at=approved_at, statement=statement)
    )
    return text, records.digest(text)


def record_approval(
    assessment: Assessment,
    user,
    membership: Membership,
    *,
    approved_at,
    statement: str,
    record_sha256: str,
    site: str = "",
) -> Approval:
    """Approve, in the caller's transaction: under the lock, the approver is checked again
    and the record rebuilt; if it differs from the one signed (an answer, a comment or
    the state changed meanwhile) nothing is approved."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_approval runs in the transaction that stores the reports")
    assessment = _locked(assessment)
    check_approver(assessment, user, membership)
    text, sha = build_record(assessment, user, approved_at, statement)
    if sha != record_sha256:
        raise Conflict(
            _(
                "The assessment changed while it was being approved (an answer, a comment "
                "or its state): look at it again and approve it again."
            )
        )
    approval = Approval.objects.create(
        assessment=assessment,
        approved_by=user,
        approved_at=approved_at,
        statement=statement,
        record=text,
        record_sha256=sha,
    )
    before = assessment.status
    assessment.status = Assessment.Status.APPROVED
    assessment.save(update_fields=["status"])
    _event(assessment, AssessmentEvent.Kind.APPROVED, user, before, statement)
    _tell(
        assessment,
        respondents(assessment),
        MailKind.APPROVED,
        "approved",
        user,
        "",
        reverse("assessment_results", args=[assessment.uuid]),
        site,
    )
    return approval


@transaction.atomic
def withdraw_approval(
    assessment: Assessment, user, membership: Membership, reason: str
) -> Approval:
    """An owner withdraws the approval (its reason recorded): the assessment goes back to
    review; the signed reports stay, and the verification page says they are withdrawn."""
    if not membership.is_owner:
        raise PermissionDenied(_("Only an owner of the organisation can withdraw an approval."))
    reason = clean_text(reason, required=True, what=_("The reason"))
    assessment = _locked(assessment)
    if not assessment.is_approved:
        raise Conflict(_("This assessment is not approved."))
    approval = Approval.objects.select_for_update().get(
        assessment=assessment, withdrawn_at__isnull=True
    )
    approval.withdrawn_at = timezone.now()
    approval.withdrawn_by = user
    approval.withdrawal_reason = reason
    approval.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    before = assessment.status
    assessment.status = Assessment.Status.IN_REVIEW
    assessment.save(update_fields=["status"])
    _event(assessment, AssessmentEvent.Kind.APPROVAL_WITHDRAWN, user, before, reason)
    return approval


def current_approval(assessment: Assessment) -> Approval | None:
    return (
        Approval.objects.filter(assessment=assessment, withdrawn_at__isnull=True)
        .select_related("approved_by")
        .first()
    )


def reviewers_to_tell(assessment: Assessment, user) -> list:
    """The organisation's reviewers and owners, but the submitter: whom a submission
    waiting for review is e-mailed to."""
    members = Membership.objects.filter(
        organisation_id=assessment.organisation_id,
        role__in=[Membership.Role.OWNER, Membership.Role.REVIEWER],
    ).select_related("user")
    return [m.user for m in members if user is None or m.user_id != user.pk]


def tell_reviewers(assessment: Assessment, user, users: list, *, site: str = "") -> None:
    """E-mail ``users`` (``reviewers_to_tell``) that an assessment waits for their review."""
    _tell(
        assessment,
        users,
        MailKind.REVIEW_REQUESTED,
        "review_requested",
        user,
        "",
        reverse("assessment_review", args=[assessment.uuid]),
        site,
    )


def _tell(assessment, users, kind, template, actor, note, path, site, **extra) -> None:
    users = [u for u in users if actor is None or u.pk != actor.pk]
    if not users:
        return
    outbox.queue(
        kind,
        users,
        template,
        {
            "assessment_title": assessment.title,
            "organisation_name": assessment.organisation.name,
            "actor_name": (actor.get_full_name() or actor.email) if actor else "",
            "note": note,
            "url": site + path,
            **extra,
        },
        site=site,
    )
