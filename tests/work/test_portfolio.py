"""The portfolio: one row per organisation of the person, sortable, exportable, in a
number of queries that does not grow with the number of organisations."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compliance.actions.models import Action
from compliance.assessments.cycle import add_months
from compliance.assessments.models import Assessment
from compliance.assessments.services import create_assessment, submit
from compliance.organisations.models import Membership
from compliance.questionnaires.models import Question
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, answer_all, give

URL = "/portfolio/"
CSV_URL = "/portfolio/export.csv"
XLSX_URL = "/portfolio/export.xlsx"


def test_the_urls_are_named():
    assert reverse("portfolio") == URL
    assert reverse("portfolio_export_csv") == CSV_URL
    assert reverse("portfolio_export_xlsx") == XLSX_URL


@pytest.mark.parametrize("url", [URL, CSV_URL, XLSX_URL])
def test_an_anonymous_visitor_is_sent_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def _result(organisation, version, score, *, band="high", findings=0, days_ago=10, **fields):
    """A submitted assessment with its frozen result, as submission leaves it."""
    return Assessment.objects.create(
        organisation=organisation,
        version=version,
        title=fields.pop("title", "Submitted"),
        status=fields.pop("status", Assessment.Status.SUBMITTED),
        submitted_at=timezone.now() - timedelta(days=days_ago),
        result={
            "score": score,
            "band": band,
            "critical_findings": [{"code": f"q{n}"} for n in range(findings)],
        },
        **fields,
    )


def _draft(organisation, version, answered, applicable, title="Draft"):
    return Assessment.objects.create(
        organisation=organisation,
        version=version,
        title=title,
        answered_count=answered,
        applicable_count=applicable,
    )


def _actions(organisation, version, open_=1, overdue=0):
    today = timezone.localdate()
    questions = list(Question.objects.filter(version=version).order_by("pk"))
    for n, question in enumerate(questions[: open_ + overdue]):
        Action.objects.create(
            organisation=organisation,
            question=question,
            question_code=question.code,
            title=f"Action {n}",
            due_date=today - timedelta(days=1) if n < overdue else today + timedelta(days=30),
        )


def test_a_row_shows_the_last_result_actions_next_due_and_the_draft(client, editor, sample_version):
    """From a real submission: the score (out of 100) as a percentage, the band's label,
    the critical findings; the actions; due a year after submission; the draft's progress."""
    submitted = create_assessment(
        organisation=editor.organisation, version=sample_version, title="2025", user=editor.user
    )
    answer_all(submitted, editor.user)
    give(submitted, editor.user, "policy-signed", "no")  # a critical finding
    submit(submitted, editor.user)
    submitted.refresh_from_db()
    _draft(editor.organisation, sample_version, 3, 4)
    _actions(editor.organisation, sample_version, open_=2, overdue=1)
    client.force_login(editor.user)

    response = client.get(URL)

    [row] = response.context["rows"]
    assert row.result == submitted
    assert row.score == submitted.result["score"]
    assert row.critical_findings == len(submitted.result["critical_findings"]) == 1
    assert str(row.band.label) in {"Low", "High"}
    assert (row.actions.open, row.actions.overdue) == (3, 1)
    assert row.next_due == add_months(timezone.localdate(submitted.submitted_at), 12)
    assert row.draft_percent == 75
    page = response.content.decode()
    assert f">{row.score:.1f}<" in page
    assert f">{row.band.label}<" in page
    assert ">75%<" in page
    assert "Editor" in page
    assert ">Overdue<" not in page  # the next assessment is not due yet


def test_the_next_assessment_past_due_is_marked_overdue(client, editor, sample_version):
    _result(editor.organisation, sample_version, 80.0, days_ago=400)
    client.force_login(editor.user)
    response = client.get(URL)
    [row] = response.context["rows"]
    assert row.due_overdue
    assert ">Overdue<" in response.content.decode()


def test_an_organisation_without_a_result_or_a_draft_shows_none(client, editor):
    client.force_login(editor.user)
    response = client.get(URL)
    [row] = response.context["rows"]
    assert (row.score, row.band, row.critical_findings, row.next_due, row.draft) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert ">none<" in response.content.decode()


def test_the_latest_submission_counts_and_a_returned_one_does_not(client, editor, sample_version):
    _result(editor.organisation, sample_version, 40.0, days_ago=100, title="Older")
    newer = _result(editor.organisation, sample_version, 60.0, days_ago=50, title="Newer")
    _result(
        editor.organisation,
        sample_version,
        90.0,
        days_ago=5,
        status=Assessment.Status.RETURNED,
        title="Returned",
    )
    client.force_login(editor.user)
    [row] = client.get(URL).context["rows"]
    assert row.result == newer
    assert row.draft.title == "Returned"  # being changed again: the current draft


def test_another_organisations_data_never_appears(client, editor, sample_version):
    other = MembershipFactory(organisation=OrganisationFactory(name="Secret Exports Co."))
    _result(other.organisation, sample_version, 12.3)
    client.force_login(editor.user)
    for url in (URL, CSV_URL):
        body = client.get(url).content.decode("utf-8-sig")
        assert "Secret Exports Co." not in body
    assert [row.organisation for row in client.get(URL).context["rows"]] == [editor.organisation]


@pytest.fixture
def three(sample_version):
    """A person in three organisations: scores 70, none and 30; due dates to match."""
    user = UserFactory()
    names = {}
    for name, score, days_ago, overdue in (
        ("Beta", 70.0, 30, 2),
        ("Alpha", None, None, 0),
        ("Gamma", 30.0, 300, 1),
    ):
        membership = MembershipFactory(user=user, organisation=OrganisationFactory(name=name))
        if score is not None:
            _result(membership.organisation, sample_version, score, days_ago=days_ago)
        _actions(membership.organisation, sample_version, open_=0, overdue=overdue)
        names[name] = membership
    return user


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", ["Alpha", "Beta", "Gamma"]),
        ("name", ["Alpha", "Beta", "Gamma"]),
        ("-name", ["Gamma", "Beta", "Alpha"]),
        ("score", ["Gamma", "Beta", "Alpha"]),  # no score yet: last, either way
        ("-score", ["Beta", "Gamma", "Alpha"]),
        ("due", ["Gamma", "Beta", "Alpha"]),
        ("-due", ["Beta", "Gamma", "Alpha"]),
        ("overdue", ["Alpha", "Gamma", "Beta"]),
        ("-overdue", ["Beta", "Gamma", "Alpha"]),
        ("nonsense", ["Alpha", "Beta", "Gamma"]),
    ],
)
def test_the_rows_sort_by_the_column_asked_for(client, three, sort, order):
    client.force_login(three)
    response = client.get(URL, {"sort": sort} if sort else {})
    assert [row.organisation.name for row in response.context["rows"]] == order


def test_the_sorted_column_says_so_and_its_link_reverses_it(client, three):
    client.force_login(three)
    page = client.get(URL, {"sort": "score"}).content.decode()
    assert 'aria-sort="ascending"' in page
    assert page.count("aria-sort=") == 1
    assert 'href="?sort=-score"' in page
    assert 'href="?sort=due"' in page
    page = client.get(URL, {"sort": "-score"}).content.decode()
    assert 'aria-sort="descending"' in page
    assert 'href="?sort=score"' in page
    # A phone shows no headings: the same sorts are a menu.
    assert '<option value="-score" selected>Last score, descending</option>' in page


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> list[list]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


HEADERS = [
    "Organisation",
    "Your role",
    "Last score",
    "Band",
    "Critical findings",
    "Open actions",
    "Overdue actions",
    "Next assessment due",
    "Current draft",
]


def test_the_exports_hold_the_pages_columns_in_its_order(client, editor, sample_version):
    submitted = _result(editor.organisation, sample_version, 56.25, findings=2, days_ago=1)
    _draft(editor.organisation, sample_version, 1, 3)
    _actions(editor.organisation, sample_version, open_=1, overdue=1)
    due = add_months(timezone.localdate(submitted.submitted_at), 12).isoformat()
    client.force_login(editor.user)
    expected = [editor.organisation.name, "Editor", 56.3, "High", 2, 2, 1, due, "33%"]

    rows = _csv(client.get(CSV_URL))
    assert rows == [HEADERS, [str(cell) for cell in expected]]
    assert _xlsx(client.get(XLSX_URL)) == [HEADERS, expected]


def test_the_exports_follow_the_pages_sort(client, three):
    client.force_login(three)
    rows = _csv(client.get(CSV_URL, {"sort": "-score"}))
    assert [row[0] for row in rows[1:]] == ["Beta", "Gamma", "Alpha"]
    rows = _xlsx(client.get(XLSX_URL, {"sort": "-score"}))
    assert [row[0] for row in rows[1:]] == ["Beta", "Gamma", "Alpha"]


def test_a_name_that_a_spreadsheet_would_run_is_exported_as_text(client, editor):
    editor.organisation.name = '=HYPERLINK("http://evil.example","x")'
    editor.organisation.save()
    client.force_login(editor.user)
    assert _csv(client.get(CSV_URL))[1][0] == "'" + editor.organisation.name
    assert _xlsx(client.get(XLSX_URL))[1][0] == "'" + editor.organisation.name
    page = client.get(URL).content.decode()
    assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)" in page


def test_the_exports_are_in_the_users_language(client, editor):
    client.force_login(editor.user)
    english = _csv(client.get(CSV_URL, HTTP_ACCEPT_LANGUAGE="en"))[0]
    chinese = _csv(client.get(CSV_URL, HTTP_ACCEPT_LANGUAGE="zh-hans"))[0]
    assert english == HEADERS
    assert len(chinese) == len(HEADERS)


def _portfolio_of(user, version, organisations: int) -> None:
    """``organisations`` organisations of ``user``, each with a submitted assessment, a
    draft and actions, one overdue."""
    for n in range(organisations):
        membership = MembershipFactory(user=user, role=Membership.Role.OWNER)
        _result(membership.organisation, version, float(n), findings=n % 3, days_ago=n * 10)
        _draft(membership.organisation, version, n % 4, 4)
        _actions(membership.organisation, version, open_=2, overdue=1)


def _queries(client, user, url) -> int:
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_queries_do_not_grow_with_the_number_of_organisations(client, sample_version):
    few, many = UserFactory(), UserFactory()
    _portfolio_of(few, sample_version, 5)
    _portfolio_of(many, sample_version, 50)
    for url in (URL, CSV_URL, XLSX_URL):
        assert _queries(client, few, url) == _queries(client, many, url), url
    # Session, user; the memberships with their latest assessments' ids, those
    # assessments, their bands, the action figures; the header's memberships.
    assert _queries(client, many, URL) == 7
    assert len(client.get(URL).context["rows"]) == 50
