"""Send the daily reminders (see compliance.work.reminders)."""

from argparse import ArgumentTypeError
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from compliance.notifications import outbox
from compliance.work import reminders

DEFAULT_SITE = "http://localhost:8000"


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "E-mail the reminders of the day: actions due soon or overdue, the weekly digest "
        "of the actions, the next assessment due, evidence expiring, assessments waiting "
        "for review, sections assigned. Run it daily (cron): each event is reminded once, "
        "however often it runs, and the e-mails that failed before are tried again. With "
        "-v 1 it prints how many e-mails of each kind it sent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="list the e-mails that would be sent, and write and send nothing",
        )
        parser.add_argument(
            "--today", type=_day, help="the day to remind of, YYYY-MM-DD (default: today)"
        )
        parser.add_argument(
            "--site",
            default=getattr(settings, "SITE_URL", "") or DEFAULT_SITE,
            help="scheme and host of the links in the e-mails (default: SITE_URL, else "
            f"{DEFAULT_SITE})",
        )

    def handle(
        self, *, dry_run: bool, today: date | None, site: str, verbosity: int, **options
    ) -> None:
        day = today or timezone.localdate()
        summaries = reminders.send(day, site=site.rstrip("/"), dry_run=dry_run)
        retried = 0 if dry_run else outbox.deliver_due()
        if verbosity < 1:
            return
        verb = "would send" if dry_run else "sent"
        for kind, summary in summaries.items():
            self.stdout.write(
                f"{kind}: {verb} {summary.mails} e-mail(s) about {summary.events} event(s)."
            )
            if dry_run or verbosity >= 2:
                for address, keys in summary.sent:
                    self.stdout.write(f"  to {address}: {', '.join(keys)}")
        if not dry_run:
            self.stdout.write(f"E-mails due (retried or left behind) sent: {retried}.")
