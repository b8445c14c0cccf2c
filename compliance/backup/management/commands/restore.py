"""Restore a backup written by `manage.py backup` into an empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from compliance.backup.archive import BackupError, restore_backup, summary


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database that `manage.py "
        "migrate` has brought to the backup's migration state, in one transaction: all of "
        "it or, on any error, nothing. Stop the web and worker processes first; everyone "
        "signs in again afterwards."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "the database may hold data: delete ALL of it first (as `manage.py flush` "
                "does, rendered reports included), in the same transaction as the restore"
            ),
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, file: Path, force: bool, database: str, **options) -> None:
        try:
            header = restore_backup(file, force=force, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {summary(header['counts'])} from {file} "
                f"(made {header['created_at']}, app version {header['app_version']})."
            )
        )
