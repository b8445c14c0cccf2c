"""Text for spreadsheets (CSV, XLSX) that a spreadsheet program shows as text.

Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return) as
a formula: every text cell that a user or author wrote is neutralised with a leading
apostrophe, which Excel and LibreOffice show as plain text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A CSV file (UTF-8 with a byte-order mark, so that Excel reads Chinese) of the
    rows; text cells are neutralised, numbers left as they are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(header) for header in headers])
    for row in rows:
        writer.writerow(
            [
                cell if isinstance(cell, int | float) or cell is None else neutralise(cell)
                for cell in row
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence], widths=()) -> bytes:
    """A one-sheet workbook of the rows, headers bold and frozen; text neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([neutralise(header) for header in headers])
    for row in rows:
        sheet.append(
            [
                cell if isinstance(cell, int | float) or cell is None else neutralise(cell)
                for cell in row
            ]
        )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
