"""An assessment's results as OSCAL assessment-results: valid OSCAL as compliance-trestle
models it, a finding per scored question that matches the report's gaps and critical
findings, observations with the answers and the evidence's SHA-256, the scores as
props, and its download beside the other exports, under the same access rule."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pydantic import ValidationError
from trestle.oscal.assessment_results import AssessmentResults

from compliance.assessments.evidence import attach_upload
from compliance.assessments.services import submit
from compliance.questionnaires import oscal as catalogs
from compliance.questionnaires.models import Question
from compliance.reports import oscal
from compliance.reports.presentation import SignOff, build_report
from tests.evidence.files import ALLOWED, upload
from tests.factories import MembershipFactory, give
from tests.reports.test_report_kinds import answered as answered_by
from tests.reports.test_report_kinds import middling

EXPORT = "assessment_export_oscal.json"


def valid(document: dict) -> AssessmentResults:
    """The document as trestle's OSCAL model reads it; raises when it is not valid."""
    assert list(document) == ["assessment-results"]
    return AssessmentResults.model_validate(document["assessment-results"])


def result(document: dict) -> dict:
    (only,) = document["assessment-results"]["results"]
    return only


def values(item: dict, name: str, group: str | None = None) -> list[str]:
    return [
        p["value"]
        for p in item.get("props", [])
        if p["name"] == name and p.get("group") == group and "class" not in p
    ]


def by_target(document: dict) -> dict[str, dict]:
    return {f["target"]["target-id"]: f for f in result(document).get("findings", [])}


@pytest.fixture
def answered(assessment, editor):
    """The sample: a critical "no" (a critical finding) with a file as evidence, a full
    maturity, a partial list (a gap) that hides the watch-list question, a date left
    blank (not scored)."""
    user = editor.user
    give(assessment, user, "policy-signed", "no", comment="Not yet", evidence="Board minutes")
    give(assessment, user, "policy-maturity", "l2")
    give(assessment, user, "lists", "controlled")
    question = Question.objects.get(version=assessment.version, code="policy-signed")
    attach_upload(
        assessment,
        question,
        user,
        title="Draft policy",
        files=[upload("policy.pdf", ALLOWED["policy.pdf"])],
        document_date=date(2026, 1, 5),
    )
    return assessment


@pytest.mark.parametrize("language", oscal.LANGUAGES)
def test_the_results_are_valid_oscal(answered, language):
    valid(oscal.assessment_results(answered, language))


def test_an_invalid_document_fails_validation(answered):
    """The validation the other tests rely on does refuse a broken document."""
    document = oscal.assessment_results(answered)
    valid(document)
    findings = result(document)["findings"]
    findings[0]["target"]["status"]["state"] = "half-done"
    with pytest.raises(ValidationError):
        valid(document)
    findings[0]["target"]["status"]["state"] = "satisfied"
    del document["assessment-results"]["import-ap"]
    with pytest.raises(ValidationError):
        valid(document)


def test_findings_are_the_reports_gaps_and_critical_findings(answered):
    report = build_report(answered)
    document = oscal.assessment_results(answered)
    findings = by_target(document)
    scored = [row for s in report.sections for row in s.questions if row.maximum]
    assert set(findings) == {catalogs.control_id(row.question.code) for row in scored}
    not_satisfied = {
        target
        for target, finding in findings.items()
        if finding["target"]["status"]["state"] == "not-satisfied"
    }
    assert not_satisfied == {gap.question.code for gap in report.gaps} == {"policy-signed", "lists"}
    critical = {t for t, f in findings.items() if values(f, "critical-finding") == ["true"]}
    assert critical == {row.question.code for row in report.findings} == {"policy-signed"}
    signed = findings["policy-signed"]
    assert signed["target"]["type"] == "objective-id"
    assert signed["target"]["status"] == {"state": "not-satisfied", "reason": "fail"}
    assert values(signed, "gap-rank") == ["1"]
    assert signed["remarks"] == "Have it signed."
    assert findings["policy-maturity"]["target"]["status"]["state"] == "satisfied"
    assert "remarks" not in findings["policy-maturity"]


def test_hidden_questions_are_not_reviewed_and_unscored_ones_have_no_finding(answered):
    document = oscal.assessment_results(answered)
    (selection,) = result(document)["reviewed-controls"]["control-selections"]
    assert selection["include-all"] == {}
    assert selection["exclude-controls"] == [{"control-id": "watch-process"}]
    assert "last-audit" not in by_target(document)  # a date: nothing to judge


def test_observations_hold_the_answer_comment_and_evidence(answered):
    document = oscal.assessment_results(answered)
    observations = {values(o, "question")[0]: o for o in result(document)["observations"]}
    assert set(observations) == {"policy-signed", "policy-maturity", "lists"}
    signed = observations["policy-signed"]
    assert signed["description"] == "No"
    assert signed["remarks"] == "Not yet"
    assert signed["methods"] == ["INTERVIEW"]
    assert values(signed, "choice") == ["no"]
    party = document["assessment-results"]["metadata"]["parties"][0]
    assert party["uuid"] == str(answered.organisation.uuid)
    assert signed["origins"][0]["actors"][0]["actor-uuid"] == party["uuid"]
    (stored,) = _files(answered)
    on_file, note = signed["relevant-evidence"]
    assert on_file["description"] == "Draft policy"
    assert values(on_file, "sha256") == [stored.sha256]
    assert note == {"description": "Board minutes"}
    resources = {r["uuid"]: r for r in document["assessment-results"]["back-matter"]["resources"]}
    resource = resources[on_file["href"].removeprefix("#")]
    assert resource["title"] == "policy.pdf"
    assert values(resource, "document-date") == ["2026-01-05"]
    (rlink,) = resource["rlinks"]
    assert rlink["href"] == reverse("evidence_download", args=[stored.uuid])
    assert rlink["hashes"] == [{"algorithm": "SHA-256", "value": stored.sha256}]
    finding = by_target(document)["policy-signed"]
    assert finding["related-observations"] == [{"observation-uuid": signed["uuid"]}]


def _files(assessment):
    from compliance.evidence.models import EvidenceFile

    return list(EvidenceFile.objects.filter(item__organisation=assessment.organisation))


def test_the_scores_and_bands_are_props(answered):
    report = build_report(answered)
    document = oscal.assessment_results(answered)
    props = result(document)
    assert values(props, "score") == [f"{report.score:.1f}"]
    assert values(props, "band") == [report.band.code]
    assert values(props, "critical-findings") == ["1"]
    for section in report.sections:
        group = catalogs.group_id(section.section.code)
        (score,) = values(props, "section-score", group)
        assert float(score) == pytest.approx(section.score, abs=0.05)
        assert values(props, "section-band", group) == [section.band.code]


def test_import_ap_points_at_the_questionnaire_that_was_answered(answered):
    document = oscal.assessment_results(answered)["assessment-results"]
    resources = {r["uuid"]: r for r in document["back-matter"]["resources"]}
    plan = resources[document["import-ap"]["href"].removeprefix("#")]
    assert values(plan, "questionnaire") == ["sample-icp"]
    assert values(plan, "content-sha256") == [answered.version.content_digest]
    assert {p["value"] for p in plan["props"] if p["name"] == "type"} == {"questionnaire"}


def test_an_unanswered_question_of_a_draft_is_not_satisfied(assessment):
    finding = by_target(oscal.assessment_results(assessment))["policy-signed"]
    assert finding["target"]["status"] == {"state": "not-satisfied", "reason": "other"}
    assert values(finding, "unanswered") == ["true"]
    assert "related-observations" not in finding


def test_a_not_applicable_answer_is_an_observation_without_a_finding(assessment, editor):
    give(assessment, editor.user, "lists", "watch")
    give(assessment, editor.user, "watch-process", not_applicable=True, na_justification="None.")
    document = oscal.assessment_results(assessment)
    valid(document)
    assert "watch-process" not in by_target(document)
    (observation,) = [
        o for o in result(document)["observations"] if values(o, "question") == ["watch-process"]
    ]
    assert values(observation, "not-applicable") == ["true"]
    assert "None." in observation["description"]


def test_a_submitted_assessment_exports_the_same_document_every_time(answered, editor):
    submitted = submit(answered, editor.user)
    first = oscal.to_bytes(oscal.assessment_results(submitted))
    assert oscal.to_bytes(oscal.assessment_results(submitted)) == first
    document = json.loads(first)["assessment-results"]
    assert document["metadata"]["published"] == submitted.submitted_at.isoformat()
    assert result({"assessment-results": document})["end"] == submitted.submitted_at.isoformat()
    assert uuid.UUID(document["uuid"]).version == 5
    # The same subjects keep their UUIDs across languages; the documents differ.
    chinese = oscal.assessment_results(submitted, "zh-hans")["assessment-results"]
    assert chinese["uuid"] != document["uuid"]
    assert [f["uuid"] for f in result({"assessment-results": chinese})["findings"]] == [
        f["uuid"] for f in result({"assessment-results": document})["findings"]
    ]
    assert chinese["metadata"]["title"] == "评估结果：2026"
    assert result({"assessment-results": chinese})["findings"][0]["title"] == "政策是否已签署？"


def test_an_approval_is_an_attestation(answered):
    """Approving renders and signs PDFs: the report's sign-off is given directly."""
    report = build_report(answered)
    signoff = SignOff(
        approved_by="Zhang Min",
        approved_at=timezone.now(),
        statement="I confirm it.",
        record_sha256="ab" * 32,
        prepared_by=[],
        reviewed_by=[],
        certificate_subject="",
        certificate_fingerprint="",
        verify_url="",
    )
    with translation.override("en"):
        document = oscal.results_document(dataclasses.replace(report, signoff=signoff))
    valid(document)
    (attestation,) = result(document)["attestations"]
    (part,) = attestation["parts"]
    assert part["prose"] == "I confirm it."
    assert values(part, "record-sha256") == ["ab" * 32]


def test_the_default_questionnaires_results_are_valid(default_version, editor):
    assessment = submit(
        answered_by(editor.organisation, editor.user, default_version, "FY2026", middling),
        editor.user,
    )
    report = build_report(assessment)
    document = oscal.results_document(report)
    valid(document)
    findings = by_target(document)
    assert {
        t for t, f in findings.items() if f["target"]["status"]["state"] == "not-satisfied"
    } == {catalogs.control_id(gap.question.code) for gap in report.gaps}
    assert {t for t, f in findings.items() if values(f, "critical-finding") == ["true"]} == {
        catalogs.control_id(row.question.code) for row in report.findings
    }
    assert report.findings and len(report.gaps) < len(findings)


# The download, beside the other exports.


def test_the_results_page_offers_the_oscal_export(editor_client, answered):
    page = editor_client.get(reverse("assessment_results", args=[answered.uuid])).content.decode()
    assert f'href="{reverse(EXPORT, args=[answered.uuid])}"' in page


def test_members_download_the_results_in_their_language(editor_client, answered):
    url = reverse(EXPORT, args=[answered.uuid])
    assert url == f"/assessments/{answered.uuid}/export.oscal.json"
    response = editor_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="2026.oscal.json"'
    document = json.loads(response.content)
    valid(document)
    answered.refresh_from_db()  # as the view reads it, with its time of last change
    assert document == oscal.assessment_results(answered, "en")
    editor_client.post("/i18n/setlang/", {"language": "zh-hans"})
    chinese = json.loads(editor_client.get(url).content)
    assert chinese["assessment-results"]["metadata"]["title"] == "评估结果：2026"


def test_another_organisation_gets_a_404(client, answered):
    client.force_login(MembershipFactory().user)
    assert client.get(reverse(EXPORT, args=[answered.uuid])).status_code == 404
    client.logout()
    response = client.get(reverse(EXPORT, args=[answered.uuid]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
