"""Forms: one small form per question on a section page, and the new-assessment form."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.core.forms import DateInput
from compliance.questionnaires.models import Question, QuestionnaireVersion

from .models import Answer, Assessment
from .services import AnswerInput, Submitted, loaded_token, parse_loaded_token

MAX_TEXT = 5000


class AnswerForm(forms.Form):
    """The answer to one question; its prefix is the question's code."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    evidence = forms.CharField(
        label=_("Evidence note"),
        required=False,
        max_length=MAX_TEXT,
        help_text=_("Where the evidence is kept, for example a document name and date."),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    loaded = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, question: Question, answer: Answer | None, **kwargs):
        kwargs.setdefault("prefix", question.code)
        kwargs.setdefault("initial", self.initial_for(question, answer))
        super().__init__(*args, **kwargs)
        self.question = question
        self.answer = answer
        # The card's legend is the question: crispy-forms must not print it again above
        # a number, date or text input (the input has a visually hidden label of its own).
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.form_show_labels = False
        self.fields = {"answer": self.answer_field(question), **self.fields}
        if question.na_allowed:
            self.fields["not_applicable"] = forms.BooleanField(
                label=_("Not applicable"),
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields["na_justification"] = forms.CharField(
                label=_("Why it does not apply"),
                required=False,
                max_length=MAX_TEXT,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
        # A carried-over answer asks to be confirmed. A save builds its forms before it
        # reads the answers (under its lock): there, a posted confirmation is read.
        posted_confirm = self.is_bound and self.add_prefix("confirm") in self.data
        if (answer is not None and answer.carried_over) or posted_confirm:
            self.fields["confirm"] = forms.BooleanField(
                label=_("Confirm the answer carried over from the previous assessment"),
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )

    @staticmethod
    def answer_field(question: Question) -> forms.Field:
        label = question.text
        # The Choice itself as the label: the template shows its label and description.
        choices = [(c.code, c) for c in question.choices.all()]
        if question.type == Question.Type.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(
                label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
            )
        if question.uses_choices:
            return forms.ChoiceField(
                label=label, choices=choices, required=False, widget=forms.RadioSelect
            )
        if question.type == Question.Type.NUMBER:
            return forms.DecimalField(
                label=label,
                required=False,
                max_digits=14,
                decimal_places=4,
                min_value=-(10**9),
                max_value=10**9,
            )
        if question.type == Question.Type.DATE:
            return forms.DateField(label=label, required=False, widget=DateInput())
        return forms.CharField(
            label=label,
            required=False,
            max_length=MAX_TEXT,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    @staticmethod
    def initial_for(question: Question, answer: Answer | None) -> dict:
        value = AnswerInput.of(answer)
        if question.type == Question.Type.MULTIPLE_CHOICE:
            shown = list(value.choice_codes)
        elif question.uses_choices:
            shown = value.choice_codes[0] if value.choice_codes else None
        elif question.type == Question.Type.NUMBER:
            shown = value.value_number
        elif question.type == Question.Type.DATE:
            shown = value.value_date
        else:
            shown = value.value_text
        return {
            "answer": shown,
            "not_applicable": value.not_applicable,
            "na_justification": value.na_justification,
            "comment": value.comment,
            "evidence": value.evidence,
            "loaded": loaded_token(answer),
        }

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("answer")
        if self.question.type == Question.Type.MULTIPLE_CHOICE and chosen and len(chosen) > 1:
            alone = [c for c in self.question.choices.all() if c.exclusive and c.code in chosen]
            if alone:
                self.add_error(
                    "answer",
                    _("“%(choice)s” cannot be combined with other answers.")
                    % {"choice": alone[0].label},
                )
        codes = chosen if isinstance(chosen, list) else [chosen] if chosen else []
        to_justify = [c for c in self.question.choices.all() if c.justify and c.code in codes]
        if (
            to_justify
            and not cleaned.get("not_applicable")
            and not (cleaned.get("comment", "").strip())
        ):
            self.add_error(
                "comment",
                _(
                    "Say in the comment why you answer “%(choice)s”: the questions that "
                    "follow it are not asked."
                )
                % {"choice": to_justify[0].label},
            )
        if cleaned.get("not_applicable") and not cleaned.get("na_justification", "").strip():
            self.add_error(
                "na_justification", _("Say why this question does not apply to the company.")
            )
        return cleaned

    def to_submitted(self) -> Submitted:
        data = self.cleaned_data
        value = data.get("answer")
        question = self.question
        not_applicable = bool(data.get("not_applicable"))
        codes: tuple[str, ...] = ()
        if question.type == Question.Type.MULTIPLE_CHOICE:
            codes = tuple(sorted(value or ()))
        elif question.uses_choices and value:
            codes = (value,)
        revision, loaded_fields = parse_loaded_token(data.get("loaded", ""))
        return Submitted(
            question=question,
            value=AnswerInput(
                choice_codes=codes,
                value_number=value if question.type == Question.Type.NUMBER else None,
                value_date=value if question.type == Question.Type.DATE else None,
                value_text=(value or "") if question.type == Question.Type.TEXT else "",
                not_applicable=not_applicable,
                na_justification=data.get("na_justification", "") if not_applicable else "",
                comment=data.get("comment", ""),
                evidence=data.get("evidence", ""),
            ),
            loaded_revision=revision,
            loaded_fields=loaded_fields,
            confirm=bool(data.get("confirm")),
        )


class NewAssessmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    version = forms.ModelChoiceField(
        label=_("Questionnaire"),
        queryset=QuestionnaireVersion.objects.none(),
        empty_label=None,
    )
    period_start = forms.DateField(label=_("Period from"), required=False, widget=DateInput())
    period_end = forms.DateField(label=_("Period to"), required=False, widget=DateInput())
    carry_over_from = forms.ModelChoiceField(
        label=_("Start from the answers of"),
        queryset=Assessment.objects.none(),
        required=False,
        empty_label=_("(start with empty answers)"),
        help_text=_(
            "Answers are copied where the question still exists; each stays marked until "
            "someone confirms it."
        ),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        versions = QuestionnaireVersion.objects.published().select_related("questionnaire")
        self.fields["version"].queryset = versions.order_by("questionnaire__slug", "-number")
        self.fields["version"].label_from_instance = lambda v: (
            _("%(title)s, version %(n)s")
            % {
                "title": v.questionnaire.title,
                "n": v.number,
            }
        )
        earlier = Assessment.objects.filter(organisation=organisation).order_by("-created_at")
        self.fields["carry_over_from"].queryset = earlier
        self.fields["carry_over_from"].label_from_instance = lambda a: a.title
        if not earlier.exists():
            del self.fields["carry_over_from"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return cleaned
