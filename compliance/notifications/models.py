"""A record of every e-mail the app sent: what kind, to whom, for whom and from where, so
that sending can be limited (the app must not be usable to send spam) and looked into."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MailKind(models.TextChoices):
    SIGN_UP = "sign_up", _("sign-up")
    INVITATION = "invitation", _("invitation")
    PASSWORD_RESET = "password_reset", _("password reset")


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
