"""`manage.py restore` refuses what it must not load, and a refused restore changes nothing;
`manage.py backup` leaves out only what it says it leaves out."""

import gzip
import json
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models

from compliance.assessments.models import Answer, Assessment
from compliance.backup.archive import EXCLUDED, backed_up_models
from compliance.questionnaires.models import (
    Question,
)
from tests.backup.commands import backup, restore, small_installation


@pytest.fixture(autouse=True)
def _forget_content_type_ids():
    """Emptying the database recreates content types; later tests must not see stale ids."""
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def backup_file(db, tmp_path) -> Path:
    """A backup of a small installation, and the database emptied."""
    small_installation()
    path = tmp_path / "backup.json.gz"
    backup(path)
    connection.check_constraints()  # PostgreSQL: no pending checks may block the flush
    call_command("flush", interactive=False, verbosity=0)
    return path


def rewrite(path: Path, change) -> Path:
    with gzip.open(path, "rt", encoding="utf-8") as file:
        data = json.load(file)
    change(data)
    changed = path.with_name("changed.json.gz")
    with gzip.open(changed, "wt", encoding="utf-8") as file:
        json.dump(data, file)
    return changed


def test_force_replaces_data_written_in_the_same_transaction(backup_file):
    """On PostgreSQL, foreign-key checks of rows written earlier in the transaction are
    still pending, and must not stop the tables from being emptied."""
    written = small_installation()
    restore(backup_file, "--force")
    assert not Assessment.objects.filter(uuid=written.assessment.uuid).exists()
    assert Assessment.objects.count() == 1 and get_user_count() == 1


def test_a_failure_while_loading_restores_nothing(backup_file):
    def break_last_answer(data):
        answer = [o for o in data["objects"] if o["model"] == "assessments.answer"][-1]
        answer["fields"]["question"] = ["sample-icp", 1, "no-such-question"]

    with pytest.raises(CommandError, match="nothing was restored"):
        restore(rewrite(backup_file, break_last_answer))
    # Users, questionnaires and all answers before the broken one were loaded, then undone.
    assert not get_user_count() and not Question.objects.exists() and not Answer.objects.exists()


def get_user_count() -> int:
    return apps.get_model("accounts", "User").objects.count()


def test_a_backup_of_another_migration_state_is_refused(backup_file):
    def from_the_future(data):
        data["header"]["migrations"]["assessments"].append("0099_future")

    with pytest.raises(CommandError, match="migration state") as refused:
        restore(rewrite(backup_file, from_the_future))
    message = str(refused.value)
    assert "assessments: the backup has 0099_future and this database not" in message
    assert "manage.py migrate assessments 0099_future" in message
    assert not get_user_count()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda data: data["objects"].pop(), "do not match the counts"),
        (lambda data: data["header"].update(format_version=2), "format version 2"),
        (lambda data: data.pop("header"), "not a backup made by"),
    ],
)
def test_changed_backups_are_refused(backup_file, change, message):
    with pytest.raises(CommandError, match=message):
        restore(rewrite(backup_file, change))
    assert not get_user_count()


def test_damaged_and_foreign_files_are_refused(backup_file, tmp_path):
    truncated = tmp_path / "truncated.json.gz"
    truncated.write_bytes(backup_file.read_bytes()[:-200])
    plain = tmp_path / "plain.json"
    plain.write_text("[]")
    for path in (truncated, plain):
        with pytest.raises(CommandError, match="not a readable backup"):
            restore(path)
    with pytest.raises(CommandError, match="does not exist"):
        restore(tmp_path / "missing.json.gz")
    assert not get_user_count()


def test_a_failed_backup_leaves_no_file(db, tmp_path):
    path = tmp_path / "backup.json.gz"
    with (
        mock.patch("compliance.backup.archive.call_command", side_effect=RuntimeError("gone")),
        pytest.raises(RuntimeError),
    ):
        backup(path)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------ what is covered


def test_every_model_is_backed_up_or_left_out_for_a_stated_reason():
    labels = {m._meta.label_lower for m in apps.get_models() if not m._meta.proxy}
    assert set(EXCLUDED) <= labels, "an excluded model no longer exists: update EXCLUDED"
    backed_up = {m._meta.label_lower for m in backed_up_models()}
    assert backed_up == labels - set(EXCLUDED)
    for needed in (
        "accounts.user",
        "auth.group",
        "admin.logentry",
        "organisations.invitation",
        "questionnaires.scoreband",
        "assessments.historicalanswer",
        "assessments.assessmentevent",
    ):
        assert needed in backed_up


def test_backed_up_rows_keep_nothing_in_the_file_storage():
    """A backup holds the database only: a backed-up model with files in a storage would
    need them too (evidence files have their own companion, ``backup_evidence``, and are
    named by a key, not a FileField)."""
    for model in backed_up_models():
        assert not any(isinstance(f, models.FileField) for f in model._meta.concrete_fields), (
            model._meta.label
        )
