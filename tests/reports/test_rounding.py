"""One rounding rule (half up) in every output: a section of 56.25 reads 56.3 on the
results page, in the PDF, in the CSV and in the spreadsheet."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from compliance.assessments.services import create_assessment
from compliance.core.numbers import rounded, shown
from compliance.questionnaires.services import import_questionnaire, publish_version
from tests.factories import give

YAML = """format: compliance-questionnaire/1
questionnaire: {slug: rounding, title: {en: Rounding, zh-hans: 舍入}}
version: {number: 1, critical_threshold: 0.5, methodology: {en: M., zh-hans: 方法。}}
sources: {}
score_bands:
  - {code: low, min: 0, max: 50, label: {en: Low, zh-hans: 低}}
  - {code: high, min: 50, max: 100, label: {en: High, zh-hans: 高}}
sections:
  - code: only
    title: {en: Only section, zh-hans: 唯一章节}
    questions:
      - {code: a, type: yes_partial_no, text: {en: "A?", zh-hans: 甲？}, weight: 8}
      - {code: b, type: yes_partial_no, text: {en: "B?", zh-hans: 乙？}, weight: 2}
      - {code: c, type: yes_partial_no, text: {en: "C?", zh-hans: 丙？}, weight: 6}
"""


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (56.25, 1, "56.3"),
        (56.35, 1, "56.4"),
        (0.125, 2, "0.13"),
        (56.5, 0, "57"),
        (2.675, 2, "2.68"),
    ],
)
def test_rounding_is_half_up_on_the_number_as_it_reads(value, places, expected):
    assert str(rounded(value, places)) == expected == shown(value, places)


def test_a_score_of_56_25_reads_56_3_everywhere(editor_client, editor):
    version = publish_version(import_questionnaire(YAML))
    assessment = create_assessment(
        organisation=editor.organisation, version=version, title="R", user=editor.user
    )
    give(assessment, editor.user, "a", "yes")  # 8 of 8
    give(assessment, editor.user, "b", "partial")  # 1 of 2
    give(assessment, editor.user, "c", "no")  # 0 of 6: 9 of 16 = 56.25

    def url(name):
        return reverse(name, args=[assessment.uuid])

    page = editor_client.get(url("assessment_results")).content.decode()
    assert 'id="overall-score">56.3' in page and "56.2" not in page
    lines = list(
        csv.reader(
            io.StringIO(editor_client.get(url("assessment_export_csv")).content.decode("utf-8-sig"))
        )
    )
    assert {line[-1] for line in lines[1:]} == {"56.3"} and {line[-2] for line in lines[1:]} == {
        "56.3"
    }
    workbook = load_workbook(io.BytesIO(editor_client.get(url("assessment_export_xlsx")).content))
    assert workbook.worksheets[1]["C2"].value == 56.3
    pdf = b"".join(editor_client.get(url("assessment_report_pdf")).streaming_content)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "56.3" in text and "56.2" not in text


def test_the_report_and_the_history_read_an_answer_with_one_formatter(assessment, editor):
    """One formatter for an answer (assessments.selectors.answer_text): the report's rows
    and the history show the same choice labels, never codes."""
    from compliance.assessments.selectors import answer_text, first_answer
    from compliance.questionnaires.models import Question
    from compliance.reports.presentation import build_report

    give(assessment, editor.user, "policy-signed", "yes")
    question = Question.objects.get(version=assessment.version, code="policy-signed")
    answer = assessment.answers.get(question=question)
    rows = [row for section in build_report(assessment).sections for row in section.questions]
    row = next(row for row in rows if row.question.code == "policy-signed")
    assert row.answer_text == answer_text(question, answer) == first_answer(question, answer)
    assert row.answer_text == str(question.choices.get(code="yes").label) != "yes"
