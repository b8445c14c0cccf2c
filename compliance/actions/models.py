"""Remediation actions and the record of every change made to them.

An action belongs to its organisation, not to the assessment it came from: it closes a
question, known by its code across questionnaire versions (``question_code``), so that
the next assessment shows it on the same question. ``question`` is the question (of one
version) it was created for, kept for its texts."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from compliance.accounts.validators import validate_one_line


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action status", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    RISK_ACCEPTED = "risk_accepted", _("Risk accepted")


#: The statuses of an action still to be done.
OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionPriority(models.IntegerChoices):
    """Lower first: a plan is sorted critical first."""

    CRITICAL = 1, pgettext_lazy("action priority", "Critical")
    HIGH = 2, _("High")
    MEDIUM = 3, _("Medium")
    LOW = 4, _("Low")


class Action(models.Model):
    Status = ActionStatus
    Priority = ActionPriority

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("organisation"),
    )
    question = models.ForeignKey(
        "questionnaires.Question",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("question"),
    )
    question_code = models.SlugField(_("question code"), max_length=60)
    title = models.CharField(_("title"), max_length=300, validators=[validate_one_line])
    #: Nobody: the organisation's owners answer for it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=ActionPriority.choices, default=ActionPriority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    justification = models.TextField(_("why the risk is accepted"), blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("risk accepted by"),
    )
    accepted_at = models.DateTimeField(_("risk accepted at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    evidence = models.ManyToManyField(
        "evidence.EvidenceItem",
        blank=True,
        related_name="+",
        verbose_name=_("closure evidence"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["priority", "due_date", "created_at"]
        indexes = [models.Index(fields=["organisation", "status", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="action_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=ActionPriority.values), name="action_priority_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.RISK_ACCEPTED) | ~Q(justification=""),
                name="risk_accepted_with_justification",
            ),
            # One action at a time closes a question: a second click makes no second one.
            models.UniqueConstraint(
                fields=["organisation", "question_code"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_action_per_question",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < today


class ActionChange(models.Model):
    """One change to an action: who, when, which field, from what to what (as text, as
    it read then: a person's name, an ISO date, a status code)."""

    class Field(models.TextChoices):
        CREATED = "created", _("created")
        TITLE = "title", _("title")
        OWNER = "owner", _("owner")
        DUE_DATE = "due_date", _("due date")
        PRIORITY = "priority", _("priority")
        STATUS = "status", _("status")
        JUSTIFICATION = "justification", _("justification")
        NOTES = "notes", _("notes")
        EVIDENCE = "evidence", _("closure evidence")

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="changes", verbose_name=_("action")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    field = models.CharField(_("field"), max_length=20, choices=Field.choices)
    old = models.TextField(_("from"), blank=True)
    new = models.TextField(_("to"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("action change")
        verbose_name_plural = _("action changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action_id} {self.field}: {self.old} → {self.new}"
