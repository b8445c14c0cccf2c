"""Server-rendered SVG charts, shared by the results page and the PDF.

Hand-written SVG: no JavaScript to see a score, no charting dependency, and the cheapest
thing for WeasyPrint to draw. Every chart carries a title and a text description for
screen readers; every label is escaped.
"""

from __future__ import annotations

import math
from html import escape

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from compliance.scoring import band_for

from .presentation import Report

BAND_COLOURS = ["#b42318", "#dc6803", "#c4a000", "#3e8e41", "#1b6e3a"]


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
        + (number_format(row.score, 1) if row.score is not None else _("no score"))
        for row in report.sections
    ]
    return "; ".join(parts)


def section_bars(report: Report, chart_id: str = "section-bars") -> str:
    """Horizontal bars, one per section, with the band thresholds as dashed lines."""
    title, not_scored = _("Score by section"), _("n/a")
    left, bar_width, row, top = 290, 360, 26, 28
    height = top + row * len(report.sections) + 24
    width = left + bar_width + 60
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'class="chart chart-bars" font-size="11">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_description(report))}</desc>',
    ]
    for band in report.bands[1:]:
        x = left + bar_width * band.min / 100
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 20}" '
            f'stroke="#98a2b3" stroke-dasharray="3 3"/>'
            f'<text x="{x:.1f}" y="{top - 12}" text-anchor="middle" fill="#475467" '
            f'font-size="10">{band.min:g}</text>'
        )
    for index, row_data in enumerate(report.sections):
        y = top + index * row
        label = escape(_short(f"{row_data.number}. {row_data.section.title}", 40))
        out.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" fill="#101828">{label}</text>'
        )
        out.append(f'<rect x="{left}" y="{y + 3}" width="{bar_width}" height="16" fill="#f2f4f7"/>')
        if row_data.score is not None:
            length = bar_width * row_data.score / 100
            out.append(
                f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="16" '
                f'fill="{_colour(report, row_data.score)}"/>'
                f'<text x="{left + length + 6:.1f}" y="{y + 15}" fill="#101828">'
                f"{escape(number_format(row_data.score, 0))}</text>"
            )
        else:
            out.append(
                f'<text x="{left + 6}" y="{y + 15}" fill="#475467">{escape(not_scored)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def radar(report: Report, chart_id: str = "section-radar") -> str:
    """A radar of the section scores, with rings at the band thresholds."""
    title = _("Section profile")
    scored = list(report.sections)
    size, centre, radius = 420, 210, 150
    count = max(len(scored), 3)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'class="chart chart-radar" font-size="11">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_description(report))}</desc>',
    ]

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        distance = radius * value / 100
        return centre + distance * math.cos(angle), centre + distance * math.sin(angle)

    for band in [*report.bands[1:], None]:
        level = band.min if band else 100
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(count)))
        out.append(f'<polygon points="{ring}" fill="none" stroke="#d0d5dd"/>')
    for index, row in enumerate(scored):
        x, y = point(index, 100)
        out.append(
            f'<line x1="{centre}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" stroke="#eaecf0"/>'
        )
        lx, ly = point(index, 116)
        anchor = "middle" if abs(lx - centre) < 20 else ("start" if lx > centre else "end")
        out.append(
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}" fill="#344054">'
            f"{row.number}</text>"
        )
    shape = " ".join(
        f"{x:.1f},{y:.1f}" for x, y in (point(i, row.score or 0) for i, row in enumerate(scored))
    )
    out.append(
        f'<polygon points="{shape}" fill="rgba(18,58,94,0.25)" stroke="#123a5e" stroke-width="2"/>'
    )
    out.append("</svg>")
    return "".join(out)
