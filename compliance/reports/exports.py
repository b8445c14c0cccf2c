"""CSV, XLSX and JSON exports of an assessment, in the user's language.

Every text cell that a user or author wrote is neutralised (``core.spreadsheets``): a
spreadsheet program shows it as text, never runs it as a formula.
"""

from __future__ import annotations

import csv
import io
import json

from django.utils.translation import gettext as _

from compliance.core.numbers import rounded
from compliance.core.spreadsheets import neutralise

from .document import document
from .presentation import Report


def headers() -> list[str]:
    return [
        _("Section number"),
        _("Section"),
        _("Question code"),
        _("Question"),
        _("Answer"),
        _("Not applicable"),
        _("Justification"),
        _("Comment"),
        _("Evidence note"),
        _("Evidence files"),
        _("Points"),
        _("Maximum"),
        _("Section score"),
        _("Overall score"),
    ]


def _number(value: float | None, places: int) -> float | str:
    """A figure as every output shows it (``core.numbers.rounded``), or blank."""
    number = rounded(value, places)
    return "" if number is None else float(number)


def evidence_text(row, report: Report) -> str:
    """An answer's evidence in one cell: each item's title, dates and its files' SHA-256."""
    parts = []
    for link in row.evidence:
        item = link.item
        facts = [item.title]
        if item.document_date:
            facts.append(_("document date %(date)s") % {"date": item.document_date.isoformat()})
        if item.valid_until:
            facts.append(_("valid until %(date)s") % {"date": item.valid_until.isoformat()})
            if item.expired_on(report.evidence_day):
                facts.append(_("expired"))
        facts += [f"{stored.name} SHA-256 {stored.sha256}" for stored in item.files.all()]
        parts.append(", ".join(facts))
    return "; ".join(parts)


def register_rows(report: Report) -> list[list]:
    """The evidence register, one row per file."""
    out = []
    for entry in report.evidence_register:
        item = entry.item
        for stored in item.files.all():
            out.append(
                [
                    neutralise(item.title),
                    _iso(item.document_date) or "",
                    _iso(item.valid_until) or "",
                    _("yes") if entry.expired else "",
                    neutralise(stored.name),
                    stored.size,
                    stored.content_type,
                    stored.sha256,
                    ", ".join(row.number for row in entry.questions),
                ]
            )
    return out


def register_headers() -> list[str]:
    return [
        _("Evidence"),
        _("Document date"),
        _("Valid until"),
        _("Expired"),
        _("File"),
        _("Size in bytes"),
        _("Type"),
        _("SHA-256"),
        _("Supports"),
    ]


def rows(report: Report) -> list[list]:
    out = []
    for section in report.sections:
        for row in section.questions:
            answer = row.answer
            out.append(
                [
                    section.number,
                    neutralise(section.section.title),
                    row.question.code,
                    neutralise(row.question.text),
                    neutralise(row.answer_text if not (answer and answer.not_applicable) else ""),
                    _("yes") if answer and answer.not_applicable else "",
                    neutralise(answer.na_justification if answer else ""),
                    neutralise(answer.comment if answer else ""),
                    neutralise(answer.evidence if answer else ""),
                    neutralise(evidence_text(row, report)),
                    _number(row.points, 2) if row.maximum else "",
                    _number(row.maximum, 2) if row.maximum else "",
                    _number(section.score, 1),
                    _number(report.score, 1),
                ]
            )
    return out


def to_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    writer.writerows(rows(report))
    # UTF-8 with a byte-order mark: Excel then reads Chinese text correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def event_headers() -> list[str]:
    return [_("When"), _("Event"), _("From"), _("To"), _("By"), _("Note")]


def event_rows(report: Report) -> list[list]:
    return [
        [
            _iso(event.at),
            str(event.get_kind_display()),
            str(event.get_from_status_display()) if event.from_status else "",
            str(event.get_to_status_display()) if event.to_status else "",
            neutralise(event.user.email) if event.user else "",
            neutralise(event.note),
        ]
        for event in report.events
    ]


def events_to_csv(report: Report) -> bytes:
    """Every change of the assessment's state (the history), as CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(event_headers())
    writer.writerows(event_rows(report))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    answers = workbook.active
    answers.title = _("Answers")[:31]
    answers.append(headers())
    for row in rows(report):
        answers.append(row)
    for cell in answers[1]:
        cell.font = Font(bold=True)
    answers.freeze_panes = "A2"
    widths = (8, 30, 22, 60, 30, 10, 30, 30, 30, 40, 8, 8, 10, 10)
    for column, width in zip("ABCDEFGHIJKLMN", widths, strict=True):
        answers.column_dimensions[column].width = width

    sections = workbook.create_sheet(_("Sections")[:31])
    sections.append([_("Section number"), _("Section"), _("Score"), _("Band"), _("Weight")])
    for section in report.sections:
        sections.append(
            [
                section.number,
                neutralise(section.section.title),
                _number(section.score, 1),
                neutralise(section.band.label) if section.band else "",
                section.weight,
            ]
        )
    sections.append([])
    sections.append(
        [
            "",
            _("Overall score"),
            _number(report.score, 1),
            neutralise(report.band.label) if report.band else "",
        ]
    )
    for cell in sections[1]:
        cell.font = Font(bold=True)
    sections.column_dimensions["B"].width = 50

    register = workbook.create_sheet(_("Evidence register")[:31])
    register.append(register_headers())
    for row in register_rows(report):
        register.append(row)
    for cell in register[1]:
        cell.font = Font(bold=True)
    register.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHI", (40, 12, 12, 8, 30, 12, 20, 66, 14), strict=True):
        register.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_json(report: Report) -> bytes:
    """The assessment document (``document``): the same as the API's assessment."""
    return json.dumps(document(report), ensure_ascii=False, indent=2).encode("utf-8")


def _iso(value) -> str | None:
    return value.isoformat() if value else None
