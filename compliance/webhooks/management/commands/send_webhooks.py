"""Daily (cron): queue the day's webhook events, then send every delivery that is due."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from compliance.webhooks import outbox
from compliance.webhooks.scan import scan


class Command(BaseCommand):
    help = (
        "Queue the day's webhook events (overdue actions, expiring evidence) and send the "
        "deliveries that are due."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="The day to scan for, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        day = timezone.localdate()
        if options.get("today"):
            try:
                day = parse_date(options["today"])
            except ValueError:
                day = None
            if day is None:
                raise CommandError(f"--today {options['today']!r} is not a date (YYYY-MM-DD).")
        queued = scan(day)
        sent = sum(outbox.deliver(delivery_id) for delivery_id in outbox.due(limit=1000))
        self.stdout.write(f"{queued} queued, {sent} delivered.")
