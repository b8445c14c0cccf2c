"""The task that sends a queued delivery (``outbox``); with a backend that can run a task
later, a failed one queues itself again for its next attempt."""

from __future__ import annotations

from django_tasks import task

from . import outbox
from .models import Delivery


@task()
def deliver_webhook(delivery_id: int) -> bool:
    sent = outbox.deliver(delivery_id)
    if not sent and deliver_webhook.get_backend().supports_defer:
        row = (
            Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.RETRYING)
            .only("next_attempt_at")
            .first()
        )
        if row is not None:
            deliver_webhook.using(run_after=row.next_attempt_at).enqueue(delivery_id)
    return sent
