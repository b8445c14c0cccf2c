"""The results page and the exports: the scoring function's numbers, explained."""

import csv
import io
import json

import pytest
from django.urls import reverse

from compliance.assessments.scoring import answers_by_code, compute_result
from compliance.assessments.services import submit
from compliance.questionnaires.selectors import load_version
from compliance.reports.pdf import html_for
from tests.factories import give, post_data, version_with


@pytest.fixture
def answered(assessment, editor):
    give(assessment, editor.user, "policy-signed", "no", comment='<b>Not yet</b> =HYPERLINK("x")')
    give(assessment, editor.user, "policy-maturity", "l2")
    give(assessment, editor.user, "lists", "controlled", "watch")
    give(assessment, editor.user, "watch-process", "partial")
    return assessment


def results_url(assessment, name="assessment_results"):
    return reverse(name, args=[assessment.uuid])


def test_draft_results_show_the_scoring_functions_numbers(editor_client, answered):
    result = compute_result(load_version(answered.version), answers_by_code(answered))
    page = editor_client.get(results_url(answered)).content.decode()
    assert "Draft: incomplete." in page
    assert f'id="overall-score">{result.score:.1f}' in page
    # policy-signed (critical) answered "no" is a critical finding, listed first with its
    # recommendation. (With two bands, the cap at the second band changes nothing.)
    assert [f.code for f in result.critical_findings] == ["policy-signed"]
    findings = page[page.index('id="findings"') :]
    assert findings.index("Is the policy signed?") < findings.index("Have it signed.")
    assert "&lt;b&gt;Not yet&lt;/b&gt;" in page and "<b>Not yet</b>" not in page
    assert 'class="score-bars"' in page and 'id="section-bars-desc"' in page


def test_submitted_results_are_frozen(editor_client, answered, editor):
    give(answered, editor.user, "policy-signed", "yes")
    submitted = submit(answered, editor.user)
    frozen = submitted.result["score"]
    page = editor_client.get(results_url(submitted)).content.decode()
    assert "Draft: incomplete." not in page
    assert f"{frozen:.1f}" in page


def test_change_since_the_previous_assessment(editor_client, answered, editor):
    from compliance.assessments.services import create_assessment

    submit(answered, editor.user)
    second = create_assessment(
        organisation=editor.organisation,
        version=answered.version,
        title="2027",
        user=editor.user,
        carry_over_from=answered,
    )
    give(second, editor.user, "policy-signed", "yes")
    give(second, editor.user, "policy-maturity", "l1")
    page = editor_client.get(results_url(second)).content.decode()
    assert "Since “2026”" in page
    assert "1 answer improved" in page and "1 answer worsened" in page


def test_csv_opens_in_excel_with_chinese_and_no_formulas(editor_client, answered):
    editor_client.post("/i18n/setlang/", {"language": "zh-hans"})
    response = editor_client.get(results_url(answered, "assessment_export_csv"))
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][2] != "Question code"  # the headers are in Chinese
    by_code = {row[2]: row for row in rows[1:]}
    assert by_code["policy-signed"][3] == "政策是否已签署？"
    assert by_code["policy-signed"][7].startswith("<b>Not yet</b>")
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_formula_cells_are_neutralised(editor_client, assessment, editor):
    give(assessment, editor.user, "policy-signed", "yes", comment='=HYPERLINK("http://evil")')
    rows = list(
        csv.reader(
            io.StringIO(
                editor_client.get(results_url(assessment, "assessment_export_csv")).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    comment = next(row for row in rows if row[2] == "policy-signed")[7]
    assert comment == '\'=HYPERLINK("http://evil")'


def test_xlsx_and_json_exports(editor_client, answered):
    from openpyxl import load_workbook

    response = editor_client.get(results_url(answered, "assessment_export_xlsx"))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert sheet["C1"].value == "Question code"
    codes = [sheet.cell(row=r, column=3).value for r in range(2, sheet.max_row + 1)]
    assert "policy-signed" in codes
    data = json.loads(editor_client.get(results_url(answered, "assessment_export_json")).content)
    assert data["assessment"]["title"] == "2026"
    assert data["sections"][0]["questions"][0]["code"] == "policy-signed"
    assert data["sections"][0]["score"] == pytest.approx(
        compute_result(load_version(answered.version), answers_by_code(answered)).sections[0].score
    )


def test_results_page_queries_do_not_grow(editor_client, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from compliance.assessments.services import create_assessment

    counts = []
    for size in (5, 50):
        version = version_with(size, f"results-{size}")
        assessment = create_assessment(
            organisation=editor.organisation, version=version, title="t", user=editor.user
        )
        editor_client.post(
            reverse("assessment_section", args=[assessment.uuid, 1]), post_data(size)
        )
        editor_client.get(results_url(assessment))
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(results_url(assessment)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_results_and_the_report_say_who_answered(editor_client, answered, editor):
    """The respondents are the answers' authors, most answers first."""
    from tests.factories import MembershipFactory

    other = MembershipFactory(organisation=editor.organisation, role="editor")
    give(answered, other.user, "lists", "controlled")
    page = editor_client.get(results_url(answered)).content.decode()
    expected = f"{editor.user.get_full_name() or editor.user.email}, "
    assert f'id="respondents">Answered by: {expected}' in page
    html = html_for(answered, "en")
    assert "Answered by</td><td>" + expected in html


def _body(page: str) -> str:
    """A results page below its header and above its follow-up panel (their forms carry a
    fresh CSRF token)."""
    return page[page.index('<h1 class="h3 mb-1">') : page.index('id="follow-up"')]


def test_a_drafts_results_are_kept_until_its_answers_change(
    editor_client, answered, editor, django_assert_max_num_queries
):
    """A draft's results page is rendered once for each state of its answers: seen again
    unchanged, it is the kept one; after any change (a choice, or only a comment) it
    shows the change."""
    url = results_url(answered)
    whole = editor_client.get(url).content.decode()
    first = _body(whole)
    # Session, user, the assessment, the header's memberships, the key's two reads.
    with django_assert_max_num_queries(7):
        assert _body(editor_client.get(url).content.decode()) == first
    from django.core.cache import caches

    from compliance.reports.views import RESULTS_CACHE, _results_key

    key, shows = _results_key(type(answered).objects.get(pk=answered.pk))
    kept = caches[RESULTS_CACHE].get(key)
    assert kept is not None and kept[0] == shows and kept[1] in whole
    give(answered, editor.user, "policy-signed", "yes")
    result = compute_result(load_version(answered.version), answers_by_code(answered))
    page = editor_client.get(url).content.decode()
    assert f'id="overall-score">{result.score:.1f}' in page and _body(page) != first
    assert "Have it signed." not in page[page.index('id="findings"') :]
    give(answered, editor.user, "policy-signed", "yes", comment="Signed <now>")
    assert "Signed &lt;now&gt;" in editor_client.get(url).content.decode()


def test_a_submitted_assessments_results_are_rendered_once_per_language(
    editor_client, editor, default_v2, django_assert_max_num_queries
):
    """A submitted assessment's answers and result are frozen: its results page is built
    once per language and kept. What it shows still follows what can change: a reopened
    and resubmitted assessment, a renamed respondent, a new previous assessment."""
    from compliance.assessments.services import create_assessment, reopen
    from tests.factories import answer_all

    assessment = create_assessment(
        organisation=editor.organisation, version=default_v2, title="<i>FY</i>", user=editor.user
    )
    answer_all(assessment, editor.user)
    assessment = submit(assessment, editor.user)
    url = results_url(assessment)
    first = editor_client.get(url).content.decode()
    assert "&lt;i&gt;FY&lt;/i&gt;" in first and "<i>FY</i>" not in first  # kept escaped
    from django.core.cache import caches

    from compliance.reports.views import RESULTS_CACHE, _results_key

    key, shows = _results_key(assessment)
    kept = caches[RESULTS_CACHE].get(key)
    assert kept is not None and kept[0] == shows and kept[1] in first
    # Session, user, the assessment, the header's memberships, the key's two reads.
    with django_assert_max_num_queries(7):
        again = editor_client.get(url).content.decode()

    assert _body(again) == _body(first)

    editor_client.cookies["django_language"] = "zh-hans"
    chinese = editor_client.get(url).content.decode()
    assert "评估结果" in chinese
    del editor_client.cookies["django_language"]

    editor.user.first_name, editor.user.last_name = "Mei", "Lin"
    editor.user.save()
    assert "Mei Lin" in editor_client.get(url).content.decode()

    assessment = submit(reopen(assessment, editor.user), editor.user)
    later = create_assessment(
        organisation=editor.organisation, version=default_v2, title="FY2027", user=editor.user
    )
    answer_all(later, editor.user)
    later = submit(later, editor.user)
    page = editor_client.get(results_url(later)).content.decode()
    assert "Since “&lt;i&gt;FY&lt;/i&gt;”" in page
