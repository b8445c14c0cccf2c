"""Evidence files survive a backup and restore: the same bytes are served and the same
audit pack is built; a damaged or missing file is named and never stored."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zipfile
from io import StringIO

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from compliance.assessments import evidence
from compliance.evidence import services
from compliance.evidence.models import EvidenceFile
from tests.backup.commands import backup, restore
from tests.evidence import files
from tests.factories import answer_all


def _pack_evidence(client, assessment) -> dict[str, str]:
    response = client.get(reverse("assessment_audit_pack", args=[assessment.uuid]), {"lang": "en"})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    return {e["path"]: e["sha256"] for e in manifest["files"] if e["kind"] == "evidence"}


def _wipe_storage() -> None:
    storage = storages["evidence"]
    for folder in storage.listdir("")[0]:
        for name in storage.listdir(folder)[1]:
            storage.delete(f"{folder}/{name}")


@pytest.fixture
def cited(editor, assessment):
    answer_all(assessment, editor.user)
    question = assessment.version.sections.get(code="policy").questions.get(code="policy-signed")
    item = services.add_item(
        assessment.organisation,
        editor.user,
        title="Policy",
        files=[
            files.upload("policy.pdf", files.ALLOWED["policy.pdf"]),
            files.upload("log.xlsx", files.ALLOWED["log.xlsx"]),
        ],
    )
    evidence.link_item(assessment, question, item, editor.user)
    return item


def test_evidence_round_trip(client, editor, assessment, cited, tmp_path):
    client.force_login(editor.user)
    before = _pack_evidence(client, assessment)
    assert len(before) == 2
    database, copies = tmp_path / "backup.json.gz", tmp_path / "evidence.tar"
    assert "backup_evidence" in backup(database)
    out = StringIO()
    call_command("backup_evidence", str(copies), stdout=out)
    assert "Backed up 2 evidence files" in out.getvalue()
    assert copies.stat().st_mode & 0o777 == 0o600

    if connection.vendor == "postgresql":
        # The test's own writes leave deferred foreign-key checks pending: run them, or
        # PostgreSQL refuses to empty the tables (as the restore itself does).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    call_command("flush", interactive=False, verbosity=0)
    _wipe_storage()
    restore(database)
    out = StringIO()
    call_command("restore_evidence", str(copies), stdout=out)
    assert "Restored 2 evidence files" in out.getvalue()

    client.force_login(type(editor.user).objects.get(email=editor.user.email))
    stored = EvidenceFile.objects.get(name="policy.pdf")
    download = client.get(reverse("evidence_download", args=[stored.uuid]))
    assert b"".join(download.streaming_content) == files.ALLOWED["policy.pdf"]
    assert _pack_evidence(client, assessment) == before
    # Again: everything is in place and is kept.
    out = StringIO()
    call_command("restore_evidence", str(copies), stdout=out)
    assert "Restored 0 evidence files" in out.getvalue() and "(2 were in place)" in out.getvalue()


def test_a_damaged_or_missing_file_is_named_and_not_stored(cited, tmp_path):
    copies, damaged = tmp_path / "evidence.tar", tmp_path / "damaged.tar"
    call_command("backup_evidence", str(copies), stdout=StringIO())
    victim = cited.files.get(name="policy.pdf")
    with tarfile.open(copies) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == f"files/{victim.key}":
                data = data.replace(b"Export", b"Imp0rt")
            target.addfile(member, io.BytesIO(data))
    _wipe_storage()
    with pytest.raises(CommandError, match=r"policy\.pdf\): its SHA-256 does not match"):
        call_command("restore_evidence", str(damaged), stdout=StringIO())
    storage = storages["evidence"]
    assert not storage.exists(victim.key)
    other = cited.files.get(name="log.xlsx")
    with storage.open(other.key, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == other.sha256
    with pytest.raises(CommandError, match="is not a readable evidence backup"):
        call_command("restore_evidence", str(tmp_path / "nothing.tar"), stdout=StringIO())


def test_a_backup_refuses_a_file_altered_in_the_storage(cited, tmp_path):
    victim = cited.files.get(name="policy.pdf")
    with open(storages["evidence"].path(victim.key), "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(CommandError, match="no longer matches the size and SHA-256"):
        call_command("backup_evidence", str(tmp_path / "evidence.tar"), stdout=StringIO())
    assert not (tmp_path / "evidence.tar").exists()


def test_a_damaged_stored_file_is_replaced_by_the_backups_good_copy(cited, tmp_path):
    copies = tmp_path / "evidence.tar"
    call_command("backup_evidence", str(copies), stdout=StringIO())
    victim = cited.files.get(name="policy.pdf")
    path = storages["evidence"].path(victim.key)
    with open(path, "wb") as handle:
        handle.write(b"damaged")
    out = StringIO()
    call_command("restore_evidence", str(copies), stdout=out)
    assert "Restored 1 evidence files" in out.getvalue()
    with open(path, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == victim.sha256
