"""The form an owner makes an API token with."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.core.forms import DateInput

from .models import Scope
from .tokens import LONGEST_LIFE


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “GRC tool” or “board dashboard”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do besides reading"),
        choices=[(scope.value, scope.label) for scope in Scope if scope != Scope.READ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Every token reads what a viewer of the organisation reads."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=DateInput(),
        help_text=_("At most a year from today. The token stops working at the start of that day."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + timedelta(days=90)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(_("Choose a day after today."))
        if day > today + LONGEST_LIFE - timedelta(days=1):
            raise forms.ValidationError(_("A token may live a year at most."))
        return day

    def expires_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.cleaned_data["expires_on"], time.min))
