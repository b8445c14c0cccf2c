from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Invitation, Membership, Organisation


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "sector", "country"]
        labels = {
            "name": _("Organisation name"),
            "sector": _("Sector"),
            "country": _("Country or region"),
        }


class OrganisationSettingsForm(OrganisationForm):
    """What an owner may change later: the details, and the marking on the report."""

    class Meta(OrganisationForm.Meta):
        fields = [
            *OrganisationForm.Meta.fields,
            "report_marking_on",
            "report_marking",
            "review_required",
            "approver_independent",
            "reassessment_months",
        ]


class InvitationForm(forms.Form):
    # The model's limit (254), not the form field's default (320), which PostgreSQL refuses.
    email = forms.EmailField(
        label=_("Email address"), max_length=Invitation._meta.get_field("email").max_length
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.EDITOR
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
