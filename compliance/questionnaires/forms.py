"""Admin forms: the question and section forms (show-if choices as codes) and the YAML
upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Question, Section
from .yaml_format import MAX_BYTES


class ShowIfForm(forms.ModelForm):
    """A show-if condition: choose the controlling question, then tick its choices.

    The boxes offered are the choices of the question the form is bound to: the one
    saved, or, once another is chosen and the form posted, the new one, whose boxes then
    appear to be ticked (a box of the old question is not one of them, so it is refused
    with a message instead of being saved silently)."""

    show_if_choices_picked = forms.MultipleChoiceField(
        label=_("Show if the answer is"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The choices of the question above. After choosing another question, save: "
            "its choices then appear here to be ticked."
        ),
    )

    def candidates(self):
        """The questions a condition may name."""
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = self.candidates()
        if "show_if_question" in self.fields:
            self.fields["show_if_question"].queryset = candidates
        target = self.instance.show_if_question
        if self.is_bound:
            chosen = self.data.get(self.add_prefix("show_if_question"))
            target = candidates.filter(pk=chosen).first() if chosen else None
        picked = self.fields["show_if_choices_picked"]
        picked.choices = (
            [(c.code, f"{c.label} ({c.code})") for c in target.choices.all()] if target else []
        )
        picked.initial = list(self.instance.show_if_choices or [])

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("show_if_question")
        codes = list(cleaned.get("show_if_choices_picked") or [])
        if target is not None and not codes and "show_if_choices_picked" not in self.errors:
            self.add_error(
                "show_if_choices_picked",
                _("Tick at least one choice of “%(question)s”.") % {"question": target.code},
            )
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
