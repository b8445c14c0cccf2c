"""The charts shared by the pages and the PDF: score by section, and progress over time.

HTML and CSS bars (``reports/_chart_bars.html``, ``reports/static/reports/charts.css``):
no JavaScript to see a score, no charting dependency, labels that wrap instead of being
cut off, a phone that shows each label above its bar, and text in the page's own fonts
(an SVG's text took a Japanese CJK font in the PDF). This module computes the values as
whole percents and band numbers; the markup is a template, escaped like every template.
The chart carries a text description for screen readers.

Progress over time (``reports/_chart_trend.html``) is a hand-written inline SVG line
chart, the cheapest chart for WeasyPrint: this module computes every coordinate, so the
template holds no arithmetic. Each section line has its own colour and dash pattern, so
that the chart reads in grayscale print too; the overall line is the bold one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from compliance.core.numbers import rounded, shown
from compliance.scoring import band_for

from .trends import History, Point

if TYPE_CHECKING:  # presentation imports this module to chart a report's history
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


# Progress over time.

#: Section lines: colours (a colour-blind-safe set) and dash patterns; as 8 and 5 have no
#: common divisor, the first 40 sections each get a pair of their own.
COLOURS = ("#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8a6d00", "#667085")
DASHES = ("", "6 3", "2 2", "9 3 2 3", "4 2 1 2")
OVERALL_COLOUR = "#123a5e"
MARKER_COLOUR = "#b54708"
#: Fonts of the SVG's text: the PDF's own (an SVG's text with a generic family took a
#: Japanese CJK font in the PDF), the page's on screen.
PRINT_FONTS = {
    "en": "DejaVu Sans, Noto Sans CJK SC, sans-serif",
    "zh": "Noto Sans CJK SC, sans-serif",
}
SCREEN_FONT = "system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, Noto Sans CJK SC, sans-serif"
#: Columns of assessments per table in the PDF (a table per group of this many).
PRINT_COLUMNS = 6


@dataclass(frozen=True, slots=True)
class Gridline:
    y: float
    label: str  # 0, 20, ... 100


@dataclass(frozen=True, slots=True)
class DateTick:
    x: float
    day: object  # a date, written by the template in the language's format
    labelled: bool  # crowded axes label every few points (always the latest)


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    point: Point
    value: str  # the score as shown


@dataclass(frozen=True, slots=True)
class Line:
    code: str  # the section's code; "" for the overall score
    label: str
    colour: str
    dash: str  # an SVG stroke-dasharray, "" for a solid line
    width: float
    segments: list[str]  # SVG polyline points, one per run of points with a score
    dots: list[Dot]
    values: list[str]  # the score at each point as shown, "–" where there is none


@dataclass(frozen=True, slots=True)
class VersionMarker:
    x: float
    label: str
    label_x: float
    anchor: str  # the label's text-anchor, kept inside the chart


@dataclass(frozen=True, slots=True)
class TableGroup:
    """A few assessments' columns of the PDF's table (rows: overall, then sections)."""

    points: list[Point]
    rows: list[tuple[Line, list[str]]]


@dataclass(frozen=True, slots=True)
class TrendChart:
    id: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    font: str
    description: str
    gridlines: list[Gridline]
    ticks: list[DateTick]
    overall: Line
    sections: list[Line]
    markers: list[VersionMarker]
    history: History
    marker_colour: str = MARKER_COLOUR

    @property
    def lines(self) -> list[Line]:
        return [self.overall, *self.sections]

    @property
    def axis_label_x(self) -> float:
        return self.left - 6

    @property
    def tick_end(self) -> float:
        return self.bottom + 4

    @property
    def marker_top(self) -> float:
        return self.top - 8

    @property
    def groups(self) -> list[TableGroup]:
        groups = []
        for start in range(0, len(self.history.points), PRINT_COLUMNS):
            end = start + PRINT_COLUMNS
            groups.append(
                TableGroup(
                    self.history.points[start:end],
                    [(line, line.values[start:end]) for line in self.lines],
                )
            )
        return groups


def _day(point: Point) -> str:
    return formats.date_format(point.date, "SHORT_DATE_FORMAT")


def _text_width(text: str) -> float:
    """About how wide ``text`` is at the chart's font size (12): CJK characters are square,
    Latin digits and letters about half as wide."""
    return sum(12.0 if ord(char) >= 0x2E80 else 7.0 for char in text)


def _trend_description(history: History) -> str:
    points = history.points
    if not points:
        return _("No submitted assessment yet.")
    scores = "; ".join(
        f"{point.title} ({_day(point)}): "
        + (shown(point.score, 1) if point.score is not None else _("no score"))
        for point in points
    )
    text = ngettext(
        "Overall score of %(count)s assessment: %(scores)s.",
        "Overall score of %(count)s assessments, oldest first: %(scores)s.",
        len(points),
    ) % {"count": len(points), "scores": scores}
    for point in history.version_changes:
        text += " " + _(
            "The questionnaire version changed with %(title)s (version %(number)s): "
            "scores are not strictly comparable."
        ) % {"title": point.title, "number": point.version_number}
    return text


def trend_lines(
    history: History,
    chart_id: str = "trend",
    *,
    width: int = 720,
    height: int = 300,
    for_print: bool = False,
) -> TrendChart:
    """The line chart of ``history``: the overall score and each section's, with a marker
    where the questionnaire version changed. ``width`` and ``height`` are the viewBox's
    (the SVG scales to its container); a narrow chart labels fewer dates."""
    left, right, top, bottom = 40.0, width - 14.0, 34.0, height - 34.0
    points = history.points
    inset = 46.0  # the first and last points stand off the axes, room for their dates
    step = (right - left - 2 * inset) / max(len(points) - 1, 1)
    if len(points) == 1:
        xs = [(left + right) / 2]
    else:
        xs = [left + inset + index * step for index in range(len(points))]

    def y_of(score: float) -> float:
        return round(bottom - (bottom - top) * max(0.0, min(score, 100.0)) / 100, 1)

    def line(code, label, colour, dash, line_width, scores) -> Line:
        segments, run, dots, values = [], [], [], []
        for x, point, score in zip(xs, points, scores, strict=True):
            if score is None:
                if len(run) > 1:
                    segments.append(" ".join(run))
                run = []
                values.append("–")
                continue
            y = y_of(score)
            run.append(f"{x:.1f},{y:.1f}")
            value = shown(score, 1)
            dots.append(Dot(round(x, 1), y, point, value))
            values.append(value)
        if len(run) > 1:
            segments.append(" ".join(run))
        return Line(code, label, colour, dash, line_width, segments, dots, values)

    overall = line(
        "", _("Overall score"), OVERALL_COLOUR, "", 3.0, [point.score for point in points]
    )
    sections = [
        line(
            series.code,
            series.title,
            COLOURS[index % len(COLOURS)],
            DASHES[index % len(DASHES)],
            1.5,
            [point.sections.get(series.code) for point in points],
        )
        for index, series in enumerate(history.sections)
    ]
    # Label every few points when the dates would touch.
    widest = max((_text_width(_day(point)) for point in points), default=0.0)
    every = max(1, math.ceil((widest + 12) / step))
    last = len(points) - 1
    ticks = [
        DateTick(round(x, 1), point.date, (last - index) % every == 0)
        for index, (x, point) in enumerate(zip(xs, points, strict=True))
    ]
    markers = []
    for index, point in enumerate(points):
        if not point.version_changed:
            continue
        x = round((xs[index - 1] + xs[index]) / 2, 1)
        label = _("Version %(number)s") % {"number": point.version_number}
        half = _text_width(label) / 2
        anchor, label_x = "middle", x
        if x + half > width - 2:
            anchor, label_x = "end", x + 4
        elif x - half < 2:
            anchor, label_x = "start", x - 4
        markers.append(VersionMarker(x, label, label_x, anchor))
    language = "zh" if (get_language() or "").startswith("zh") else "en"
    return TrendChart(
        id=chart_id,
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        font=PRINT_FONTS[language] if for_print else SCREEN_FONT,
        description=_trend_description(history),
        gridlines=[Gridline(y_of(value), str(value)) for value in range(0, 101, 20)],
        ticks=ticks,
        overall=overall,
        sections=sections,
        markers=markers,
        history=history,
    )
