"""Questionnaires and their versions: drafts edited, published ones read-only; publish,
retire, new draft, import, export (YAML, and OSCAL through ``oscal``), preview and compare,
all through ``services``."""

from __future__ import annotations

from adminsortable2.admin import SortableAdminBase
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import oscal, services
from ..forms import ImportForm
from ..models import LockedVersionError, Questionnaire, QuestionnaireVersion
from ..yaml_format import QuestionnaireFileError
from .inlines import BandInline, SectionInline, SourceInline
from .locking import RefusesLockedChanges

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
    readonly_fields = [
        "questionnaire",
        "number",
        "status",
        "published_at",
        "based_on",
        "oscal_catalog",
    ]
    fieldsets = [
        (None, {"fields": ["questionnaire", "number", "status", "published_at", "based_on"]}),
        (_("Downloads"), {"fields": ["oscal_catalog"]}),
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

    class Media:
        css = {"all": ["css/admin.css"]}

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

    @admin.display(description=_("OSCAL catalog (JSON)"))
    def oscal_catalog(self, version) -> str:
        """Download links, one per content language (docs/oscal.md)."""
        url = reverse("admin:questionnaires_questionnaireversion_oscal", args=[version.pk])
        names = dict(settings.LANGUAGES)
        return format_html_join(
            " · ",
            '<a href="{}?lang={}" download>{}</a>',
            ((url, code, names.get(code, code)) for code in oscal.LANGUAGES),
        )

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
            view(self.oscal_view, "oscal"),
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

    def oscal_view(self, request, pk: int) -> HttpResponse:
        """The version as an OSCAL catalog: ``?lang=en`` or ``?lang=zh-hans``, else the
        language of the admin page."""
        version = self._get_version(request, pk)
        language = request.GET.get("lang", "")
        if language not in oscal.LANGUAGES:
            current = translation.get_language() or "en"
            language = "zh-hans" if current.startswith("zh") else "en"
        response = HttpResponse(oscal.catalog_json(version, language), oscal.MEDIA_TYPE)
        filename = oscal.file_name(version, language)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def preview_view(self, request, pk: int) -> HttpResponse:
        version = self._get_version(request, pk)
        sections = (
            version.sections.order_by("order")
            .select_related("show_if_question")
            .prefetch_related("show_if_question__choices")
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
