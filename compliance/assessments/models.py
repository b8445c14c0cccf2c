"""An organisation's assessment against one published questionnaire version, and its answers."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.evidence.models import EvidenceItem, RecordedRemoval
from compliance.organisations.models import Organisation
from compliance.questionnaires.models import Question, QuestionnaireVersion


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


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
        return self.status == self.Status.DRAFT

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
    """What happened to an assessment as a whole: created, submitted, reopened."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        SUBMITTED = "submitted", _("Submitted")
        REOPENED = "reopened", _("Reopened")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="events", verbose_name=_("assessment")
    )
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
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
