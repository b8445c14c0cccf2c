"""Backup and restore: everything needed to bring the service back, in one file.

A backup is Django's own serialisation (``dumpdata``) of every model except the ones
listed in ``EXCLUDED``, wrapped with a header and compressed with gzip::

    {"header": {"format": "compliance-backup", "format_version": 1, "created_at": ...,
                "app_version": ..., "migrations": {...}, "counts": {...}, ...},
     "objects": [ ...dumpdata output... ]}

Every row keeps its id (no ``--natural-primary``): a restore goes into an empty
database, and kept ids mean that everything that names a row by its id still names the
same row afterwards: the admin's history, invitation links (signed with the invitation's
id), password-reset links (the user's id), URLs. References to content types and
permissions, which ``migrate`` recreates with ids of its own in each database, are
written as natural keys (``serializer.py``, which also keeps times to the microsecond).

A restore goes into an empty, migrated database, at the backup's migration state, in one
transaction, through ``loaddata``. ``loaddata`` saves raw: a model's own ``save()`` is not
called, so the guards that keep published questionnaire versions immutable (which refuse
*changes* through ``save``, ``delete`` and the ``pre_delete`` signal) do not stand in the
way of writing them back, and django-simple-history records no new history for the
answers it loads (their history is in the backup).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import tempfile
import tomllib
from collections import Counter
from contextlib import contextmanager, suppress
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from compliance.questionnaires.selectors import forget_loaded_versions

from . import serializer

FORMAT = "compliance-backup"
FORMAT_VERSION = 1

#: Models left out of a backup, and why. Every other model is backed up, so that a model
#: added later is included unless someone decides otherwise here.
EXCLUDED: dict[str, str] = {
    "contenttypes.contenttype": "recreated by migrate; rows refer to them by natural key",
    "auth.permission": "recreated by migrate; rows refer to them by natural key",
    "sessions.session": "logins: everyone signs in again after a restore",
    "axes.accessattempt": "login throttling state (django-axes)",
    "axes.accessattemptexpiration": "login throttling state (django-axes)",
    "axes.accesslog": "login log (django-axes)",
    "axes.accessfailurelog": "login log (django-axes)",
    "reports.reportfile": "rendered PDF reports: a cache, rendered again when asked for",
    "reports.renderslot": "which web process renders what right now",
    "reports.auditpack": "stored audit packs: a cache, built again when asked for",
    "notifications.sentmail": "e-mails of the last hour, counted for sending limits",
    "notifications.outgoingmail": "e-mails waiting to be sent: notices of the moment",
    "reports.verificationattempt": "uses of the verification page, counted for its limit",
    "django_tasks_database.dbtaskresult": "background task rows (PDF renders of the cache)",
}

#: Rows that ``migrate`` itself creates in backed-up tables (the "Questionnaire editors"
#: group): a freshly migrated database holds them, and the backup's copy replaces them.
CREATED_BY_MIGRATE = {"auth.group"}


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why and what to do."""


def backed_up_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.label_lower not in EXCLUDED
    ]


def app_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
            return tomllib.load(file)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connections[using]).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {app_label: sorted(names) for app_label, names in sorted(applied.items())}


def summary(counts: dict[str, int]) -> str:
    shown = {
        "accounts.user": "users",
        "organisations.organisation": "organisations",
        "questionnaires.questionnaireversion": "questionnaire versions",
        "assessments.assessment": "assessments",
        "assessments.answer": "answers",
        "assessments.historicalanswer": "answer history entries",
    }
    parts = [f"{counts.get(label, 0)} {name}" for label, name in shown.items()]
    return f"{sum(counts.values())} objects ({', '.join(parts)})"


# ------------------------------------------------------------------------ backup


@contextmanager
def _snapshot(using: str):
    """One consistent view of the database for the whole dump.

    On PostgreSQL a repeatable-read, read-only transaction: writers go on, unseen. On
    SQLite the transaction holds the write lock while the dump runs.
    """
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _header(models_: list[type[models.Model]], using: str) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "app_version": app_version(),
        "django_version": django.get_version(),
        "database": connections[using].vendor,
        "migrations": applied_migrations(using),
        "counts": {
            model._meta.label_lower: model._base_manager.using(using).count() for model in models_
        },
        "excluded": sorted(EXCLUDED),
    }


def write_backup(path: Path, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Write the backup to ``path`` (readable by its owner only) and return its header.

    The file appears under its name only once complete: a failed backup leaves nothing
    that could be mistaken for one.
    """
    path = Path(path)
    serializers.register_serializer(serializer.FORMAT_NAME, serializer.__name__)
    partial = path.with_name(f".{path.name}.partial")
    models_ = backed_up_models()
    try:
        partial.unlink(missing_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise BackupError(f"Cannot write {path}: {error.strerror}.") from None
    try:
        with os.fdopen(descriptor, "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, filename="") as packed:
                text = io.TextIOWrapper(packed, encoding="utf-8")
                try:
                    with _snapshot(using):
                        header = _header(models_, using)
                        text.write('{"header": ')
                        json.dump(header, text, ensure_ascii=False, indent=1)
                        text.write(',\n"objects": ')
                        call_command(
                            "dumpdata",
                            *[model._meta.label for model in models_],
                            format=serializer.FORMAT_NAME,
                            use_base_manager=True,
                            database=using,
                            verbosity=0,
                            stdout=text,
                        )
                        text.write("}\n")
                finally:
                    # The gzip stream closes itself; the wrapper only lets go of it.
                    with suppress(ValueError, OSError):
                        text.detach()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return header


# ------------------------------------------------------------------------ restore


def read_backup(path: Path) -> tuple[dict, list[dict]]:
    """The header and objects of a backup file, checked for completeness."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            data = json.load(file)
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist.") from None
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as error:
        raise BackupError(
            f"{path} is not a readable backup (damaged or incomplete: {error})."
        ) from None
    header = data.get("header") if isinstance(data, dict) else None
    objects = data.get("objects") if isinstance(data, dict) else None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup made by `manage.py backup`.")
    if header.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} has format version {header.get('format_version')}; this version of the "
            f"app reads version {FORMAT_VERSION}. Restore it with the app version that made "
            f"it ({header.get('app_version')})."
        )
    counts = header.get("counts")
    if not isinstance(objects, list) or not isinstance(counts, dict):
        raise BackupError(f"{path} is incomplete: it has no objects.")
    found = Counter(item.get("model") for item in objects if isinstance(item, dict))
    if found != Counter({label: n for label, n in counts.items() if n}) or len(objects) != sum(
        found.values()
    ):
        raise BackupError(
            f"{path} is damaged: the objects it holds do not match the counts in its header."
        )
    return header, objects


def migration_differences(header: dict, using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """How this database's migration state differs from the backup's, by backed-up app."""
    ours = applied_migrations(using)
    theirs = header.get("migrations", {})
    app_labels = sorted({label.split(".")[0] for label in header["counts"]} | {"contenttypes"})
    problems = {}
    for app_label in app_labels:
        missing = sorted(set(theirs.get(app_label, [])) - set(ours.get(app_label, [])))
        extra = sorted(set(ours.get(app_label, [])) - set(theirs.get(app_label, [])))
        said = []
        if missing:
            said.append(f"the backup has {', '.join(missing)} and this database not")
        if extra:
            said.append(f"this database has {', '.join(extra)} and the backup not")
        if said:
            problems[app_label] = "; ".join(said)
    return problems


def existing_data(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows already in the tables a restore writes (beyond what ``migrate`` creates)."""
    counts = {}
    for model in backed_up_models():
        label = model._meta.label_lower
        if label in CREATED_BY_MIGRATE:
            continue
        count = model._base_manager.using(using).count()
        if count:
            counts[label] = count
    return counts


def _replace_everything(using: str) -> None:
    """``--force``: empty every table, as ``manage.py flush`` does (SQL, no signals, so
    no guard of published versions stands in the way), in the restore's transaction.

    Rows with files in the file storage (rendered reports) are deleted through the ORM
    first, so that their files go too once the restore is committed."""
    for model in apps.get_models():
        if any(isinstance(field, models.FileField) for field in model._meta.concrete_fields):
            model._base_manager.using(using).all().delete()
    connection = connections[using]
    if connection.vendor == "postgresql":
        # PostgreSQL refuses to empty a table with foreign-key checks still pending in
        # this transaction (from a caller's writes): run them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    call_command("flush", interactive=False, database=using, verbosity=0)


def _prepare_empty_database(using: str) -> None:
    # The groups that migrate created come back from the backup, with its permissions.
    for label in CREATED_BY_MIGRATE:
        apps.get_model(label)._base_manager.using(using).all().delete()
    # No login survives a restore.
    if apps.is_installed("django.contrib.sessions"):
        apps.get_model("sessions", "Session")._base_manager.using(using).all().delete()


def _ensure_content_types(objects: list[dict], using: str) -> None:
    """Content types the backup refers to (the admin's history may name models that no
    longer exist) are created when this database does not have them."""
    wanted = set()
    for item in objects:
        model = apps.get_model(item["model"])
        for name, value in item["fields"].items():
            field = model._meta.get_field(name)
            if (
                field.many_to_one
                and field.related_model is ContentType
                and isinstance(value, list)
                and len(value) == 2
            ):
                wanted.add(tuple(value))
    for app_label, model_name in sorted(wanted):
        ContentType.objects.db_manager(using).get_or_create(app_label=app_label, model=model_name)


def _reset_sequences(using: str) -> None:
    """New rows after a restore must not collide with restored ids (PostgreSQL sequences;
    loaddata resets those of the models it loaded, this covers every table written)."""
    connection = connections[using]
    tables = backed_up_models()
    tables += [
        field.remote_field.through
        for model in backed_up_models()
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    ]
    statements = connection.ops.sequence_reset_sql(no_style(), tables)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def restore_backup(path: Path, *, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Load a backup into an empty database, all or nothing; return its header."""
    header, objects = read_backup(Path(path))
    problems = migration_differences(header, using)
    if problems:
        migrations = header.get("migrations", {})
        steps = [
            f"manage.py migrate {app_label} {(migrations.get(app_label) or ['zero'])[-1]}"
            for app_label in problems
        ]
        raise BackupError(
            "This database is not at the backup's migration state:\n"
            + "".join(f"  {app_label}: {said}\n" for app_label, said in problems.items())
            + "Migrate an empty database to the backup's state:\n"
            + "".join(f"  {step}\n" for step in steps)
            + "then restore, then run `manage.py migrate`. A backup made by a newer version "
            f"of the app ({header.get('app_version')}) needs that version's code."
        )
    try:
        with transaction.atomic(using=using):
            present = existing_data(using)
            if present and not force:
                listed = ", ".join(f"{n} {label}" for label, n in sorted(present.items()))
                raise BackupError(
                    f"This database already holds data ({listed}). Restore into an empty "
                    "database (created and brought up with `manage.py migrate`, nothing "
                    "else), or pass --force to delete everything in this one first."
                )
            if force:
                _replace_everything(using)
            _prepare_empty_database(using)
            _ensure_content_types(objects, using)
            with tempfile.TemporaryDirectory(prefix="restore-") as folder:
                fixture = Path(folder) / "backup.json"
                with open(fixture, "w", encoding="utf-8") as file:
                    json.dump(objects, file, ensure_ascii=False)
                del objects
                call_command("loaddata", str(fixture), database=using, verbosity=0)
            _reset_sequences(using)
            for label, expected in header["counts"].items():
                actual = apps.get_model(label)._base_manager.using(using).count()
                if actual != expected:
                    raise BackupError(
                        f"Restoring gave {actual} {label} rows instead of the backup's "
                        f"{expected}; nothing was restored."
                    )
    except BackupError:
        raise
    except Exception as error:
        # loaddata's own errors name the object that failed; the transaction is undone.
        raise BackupError(f"The restore failed; nothing was restored.\n{error}") from error
    finally:
        # Content types may have been recreated, and loaded questionnaire versions may
        # now stand for other rows: forget what this process had cached.
        ContentType.objects.clear_cache()
        forget_loaded_versions()
    return header
