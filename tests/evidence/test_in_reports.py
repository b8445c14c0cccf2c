"""Evidence where the record is read: the results page, the full report's answers and
its evidence register (read back from the PDF), and the CSV, XLSX and JSON exports."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from compliance.assessments import evidence
from compliance.evidence import services
from tests.factories import answer_all
from tests.reports.test_pdf import outline_titles, read, text_of

from . import files


def _setup(editor, assessment):
    answer_all(assessment, editor.user)
    question = assessment.version.sections.get(code="policy").questions.get(code="policy-signed")
    expired = services.add_item(
        assessment.organisation,
        editor.user,
        title="Training records 2024",
        files=[files.upload("training.pptx", files.ALLOWED["training.pptx"])],
        valid_until=timezone.localdate() - timedelta(days=3),
    )
    evidence.link_item(assessment, question, expired, editor.user)
    return question, expired


def test_an_answer_whose_only_evidence_expired_is_marked_and_a_current_one_clears_it(
    editor, editor_client, assessment
):
    question, _expired = _setup(editor, assessment)
    url = reverse("assessment_results", args=[assessment.uuid])
    html = editor_client.get(url).content.decode()
    assert 'id="expired-evidence"' in html
    assert "Every piece of evidence for this answer has expired." in html
    current = services.add_item(
        assessment.organisation,
        editor.user,
        title="Training records 2026",
        files=[files.upload("training.pptx", files.ALLOWED["training.pptx"])],
    )
    evidence.link_item(assessment, question, current, editor.user)
    html = editor_client.get(url).content.decode()  # the kept page was rendered again
    assert 'id="expired-evidence"' not in html
    assert "Training records 2026" in html


def test_the_full_report_lists_each_answers_evidence_and_the_register(
    editor, editor_client, assessment
):
    _question, expired = _setup(editor, assessment)
    stored = expired.files.get()
    response = editor_client.get(reverse("assessment_report_pdf", args=[assessment.uuid]))
    assert response.status_code == 200
    reader = read(b"".join(response.streaming_content))
    assert "Appendix: evidence register" in outline_titles(reader)
    text = re.sub(r"\s+", "", text_of(reader))
    assert stored.sha256 in text  # in full, in the register
    assert f"SHA-256{stored.sha256[:12]}" in text  # short, beside the answer
    assert "Trainingrecords2024" in text
    assert "Everypieceofevidenceforthisanswerhasexpired." in text


def test_the_exports_carry_the_evidence(editor, editor_client, assessment):
    _question, expired = _setup(editor, assessment)
    stored = expired.files.get()
    base = f"/assessments/{assessment.uuid}/export"
    rows = list(
        csv.DictReader(io.StringIO(editor_client.get(f"{base}.csv").content.decode("utf-8-sig")))
    )
    cited = next(row for row in rows if row["Question code"] == "policy-signed")
    assert "Training records 2024" in cited["Evidence files"]
    assert stored.sha256 in cited["Evidence files"] and "expired" in cited["Evidence files"]

    workbook = load_workbook(io.BytesIO(editor_client.get(f"{base}.xlsx").content))
    register = list(workbook["Evidence register"].values)
    assert register[1][0] == "Training records 2024" and register[1][7] == stored.sha256

    data = json.loads(editor_client.get(f"{base}.json").content)
    assert data["evidence_register"][0]["files"][0]["sha256"] == stored.sha256
    assert data["evidence_register"][0]["expired"] is True
    question = next(
        q for s in data["sections"] for q in s["questions"] if q["code"] == "policy-signed"
    )
    assert question["evidence_files"] == [str(expired.uuid)] and question["evidence_expired"]
