"""The SVG charts: geometry from the scores, markup from templates, every label escaped."""

import xml.etree.ElementTree as ET

from django.template.loader import render_to_string
from django.urls import reverse

from compliance.reports import charts
from compliance.reports.presentation import build_report
from tests.factories import give

SVG = "{http://www.w3.org/2000/svg}"


def _svgs(page: str) -> dict[str, ET.Element]:
    found = {}
    rest = page
    while "<svg " in rest:
        start = rest.index("<svg ")
        end = rest.index("</svg>", start) + len("</svg>")
        element = ET.fromstring(rest[start:end])  # noqa: S314 (our page; must be XML)
        found[element.get("class")] = element
        rest = rest[end:]
    return found


def test_the_bars_show_each_sections_score(editor_client, assessment, editor):
    give(assessment, editor.user, "policy-signed", "yes")
    give(assessment, editor.user, "policy-maturity", "l2")
    report = build_report(assessment)
    url = reverse("assessment_results", args=[assessment.uuid])
    svgs = _svgs(editor_client.get(url).content.decode())
    bars = svgs["chart chart-bars"]
    assert "chart chart-radar" not in svgs  # 1 to 14 on a radar could not be read: dropped
    labels = [t.text for t in bars.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert labels == [f"{s.number}. {s.section.title}" for s in report.shown_sections]
    coloured = [r for r in bars.iter(f"{SVG}rect") if r.get("fill") != "#f2f4f7"]
    scored = [s for s in report.sections if s.score is not None]
    assert len(coloured) == len(scored) >= 1
    for rect, section in zip(coloured, scored, strict=True):
        assert float(rect.get("width")) == round(360 * section.score / 100, 1)
    unscored = len(report.sections) - len(scored)
    assert [t.text for t in bars.iter(f"{SVG}text")].count("n/a") == unscored
    assert bars.find(f"{SVG}title").text == "Score by section"
    assert bars.find(f"{SVG}desc").text.startswith("1. Policy: ")


def test_chart_labels_are_escaped():
    chart = charts.BarChart(
        id="x",
        description='<script>alert("desc")</script>',
        width=100,
        height=60,
        left=50,
        bar_width=40,
        top=28,
        thresholds=[],
        bars=[charts.Bar('1. <b onmouseover="x">A & B</b>', 28, "10.0", "#000", "25", "66.0")],
    )
    svg = render_to_string("reports/_chart_bars.html", {"chart": chart})
    assert "<script>" not in svg and "<b " not in svg
    element = ET.fromstring(svg[svg.index("<svg") :])  # noqa: S314 (our template)
    texts = [t.text for t in element.iter(f"{SVG}text")]
    assert texts == ['1. <b onmouseover="x">A & B</b>', "25"]
    assert element.find(f"{SVG}desc").text == '<script>alert("desc")</script>'
