"""Write the evidence files back from a `backup_evidence` file, each checked by SHA-256."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.backup.archive import BackupError
from compliance.backup.evidence import restore_evidence_backup


class Command(BaseCommand):
    help = (
        "After `manage.py restore`: write every evidence file the database records back "
        "into the evidence storage from FILE (made by `manage.py backup_evidence`), each "
        "checked against the size and SHA-256 recorded at its upload. Files already stored "
        "with the right checksum are kept; a missing or damaged file is named and the "
        "command fails."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, file: Path, **options) -> None:
        try:
            written, present = restore_evidence_backup(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {written} evidence files from {file} ({present} were in place), "
                "each checked against its SHA-256."
            )
        )
