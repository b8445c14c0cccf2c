"""The background task that sends a queued workflow e-mail (``compliance.notifications.outbox``).

With a task backend that can run a task later (``supports_defer``: the database backend),
an e-mail that could not be sent queues the task again for its next attempt. The immediate
backend cannot: there ``manage.py send_pending_mail`` (cron) tries again, and a caller may
run ``deliver_due`` when it suits it.
"""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from . import outbox
from .models import OutgoingMail
from .outbox import deliver_due

__all__ = ["deliver_due", "deliver_mail"]


@task()
def deliver_mail(mail_id: int) -> bool:
    """Send one queued e-mail; whether it was sent (by this run)."""
    sent = outbox.deliver(mail_id)
    if not sent and deliver_mail.get_backend().supports_defer:
        row = (
            OutgoingMail.objects.filter(
                pk=mail_id, sent_at__isnull=True, attempts__lt=settings.MAIL_MAX_ATTEMPTS
            )
            .only("next_attempt_at")
            .first()
        )
        if row is not None:
            deliver_mail.using(run_after=row.next_attempt_at).enqueue(mail_id)
    return sent
