"""The audit pack: every file it holds is in its manifest with the right checksum, and
every manifest entry is in it; evidence in a folder per section and question."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse

from compliance.assessments import evidence
from compliance.assessments.services import submit
from compliance.evidence import services
from compliance.reports.audit_pack import safe_part, unique_name
from compliance.reports.models import AuditPack
from tests.factories import answer_all
from tests.reports.test_pdf import read, text_of

from . import files


def _question(assessment, code):
    return assessment.version.sections.get(questions__code=code).questions.get(code=code)


def _cite(assessment, user, code, title, *named):
    item = services.add_item(
        assessment.organisation,
        user,
        title=title,
        files=[files.upload(name, files.ALLOWED[source]) for name, source in named],
    )
    evidence.link_item(assessment, _question(assessment, code), item, user)
    return item


def _download(client, assessment) -> tuple[object, zipfile.ZipFile]:
    response = client.get(reverse("assessment_audit_pack", args=[assessment.uuid]), {"lang": "en"})
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content)
    return response, zipfile.ZipFile(io.BytesIO(body))


def _check_manifest(archive: zipfile.ZipFile) -> dict:
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["path"]: entry for entry in manifest["files"]}
    contained = set(archive.namelist()) - {"manifest.json", "manifest.csv"}
    assert set(listed) == contained
    for path, entry in listed.items():
        data = archive.read(path)
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], path
        assert len(data) == entry["size"], path
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert {(row["Path"], row["SHA-256"]) for row in rows} == {
        (path, entry["sha256"]) for path, entry in listed.items()
    }
    return listed


def test_a_drafts_pack_holds_reports_exports_and_evidence_with_a_true_manifest(
    editor, editor_client, assessment
):
    answer_all(assessment, editor.user)
    _cite(
        assessment,
        editor.user,
        "policy-signed",
        "Policy",
        ("policy.pdf", "policy.pdf"),
        ("Policy.PDF", "policy.pdf"),
    )
    _cite(assessment, editor.user, "policy-maturity", "Minutes", ("会议纪要.odt", "minutes.odt"))
    response, archive = _download(editor_client, assessment)
    assert "DRAFT" in response["Content-Disposition"]
    listed = _check_manifest(archive)
    names = set(listed)
    assert any(n.startswith("reports/") and n.endswith("-full-DRAFT.pdf") for n in names)
    assert any(n.startswith("reports/") and n.endswith("-board-DRAFT.pdf") for n in names)
    assert {n.rsplit(".", 1)[1] for n in names if n.startswith("exports/")} == {
        "csv",
        "xlsx",
        "json",
    }
    evidence_paths = sorted(n for n in names if n.startswith("evidence/"))
    assert len(evidence_paths) == 3
    # A folder per section and question; two files of the same name made unique.
    policy = [n for n in evidence_paths if "policy-signed" in n]
    assert sorted(n.rsplit("/", 1)[1] for n in policy) == ["Policy (2).PDF", "policy.pdf"]
    assert all(n.startswith("evidence/01 ") for n in evidence_paths)
    entry = listed[next(n for n in evidence_paths if n.endswith("会议纪要.odt"))]
    assert entry["supports"].endswith("policy-maturity")
    assert entry["evidence"]["title"] == "Minutes"
    assert entry["evidence"]["recorded_sha256"] == entry["sha256"]
    # Both reports say DRAFT on their pages, too.
    for kind in ("full", "board"):
        pdf = archive.read(next(n for n in names if n.endswith(f"-{kind}-DRAFT.pdf")))
        assert "DRAFT" in text_of(read(pdf))
    # The exports in the pack carry the evidence too.
    data = json.loads(archive.read(next(n for n in names if n.endswith(".json"))))
    assert {e["title"] for e in data["evidence_register"]} == {"Policy", "Minutes"}


def test_a_submitted_pack_is_built_once_and_kept(editor, editor_client, assessment):
    answer_all(assessment, editor.user)
    _cite(assessment, editor.user, "policy-signed", "Policy", ("policy.pdf", "policy.pdf"))
    submit(assessment, editor.user)
    response, archive = _download(editor_client, assessment)
    assert "DRAFT" not in response["Content-Disposition"]
    assert int(response["Content-Length"]) > 0
    _check_manifest(archive)
    stored = AuditPack.objects.get()
    again, _archive = _download(editor_client, assessment)
    assert AuditPack.objects.get() == stored
    assert again["ETag"] == response["ETag"]


def test_an_altered_file_is_marked_in_the_manifest(editor, editor_client, assessment):
    from django.core.files.storage import storages

    answer_all(assessment, editor.user)
    item = _cite(assessment, editor.user, "policy-signed", "Policy", ("notes.txt", "notes.txt"))
    key = item.files.get().key
    path = storages["evidence"].path(key)
    with open(path, "ab") as handle:
        handle.write(b"tampered")
    _response, archive = _download(editor_client, assessment)
    listed = _check_manifest(archive)
    entry = next(e for p, e in listed.items() if p.startswith("evidence/"))
    assert entry["evidence"]["altered"] is True
    assert entry["sha256"] != entry["evidence"]["recorded_sha256"]


def test_another_organisation_cannot_have_the_pack(client, assessment):
    from compliance.organisations.models import Membership
    from tests.factories import MembershipFactory

    client.force_login(MembershipFactory(role=Membership.Role.OWNER).user)
    assert client.get(reverse("assessment_audit_pack", args=[assessment.uuid])).status_code == 404


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("a/b\\c.pdf", "a_b_c.pdf"),
        ("..hidden. ", "hidden"),
        ("con:tro\x01l?.txt", "con_tro_l_.txt"),
        ("", "file"),
        ("x" * 120 + ".pdf", "x" * 76 + ".pdf"),
    ],
)
def test_names_are_made_safe(name, safe):
    assert safe_part(name, "file") == safe


def test_names_are_made_unique_ignoring_case():
    taken: set[str] = set()
    assert [unique_name(n, taken) for n in ("A.pdf", "a.pdf", "a.pdf", "b")] == [
        "A.pdf",
        "a (2).pdf",
        "a (3).pdf",
        "b",
    ]


def test_with_workers_the_pack_waits_for_its_reports_on_a_page_that_follows_them(
    settings, editor, editor_client, assessment
):
    from django_tasks_db.models import DBTaskResult

    from compliance.reports.models import ReportFile
    from compliance.reports.tasks import render_report
    from tests.processes import DATABASE_TASKS

    settings.TASKS = DATABASE_TASKS
    url = reverse("assessment_audit_pack", args=[assessment.uuid])
    response = editor_client.get(url, {"lang": "en"})
    assert response.status_code == 202
    page = response.content.decode()
    assert "Preparing the reports of the audit pack" in page
    status = reverse("assessment_audit_pack_status", args=[assessment.uuid])
    assert status in page
    assert DBTaskResult.objects.count() == 1  # the first report queued; one render at a time
    polled = editor_client.get(
        status, {"lang": "en", "shown": "preparing"}, headers={"HX-Request": "true"}
    )
    assert polled.status_code == 204  # nothing new to show
    # A worker's part, done here: each document rendered as its task would.
    for kind in ("full", "board"):
        render_report.call(str(assessment.uuid), "en", "", kind)
    assert ReportFile.objects.filter(status=ReportFile.Status.READY).count() == 2
    ready = editor_client.get(
        status, {"lang": "en", "shown": "preparing"}, headers={"HX-Request": "true"}
    )
    assert ready.status_code == 200
    assert "Download the audit pack (ZIP)" in ready.content.decode()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _response, archive = _download(editor_client, assessment)
    _check_manifest(archive)


def test_a_file_missing_from_the_storage_is_said_in_the_manifest(editor, editor_client, assessment):
    from django.core.files.storage import storages

    answer_all(assessment, editor.user)
    item = _cite(assessment, editor.user, "policy-signed", "Policy", ("notes.txt", "notes.txt"))
    storages["evidence"].delete(item.files.get().key)
    _response, archive = _download(editor_client, assessment)
    listed = _check_manifest(archive)
    entry = next(e for p, e in listed.items() if p.startswith("evidence/"))
    assert entry["evidence"]["missing"] is True and entry["size"] == 0


def test_a_pack_over_the_limit_is_refused_with_a_message(
    settings, editor, editor_client, assessment
):
    answer_all(assessment, editor.user)
    _cite(assessment, editor.user, "policy-signed", "Policy", ("policy.pdf", "policy.pdf"))
    settings.AUDIT_PACK_MAX_BYTES = 1000
    response = editor_client.get(
        reverse("assessment_audit_pack", args=[assessment.uuid]), {"lang": "en"}, follow=True
    )
    assert response.redirect_chain[-1][0].endswith(f"/assessments/{assessment.uuid}/results/")
    assert "more than the 1000" in response.content.decode()


def test_windows_reserved_names_are_renamed():
    assert safe_part("CON.pdf", "file") == "_CON.pdf"
    assert safe_part("nul", "file") == "_nul"
    assert safe_part("console.pdf", "file") == "console.pdf"
