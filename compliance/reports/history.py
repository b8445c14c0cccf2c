"""The organisation's history page: the scores of its submitted assessments over time, as
a line chart and a table. Any member may see it; for anyone else it does not exist."""

import textwrap

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from compliance.organisations.selectors import membership_or_404

from . import charts, trends


def header_lines(title: str) -> list[str]:
    """A section's title as the table's column header: in short lines, so that twenty
    columns neither squeeze each title to a word a line nor run the table miles wide."""
    widest = 9 if (get_language() or "").startswith("zh") else 18
    count = len(textwrap.wrap(title, widest)) or 1
    # As many lines as the widest allows, of even length (no word left alone on the last).
    width = -(-len(title) // count)
    while len(lines := textwrap.wrap(title, width)) > count:
        width += 1
    return lines or [title]


@login_required
@require_safe
def organisation_history(request: HttpRequest, organisation: str) -> HttpResponse:
    membership = membership_or_404(request.user, organisation)
    trail = trends.history(membership.organisation)
    has_points = bool(trail.points)
    return render(
        request,
        "reports/history.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "history": trail,
            "headers": [header_lines(section.title) for section in trail.sections],
            # The same lines twice: wide for a screen, narrow (larger text) for a phone.
            "chart": charts.trend_lines(trail, "trend") if has_points else None,
            "narrow_chart": (
                charts.trend_lines(trail, "trend-narrow", width=360, height=280)
                if has_points
                else None
            ),
        },
    )
