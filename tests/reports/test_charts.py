"""The score-by-section chart: values from the scores, markup from a template (HTML and
CSS bars, shared by the results page and the PDF), every label whole and escaped."""

import re

from django.template.loader import render_to_string
from django.urls import reverse

from compliance.reports import charts
from compliance.reports.presentation import build_report
from tests.factories import give

ROW = re.compile(
    r'<li class="score-bars-row"><span class="score-bars-label">(.*?)</span>'
    r'<span class="score-bars-track">(.*?)</span><span class="score-bars-value">(.*?)</span></li>'
)


def test_the_bars_show_each_sections_score(editor_client, assessment, editor):
    give(assessment, editor.user, "policy-signed", "yes")
    give(assessment, editor.user, "policy-maturity", "l1")
    report = build_report(assessment)
    page = editor_client.get(reverse("assessment_results", args=[assessment.uuid])).content.decode()
    assert "reports/charts.css" in page and "<svg" not in page
    rows = ROW.findall(page[page.index('class="score-bars"') :])
    assert [label for label, _track, _value in rows] == [
        f"{s.number}. {s.section.title}" for s in report.shown_sections
    ]
    for (_label, track, value), section in zip(rows, report.shown_sections, strict=True):
        if section.score is None:
            assert value == "n/a" and "score-bars-bar" not in track
        else:
            percent = round(section.score)
            assert f"score-bars-bar w-{percent} band-" in track and value == str(percent)
        assert 'score-bars-threshold at-50"' in track  # the sample's second band starts at 50
    assert 'id="section-bars-desc">1. Policy: 83.3; 2. Screening: 0.0</p>' in page


def test_chart_labels_are_whole_and_escaped():
    chart = charts.BarChart(
        id="x",
        description='<script>alert("desc")</script>',
        thresholds=[charts.Threshold(40, "40")],
        bars=[charts.Bar('1. <b onmouseover="x">A & B</b> ' + "long " * 20, 25, "25", "1")],
    )
    html = render_to_string("reports/_chart_bars.html", {"chart": chart})
    assert "<script>" not in html and "<b " not in html
    assert "&lt;b onmouseover=&quot;x&quot;&gt;A &amp; B&lt;/b&gt; " + "long " * 19 in html
    assert "…" not in html  # never cut off
    assert 'class="score-bars-bar w-25 band-1"' in html
