"""The REST API, version 1 (docs/api.md). Every view reads through the selectors and
changes through the services the pages use; ``access.Caller`` says what the caller sees.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.db.models import Func, IntegerField, Prefetch
from django.db.models.fields.json import KeyTransform
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.actions import services as action_services
from compliance.actions.models import OPEN_STATUSES, Action, ActionStatus
from compliance.actions.selectors import overdue_q
from compliance.assessments.models import Answer, Assessment
from compliance.evidence.models import EvidenceFile, EvidenceItem
from compliance.evidence.views import attachment
from compliance.questionnaires.document import document_from_version
from compliance.questionnaires.models import QuestionnaireVersion
from compliance.questionnaires.oscal import catalog as oscal_catalog
from compliance.questionnaires.yaml_writer import as_data
from compliance.reports.document import document
from compliance.reports.oscal import assessment_results as oscal_results
from compliance.reports.presentation import build_report

from . import serializers as out
from .access import Caller
from .permissions import FilesScope


def conditional(request, data) -> HttpResponse:
    """``data`` as JSON, rendered once, with a strong ETag (the SHA-256 of those bytes);
    a 304 when the caller's ``If-None-Match`` names it."""
    body = JSONRenderer().render(data)
    quoted = f'"{hashlib.sha256(body).hexdigest()}"'
    asked = request.headers.get("If-None-Match", "")
    if quoted in [part.strip().removeprefix("W/") for part in asked.split(",")] or asked == "*":
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = quoted
    response["Cache-Control"] = "private, no-cache"
    return response


def _date(request, name: str):
    value = request.query_params.get(name)
    if not value:
        return None
    day = parse_date(value) if len(value) <= 10 else None
    if day is None:
        raise ValidationError({name: [_("Give a date as YYYY-MM-DD.")]})
    return day


def _choice(request, name: str, values) -> str | None:
    value = request.query_params.get(name)
    if value and value not in values:
        raise ValidationError(
            {name: [_("Choose one of: %(values)s.") % {"values": ", ".join(values)}]}
        )
    return value or None


def _uuid(request, name: str):
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return serializers.UUIDField().to_internal_value(value)
    except serializers.ValidationError:
        raise ValidationError({name: [_("Give an id as a UUID.")]}) from None


class CallerMixin:
    @property
    def caller(self) -> Caller:
        return Caller.of(self.request)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["today"] = timezone.localdate()
        return context


# Organisations -------------------------------------------------------------------------


class Organisations(CallerMixin):
    serializer_class = out.OrganisationSerializer

    def get_queryset(self):
        return self.caller.organisations().order_by("name", "pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "roles": self.caller.roles()}


class OrganisationList(Organisations, generics.ListAPIView):
    """The organisations the caller sees: a token's own, a user's memberships."""


class OrganisationDetail(Organisations, generics.RetrieveAPIView):
    """One organisation the caller sees."""

    lookup_field = "uuid"
    lookup_url_kwarg = "organisation"

    def retrieve(self, request, *args, **kwargs):
        data = self.get_serializer(self.get_object()).data
        return conditional(request, data)


# Assessments ---------------------------------------------------------------------------

STATUS_FILTER = OpenApiParameter("status", str, enum=Assessment.Status.values)
DATE_FILTERS = [
    OpenApiParameter(name, OpenApiTypes.DATE, description=description)
    for name, description in (
        ("submitted_after", "Submitted on or after this day."),
        ("submitted_before", "Submitted on or before this day."),
        ("created_after", "Created on or after this day."),
        ("created_before", "Created on or before this day."),
    )
]


class JsonArrayLength(Func):
    """The length of a JSON array (SQLite's ``json_array_length``, PostgreSQL's
    ``jsonb_array_length``); NULL for NULL."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra)


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _day_end(day):
    return timezone.make_aware(datetime.combine(day, time.max))


class AssessmentList(CallerMixin, generics.ListAPIView):
    """Assessments, newest first, filtered by organisation, status, questionnaire version
    (``questionnaire`` and ``version``: its slug and number) and dates."""

    serializer_class = out.AssessmentSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("organisation", OpenApiTypes.UUID),
            STATUS_FILTER,
            OpenApiParameter("questionnaire", str),
            OpenApiParameter("version", int),
            *DATE_FILTERS,
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        request = self.request
        # The frozen result is large (every question's points): a row reads only the
        # three figures the list shows, inside the database.
        assessments = (
            self.caller.assessments()
            .select_related("organisation", "version__questionnaire")
            .defer("result")
            .annotate(
                result_score=KeyTransform("score", "result"),
                result_band=KeyTransform("band", "result"),
                result_findings=JsonArrayLength(KeyTransform("critical_findings", "result")),
            )
        )
        organisation = _uuid(request, "organisation")
        if organisation:
            assessments = assessments.filter(organisation__uuid=organisation)
        status = _choice(request, "status", Assessment.Status.values)
        if status:
            assessments = assessments.filter(status=status)
        if request.query_params.get("questionnaire"):
            assessments = assessments.filter(
                version__questionnaire__slug=request.query_params["questionnaire"]
            )
        if request.query_params.get("version"):
            try:
                number = int(request.query_params["version"])
            except ValueError:
                raise ValidationError({"version": [_("Give a version number.")]}) from None
            assessments = assessments.filter(version__number=number)
        bounds = {
            "submitted_after": ("submitted_at__gte", _day_start),
            "submitted_before": ("submitted_at__lte", _day_end),
            "created_after": ("created_at__gte", _day_start),
            "created_before": ("created_at__lte", _day_end),
        }
        for name, (lookup, edge) in bounds.items():
            day = _date(request, name)
            if day:
                assessments = assessments.filter(**{lookup: edge(day)})
        return assessments.order_by("-created_at", "-pk")


def assessment_of(caller: Caller, uuid) -> Assessment:
    try:
        return (
            caller.assessments()
            .select_related("organisation", "version__questionnaire")
            .get(uuid=uuid)
        )
    except Assessment.DoesNotExist:
        raise Http404(_("No such assessment.")) from None


class AssessmentDetail(CallerMixin, APIView):
    """The assessment document: the assessment, its result (overall score, band and
    whether critical findings capped it, each section's score, the critical findings and
    the action plan), every answer, the evidence register, the history and the approval.
    The same document as the JSON export."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, assessment):
        found = assessment_of(self.caller, assessment)
        return conditional(request, document(build_report(found)))


class AnswerList(CallerMixin, generics.ListAPIView):
    """An assessment's answers, in the questionnaire's order."""

    serializer_class = out.AnswerSerializer

    def get_queryset(self):
        found = assessment_of(self.caller, self.kwargs["assessment"])
        return (
            Answer.objects.filter(assessment=found)
            .select_related("question__section", "updated_by")
            .prefetch_related("question__choices")
            .order_by("question__section__order", "question__order", "pk")
        )


# Actions -------------------------------------------------------------------------------


class ActionList(CallerMixin, generics.ListAPIView):
    """Remediation actions, due first, filtered by organisation, status and overdue."""

    serializer_class = out.ActionSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("organisation", OpenApiTypes.UUID),
            OpenApiParameter("status", str, enum=ActionStatus.values),
            OpenApiParameter("open", bool, description="Only open and in-progress actions."),
            OpenApiParameter("overdue", bool, description="Only open actions past due."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        request = self.request
        actions = Action.objects.filter(
            organisation_id__in=self.caller.organisation_ids()
        ).select_related("organisation", "owner")
        organisation = _uuid(request, "organisation")
        if organisation:
            actions = actions.filter(organisation__uuid=organisation)
        status = _choice(request, "status", ActionStatus.values)
        if status:
            actions = actions.filter(status=status)
        if _choice(request, "open", ("true", "false")) == "true":
            actions = actions.filter(status__in=OPEN_STATUSES)
        if _choice(request, "overdue", ("true", "false")) == "true":
            actions = actions.filter(overdue_q(timezone.localdate()))
        return actions.prefetch_related(
            Prefetch("evidence", queryset=EvidenceItem.objects.only("uuid"))
        ).order_by("due_date", "priority", "created_at", "pk")


class ActionDetail(CallerMixin, generics.RetrieveAPIView):
    """One action; ``PATCH`` changes its status, owner or due date (and the justification
    that accepting a risk needs), recorded in its history under the caller (a token's
    changes under the person who made the token)."""

    serializer_class = out.ActionSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "action"
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Action.objects.filter(organisation_id__in=self.caller.organisation_ids())
            .select_related("organisation", "owner")
            .prefetch_related(Prefetch("evidence", queryset=EvidenceItem.objects.only("uuid")))
        )

    def retrieve(self, request, *args, **kwargs):
        return conditional(request, self.get_serializer(self.get_object()).data)

    @extend_schema(request=out.ActionChangeSerializer, responses={200: out.ActionSerializer})
    def patch(self, request, *args, **kwargs):
        action = self.get_object()
        caller = self.caller
        caller.require_action_writer(action.organisation_id)
        change = out.ActionChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        changes = dict(change.validated_data)
        if "owner" in changes:
            changes["owner"] = _member_by_email(action, changes["owner"])
        action_services.update_action(action, caller.actor, **changes)
        return Response(self.get_serializer(self.get_queryset().get(pk=action.pk)).data)


def _member_by_email(action, email):
    if email is None:
        return None
    user = (
        get_user_model()
        .objects.filter(
            email__iexact=email, is_active=True, memberships__organisation=action.organisation
        )
        .first()
    )
    if user is None:
        raise ValidationError(
            {"owner": [_("No member of this organisation has this e-mail address.")]}
        )
    return user


# Evidence ------------------------------------------------------------------------------


class Evidence(CallerMixin):
    serializer_class = out.EvidenceSerializer

    def get_queryset(self):
        items = EvidenceItem.objects.current().filter(
            organisation_id__in=self.caller.organisation_ids()
        )
        organisation = _uuid(self.request, "organisation")
        if organisation:
            items = items.filter(organisation__uuid=organisation)
        return (
            items.select_related("organisation")
            .prefetch_related(Prefetch("files", queryset=EvidenceFile.objects.order_by("pk")))
            .order_by("title", "pk")
        )


class EvidenceList(Evidence, generics.ListAPIView):
    """The evidence library's items and their files' metadata (names, sizes, types and
    SHA-256); the files themselves need the ``evidence:files`` scope."""

    @extend_schema(parameters=[OpenApiParameter("organisation", OpenApiTypes.UUID)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EvidenceDetail(Evidence, generics.RetrieveAPIView):
    """One item of the evidence library, with its files' metadata."""

    lookup_field = "uuid"
    lookup_url_kwarg = "item"

    def retrieve(self, request, *args, **kwargs):
        return conditional(request, self.get_serializer(self.get_object()).data)


class EvidenceFileContent(CallerMixin, APIView):
    """A file's bytes, as uploaded (an attachment, like the page's download)."""

    permission_classes = [FilesScope]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, file):
        try:
            stored = EvidenceFile.objects.select_related("item").get(
                uuid=file,
                item__organisation_id__in=self.caller.organisation_ids(),
                item__removed_at__isnull=True,
            )
        except EvidenceFile.DoesNotExist:
            raise Http404(_("No such file.")) from None
        return attachment(stored)


# Questionnaires ------------------------------------------------------------------------


def _published():
    return QuestionnaireVersion.objects.published().select_related("questionnaire")


class VersionList(CallerMixin, generics.ListAPIView):
    """The published questionnaire versions (``id`` is ``<slug>:<number>``)."""

    serializer_class = out.VersionSerializer

    def get_queryset(self):
        return _published().order_by("questionnaire__slug", "number")


_CONTENT: dict[tuple, dict] = {}
_CONTENT_LOCK = threading.Lock()


def version_of(slug: str, number: int) -> QuestionnaireVersion:
    try:
        return _published().get(questionnaire__slug=slug, number=number)
    except QuestionnaireVersion.DoesNotExist:
        raise Http404(_("No such published questionnaire version.")) from None


def content_of(version: QuestionnaireVersion) -> dict:
    """A published version's content in the questionnaire format (docs/
    questionnaire-format.md), as JSON data. Published content never changes: each
    process reads it once."""
    key = (version.pk, version.content_digest)
    with _CONTENT_LOCK:
        cached = _CONTENT.get(key)
    if cached is None:
        cached = json.loads(json.dumps(as_data(document_from_version(version)), default=float))
        with _CONTENT_LOCK:
            _CONTENT[key] = cached
    return cached


class VersionDetail(CallerMixin, APIView):
    """A published version with its content: sections, questions, choices and scores,
    references and bands, in both languages."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, slug, number):
        version = version_of(slug, number)
        data = {
            **out.VersionSerializer(version, context={"request": request}).data,
            "content": content_of(version),
        }
        return conditional(request, data)


@extend_schema(exclude=True)
class Unknown(APIView):
    """Any other address under /api/v1/: a 404 in the API's error shape."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    def get(self, request, *args, **kwargs):
        raise Http404(_("No such address in the API."))

    post = put = patch = delete = get


# OSCAL ---------------------------------------------------------------------------------

LANGUAGE = OpenApiParameter(
    "lang",
    str,
    enum=["en", "zh-hans"],
    description="The language of the texts (OSCAL strings have one language); default en.",
)


def _oscal_language(request) -> str:
    return _choice(request, "lang", ("en", "zh-hans")) or "en"


class VersionCatalog(CallerMixin, APIView):
    """A published version as an OSCAL catalog (docs/oscal.md): sections as groups,
    questions as controls, references as back-matter resources."""

    @extend_schema(parameters=[LANGUAGE], responses={200: OpenApiTypes.OBJECT})
    def get(self, request, slug, number):
        language = _oscal_language(request)
        version = version_of(slug, number)
        return conditional(request, oscal_catalog(version, language))


class AssessmentResults(CallerMixin, APIView):
    """An assessment's results as OSCAL assessment-results (docs/oscal.md)."""

    @extend_schema(parameters=[LANGUAGE], responses={200: OpenApiTypes.OBJECT})
    def get(self, request, assessment):
        language = _oscal_language(request)
        found = assessment_of(self.caller, assessment)
        return conditional(request, oscal_results(found, language))
