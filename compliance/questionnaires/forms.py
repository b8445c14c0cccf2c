"""Admin forms: the question and section forms (show-if choices as codes) and the YAML
upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Question, Section
from .yaml_format import MAX_BYTES


class ShowIfForm(forms.ModelForm):
    """A show-if condition typed as the codes of the other question's choices."""

    show_if_choices_text = forms.CharField(
        label=_("Show if choices"),
        required=False,
        help_text=_("Codes of the other question's choices, separated by commas: yes, partial"),
    )

    def candidates(self):
        """The questions a condition may name."""
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["show_if_choices_text"].initial = ", ".join(self.instance.show_if_choices or [])
        if "show_if_question" in self.fields:
            self.fields["show_if_question"].queryset = self.candidates()

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


class SectionForm(ShowIfForm):
    class Meta:
        model = Section
        fields = [
            "code",
            "title_en",
            "title_zh_hans",
            "description_en",
            "description_zh_hans",
            "crosswalk_en",
            "crosswalk_zh_hans",
            "white_paper_part",
            "weight",
            "show_if_question",
            "show_if_match",
        ]

    def candidates(self):
        """Questions of the earlier sections (for example the company profile)."""
        section = self.instance
        if not section.pk:
            return Question.objects.none()
        return (
            Question.objects.filter(version_id=section.version_id, section__order__lt=section.order)
            .select_related("section")
            .order_by("section__order", "order")
        )


class QuestionForm(ShowIfForm):
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
            "evidence_en",
            "evidence_zh_hans",
            "references_note_en",
            "references_note_zh_hans",
            "weight",
            "critical",
            "critical_threshold",
            "na_allowed",
            "required",
            "show_if_question",
            "show_if_match",
        ]

    def candidates(self):
        question = self.instance
        if not question.pk:
            return Question.objects.none()
        return (
            Question.objects.filter(version_id=question.version_id)
            .exclude(pk=question.pk)
            .select_related("section")
            .order_by("section__order", "order")
        )


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
