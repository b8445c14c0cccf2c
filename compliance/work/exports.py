"""The portfolio as CSV and XLSX: the page's columns, in the user's language, text cells
neutralised against formulas (``core.spreadsheets``)."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compliance.core.numbers import rounded
from compliance.core.spreadsheets import csv_bytes, xlsx_bytes

from .selectors import PortfolioRow

#: The portfolio's columns, on the page and in the exports: sort key and heading.
COLUMNS = (
    ("name", _("Organisation")),
    ("role", _("Your role")),
    ("score", _("Last score")),
    ("band", _("Band")),
    ("critical", _("Critical findings")),
    ("open", _("Open actions")),
    ("overdue", _("Overdue actions")),
    ("due", _("Next assessment due")),
    ("draft", _("Current draft")),
)
WIDTHS = (36, 14, 12, 20, 12, 12, 12, 16, 14)


def headers() -> list[str]:
    return [str(label) for _key, label in COLUMNS]


def cells(row: PortfolioRow) -> list:
    """One organisation's row: numbers as numbers, dates in ISO 8601, text as text."""
    score = rounded(row.score, 1)
    return [
        row.organisation.name,
        str(row.membership.get_role_display()),
        None if score is None else float(score),
        str(row.band.label) if row.band else "",
        row.critical_findings,
        row.actions.open,
        row.actions.overdue,
        row.next_due.isoformat() if row.next_due else "",
        gettext("none") if row.draft is None else f"{row.draft_percent}%",
    ]


def to_csv(rows: list[PortfolioRow]) -> bytes:
    return csv_bytes(headers(), [cells(row) for row in rows])


def to_xlsx(rows: list[PortfolioRow]) -> bytes:
    return xlsx_bytes(gettext("Portfolio"), headers(), [cells(row) for row in rows], WIDTHS)
