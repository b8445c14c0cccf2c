"""A record of every e-mail the app sent: what kind, to whom, for whom and from where, so
that sending can be limited (the app must not be usable to send spam) and looked into;
and the outbox of the workflow e-mails, written in the transaction that makes them and
sent once it commits (``compliance.notifications.outbox``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MailKind(models.TextChoices):
    SIGN_UP = "sign_up", _("sign-up")
    INVITATION = "invitation", _("invitation")
    PASSWORD_RESET = "password_reset", _("password reset")
    REVIEW_REQUESTED = "review_requested", _("review requested")
    REVIEW_RETURNED = "review_returned", _("changes requested")
    APPROVED = "approved", _("approval")
    ACTION_DUE = "action_due", _("actions due or overdue")
    ACTION_DIGEST = "action_digest", _("weekly digest of the organisation's actions")
    REASSESSMENT_DUE = "reassessment_due", _("re-assessment due")
    EVIDENCE_EXPIRING = "evidence_expiring", _("evidence expiring")
    REVIEW_WAITING = "review_waiting", _("assessments waiting for review")
    SECTION_ASSIGNED = "section_assigned", _("sections assigned to me")


#: The reminders ``manage.py send_reminders`` sends, each of which a user may turn off.
REMINDER_KINDS = (
    MailKind.ACTION_DUE,
    MailKind.ACTION_DIGEST,
    MailKind.REASSESSMENT_DUE,
    MailKind.EVIDENCE_EXPIRING,
    MailKind.REVIEW_WAITING,
    MailKind.SECTION_ASSIGNED,
)


class SentMail(models.Model):
    Kind = MailKind

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recipient = models.EmailField(_("recipient"))
    #: The address of the client whose request sent it (empty outside a request).
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")
        indexes = [
            models.Index(fields=["recipient", "sent_at"]),
            models.Index(fields=["client_address", "sent_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MailKind.values),
                name="sent_mail_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} at {self.sent_at:%Y-%m-%d %H:%M}"


class OutgoingMail(models.Model):
    """A workflow e-mail waiting to be sent, or sent: rendered when it is queued, in its
    recipient's language, and tried again with a growing delay until it goes or is given
    up (``MAIL_MAX_ATTEMPTS``)."""

    Kind = MailKind

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recipient = models.EmailField(_("recipient"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    language = models.CharField(_("language"), max_length=10)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), default=timezone.now, db_index=True
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    #: The event a mail is about (e.g. one submission of one assessment): a second mail of
    #: the same kind to the same recipient for the same event is not queued.
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MailKind.values),
                name="outgoing_mail_kind_valid",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="outgoing_mail_once_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} queued at {self.created_at:%Y-%m-%d %H:%M}"


class MutedReminder(models.Model):
    """A kind of reminder a user has turned off in their account settings."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="muted_reminders",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MailKind.choices)

    class Meta:
        verbose_name = _("reminder turned off")
        verbose_name_plural = _("reminders turned off")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_muted_reminder_per_kind"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[kind.value for kind in REMINDER_KINDS]),
                name="muted_reminder_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ✗ {self.kind}"
