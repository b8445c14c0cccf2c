"""Write a backup of everything needed to restore the service (see compliance.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from compliance.backup.archive import BackupError, summary, write_backup


class Command(BaseCommand):
    help = (
        "Write a backup of the database to FILE: gzip-compressed JSON with a header (format, "
        "app version, migration state, time) and every row the service needs: users with "
        "their password hashes, organisations, members, invitations, questionnaires, "
        "assessments, answers and their history. Left out: sessions, login throttling, "
        "rendered PDF reports and background task rows. The file is readable by its owner "
        "only; keep it as safe as the database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="e.g. backup-2026-03-31.json.gz")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, file: Path, database: str, **options) -> None:
        try:
            header = write_backup(file, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backed up {summary(header['counts'])} to {file}."))
        if evidence := header["counts"].get("evidence.evidencefile"):
            self.stdout.write(
                f"The {evidence} evidence files' bytes are not in it: copy them with "
                "`manage.py backup_evidence FILE.tar` (restore them with `restore_evidence`)."
            )
