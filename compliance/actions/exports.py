"""The actions list as CSV and XLSX, with the page's filters, in the user's language."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from compliance.core.spreadsheets import csv_bytes, xlsx_bytes


def headers() -> list[str]:
    return [
        _("Title"),
        _("Question"),
        _("Section"),
        _("Priority"),
        _("Status"),
        pgettext("action", "Owner"),
        _("Due date"),
        _("Overdue"),
        _("Why the risk is accepted"),
        _("Risk accepted by"),
        _("Notes"),
        _("Created at"),
        _("Closed at"),
    ]


def _when(value) -> str:
    return value.isoformat(timespec="minutes") if value else ""


def rows(actions, day: date) -> list[list]:
    return [
        [
            action.title,
            action.question_code,
            action.question.section.title,
            str(action.get_priority_display()),
            str(action.get_status_display()),
            str(action.owner) if action.owner else _("The organisation's owners"),
            action.due_date.isoformat() if action.due_date else "",
            _("yes") if action.is_overdue(day) else "",
            action.justification,
            str(action.accepted_by) if action.accepted_by else "",
            action.notes,
            _when(action.created_at),
            _when(action.closed_at),
        ]
        for action in actions
    ]


def to_csv(actions, day: date) -> tuple[bytes, str]:
    return csv_bytes(headers(), rows(actions, day)), "text/csv; charset=utf-8"


def to_xlsx(actions, day: date) -> tuple[bytes, str]:
    widths = (50, 14, 30, 10, 14, 24, 12, 8, 40, 24, 40, 18, 18)
    content = xlsx_bytes(pgettext("remediation", "Actions"), headers(), rows(actions, day), widths)
    return content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


EXPORTS = {"csv": to_csv, "xlsx": to_xlsx}
