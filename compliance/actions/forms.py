"""The forms of the actions pages: one action's details, a bulk change, and the filters."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from compliance.core.forms import DateInput
from compliance.core.text import MAX_TEXT
from compliance.evidence.models import EvidenceItem

from .models import Action, ActionPriority, ActionStatus
from .services import TITLE_LENGTH


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


def members(organisation):
    return (
        get_user_model()
        .objects.filter(memberships__organisation=organisation, is_active=True)
        .order_by("first_name", "last_name", "email")
    )


class ActionForm(forms.Form):
    """What an owner or an editor changes of an action; the service checks the rules
    (a member as owner, no due date in the past, a justification for an accepted risk)."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_LENGTH)
    owner = MemberChoiceField(
        label=pgettext_lazy("action", "Owner"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("The organisation's owners"),
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=ActionPriority.choices, coerce=int
    )
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    justification = forms.CharField(
        label=_("Why the risk is accepted"),
        required=False,
        max_length=MAX_TEXT,
        help_text=_("Required to accept the risk: why the gap is acceptable, and until when."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence = forms.ModelMultipleChoiceField(
        label=_("Closure evidence"),
        queryset=EvidenceItem.objects.none(),
        required=False,
        help_text=_("Items of the evidence library that show the action done."),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, action: Action, **kwargs) -> None:
        initial = {
            "title": action.title,
            "owner": action.owner_id,
            "due_date": action.due_date,
            "priority": action.priority,
            "status": action.status,
            "justification": action.justification,
            "notes": action.notes,
            "evidence": [item.pk for item in action.evidence.all()],
        }
        super().__init__(*args, initial=initial, **kwargs)
        organisation = action.organisation
        self.fields["owner"].queryset = members(organisation)
        self.fields["evidence"].queryset = EvidenceItem.objects.filter(
            organisation=organisation, removed_at__isnull=True
        ).order_by("title")

    def clean(self):
        data = super().clean()
        if (
            data.get("status") == ActionStatus.RISK_ACCEPTED
            and not (data.get("justification") or "").strip()
        ):
            self.add_error(
                "justification",
                _("Accepting the risk needs a justification: say why the gap is acceptable."),
            )
        return data

    def changes(self) -> dict:
        """The fields that differ from the action as the form was shown."""
        return {
            name: value for name, value in self.cleaned_data.items() if name in self.changed_data
        }


class BulkForm(forms.Form):
    """A new owner and/or due date for the chosen actions."""

    actions = forms.ModelMultipleChoiceField(
        queryset=Action.objects.none(),
        to_field_name="uuid",
        error_messages={"required": _("Choose at least one action.")},
    )
    owner = MemberChoiceField(
        label=_("New owner"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Unchanged"),
    )
    to_owners = forms.BooleanField(label=_("Give them back to the owners"), required=False)
    due_date = forms.DateField(label=_("New due date"), required=False, widget=DateInput())

    def __init__(self, *args, organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actions"].queryset = Action.objects.filter(organisation=organisation)
        self.fields["owner"].queryset = members(organisation)

    def clean(self):
        data = super().clean()
        if data.get("owner") and data.get("to_owners"):
            raise forms.ValidationError(
                _("Choose a new owner or give the actions back to the owners, not both.")
            )
        if not (data.get("owner") or data.get("to_owners") or data.get("due_date")):
            raise forms.ValidationError(_("Choose a new owner or a new due date."))
        return data

    def changes(self) -> dict:
        changes = {}
        if self.cleaned_data.get("owner") or self.cleaned_data.get("to_owners"):
            changes["owner"] = self.cleaned_data.get("owner")
        if self.cleaned_data.get("due_date"):
            changes["due_date"] = self.cleaned_data["due_date"]
        return changes
