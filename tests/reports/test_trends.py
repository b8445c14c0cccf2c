"""Progress over time: an organisation's history read from its frozen results, its line
chart (an inline SVG, on the history page and in the full report) and its table."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from compliance.assessments.models import Assessment
from compliance.assessments.services import create_assessment, reopen, submit
from compliance.organisations.models import Membership
from compliance.questionnaires.models import QuestionnaireVersion
from compliance.reports import charts, trends
from compliance.reports.pdf import html_for, prepare, write_pdf
from compliance.reports.presentation import build_report
from tests.factories import MembershipFactory, OrganisationFactory, answer_all
from tests.reports.test_pdf import read, text_of

DAY = datetime(2025, 3, 31, 9, 0, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script>"


def frozen(score, sections, band="high", hidden=()):
    """A result as ``Result.to_json`` freezes it: ``sections`` maps codes to scores."""
    return {
        "score": score,
        "band": band,
        "band_capped": False,
        "answered": 1,
        "applicable": 1,
        "unanswered": [],
        "critical_findings": [],
        "gaps": [],
        "sections": [
            {
                "code": code,
                "weight": 1.0,
                "score": value,
                "points": 0.0,
                "maximum": 0.0,
                "band": None,
                "shown": code not in hidden,
                "questions": [],
            }
            for code, value in sections.items()
        ],
    }


def submitted(organisation, version, title, days, result, status=Assessment.Status.SUBMITTED):
    return Assessment.objects.create(
        organisation=organisation,
        version=version,
        title=title,
        status=status,
        submitted_at=DAY + timedelta(days=days),
        result=result,
    )


def history_url(organisation) -> str:
    return reverse("organisation_history", args=[organisation.uuid])


@pytest.fixture
def versions(default_v2):
    """Versions 1 and 2 of the default questionnaire."""
    return QuestionnaireVersion.objects.get(
        questionnaire=default_v2.questionnaire, number=1
    ), default_v2


# The history, from the frozen results.


def test_the_history_is_every_submitted_assessment_oldest_first(editor, sample_version):
    organisation = editor.organisation
    later = submitted(
        organisation,
        sample_version,
        "FY2026",
        365,
        frozen(75.0, {"policy": 100.0, "screening": 50.0}, "high"),
        Assessment.Status.APPROVED,
    )
    earlier = submitted(
        organisation,
        sample_version,
        "FY2025",
        0,
        frozen(40.0, {"policy": 60.0, "screening": 30.0}, "low"),
        Assessment.Status.IN_REVIEW,
    )
    # Neither a draft, nor one returned for changes, nor another organisation's counts.
    create_assessment(organisation=organisation, version=sample_version, title="Draft", user=None)
    submitted(organisation, sample_version, "Back", 10, frozen(1.0, {}), Assessment.Status.RETURNED)
    submitted(OrganisationFactory(), sample_version, "Theirs", 5, frozen(99.0, {"policy": 99.0}))

    history = trends.history(organisation)

    assert [p.title for p in history.points] == ["FY2025", "FY2026"]
    first, second = history.points
    assert (first.uuid, first.score, first.band) == (earlier.uuid, 40.0, "Low")
    assert (second.uuid, second.score, second.band) == (later.uuid, 75.0, "High")
    assert first.date.isoformat() == "2025-03-31" and second.date.isoformat() == "2026-03-31"
    assert first.sections == {"policy": 60.0, "screening": 30.0}
    assert [(s.code, s.title) for s in history.sections] == [
        ("policy", "Policy"),
        ("screening", "Screening"),
    ]
    assert (second.questionnaire, second.version_number) == ("Sample ICP check", 1)
    assert not any(p.version_changed for p in history.points)
    assert history.rows[1] == (second, [100.0, 50.0])


def test_band_labels_and_titles_are_in_the_active_language(editor, sample_version):
    from django.utils import translation

    submitted(editor.organisation, sample_version, "A", 0, frozen(75.0, {"policy": 80.0}))
    with translation.override("zh-hans"):
        history = trends.history(editor.organisation)
    assert history.points[0].band == "高"
    assert history.points[0].questionnaire == "内部合规机制样例"
    assert history.sections[0].title == "政策"


def test_a_version_change_is_flagged_and_missing_sections_are_gaps(editor, versions):
    v1, v2 = versions
    organisation = editor.organisation
    submitted(
        organisation, v1, "2024", 0, frozen(50.0, {"policy": 50.0, "manual": 40.0}, "defined")
    )
    submitted(
        organisation,
        v2,
        "2025",
        100,
        frozen(
            60.0,
            {"profile": None, "policy": 70.0, "research": 30.0, "manual": 55.0},
            "managed",
            hidden=("research",),
        ),
    )
    submitted(
        organisation, v2, "2026", 200, frozen(65.0, {"policy": 75.0, "research": 80.0}, "managed")
    )

    history = trends.history(organisation)

    assert [p.version_changed for p in history.points] == [False, True, False]
    assert [p.version_number for p in history.points] == [1, 2, 2]
    # Each band's label as its own version names it.
    assert [p.band for p in history.points] == ["Defined", "Robust", "Robust"]
    # In version 2's order; the profile, never scored, is no line at all.
    assert [s.code for s in history.sections] == ["policy", "manual", "research"]
    research = [scores[2] for _point, scores in history.rows]
    # Not in version 1, then not shown to the company's profile: gaps, not zeros.
    assert research == [None, None, 80.0]
    assert [scores[1] for _point, scores in history.rows] == [40.0, 55.0, None]
    assert history.version_changes == [history.points[1]]

    chart = charts.trend_lines(history)
    research_line = next(line for line in chart.sections if line.code == "research")
    assert research_line.segments == [] and len(research_line.dots) == 1  # one point, a dot
    assert research_line.values == ["–", "–", "80.0"]
    manual = next(line for line in chart.sections if line.code == "manual")
    assert len(manual.segments) == 1 and manual.segments[0].count(",") == 2  # two points
    assert len(chart.markers) == 1
    marker = chart.markers[0]
    xs = [tick.x for tick in chart.ticks]
    assert xs[0] < marker.x < xs[1] and marker.label == "Version 2"
    assert "The questionnaire version changed with 2025 (version 2)" in chart.description


@pytest.mark.parametrize("count", [3, 12])
def test_the_history_reads_two_queries_however_many_assessments(
    editor, versions, count, django_assert_num_queries
):
    v1, v2 = versions
    for index in range(count):
        version = v1 if index < count // 2 else v2
        submitted(editor.organisation, version, f"A{index}", index, frozen(50.0, {"policy": 50.0}))
    with django_assert_num_queries(2):
        history = trends.history(editor.organisation)
    assert len(history.points) == count


def test_an_organisation_without_submissions_has_an_empty_history(
    editor, sample_version, django_assert_num_queries
):
    with django_assert_num_queries(1):
        history = trends.history(editor.organisation)
    assert history.points == [] and history.sections == []


# The chart.

COORDINATE = re.compile(r'\s(?:x|y|cx|cy|x1|x2|y1|y2)="([^"]*)"')


def _svg(html: str, chart_id: str = "trend") -> str:
    start = html.index(f'<svg class="trend-chart" id="{chart_id}"')
    return html[start : html.index("</svg>", start)]


def test_the_chart_with_two_points_and_more(editor, sample_version):
    for days, score in ((0, 40.0), (30, 55.0), (60, 62.5)):
        submitted(
            editor.organisation,
            sample_version,
            f"T{days}",
            days,
            frozen(score, {"policy": score, "screening": 20.0}),
        )
    chart = charts.trend_lines(trends.history(editor.organisation))
    html = render_to_string("reports/_chart_trend.html", {"chart": chart, "legend": True})
    svg = _svg(html)
    assert 'role="img"' in svg and 'aria-labelledby="trend-title trend-desc"' in svg
    assert 'viewBox="0 0 720 300"' in svg and 'width="100%"' in svg
    assert '<title id="trend-title">Progress over time</title>' in svg
    assert "T60 (2025-05-30): 62.5" in svg  # the description and the dots' titles
    # Gridlines and labels of 0 to 100 (the y axis), a labelled date per point (the x axis).
    assert [f">{n}</text>" in svg for n in (0, 20, 40, 60, 80, 100)] == [True] * 6
    assert svg.count(">2025-") == 3
    # The overall line is the bold one; each section line has its own dash pattern.
    polylines = re.findall(r"<polyline [^>]*>", svg)
    assert len(polylines) == 3
    assert 'stroke-width="3.0"' in polylines[-1] and "dasharray" not in polylines[-1]
    assert 'stroke-dasharray="6 3"' in polylines[1]
    # Coordinates are plain numbers, whatever the language's number format.
    coordinates = COORDINATE.findall(svg)
    assert [v for v in coordinates if not re.fullmatch(r"-?\d+(\.\d+)?", v)] == []
    overall_y = [dot.y for dot in chart.overall.dots]
    assert overall_y == sorted(overall_y, reverse=True)  # higher scores stand higher
    assert chart.overall.dots[0].y == pytest.approx(
        chart.bottom - 0.4 * (chart.bottom - chart.top), abs=0.1
    )
    legend = html[html.index('id="trend-legend"') :]
    assert legend.count("<li ") == 3 and "Overall score" in legend and "Screening" in legend


def test_the_chart_with_one_point_is_a_dot(editor, sample_version):
    submitted(editor.organisation, sample_version, "Only", 0, frozen(40.0, {"policy": 40.0}))
    chart = charts.trend_lines(trends.history(editor.organisation))
    svg = _svg(render_to_string("reports/_chart_trend.html", {"chart": chart}))
    assert "<polyline" not in svg and svg.count("<circle") == 2  # overall and policy
    assert chart.overall.dots[0].x == (chart.left + chart.right) / 2
    assert "Overall score of 1 assessment: Only (2025-03-31): 40.0." in svg


def test_crowded_dates_are_labelled_every_few_points_latest_always(editor, sample_version):
    for index in range(12):
        submitted(editor.organisation, sample_version, f"A{index}", index, frozen(50.0, {}))
    history = trends.history(editor.organisation)
    narrow = charts.trend_lines(history, width=360, height=280)
    labelled = [tick.labelled for tick in narrow.ticks]
    assert labelled[-1] and sum(labelled) <= 4
    wide = [tick.labelled for tick in charts.trend_lines(history).ticks]
    assert wide[-1] and sum(wide) <= 8


def test_titles_are_escaped_in_the_chart_and_the_page(editor_client, editor, sample_version):
    for days in (0, 10):
        submitted(
            editor.organisation, sample_version, HOSTILE, days, frozen(50.0, {"policy": 50.0})
        )
    page = editor_client.get(history_url(editor.organisation)).content.decode()
    assert HOSTILE not in page
    svg = _svg(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (2025-03-31)" in svg
    table = page[page.index('id="history-table"') :]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</a>" in table


# The page.


def test_a_member_sees_the_chart_the_table_and_the_caveat(editor_client, editor, versions):
    v1, v2 = versions
    first = submitted(
        editor.organisation, v1, "FY2024", 0, frozen(48.25, {"policy": 50.0}, "defined")
    )
    submitted(editor.organisation, v2, "FY2025", 90, frozen(61.0, {"policy": 70.0}, "managed"))
    response = editor_client.get(history_url(editor.organisation))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<svg class="trend-chart"') == 2  # wide, and narrow for a phone
    assert 'id="version-caveat"' in page
    table = page[page.index('id="history-table"') :]
    assert f'href="{reverse("assessment_results", args=[first.uuid])}">FY2024</a>' in table
    assert "48.3" in table and "Defined" in table and "Robust" in table
    changed = table[table.index('<tr class="table-warning">') :]
    assert "version 2" in changed and "FY2025" in changed and "FY2024" not in changed
    assert "Questionnaire version changed: scores are not strictly comparable." in changed
    assert f"{v1.questionnaire.title_en}</p>" in page  # named once, above
    assert 'class="table-responsive"' in page
    assert reverse("assessment_dashboard") in page


def test_without_submissions_the_page_says_so(editor_client, editor, assessment):
    page = editor_client.get(history_url(editor.organisation)).content.decode()
    assert 'id="no-history"' in page and "There is no submitted assessment yet" in page
    assert "<svg" not in page[page.index("<main") :]


def test_a_viewer_may_see_it(client, editor, sample_version):
    viewer = MembershipFactory(organisation=editor.organisation, role=Membership.Role.VIEWER)
    submitted(editor.organisation, sample_version, "Seen", 0, frozen(50.0, {"policy": 50.0}))
    client.force_login(viewer.user)
    response = client.get(history_url(editor.organisation))
    assert response.status_code == 200 and "Seen" in response.content.decode()


def test_an_outsider_gets_404_and_a_visitor_the_login(client, editor, sample_version):
    submitted(editor.organisation, sample_version, "Secret", 0, frozen(50.0, {}))
    url = history_url(editor.organisation)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(MembershipFactory().user)
    response = client.get(url)
    assert response.status_code == 404 and b"Secret" not in response.content
    assert client.post(url).status_code in (404, 405)


def test_the_results_page_links_to_the_history(editor_client, editor, assessment):
    page = editor_client.get(reverse("assessment_results", args=[assessment.uuid]))
    assert f'href="{history_url(editor.organisation)}"' in page.content.decode()


# The full report.


def _submit_all(organisation, user, version, title):
    assessment = create_assessment(
        organisation=organisation, version=version, title=title, user=user
    )
    answer_all(assessment, user)
    return submit(assessment, user)


def test_the_report_shows_the_history_from_two_assessments_on(editor, sample_version):
    user = editor.user
    first = _submit_all(editor.organisation, user, sample_version, "FY2024")
    assert build_report(first).trend is None
    assert 'id="trend"' not in html_for(first, "en")
    second = _submit_all(editor.organisation, user, sample_version, "FY2025")
    report = build_report(second)
    assert [p.title for p in report.trend.history.points] == ["FY2024", "FY2025"]
    html = html_for(second, "en")
    assert '<h1 id="trend" class="new-page">Progress over time</h1>' in html
    assert '<a href="#trend">Progress over time</a>' in html
    # A draft's report shows the submitted ones (not itself).
    draft = create_assessment(
        organisation=editor.organisation, version=sample_version, title="FY2026", user=user
    )
    assert [p.title for p in build_report(draft).trend.history.points] == ["FY2024", "FY2025"]
    assert "This draft is not among them." in html_for(draft, "en")


def test_a_later_submission_changes_the_key_of_later_reports_only(editor, sample_version):
    """An earlier report's history stops at itself: a new submission in the organisation
    leaves its PDF's key as it was, and changes that of a draft (whose history grows)."""
    user = editor.user
    _submit_all(editor.organisation, user, sample_version, "FY2024")
    second = _submit_all(editor.organisation, user, sample_version, "FY2025")
    draft = create_assessment(
        organisation=editor.organisation, version=sample_version, title="FY2027", user=user
    )
    answer_all(draft, user)
    keys = {a.pk: prepare(a, "en", None).key for a in (second, draft)}
    third = create_assessment(
        organisation=editor.organisation, version=sample_version, title="FY2026", user=user
    )
    answer_all(third, user)
    submit(third, user)
    assert prepare(second, "en", None).key == keys[second.pk]
    assert prepare(draft, "en", None).key != keys[draft.pk]
    assert "FY2026" in html_for(draft, "en")
    # Reopened, the third leaves the draft's history again.
    reopen(Assessment.objects.get(pk=third.pk), user, "Fix")
    assert prepare(draft, "en", None).key == keys[draft.pk]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_pdf_of_a_third_assessment_has_its_progress(editor, versions, language):
    v1, v2 = versions
    user = editor.user
    _submit_all(editor.organisation, user, v1, "FY2024")
    _submit_all(editor.organisation, user, v2, "FY2025")
    third = _submit_all(editor.organisation, user, v2, "FY2026 <b>")
    reader = read(write_pdf(html_for(third, language)))
    text = re.sub(r"\s+", "", text_of(reader))
    english = language == "en"
    if english:  # (the Chinese catalogue's strings are checked by tests/test_i18n.py)
        assert "Progressovertime" in text and "Version2" in text
    assert "FY2024" in text and "FY2026<b>" in text
    research = v2.sections.get(code="research")
    title = research.title_en if english else research.title_zh_hans
    assert re.sub(r"\s+", "", title) in text
    from tests.reports.test_pdf import fonts_of

    assert not any("CJKjp" in font for font in fonts_of(reader))
