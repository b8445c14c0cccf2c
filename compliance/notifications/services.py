"""The one place that sends e-mail: within limits, with headers that cannot be injected,
and with a failure the caller can report (and undo its own writes for).

Limits count what was sent in the last hour, in the database (so every web process sees
the same counts): per recipient and kind, per client address, and per signed-in sender.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMessage
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.accounts.addresses import client_address

from .models import SentMail

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Origin:
    """What a service that sends mail needs of the request that asked for it."""

    site: str  # scheme and host, for the absolute links in a mail
    language: str | None  # the language the mail is written in
    address: str | None  # the client's address, which the sending limits count

    @classmethod
    def of(cls, request: HttpRequest) -> Origin:
        return cls(
            site=f"{request.scheme}://{request.get_host()}",
            language=getattr(request, "LANGUAGE_CODE", None),
            address=client_address(request) or None,
        )

    def link(self, path: str) -> str:
        """The absolute URL of ``path`` (as ``reverse`` gives it) on this site."""
        return self.site + path


class MailLimitReached(Exception):
    """Too many e-mails lately; nothing was sent. The message says so, for the user."""


class MailNotSent(Exception):
    """The mail server refused the message or could not be reached."""


def one_line(text: str) -> str:
    """A header value on one line: line breaks and other control characters become spaces
    (a header can then never be injected, whatever a name contains)."""
    cleaned = "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in str(text))
    return " ".join(cleaned.split())


def check_limits(kind: str, recipient: str, address: str | None, sender=None) -> None:
    since = timezone.now() - WINDOW
    recent = SentMail.objects.filter(sent_at__gte=since)
    if recent.filter(kind=kind, recipient=recipient).count() >= settings.MAIL_LIMIT_PER_RECIPIENT:
        raise MailLimitReached(
            _(
                "Several e-mails of this kind were sent to %(email)s in the last hour. "
                "Check that mailbox (and its spam folder), or try again in an hour."
            )
            % {"email": recipient}
        )
    if address and recent.filter(client_address=address).count() >= (
        settings.MAIL_LIMIT_PER_ADDRESS
    ):
        raise MailLimitReached(
            _("Too many e-mails were sent from your network in the last hour. Try again later.")
        )
    if sender is not None and recent.filter(sent_by=sender).count() >= (
        settings.MAIL_LIMIT_PER_SENDER
    ):
        raise MailLimitReached(
            _("You have sent the most e-mails allowed in one hour. Try again later.")
        )


def send(
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    *,
    address: str | None = None,
    sender=None,
) -> None:
    """Send one plain-text e-mail now and record it; raise ``MailLimitReached`` (nothing
    sent) or ``MailNotSent``. Callers send inside their transaction, so that a mail that
    could not go leaves nothing half-made behind."""
    recipient = one_line(recipient).lower()
    if sender is not None and not getattr(sender, "is_authenticated", False):
        sender = None
    check_limits(kind, recipient, address or None, sender)
    message = EmailMessage(one_line(subject), body, settings.DEFAULT_FROM_EMAIL, [recipient])
    try:
        message.send()
    except (BadHeaderError, OSError, smtplib.SMTPException) as error:
        raise MailNotSent(
            _("The e-mail could not be sent (%(reason)s). Nothing was saved; try again later.")
            % {"reason": type(error).__name__}
        ) from error
    SentMail.objects.create(
        kind=kind, recipient=recipient, client_address=address or None, sent_by=sender
    )
