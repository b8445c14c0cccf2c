"""The outbox of the workflow e-mails: review requested, changes requested, approval.

A state change that tells people about itself queues its e-mails in its own transaction
(``queue``): each recipient's e-mail is rendered there, in the recipient's language, and
stored as an ``OutgoingMail`` row. Nothing is sent before the transaction commits, so a
change that is rolled back tells nobody; and an e-mail that cannot be sent never undoes
the change: the failure is logged, recorded on the row, and the e-mail tried again later,
with a growing delay, until it goes or ``MAIL_MAX_ATTEMPTS`` attempts have failed.

Once the transaction commits, the ``deliver_mail`` task sends each row (``deliver``). With
a task backend that can run a task later (the database one) a failed send queues the task
again for the row's next attempt; with the immediate backend ``manage.py
send_pending_mail`` (cron) and ``deliver_due`` send what is due.

A row is claimed by one conditional update before it is sent, so that of the processes
racing for it one sends it; no transaction stays open while the mail server answers
(SQLite would hold its write lock, and every other write, for that long).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import MailKind, OutgoingMail, SentMail
from .services import one_line

logger = logging.getLogger(__name__)

#: How long a claimed row is left to the process sending it. A row still unsent after that
#: belongs to a process that died while sending, and is due again.
CLAIM = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
ERROR_LENGTH = 2000
SUBJECT_LENGTH = OutgoingMail._meta.get_field("subject").max_length


class Outcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"  # to be tried again
    GIVEN_UP = "given up"  # failed for the last time
    SKIPPED = "skipped"  # sent already, given up, not due, or being sent by another process


def language_of(user) -> str:
    """The language a user's e-mails are written in: the one kept on the account."""
    language = getattr(user, "preferred_language", "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def queue(
    kind: str,
    users: Iterable,
    template: str,
    context: dict,
    *,
    site: str,
    dedupe_key: str = "",
) -> list[OutgoingMail]:
    """Queue an e-mail of ``kind`` to each active user with an e-mail address, in the
    caller's transaction, to be sent once it commits; the rows queued.

    ``template`` names ``notifications/mail/<template>_subject.txt`` and ``_body.txt``,
    rendered with ``context`` plus ``site`` (scheme and host, for absolute links) and
    ``user`` (the recipient). A recipient who already has an e-mail of this kind with this
    ``dedupe_key`` (the event it is about) gets no second one."""
    if kind not in MailKind.values:
        raise ValueError(f"No such kind of e-mail: {kind!r}")
    recipients = {}  # address -> user, once each
    for user in users:
        address = one_line(user.email or "").lower()
        if address and user.is_active:
            recipients.setdefault(address, user)
    if dedupe_key and recipients:
        for address in OutgoingMail.objects.filter(
            kind=kind, dedupe_key=dedupe_key, recipient__in=list(recipients)
        ).values_list("recipient", flat=True):
            recipients.pop(address, None)
    rows = [
        _render(
            kind,
            user,
            address,
            template,
            {**context, "site": site, "user": user},
            dedupe_key,
        )
        for address, user in recipients.items()
    ]
    rows = _store(rows) if dedupe_key else OutgoingMail.objects.bulk_create(rows)
    if rows:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: _enqueue(ids))
    return rows


def _render(
    kind: str, user, address: str, template: str, context: dict, dedupe_key: str
) -> OutgoingMail:
    language = language_of(user)
    with translation.override(language):
        subject = render_to_string(
            f"notifications/mail/{template}_subject.txt", context, using="django"
        )
        body = render_to_string(f"notifications/mail/{template}_body.txt", context, using="django")
    return OutgoingMail(
        kind=kind,
        recipient=address,
        user=user,
        # One line: a title with a line break can never add a header.
        subject=one_line(subject)[:SUBJECT_LENGTH],
        body=body.strip() + "\n",
        language=language,
        dedupe_key=dedupe_key,
    )


def _store(rows: list[OutgoingMail]) -> list[OutgoingMail]:
    """Save rows that carry a deduplication key, skipping those that another transaction
    queued since they were looked for (each in a savepoint: the conflict leaves the
    caller's transaction usable)."""
    stored = []
    for row in rows:
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            continue
        stored.append(row)
    return stored


def _enqueue(ids: list[int]) -> None:
    from .tasks import deliver_mail  # the task module imports this one

    for mail_id in ids:
        try:
            deliver_mail.enqueue(mail_id)
        except Exception:
            # The row stays due: send_pending_mail (deliver_due) sends it.
            logger.exception("E-mail %s could not be handed to the task backend", mail_id)


def deliver(mail_id: int) -> bool:
    """Send one queued e-mail, if it is due and no other process is sending it; whether
    it was sent. A failure is logged and recorded on the row, to be tried again later:
    this never raises."""
    return _deliver(mail_id) is Outcome.SENT


def _deliver(mail_id: int) -> Outcome:
    try:
        row = _claim(mail_id)
    except Exception:
        logger.exception("E-mail %s could not be claimed for sending", mail_id)
        return Outcome.SKIPPED
    if row is None:
        return Outcome.SKIPPED
    message = EmailMessage(
        row.subject,
        row.body,
        settings.DEFAULT_FROM_EMAIL,
        [row.recipient],
        headers={"Content-Language": row.language},
    )
    try:
        message.send()
    except Exception as error:
        return _failed(row, error)
    try:
        with transaction.atomic():
            OutgoingMail.objects.filter(pk=row.pk).update(sent_at=timezone.now())
            # The record every e-mail leaves, which the sending limits and the log read.
            SentMail.objects.create(kind=row.kind, recipient=row.recipient, sent_by=None)
    except Exception:
        # Left claimed: once the claim runs out it is due, and sent a second time.
        logger.exception("E-mail %s was sent, but could not be recorded as sent", row.pk)
    return Outcome.SENT


def _claim(mail_id: int) -> OutgoingMail | None:
    """The row, taken for sending until ``CLAIM`` from now; None when it is sent, given
    up, not due, or taken by another process."""
    now = timezone.now()
    claimed = OutgoingMail.objects.filter(
        pk=mail_id,
        sent_at__isnull=True,
        attempts__lt=settings.MAIL_MAX_ATTEMPTS,
        next_attempt_at__lte=now,
    ).update(next_attempt_at=now + CLAIM)
    return OutgoingMail.objects.get(pk=mail_id) if claimed else None


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: one minute, doubling each
    time, six hours at most."""
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 20), LONGEST_RETRY)


def _failed(row: OutgoingMail, error: Exception) -> Outcome:
    attempts = row.attempts + 1
    next_attempt_at = timezone.now() + retry_delay(attempts)
    try:
        OutgoingMail.objects.filter(pk=row.pk).update(
            attempts=attempts,
            last_error=repr(error)[:ERROR_LENGTH],
            next_attempt_at=next_attempt_at,
        )
    except Exception:
        # Left claimed: once the claim runs out it is due again.
        logger.exception("The failure of e-mail %s could not be recorded", row.pk)
    if attempts >= settings.MAIL_MAX_ATTEMPTS:
        logger.error(
            "E-mail %s (%s) given up after %s failed attempts; the last: %r",
            row.pk,
            row.kind,
            attempts,
            error,
        )
        return Outcome.GIVEN_UP
    logger.warning(
        "E-mail %s (%s) not sent (attempt %s of %s), next attempt at %s: %r",
        row.pk,
        row.kind,
        attempts,
        settings.MAIL_MAX_ATTEMPTS,
        next_attempt_at.isoformat(timespec="seconds"),
        error,
    )
    return Outcome.FAILED


def due(limit: int = 100) -> list[int]:
    """The ids of the unsent e-mails whose (next) attempt is due, the longest waiting first."""
    return list(
        OutgoingMail.objects.filter(
            sent_at__isnull=True,
            attempts__lt=settings.MAIL_MAX_ATTEMPTS,
            next_attempt_at__lte=timezone.now(),
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_batch(limit: int = 100) -> Counter[Outcome]:
    """Try to send up to ``limit`` due e-mails; how many had each outcome."""
    return Counter(_deliver(mail_id) for mail_id in due(limit))


def deliver_due(limit: int = 100) -> int:
    """Try to send up to ``limit`` due e-mails; how many were sent."""
    return deliver_batch(limit)[Outcome.SENT]
