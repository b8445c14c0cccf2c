"""The record of the reminders sent: one row per person and event (an action due on a
day, an evidence item expiring on a day, a week's digest of an organisation), so that a
reminder is sent once for each event however often ``manage.py send_reminders`` runs.

It is kept in backups (a restored installation does not remind anyone twice), so it names
no e-mail of the outbox, which backups leave out."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.notifications.models import REMINDER_KINDS, MailKind


class SentReminder(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MailKind.choices)
    #: The event, e.g. ``action:<uuid>:<due date>:overdue``: a changed due date is a new one.
    key = models.CharField(_("event"), max_length=200)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="one_reminder_per_event"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[kind.value for kind in REMINDER_KINDS]),
                name="sent_reminder_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} → {self.user_id}"
