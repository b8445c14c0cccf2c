"""Admin forms: the question form (show-if choices as codes) and the YAML upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Question
from .yaml_format import MAX_BYTES


class QuestionForm(forms.ModelForm):
    show_if_choices_text = forms.CharField(
        label=_("Show if choices"),
        required=False,
        help_text=_("Codes of the other question's choices, separated by commas: yes, partial"),
    )

    class Meta:
        model = Question
        fields = [
            "code",
            "type",
            "text_en",
            "text_zh_hans",
            "guidance_en",
            "guidance_zh_hans",
            "recommendation_en",
            "recommendation_zh_hans",
            "references_note_en",
            "references_note_zh_hans",
            "weight",
            "critical",
            "na_allowed",
            "required",
            "show_if_question",
            "show_if_match",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        question = self.instance
        self.fields["show_if_choices_text"].initial = ", ".join(question.show_if_choices or [])
        if "show_if_question" in self.fields:
            earlier = Question.objects.none()
            if question.pk:
                earlier = (
                    Question.objects.filter(version_id=question.version_id)
                    .exclude(pk=question.pk)
                    .select_related("section")
                    .order_by("section__order", "order")
                )
            self.fields["show_if_question"].queryset = earlier

    def clean(self):
        cleaned = super().clean()
        codes = [
            code.strip()
            for code in cleaned.get("show_if_choices_text", "").split(",")
            if code.strip()
        ]
        target = cleaned.get("show_if_question")
        if target is not None:
            known = set(target.choices.values_list("code", flat=True))
            unknown = [code for code in codes if code not in known]
            if unknown:
                self.add_error(
                    "show_if_choices_text",
                    _("Not choices of “%(question)s”: %(codes)s. Its choices are: %(known)s.")
                    % {
                        "question": target.code,
                        "codes": ", ".join(unknown),
                        "known": ", ".join(sorted(known)),
                    },
                )
            if not codes:
                self.add_error("show_if_choices_text", _("Name at least one choice."))
        elif codes:
            self.add_error("show_if_question", _("Choose the question these choices belong to."))
        self.instance.show_if_choices = codes if target is not None else []
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Questionnaire file (YAML)"),
        help_text=_("At most 2 MB. The file becomes a new draft version; nothing is published."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload
