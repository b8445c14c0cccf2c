"""The form an owner registers a webhook endpoint with."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import delivery
from .models import Event

EVENTS = [(event.value, event.label) for event in Event if event != Event.PING]


class _Events(forms.Form):
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EVENTS, widget=forms.CheckboxSelectMultiple
    )


class EndpointForm(_Events):
    field_order = ["url", "events"]
    url = forms.CharField(
        label=_("Address"),
        max_length=delivery.MAX_URL,
        help_text=_("An https:// address on the public internet that accepts POST requests."),
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        try:
            delivery.vet_configured(url)
        except delivery.Refused as error:
            raise forms.ValidationError(str(error)) from None
        return url


class EndpointSettingsForm(_Events):
    """An endpoint's events and whether deliveries are sent to it (its address is fixed:
    a new address is a new endpoint, with a new secret)."""

    active = forms.BooleanField(
        label=_("Send deliveries"),
        required=False,
        help_text=_("While this is off, nothing is queued for the endpoint."),
    )
