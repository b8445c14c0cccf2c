"""Copy every evidence file into one tar file (see compliance.backup.evidence)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.backup.archive import BackupError
from compliance.backup.evidence import write_evidence_backup


class Command(BaseCommand):
    help = (
        "Copy every evidence file from the evidence storage into FILE (an uncompressed tar, "
        "readable by its owner only), with a manifest of their SHA-256. Run it beside "
        "`manage.py backup`, which holds the files' records but not their bytes."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="e.g. evidence-2026-03-31.tar")

    def handle(self, file: Path, **options) -> None:
        try:
            count = write_evidence_backup(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backed up {count} evidence files to {file}."))
