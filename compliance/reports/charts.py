"""The score-by-section chart, shared by the results page and the PDF.

HTML and CSS bars (``reports/_chart_bars.html``, ``reports/static/reports/charts.css``):
no JavaScript to see a score, no charting dependency, labels that wrap instead of being
cut off, a phone that shows each label above its bar, and text in the page's own fonts
(an SVG's text took a Japanese CJK font in the PDF). This module computes the values as
whole percents and band numbers; the markup is a template, escaped like every template.
The chart carries a text description for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from compliance.core.numbers import rounded, shown
from compliance.scoring import band_for

from .presentation import Report


@dataclass(frozen=True, slots=True)
class Threshold:
    percent: int  # where the band starts, 0 to 100
    label: str


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    percent: int | None  # the bar's length in whole percent; None without a score
    value: str  # the score as shown, or "n/a"
    band: str  # "0" to "4" by the band the score falls in, or "none"
    change: str = ""  # the change since the previous assessment ("+12", "-3"), if any


@dataclass(frozen=True, slots=True)
class BarChart:
    id: str
    description: str
    thresholds: list[Threshold]
    bars: list[Bar]


def _band(report: Report, score: float | None) -> str:
    """The band a score falls in, by the scoring engine's own rule (for its colour)."""
    band = band_for(tuple(report.bands), score)
    return "none" if band is None else str(min(report.bands.index(band), 4))


def _description(report: Report) -> str:
    parts = [
        f"{row.number}. {row.section.title}: "
        + (shown(row.score, 1) if row.score is not None else _("no score"))
        for row in report.shown_sections
    ]
    return "; ".join(parts)


def _change(delta: float | None) -> str:
    if delta is None:
        return ""
    text = shown(delta, 0)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def section_bars(report: Report, chart_id: str = "section-bars") -> BarChart:
    """One bar per section that applies, with the band thresholds as dashed lines."""
    return BarChart(
        id=chart_id,
        description=_description(report),
        thresholds=[
            Threshold(int(rounded(band.min, 0)), f"{band.min:g}") for band in report.bands[1:]
        ],
        bars=[
            Bar(
                label=f"{section.number}. {section.section.title}",
                percent=None if section.score is None else int(rounded(section.score, 0)),
                value=_("n/a") if section.score is None else shown(section.score, 0),
                band=_band(report, section.score),
                change=_change(section.delta),
            )
            for section in report.shown_sections
        ],
    )
