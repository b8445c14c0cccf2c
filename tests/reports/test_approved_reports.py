"""An approved assessment's documents: the sign-off page, the signature, the record an
auditor can hash again from the JSON export, and the public verification page."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re

import pytest
from django.urls import reverse

from compliance.assessments import workflow
from compliance.assessments.services import submit
from compliance.organisations.models import Membership
from compliance.reports import approval as approvals
from compliance.reports import signing
from compliance.reports.models import SignedReport, VerificationAttempt
from tests.factories import MembershipFactory, answer_all
from tests.reports.test_pdf import outline_titles, read, text_of
from tests.reports.test_report_kinds import answered, worst


@pytest.fixture
def reviewer(editor):
    membership = MembershipFactory(organisation=editor.organisation, role=Membership.Role.REVIEWER)
    membership.user.first_name, membership.user.last_name = "Zhang", "Min"
    membership.user.save()
    return membership


@pytest.fixture
def approved(assessment, editor, reviewer):
    answer_all(assessment, editor.user)
    submit(assessment, editor.user)
    workflow.add_comment(assessment, reviewer.user, reviewer, "Checked against the files.")
    approvals.approve(
        assessment, reviewer.user, reviewer, "I confirm it.", site="https://icp.example"
    )
    assessment.refresh_from_db()
    return assessment


def signed(assessment, kind="full", language="en") -> bytes:
    return bytes(
        SignedReport.objects.get(approval__assessment=assessment, kind=kind, language=language).data
    )


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_default_questionnaires_approved_reports_have_a_sign_off_page(
    client, default_v2, editor, reviewer, language
):
    """Real data: a complete assessment of the default questionnaire, approved."""
    editor.user.first_name, editor.user.last_name = "Li", "Wei"
    editor.user.save()
    assessment = submit(
        answered(editor.organisation, editor.user, default_v2, "FY2026", worst), editor.user
    )
    approval = approvals.approve(assessment, reviewer.user, reviewer, "我确认。 I confirm.")
    english = language == "en"
    board = read(signed(assessment, "board", language))
    full = read(signed(assessment, "full", language))
    # The sign-off page is the board's second page (the board stays short) and comes
    # right after the full report's cover, in its outline.
    assert len(board.pages) <= 5
    sign_off = board.pages[1].extract_text()
    assert ("Sign-off" if english else "签署") in sign_off
    for text in (flat(sign_off), flat(full.pages[1].extract_text())):
        assert approval.record_sha256 in text
        assert "LiWei" in text and "ZhangMin" in text  # prepared by, reviewed and approved by
        assert "我确认。Iconfirm." in text
        assert flat(default_v2.content_digest) in text
        assert signing.certificate_fingerprint() in text
    assert ("Sign-off" if english else "签署") in outline_titles(full)
    assert ("Approved on" if english else "批准于") in board.pages[0].extract_text()
    # The history appendix lists each change of state.
    history = "Appendix: history of the assessment" if english else "附录：评估历程"
    assert history in outline_titles(full)
    assert ("Approved" if english else "已批准") in text_of(full).split(history)[-1]
    for data in (signed(assessment, "board", language), signed(assessment, "full", language)):
        check = signing.check_signature(data)
        assert check.signed and check.intact and check.trusted and check.covers_whole_file
        assert "DRAFT" not in text_of(read(data))


def test_a_drafts_reports_show_draft_and_no_sign_off(editor_client, assessment):
    for variant in ("board", "full"):
        response = editor_client.get(
            reverse("assessment_report_pdf", args=[assessment.uuid]), {"variant": variant}
        )
        text = text_of(read(response.getvalue()))
        assert "DRAFT" in text and "Sign-off" not in text
        assert not signing.check_signature(response.getvalue()).signed


def test_a_submitted_report_says_it_awaits_approval(editor_client, assessment, editor):
    answer_all(assessment, editor.user)
    submit(assessment, editor.user)
    response = editor_client.get(reverse("assessment_report_pdf", args=[assessment.uuid]))
    text = flat(text_of(read(response.getvalue())))
    assert "awaitingreviewandapproval" in text and "Sign-off" not in text


def test_the_record_in_the_json_export_hashes_to_the_printed_sha256(client, approved, editor):
    client.force_login(editor.user)
    export = json.loads(client.get(reverse("assessment_export_json", args=[approved.uuid])).content)
    approval = export["approval"]
    # What docs/approval.md tells an auditor to do, word for word.
    canonical = json.dumps(
        approval["record"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == approval["record_sha256"]
    assert approval["record"]["approval"]["statement"] == "I confirm it."
    assert {(d["kind"], d["language"]) for d in approval["signed_reports"]} == {
        ("board", "en"),
        ("board", "zh-hans"),
        ("full", "en"),
        ("full", "zh-hans"),
    }
    assert [e["event"] for e in export["events"]] == [
        "created",
        "submitted",
        "review_started",
        "approved",
    ]
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("assessment_export_events.csv", args=[approved.uuid])
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[0] == ["When", "Event", "From", "To", "By", "Note"]
    assert [row[1] for row in rows[1:]] == ["Created", "Submitted", "Review started", "Approved"]


def test_the_verification_page_recognises_an_approved_report(client, approved):
    data = signed(approved, "board", "zh-hans")
    url = reverse("verify")
    assert client.get(url).status_code == 200  # no login
    response = client.post(url, {"document": io.BytesIO(data)}, format="multipart")
    page = response.content.decode()
    assert response.status_code == 200 and 'data-outcome="recognised"' in page
    assert approved.title in page and approved.organisation.name in page
    assert "Zhang Min" in page and "Board summary" in page
    # The SHA-256 pasted (in capitals, with spaces) works as well.
    sha = hashlib.sha256(signed(approved)).hexdigest()
    pasted = " ".join(sha[i : i + 8] for i in range(0, 64, 8)).upper()
    page = client.post(url, {"sha256": pasted}).content.decode()
    assert 'data-outcome="recognised"' in page and "Full report" in page


def test_one_byte_changed_is_not_recognised_and_the_signature_says_why(client, approved):
    data = bytearray(signed(approved))
    middle = len(data) // 3
    data[middle] = (data[middle] + 1) % 256
    page = client.post(reverse("verify"), {"document": io.BytesIO(bytes(data))}).content.decode()
    assert "Not recognised" in page and approved.title not in page
    assert 'data-outcome="altered"' in page
    assert not signing.check_signature(bytes(data)).intact


def test_an_unknown_hash_reveals_nothing(client, approved):
    page = client.post(reverse("verify"), {"sha256": "0" * 64}).content.decode()
    assert 'data-outcome="unknown"' in page
    assert approved.title not in page and approved.organisation.name not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose the PDF, or paste its SHA-256."),
        ({"sha256": "abc"}, "A SHA-256 is 64 characters"),
        ({"sha256": "g" * 64}, "A SHA-256 is 64 characters"),
    ],
)
def test_bad_input_is_a_clear_400(client, db, data, message):
    response = client.post(reverse("verify"), data)
    assert response.status_code == 400 and message in response.content.decode()


def test_too_large_an_upload_is_refused(client, db, settings):
    settings.VERIFY_MAX_FILE_BYTES = 1000
    response = client.post(reverse("verify"), {"document": io.BytesIO(b"%PDF" + b"x" * 2000)})
    assert response.status_code == 400
    assert "larger than" in response.content.decode()


def test_the_page_is_rate_limited_per_address(client, db, settings):
    settings.VERIFY_LIMIT_PER_HOUR = 3
    for _ in range(3):
        assert client.post(reverse("verify"), {"sha256": "1" * 64}).status_code == 200
    response = client.post(reverse("verify"), {"sha256": "1" * 64})
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert "Too many verifications" in response.content.decode()
    assert VerificationAttempt.objects.count() == 3
    # Another address is not limited.
    assert (
        client.post(reverse("verify"), {"sha256": "1" * 64}, REMOTE_ADDR="10.1.2.3").status_code
        == 200
    )


def test_a_withdrawn_approval_is_said_so(client, approved, editor):
    owner = MembershipFactory(organisation=editor.organisation, role=Membership.Role.OWNER)
    workflow.withdraw_approval(approved, owner.user, owner, "Wrong answer found.")
    page = client.post(
        reverse("verify"), {"document": io.BytesIO(signed(approved))}
    ).content.decode()
    assert "whose approval was withdrawn" in page and "no longer approved" in page
    assert "Wrong answer found." not in page  # the reason stays inside the organisation


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_audit_pack_of_an_approved_assessment_holds_the_signed_reports(
    client, approved, editor, language
):
    import zipfile

    client.force_login(editor.user)
    response = client.get(
        reverse("assessment_audit_pack", args=[approved.uuid]), {"lang": language}
    )
    assert response.status_code == 200
    pack = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    reports = {
        name.rsplit("-", 1)[-1].removesuffix(".pdf"): pack.read(name)
        for name in pack.namelist()
        if name.startswith("reports/")
    }
    assert reports == {
        "full": signed(approved, "full", language),
        "board": signed(approved, "board", language),
    }
    manifest = json.loads(pack.read("manifest.json"))
    sha = hashlib.sha256(signed(approved, "board", language)).hexdigest()
    assert sha in json.dumps(manifest)
