"""The upload form: one or more files, a title and the document's dates."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from compliance.accounts.validators import validate_one_line

from .detection import ACCEPT


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        help_text=_(
            "One or more files of the same document (PDF, PNG, JPEG, Word, Excel, "
            "PowerPoint, OpenDocument, text, CSV, e-mail)."
        ),
        widget=MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}),
        error_messages={"required": _("Choose at least one file.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        validators=[validate_one_line],
        help_text=_("For example “Export control policy, signed”. Empty: the file's name."),
    )
    document_date = forms.DateField(
        label=_("Document date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a certificate, a licence or training records: when it expires."),
    )

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.oversized = getattr(request, "oversized_uploads", []) if request else []

    def clean(self):
        if self.oversized:
            # Refused before they were read in full: nothing of them was kept.
            self.errors.pop("files", None)
            for name in self.oversized:
                self.add_error(
                    "files",
                    _("“%(name)s” is larger than %(limit)s, the most a file may be.")
                    % {"name": name, "limit": filesizeformat(settings.EVIDENCE_MAX_FILE_BYTES)},
                )
        data = super().clean()
        start, end = data.get("document_date"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("“Valid until” cannot be before the document date."))
        return data
