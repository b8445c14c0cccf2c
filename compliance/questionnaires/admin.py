"""The authoring admin: drafts are edited here; published versions are shown read-only.

State changes (publish, retire, new draft, import) go through ``services`` so that the
admin, the management commands and the tests share one set of rules.
"""

from __future__ import annotations

from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import services
from .document import default_choices
from .forms import ImportForm, QuestionForm
from .models import (
    Choice,
    LockedVersionError,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Reference,
    ScoreBand,
    Section,
    Source,
)
from .yaml_format import QuestionnaireFileError


def version_of(obj) -> QuestionnaireVersion | None:
    """The version an admin object belongs to (None for a new object)."""
    if obj is None or obj.pk is None:
        return None
    if isinstance(obj, QuestionnaireVersion):
        return obj
    if isinstance(obj, Choice | Reference):
        return obj.question.version
    return obj.version


class LockedWhenPublished:
    """Admin and inline mixin: nothing under a published or retired version is editable."""

    def is_locked(self, obj) -> bool:
        version = version_of(obj)
        return version is not None and not version.is_draft

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self.is_locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self.is_locked(obj)

    def has_add_permission(self, request, *args):
        obj = args[0] if args else None
        return super().has_add_permission(request, *args) and not self.is_locked(obj)


class RefusesLockedChanges(LockedWhenPublished):
    """ModelAdmin mixin: a change, delete or bulk delete that reaches published content
    (a stale form, a crafted POST, a race with publishing) gets a message, never an error
    page. New rows under a published parent are refused by the model's ``clean()``."""

    def _refused(self, request: HttpRequest, error: LockedVersionError) -> HttpResponse:
        self.message_user(request, " ".join(error.messages), messages.ERROR)
        return HttpResponseRedirect(request.path)

    def _locked_target(self, request: HttpRequest, object_id) -> bool:
        if request.method != "POST" or object_id is None:
            return False
        return self.is_locked(self.get_object(request, unquote(object_id)))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if self._locked_target(request, object_id):
            return self._refused(request, LockedVersionError())
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except LockedVersionError as error:
            return self._refused(request, error)

    def delete_view(self, request, object_id, extra_context=None):
        if self._locked_target(request, object_id):
            self.message_user(request, " ".join(LockedVersionError().messages), messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        try:
            return super().delete_view(request, object_id, extra_context)
        except LockedVersionError as error:
            return self._refused(request, error)

    def delete_queryset(self, request, queryset) -> None:
        try:
            super().delete_queryset(request, queryset)
        except LockedVersionError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)


# ------------------------------------------------------------------------------ inlines


class SectionInline(LockedWhenPublished, SortableTabularInline):
    model = Section
    ordering = ["order"]
    fields = ["order", "code", "title_en", "title_zh_hans", "weight", "white_paper_part", "edit"]
    readonly_fields = ["edit"]
    extra = 0
    show_change_link = False

    @admin.display(description=_("questions"))
    def edit(self, section: Section) -> str:
        if not section.pk:
            return ""
        url = reverse("admin:questionnaires_section_change", args=[section.pk])
        return format_html('<a href="{}">{}</a>', url, _("Questions…"))


class BandInline(LockedWhenPublished, admin.TabularInline):
    model = ScoreBand
    fields = [
        "code",
        "min_score",
        "max_score",
        "label_en",
        "label_zh_hans",
        "description_en",
        "description_zh_hans",
    ]
    extra = 0
    verbose_name_plural = _("score bands")
    formfield_overrides = {}

    def get_queryset(self, request):
        return super().get_queryset(request).filter(section__isnull=True)


class SectionBandInline(BandInline):
    verbose_name_plural = _("score bands of this section (optional)")

    def get_queryset(self, request):
        return admin.TabularInline.get_queryset(self, request)

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
    formfield_overrides = {}

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["widgets"] = {"text_en": forms.Textarea(attrs={"rows": 2, "cols": 50})}
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("details"))
    def edit(self, question: Question) -> str:
        if not question.pk:
            return ""
        url = reverse("admin:questionnaires_question_change", args=[question.pk])
        return format_html('<a href="{}">{}</a>', url, _("Choices, guidance…"))


class ChoiceInline(LockedWhenPublished, SortableTabularInline):
    model = Choice
    ordering = ["order"]
    fields = [
        "order",
        "code",
        "label_en",
        "label_zh_hans",
        "score",
        "min_value",
        "exclusive",
        "description_en",
        "description_zh_hans",
    ]
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        rows = forms.Textarea(attrs={"rows": 2, "cols": 30})
        kwargs["widgets"] = {"description_en": rows, "description_zh_hans": rows}
        return super().get_formset(request, obj, **kwargs)


class ReferenceInline(LockedWhenPublished, SortableTabularInline):
    model = Reference
    ordering = ["order"]
    fields = ["order", "source", "locator_en", "locator_zh_hans"]
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


# ------------------------------------------------------------------------------ admins


class VersionInline(admin.TabularInline):
    model = QuestionnaireVersion
    fields = ["link", "status", "published_at", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("version"))
    def link(self, version: QuestionnaireVersion) -> str:
        url = reverse("admin:questionnaires_questionnaireversion_change", args=[version.pk])
        return format_html('<a href="{}">{}</a>', url, version.number)


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_en", "title_zh_hans", "version_count", "published_number"]
    search_fields = ["slug", "title_en", "title_zh_hans"]
    inlines = [VersionInline]
    change_list_template = "admin/questionnaires/questionnaire/change_list.html"

    def get_queryset(self, request):
        published = QuestionnaireVersion.Status.PUBLISHED
        return (
            super()
            .get_queryset(request)
            .annotate(
                version_count=Count("versions", distinct=True),
                published_count=Count("versions", filter=Q(versions__status=published)),
            )
        )

    @admin.display(description=_("versions"), ordering="version_count")
    def version_count(self, questionnaire) -> int:
        return questionnaire.version_count

    @admin.display(description=_("published versions"), ordering="published_count")
    def published_number(self, questionnaire) -> int:
        return questionnaire.published_count

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj else []

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="questionnaires_questionnaire_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (
            request.user.has_perm("questionnaires.add_questionnaire")
            and request.user.has_perm("questionnaires.add_questionnaireversion")
        ):
            raise PermissionDenied
        problems: list[str] = []
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                version = services.import_questionnaire(form.cleaned_data["file"].read())
            except QuestionnaireFileError as error:
                problems = error.problems
            else:
                self.message_user(
                    request,
                    _("Imported “%(slug)s” as draft version %(number)s.")
                    % {"slug": version.questionnaire.slug, "number": version.number},
                    messages.SUCCESS,
                )
                return redirect("admin:questionnaires_questionnaireversion_change", version.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a questionnaire from YAML"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/questionnaires/import.html", context)


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(RefusesLockedChanges, SortableAdminBase, admin.ModelAdmin):
    list_display = [
        "__str__",
        "number",
        "status",
        "published_at",
        "section_count",
        "question_count",
        "assessment_count",
    ]
    list_filter = ["status", "questionnaire"]
    list_select_related = ["questionnaire"]
    search_fields = ["questionnaire__slug", "questionnaire__title_en"]
    actions = ["new_draft_action", "publish_action", "retire_action"]
    readonly_fields = ["questionnaire", "number", "status", "published_at", "based_on"]
    fieldsets = [
        (None, {"fields": ["questionnaire", "number", "status", "published_at", "based_on"]}),
        (_("Scoring"), {"fields": ["critical_threshold"]}),
        (
            _("Texts"),
            {
                "fields": [
                    "description_en",
                    "description_zh_hans",
                    "methodology_en",
                    "methodology_zh_hans",
                    "changelog_en",
                    "changelog_zh_hans",
                ]
            },
        ),
    ]
    inlines = [SectionInline, BandInline, SourceInline]
    change_form_template = "admin/questionnaires/questionnaireversion/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                section_count=Count("sections", distinct=True),
                question_count=Count("questions", distinct=True),
                assessment_count=Count("assessments", distinct=True),
            )
        )

    def has_add_permission(self, request):
        # Versions come from "new draft from this version" or from an import.
        return False

    @admin.display(description=_("sections"), ordering="section_count")
    def section_count(self, version) -> int:
        return version.section_count

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, version) -> int:
        return version.question_count

    @admin.display(description=_("assessments"), ordering="assessment_count")
    def assessment_count(self, version) -> int:
        return version.assessment_count

    # ---- actions on selected versions

    @admin.action(description=_("New draft from this version"), permissions=["add"])
    def new_draft_action(self, request, queryset) -> None:
        for version in queryset:
            draft = services.new_draft_from(version)
            self.message_user(
                request,
                _("Created draft version %(number)s of “%(slug)s”.")
                % {"number": draft.number, "slug": draft.questionnaire.slug},
                messages.SUCCESS,
            )

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish_action(self, request, queryset) -> None:
        for version in queryset:
            self._publish(request, version)

    @admin.action(description=_("Retire"), permissions=["retire"])
    def retire_action(self, request, queryset) -> None:
        for version in queryset:
            self._retire(request, version)

    def has_publish_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("questionnaires.publish_questionnaireversion")

    def has_retire_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("questionnaires.retire_questionnaireversion")

    def _publish(self, request, version: QuestionnaireVersion) -> bool:
        try:
            services.publish_version(version)
        except LockedVersionError:
            self.message_user(
                request,
                _("%(version)s is not a draft.") % {"version": version},
                messages.WARNING,
            )
            return False
        except services.PublishError as error:
            count = len(error.problems)
            self.message_user(
                request,
                ngettext(
                    "%(version)s was not published: %(count)d problem.",
                    "%(version)s was not published: %(count)d problems.",
                    count,
                )
                % {"version": version, "count": count},
                messages.ERROR,
            )
            for problem in error.problems:
                self.message_user(request, str(problem), messages.ERROR)
            return False
        self.message_user(
            request, _("Published %(version)s.") % {"version": version}, messages.SUCCESS
        )
        return True

    def _retire(self, request, version: QuestionnaireVersion) -> None:
        try:
            services.retire_version(version)
        except ValueError as error:
            self.message_user(request, str(error), messages.WARNING)
        else:
            self.message_user(
                request, _("Retired %(version)s.") % {"version": version}, messages.SUCCESS
            )

    # ---- buttons on one version

    def get_urls(self):
        def view(function, name):
            return path(
                f"<int:pk>/{name}/",
                self.admin_site.admin_view(function),
                name=f"questionnaires_questionnaireversion_{name}",
            )

        return [
            view(self.preview_view, "preview"),
            view(self.compare_view, "compare"),
            view(self.export_view, "export"),
            view(require_POST(self.publish_view), "publish"),
            view(require_POST(self.retire_view), "retire"),
            view(require_POST(self.new_draft_view), "new_draft"),
            *super().get_urls(),
        ]

    def _get_version(self, request, pk: int) -> QuestionnaireVersion:
        version = get_object_or_404(
            QuestionnaireVersion.objects.select_related("questionnaire"), pk=pk
        )
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        return version

    def _change_url(self, version) -> str:
        return reverse("admin:questionnaires_questionnaireversion_change", args=[version.pk])

    def publish_view(self, request, pk: int) -> HttpResponse:
        version = self._get_version(request, pk)
        if not self.has_publish_permission(request):
            raise PermissionDenied
        self._publish(request, version)
        return HttpResponseRedirect(self._change_url(version))

    def retire_view(self, request, pk: int) -> HttpResponse:
        version = self._get_version(request, pk)
        if not self.has_retire_permission(request):
            raise PermissionDenied
        self._retire(request, version)
        return HttpResponseRedirect(self._change_url(version))

    def new_draft_view(self, request, pk: int) -> HttpResponse:
        version = self._get_version(request, pk)
        if not request.user.has_perm("questionnaires.add_questionnaireversion"):
            raise PermissionDenied
        draft = services.new_draft_from(version)
        self.message_user(
            request,
            _("Created draft version %(number)s; edit it, then publish it.")
            % {"number": draft.number},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._change_url(draft))

    def export_view(self, request, pk: int) -> HttpResponse:
        version = self._get_version(request, pk)
        response = HttpResponse(
            services.export_questionnaire(version), content_type="application/yaml; charset=utf-8"
        )
        filename = f"{version.questionnaire.slug}-v{version.number}.yaml"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def preview_view(self, request, pk: int) -> HttpResponse:
        version = self._get_version(request, pk)
        sections = (
            version.sections.order_by("order")
            .prefetch_related("questions__choices", "questions__references__source")
            .prefetch_related("questions__show_if_question__choices")
        )
        context = {
            "version": version,
            "sections": sections,
            "problems": services.publishing_problems(version) if version.is_draft else [],
        }
        return TemplateResponse(request, "questionnaires/preview.html", context)

    def compare_view(self, request, pk: int) -> HttpResponse:
        version = self._get_version(request, pk)
        versions = version.questionnaire.versions.exclude(pk=version.pk).order_by("-number")
        other_pk = request.GET.get("with")
        other = (
            versions.filter(pk=other_pk).first()
            if other_pk and other_pk.isdigit()
            else services.previous_version(version)
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Compare versions"),
            "opts": self.model._meta,
            "version": version,
            "versions": versions,
            "other": other,
            "comparison": services.compare_versions(other, version) if other else None,
        }
        return TemplateResponse(request, "admin/questionnaires/compare.html", context)


@admin.register(Section)
class SectionAdmin(RefusesLockedChanges, SortableAdminBase, admin.ModelAdmin):
    list_display = ["code", "title_en", "version", "weight", "question_count"]
    list_filter = [VersionFilter]
    list_select_related = ["version__questionnaire"]
    search_fields = ["code", "title_en", "title_zh_hans"]
    readonly_fields = ["version"]
    fields = [
        "version",
        "code",
        ("title_en", "title_zh_hans"),
        ("description_en", "description_zh_hans"),
        ("crosswalk_en", "crosswalk_zh_hans"),
        "white_paper_part",
        "weight",
    ]
    inlines = [QuestionInline, SectionBandInline]

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
                    ("references_note_en", "references_note_zh_hans"),
                ]
            },
        ),
        (_("Scoring"), {"fields": ["weight", "critical", "na_allowed", "required"]}),
        (
            _("Show only if"),
            {"fields": ["show_if_question", "show_if_choices_text", "show_if_match"]},
        ),
    ]
    inlines = [ChoiceInline, ReferenceInline]

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
