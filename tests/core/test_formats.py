"""Dates and times read the same in every country: 15 Mar 2026 / 2026-03-15 and 24-hour
time in English, Django's Chinese formats in Chinese."""

from datetime import date, datetime

from django.utils import translation
from django.utils.formats import date_format


def test_english_dates_are_unambiguous_and_times_are_24_hour():
    moment = datetime(2026, 3, 15, 18, 4)
    with translation.override("en"):
        assert date_format(moment.date(), "DATE_FORMAT") == "15 Mar 2026"
        assert date_format(moment.date(), "SHORT_DATE_FORMAT") == "2026-03-15"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "2026-03-15 18:04"
        assert date_format(moment, "DATETIME_FORMAT") == "15 Mar 2026, 18:04"


def test_chinese_dates_keep_the_chinese_formats():
    with translation.override("zh-hans"):
        assert date_format(date(2026, 3, 15), "DATE_FORMAT") == "2026年3月15日"
