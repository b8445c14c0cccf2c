"""Send the workflow e-mails that are due (see compliance.notifications.outbox)."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from compliance.notifications.outbox import Outcome, deliver_batch


class Command(BaseCommand):
    help = (
        "Send the queued workflow e-mails that are due: not sent yet, or failed and due to "
        "be tried again. Run it every few minutes (cron) where tasks run in the web process "
        "(TASK_BACKEND=immediate); beside task workers it does no harm: each e-mail is "
        "sent once. With -v 2 it prints how many were sent, failed and given up."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--batch", type=int, default=100, help="e-mails taken at a time (default 100)"
        )

    def handle(self, *, batch: int, verbosity: int, **options) -> None:
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        total: Counter[Outcome] = Counter()
        while True:
            outcomes = deliver_batch(batch)
            total.update(outcomes)
            tried = outcomes.total()
            # Each e-mail tried is no longer due, so this ends; stop too when every due
            # e-mail was being sent by another process.
            if tried < batch or outcomes[Outcome.SKIPPED] == tried:
                break
        if verbosity >= 2:
            self.stdout.write(
                f"Sent {total[Outcome.SENT]}, failed {total[Outcome.FAILED]} "
                f"(to be tried again), given up {total[Outcome.GIVEN_UP]}."
            )
