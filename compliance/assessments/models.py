"""An organisation's assessment against one published questionnaire version, and its answers."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.evidence.models import EvidenceItem, RecordedRemoval
from compliance.organisations.models import Organisation
from compliance.questionnaires.models import Question, QuestionnaireVersion


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    #: A reviewer asked for changes: editable again, like a draft, until submitted again.
    RETURNED = "returned", _("Changes requested")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    #: Final: frozen and signed; only a new assessment supersedes it.
    APPROVED = "approved", _("Approved")


#: The states in which answers may change.
EDITABLE = (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)
#: The states of a submitted assessment whose review is still to come or under way.
AWAITING_REVIEW = (AssessmentStatus.SUBMITTED, AssessmentStatus.IN_REVIEW)
#: The states whose answers and result are frozen: submitted, in review, approved.
LOCKED = (AssessmentStatus.SUBMITTED, AssessmentStatus.IN_REVIEW, AssessmentStatus.APPROVED)


class Assessment(models.Model):
    Status = AssessmentStatus

    #: The id in URLs: not guessable, so that ids reveal nothing about other organisations.
    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("organisation"),
    )
    # PROTECT: a version that assessments were made against can never disappear.
    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("questionnaire version"),
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answers carried over from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Kept up to date by every save, so that the dashboard reads them without scoring.
    answered_count = models.PositiveIntegerField(_("answered"), default=0)
    applicable_count = models.PositiveIntegerField(_("applicable"), default=0)
    last_changed_at = models.DateTimeField(_("last change"), auto_now_add=True)
    last_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    #: Whether this submission waits for a review and approval: the organisation's rule
    #: when it was submitted (a later change of the rule changes no submitted assessment).
    review_required = models.BooleanField(_("review required"), default=True)
    #: The result computed at submission, frozen with the answers it came from.
    result = models.JSONField(_("result"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=AssessmentStatus.values),
                name="assessment_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.organisation})"

    @property
    def is_draft(self) -> bool:
        """Whether answers may change: a draft, or one returned for changes."""
        return self.status in EDITABLE

    @property
    def is_returned(self) -> bool:
        return self.status == self.Status.RETURNED

    @property
    def awaiting_review(self) -> bool:
        return self.review_required and self.status in AWAITING_REVIEW

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_final(self) -> bool:
        """Approved, or submitted where no review was required."""
        return self.is_approved or (
            self.status == self.Status.SUBMITTED and not self.review_required
        )

    @property
    def score(self) -> float | None:
        return (self.result or {}).get("score")


class Answer(models.Model):
    """One question's answer: each is its own row, so colleagues never overwrite each other
    beyond the question they both changed."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="answers", verbose_name=_("assessment")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question")
    )
    #: Codes of the chosen choices (one for single-answer types). Codes are stable and a
    #: published version never changes, so codes identify choices for good.
    choice_codes = models.JSONField(_("choices"), default=list, blank=True)
    value_number = models.DecimalField(
        _("number"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    value_date = models.DateField(_("date"), null=True, blank=True)
    value_text = models.TextField(_("text"), blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    na_justification = models.TextField(_("why it does not apply"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.TextField(_("evidence note"), blank=True)
    carried_over = models.BooleanField(
        _("carried over, not yet confirmed"),
        default=False,
    )
    #: Counts the changes, so that a save can tell whether someone else changed the
    #: answer since the page was loaded.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"], verbose_name=_("historical answer"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="one_answer_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.question_id}"


class AssessmentEvent(models.Model):
    """What happened to an assessment as a whole: every change of its state (who, when,
    from, to, note)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        SUBMITTED = "submitted", _("Submitted")
        REOPENED = "reopened", _("Reopened")
        REVIEW_STARTED = "review_started", _("Review started")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")
        APPROVAL_WITHDRAWN = "approval_withdrawn", _("Approval withdrawn")
        ASSIGNED = "assigned", _("Section assigned")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="events", verbose_name=_("assessment")
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(
        _("from"), max_length=10, choices=AssessmentStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=10, choices=AssessmentStatus.choices, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class EvidenceLink(RecordedRemoval):
    """An item of the organisation's evidence library cited by one question's answer of an
    assessment. A link is never deleted: removing it is recorded (who, when), and neither
    can change once the assessment is submitted."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="evidence_links",
        verbose_name=_("assessment"),
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question")
    )
    item = models.ForeignKey(
        EvidenceItem, on_delete=models.CASCADE, related_name="links", verbose_name=_("evidence")
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("linked by"),
    )
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta(RecordedRemoval.Meta):
        verbose_name = _("evidence link")
        verbose_name_plural = _("evidence links")
        ordering = ["linked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question", "item"],
                condition=models.Q(removed_at__isnull=True),
                name="one_current_link_per_item_and_question",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.question_id}: {self.item_id}"


class ReviewComment(models.Model):
    """A reviewer's remark on one question's answer (or, without a question, on the
    assessment as a whole), which a respondent marks resolved."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="review_comments",
        verbose_name=_("assessment"),
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.question_id or '-'}: {self.body[:40]}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Approval(models.Model):
    """An approval: who approved, when, with which statement, and the frozen record it
    approved (``record``, canonical JSON, whose SHA-256 the signed reports print). A
    withdrawn approval stays, marked withdrawn (who, when, why)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("assessment")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"))
    statement = models.TextField(_("statement"))
    #: Where it was approved (scheme and host): the sign-off page names its /verify/.
    site = models.CharField(_("site"), max_length=200, blank=True)
    #: The frozen record, exactly as hashed (``compliance.assessments.record``).
    record = models.TextField(_("record"), editable=False)
    record_sha256 = models.CharField(_("record SHA-256"), max_length=64, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.TextField(_("why it was withdrawn"), blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["approved_at", "pk"]
        constraints = [
            # Two reviewers approving at once: the database lets one approval stand.
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_current_approval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} approved {self.approved_at:%Y-%m-%d %H:%M}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class SectionAssignment(models.Model):
    """Who answers one section of an assessment (while it is being filled in)."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("assessment"),
    )
    section = models.ForeignKey(
        "questionnaires.Section",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("section"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="section_assignments",
        verbose_name=_("assigned to"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        verbose_name = _("section assignment")
        verbose_name_plural = _("section assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "section"], name="one_assignee_per_section"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} §{self.section_id} → {self.assignee}"
