"""Server-rendered SVG charts, shared by the results page and the PDF.

SVG: no JavaScript to see a score, no charting dependency, and the cheapest thing for
WeasyPrint to draw. This module computes the chart's geometry as plain values; the
markup is in a template (``reports/_chart_bars.html``), escaped like every template.
Every chart carries a title and a text description for screen readers. Coordinates are
strings with a "." decimal point in every language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from compliance.core.i18n import column_suffix
from compliance.core.numbers import shown
from compliance.scoring import band_for

from .presentation import Report

BAND_COLOURS = ["#b42318", "#dc6803", "#c4a000", "#3e8e41", "#1b6e3a"]


@dataclass(frozen=True, slots=True)
class Threshold:
    x: str
    label: str


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    y: int  # top of the row
    length: str | None  # of the coloured bar; None when the section has no score
    colour: str
    value: str  # the score as shown, or "n/a"
    value_x: str


#: The fonts chart text is set in, by the column suffix of the language. An SVG's text
#: does not take the page's CSS in WeasyPrint, and "sans-serif" alone gives Chinese the
#: Japanese glyph forms (Noto Sans CJK JP): the SC font is named.
FONTS = {
    "zh_hans": "Noto Sans CJK SC, sans-serif",
    "en": "DejaVu Sans, Noto Sans CJK SC, sans-serif",
}


def chart_font() -> str:
    return FONTS[column_suffix()]


@dataclass(frozen=True, slots=True)
class BarChart:
    id: str
    description: str
    width: int
    height: int
    left: int
    bar_width: int
    top: int
    thresholds: list[Threshold]
    bars: list[Bar]
    font: str = FONTS["en"]


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def _colour(report: Report, score: float | None) -> str:
    """The colour of the band a score falls in, by the scoring engine's own rule."""
    band = band_for(tuple(report.bands), score)
    if band is None:
        return "#98a2b3"
    return BAND_COLOURS[min(report.bands.index(band), len(BAND_COLOURS) - 1)]


def _short(text: str, length: int = 38) -> str:
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def _description(report: Report) -> str:
    parts = [
        f"{row.number}. {row.section.title}: "
        + (shown(row.score, 1) if row.score is not None else _("no score"))
        for row in report.shown_sections
    ]
    return "; ".join(parts)


def section_bars(report: Report, chart_id: str = "section-bars") -> BarChart:
    """Horizontal bars, one per section, with the band thresholds as dashed lines."""
    left, bar_width, row, top = 290, 360, 26, 28
    bars = []
    for index, section in enumerate(report.shown_sections):
        length = None if section.score is None else bar_width * section.score / 100
        bars.append(
            Bar(
                label=_short(f"{section.number}. {section.section.title}", 40),
                y=top + index * row,
                length=None if length is None else _coordinate(length),
                colour=_colour(report, section.score),
                value=_("n/a") if section.score is None else shown(section.score, 0),
                value_x=_coordinate(left + (length or 0) + 6),
            )
        )
    return BarChart(
        id=chart_id,
        description=_description(report),
        width=left + bar_width + 60,
        height=top + row * len(report.shown_sections) + 24,
        left=left,
        bar_width=bar_width,
        top=top,
        thresholds=[
            Threshold(_coordinate(left + bar_width * band.min / 100), f"{band.min:g}")
            for band in report.bands[1:]
        ],
        bars=bars,
        font=chart_font(),
    )
