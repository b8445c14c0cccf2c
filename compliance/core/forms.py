"""Form pieces shared by the apps' forms."""

from django import forms


class DateInput(forms.DateInput):
    """A browser date picker. Its value is ISO 8601 in every language: a browser leaves a
    date input blank when given another format (such as Chinese ``2025/03/15``), and the
    next save would then erase the date."""

    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")
