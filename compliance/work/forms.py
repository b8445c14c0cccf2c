"""The campaign form: one new assessment in each of the chosen organisations."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compliance.organisations.models import Organisation
from compliance.questionnaires.models import QuestionnaireVersion


def default_title(version: QuestionnaireVersion | None) -> str:
    """A new assessment's title unless someone types another: the questionnaire and the
    year."""
    if version is None:
        return gettext("Self-assessment")
    return gettext("%(questionnaire)s %(year)s") % {
        "questionnaire": version.questionnaire.title,
        "year": timezone.localdate().year,
    }


class CampaignForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.none(),
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one organisation.")},
        help_text=_("The organisations where you are an owner or an editor."),
    )
    version = forms.ModelChoiceField(
        label=_("Questionnaire"),
        queryset=QuestionnaireVersion.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Choose a published questionnaire version."),
        },
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    carry_over = forms.BooleanField(
        label=_("Carry over previous answers"),
        required=False,
        initial=True,
        help_text=_(
            "From each organisation's latest submitted assessment (else its latest one): "
            "answers are copied where the question still exists, and each stays marked "
            "until someone confirms it."
        ),
    )

    def __init__(self, *args, organisations, version: QuestionnaireVersion | None, **kwargs):
        kwargs.setdefault(
            "initial", {"version": version, "title": default_title(version), "carry_over": True}
        )
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations
        versions = QuestionnaireVersion.objects.published().select_related("questionnaire")
        self.fields["version"].queryset = versions.order_by("questionnaire__slug", "-number")
        self.fields["version"].label_from_instance = lambda v: (
            gettext("%(title)s, version %(n)s") % {"title": v.questionnaire.title, "n": v.number}
        )
