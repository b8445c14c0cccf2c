"""The inlines and list filters of the questionnaire admin.

A draft is edited at 1280 px without scrolling sideways. Rows too wide for a table
(score bands, choices) are stacked, the Chinese text under the English and the short
fields side by side. The lists that are reordered by dragging a row (sections, questions)
stay tables of one line per row, with the fields a row needs; the rest is on the section's
or question's own page. css/admin.css sizes the inputs to their columns.
"""

from __future__ import annotations

from adminsortable2.admin import SortableStackedInline, SortableTabularInline
from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import Choice, Question, QuestionnaireVersion, Reference, ScoreBand, Section, Source
from .locking import LockedWhenPublished

# ------------------------------------------------------------------------------ inlines


class SectionInline(LockedWhenPublished, SortableTabularInline):
    model = Section
    ordering = ["order"]
    fields = ["order", "code", "title_en", "title_zh_hans", "weight", "edit"]
    readonly_fields = ["edit"]
    extra = 0
    show_change_link = False

    @admin.display(description=_("questions"))
    def edit(self, section: Section) -> str:
        if not section.pk:
            return ""
        url = reverse("admin:questionnaires_section_change", args=[section.pk])
        return format_html('<a href="{}">{}</a>', url, _("Questions…"))


class BandInline(LockedWhenPublished, admin.StackedInline):
    model = ScoreBand
    fields = [
        ("code", "min_score", "max_score"),
        "label_en",
        "label_zh_hans",
        "description_en",
        "description_zh_hans",
    ]
    extra = 0
    verbose_name_plural = _("score bands")

    def get_formset(self, request, obj=None, **kwargs):
        rows = forms.Textarea(attrs={"rows": 2})
        kwargs["widgets"] = {"description_en": rows, "description_zh_hans": rows}
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(section__isnull=True)


class SectionBandInline(BandInline):
    verbose_name_plural = _("score bands of this section (optional)")

    def get_queryset(self, request):
        return admin.StackedInline.get_queryset(self, request)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        section = obj

        class WithVersion(formset):
            def save_new(self, form, commit=True):
                form.instance.version = section.version
                return super().save_new(form, commit)

        return WithVersion


class SourceInline(LockedWhenPublished, admin.TabularInline):
    model = Source
    fields = ["code", "title_en", "title_zh_hans"]
    extra = 0


class QuestionInline(LockedWhenPublished, SortableTabularInline):
    model = Question
    ordering = ["order"]
    fields = ["order", "code", "type", "text_en", "weight", "critical", "edit"]
    readonly_fields = ["edit"]
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["widgets"] = {"text_en": forms.Textarea(attrs={"rows": 2})}
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("details"))
    def edit(self, question: Question) -> str:
        if not question.pk:
            return ""
        url = reverse("admin:questionnaires_question_change", args=[question.pk])
        return format_html('<a href="{}">{}</a>', url, _("Choices, guidance…"))


class ChoiceInline(LockedWhenPublished, SortableStackedInline):
    model = Choice
    ordering = ["order"]
    fields = [
        "order",
        ("code", "score", "min_value"),
        ("exclusive", "justify"),
        "label_en",
        "label_zh_hans",
        "description_en",
        "description_zh_hans",
    ]
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        rows = forms.Textarea(attrs={"rows": 2})
        kwargs["widgets"] = {"description_en": rows, "description_zh_hans": rows}
        return super().get_formset(request, obj, **kwargs)


class ReferenceInline(LockedWhenPublished, SortableTabularInline):
    model = Reference
    ordering = ["order"]
    fields = ["order", "source", "element", "locator_en", "locator_zh_hans"]
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "source":
            question = getattr(request, "_question_being_edited", None)
            kwargs["queryset"] = (
                Source.objects.filter(version_id=question.version_id)
                if question
                else Source.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# ------------------------------------------------------------------------------ filters


class VersionFilter(admin.SimpleListFilter):
    title = _("questionnaire version")
    parameter_name = "version"

    def lookups(self, request, model_admin):
        versions = QuestionnaireVersion.objects.select_related("questionnaire")
        return [(str(version.pk), str(version)) for version in versions]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(version_id=self.value())
        return queryset


class SectionFilter(admin.SimpleListFilter):
    """Sections of the chosen version only: every version repeats the same section titles."""

    title = _("section")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        version = request.GET.get(VersionFilter.parameter_name, "")
        if not version.isdigit():
            return []
        return [
            (str(section.pk), str(section))
            for section in Section.objects.filter(version_id=version).order_by("order")
        ]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(section_id=self.value())
        return queryset
