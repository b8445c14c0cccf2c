"""Sections, questions and the parts of a version edited inline on them."""

from __future__ import annotations

from adminsortable2.admin import SortableAdminBase
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ..document import default_choices
from ..forms import QuestionForm, SectionForm
from ..models import Choice, Question, Reference, ScoreBand, Section, Source
from .inlines import (
    ChoiceInline,
    QuestionInline,
    ReferenceInline,
    SectionBandInline,
    SectionFilter,
    VersionFilter,
)
from .locking import RefusesLockedChanges


@admin.register(Section)
class SectionAdmin(RefusesLockedChanges, SortableAdminBase, admin.ModelAdmin):
    list_display = ["code", "title_en", "version", "weight", "question_count"]
    list_filter = [VersionFilter]
    list_select_related = ["version__questionnaire"]
    search_fields = ["code", "title_en", "title_zh_hans"]
    readonly_fields = ["version"]
    form = SectionForm
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "version",
                    "code",
                    ("title_en", "title_zh_hans"),
                    ("description_en", "description_zh_hans"),
                    ("crosswalk_en", "crosswalk_zh_hans"),
                    "white_paper_part",
                    "weight",
                ]
            },
        ),
        (
            _("Show the whole section only if"),
            {"fields": ["show_if_question", "show_if_choices_picked", "show_if_match"]},
        ),
    ]
    inlines = [QuestionInline, SectionBandInline]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, section) -> int:
        return section.question_count

    def has_add_permission(self, request, obj=None):
        return False  # sections are added on their version's page

    def has_module_permission(self, request):
        return False  # reached from the version; not a list of its own in the index


@admin.register(Question)
class QuestionAdmin(RefusesLockedChanges, SortableAdminBase, admin.ModelAdmin):
    form = QuestionForm
    list_display = ["code", "short_text", "section", "type", "weight", "critical", "version"]
    list_filter = [VersionFilter, "type", "critical", SectionFilter]
    list_select_related = ["section", "version__questionnaire"]
    search_fields = ["code", "text_en", "text_zh_hans"]
    readonly_fields = ["version", "section"]
    fieldsets = [
        (None, {"fields": ["version", "section", "code", "type"]}),
        (
            _("Texts"),
            {
                "fields": [
                    ("text_en", "text_zh_hans"),
                    ("guidance_en", "guidance_zh_hans"),
                    ("recommendation_en", "recommendation_zh_hans"),
                    ("evidence_en", "evidence_zh_hans"),
                    ("references_note_en", "references_note_zh_hans"),
                ]
            },
        ),
        (
            _("Scoring"),
            {"fields": ["weight", "critical", "critical_threshold", "na_allowed", "required"]},
        ),
        (
            _("Show only if"),
            {"fields": ["show_if_question", "show_if_choices_picked", "show_if_match"]},
        ),
    ]
    inlines = [ChoiceInline, ReferenceInline]

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description=_("question"))
    def short_text(self, question: Question) -> str:
        text = str(question.text)
        return text if len(text) <= 80 else text[:79] + "…"

    def has_add_permission(self, request, obj=None):
        return False  # questions are added on their section's page

    def get_form(self, request, obj=None, change=False, **kwargs):
        request._question_being_edited = obj
        return super().get_form(request, obj, change, **kwargs)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        request._question_being_edited = obj
        return super().get_formset_kwargs(request, obj, inline, prefix)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        question = form.instance
        if not question.choices.exists():
            Choice.objects.bulk_create(
                Choice(
                    question=question,
                    order=index,
                    code=choice.code,
                    score=choice.score,
                    **choice.label.columns("label"),
                )
                for index, choice in enumerate(default_choices(question.type), start=1)
            )


@admin.register(Choice, Reference, ScoreBand, Source)
class VersionPartAdmin(RefusesLockedChanges, admin.ModelAdmin):
    """Parts of a version that are edited inline on their question's or version's page;
    registered for permissions and links, and guarded like every page under a version."""

    def has_module_permission(self, request):
        return False
