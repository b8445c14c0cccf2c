"""One rounding rule for every output: half up, on the number as it reads.

Scores are exact fractions turned into floats; 56.25 must read 56.3 on the page, in the
PDF, in the CSV and in the spreadsheet alike. Python's ``round`` rounds half to even
(56.2) and Django's ``number_format`` cuts digits off (56.29 at one place is 56.2);
``floatformat`` in templates already rounds half up, like ``rounded`` here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format


def rounded(value: float | Decimal | None, places: int) -> Decimal | None:
    """``value`` rounded half up to ``places`` decimals (from its shortest decimal form)."""
    if value is None:
        return None
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def shown(value: float | Decimal | None, places: int) -> str:
    """``value`` rounded half up and written in the active language's format."""
    number = rounded(value, places)
    return "" if number is None else number_format(number, places)
