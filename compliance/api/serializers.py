"""What the API says of each object. Texts of the questionnaire come in both languages
(``{"en": …, "zh-hans": …}``); dates and times are ISO 8601; ids are the public UUIDs."""

from __future__ import annotations

import functools
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.actions.models import OPEN_STATUSES, Action, ActionPriority, ActionStatus
from compliance.assessments.models import Answer, Assessment
from compliance.core.i18n import CONTENT_LANGUAGES
from compliance.evidence.models import EvidenceFile, EvidenceItem
from compliance.organisations.models import Organisation
from compliance.questionnaires.models import QuestionnaireVersion
from compliance.reports.document import in_both, localized

LOCALIZED = {
    "type": "object",
    "properties": {language: {"type": "string"} for language, _suffix in CONTENT_LANGUAGES},
}


@functools.cache
def _labels(choices, value) -> tuple[tuple[str, str], ...]:
    return tuple(in_both(lambda: choices(value).label).items())


def label_of(choices, value) -> dict[str, str]:
    """A choice's label in both languages (worked out once per process: the labels are
    the code's; the catalogue's files are read at start-up)."""
    return dict(_labels(choices, value))


class OrganisationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    role = serializers.SerializerMethodField(help_text="The caller's role: a token is a viewer.")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "sector",
            "country",
            "created_at",
            "review_required",
            "approver_independent",
            "reassessment_months",
            "role",
        ]

    def get_role(self, organisation) -> str:
        return self.context["roles"].get(organisation.pk, "")


class AssessmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    organisation = serializers.UUIDField(source="organisation.uuid")
    questionnaire = serializers.CharField(source="version.questionnaire.slug")
    version = serializers.IntegerField(source="version.number")
    status_label = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()
    band = serializers.SerializerMethodField()
    critical_findings = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "url",
            "title",
            "organisation",
            "questionnaire",
            "version",
            "status",
            "status_label",
            "period_start",
            "period_end",
            "created_at",
            "submitted_at",
            "last_changed_at",
            "answered_count",
            "applicable_count",
            "score",
            "band",
            "critical_findings",
        ]

    @extend_schema_field(LOCALIZED)
    def get_status_label(self, assessment) -> dict:
        return label_of(Assessment.Status, assessment.status)

    # The list annotates the frozen result's figures (``views.AssessmentList``); a draft's
    # result is computed only in its detail.
    def get_score(self, assessment) -> float | None:
        return None if assessment.is_draft else assessment.result_score

    def get_band(self, assessment) -> str | None:
        return None if assessment.is_draft else assessment.result_band

    def get_critical_findings(self, assessment) -> int | None:
        return None if assessment.is_draft else assessment.result_findings

    def get_url(self, assessment) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/assessments/{assessment.uuid}/")

    def to_representation(self, assessment) -> dict:
        """The fields above, written out: a page of 100 rows through DRF's field objects
        cost five login pages (``make bench``); the schema still comes from the fields."""
        base = self.context.get("assessments_url")
        if base is None:
            base = self.context["assessments_url"] = self.context["request"].build_absolute_uri(
                "/api/v1/assessments/"
            )
        draft = assessment.is_draft
        return {
            "id": str(assessment.uuid),
            "url": f"{base}{assessment.uuid}/",
            "title": assessment.title,
            "organisation": str(assessment.organisation.uuid),
            "questionnaire": assessment.version.questionnaire.slug,
            "version": assessment.version.number,
            "status": assessment.status,
            "status_label": label_of(Assessment.Status, assessment.status),
            "period_start": _iso(assessment.period_start),
            "period_end": _iso(assessment.period_end),
            "created_at": _iso(assessment.created_at),
            "submitted_at": _iso(assessment.submitted_at),
            "last_changed_at": _iso(assessment.last_changed_at),
            "answered_count": assessment.answered_count,
            "applicable_count": assessment.applicable_count,
            "score": None if draft else assessment.result_score,
            "band": None if draft else assessment.result_band,
            "critical_findings": None if draft else assessment.result_findings,
        }


def _iso(value) -> str | None:
    """A date or time as DRF writes it (ISO 8601, UTC times ending in Z)."""
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        text = timezone.localtime(value).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return value.isoformat()


class AnswerSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="question.code")
    section = serializers.CharField(source="question.section.code")
    question_text = serializers.SerializerMethodField()
    answer = serializers.SerializerMethodField()
    choices = serializers.JSONField(source="choice_codes")
    number = serializers.DecimalField(
        source="value_number", max_digits=20, decimal_places=4, coerce_to_string=False
    )
    date = serializers.DateField(source="value_date")
    text = serializers.CharField(source="value_text")
    justification = serializers.CharField(source="na_justification")
    updated_by = serializers.SerializerMethodField()

    class Meta:
        model = Answer
        fields = [
            "question",
            "section",
            "question_text",
            "answer",
            "choices",
            "number",
            "date",
            "text",
            "not_applicable",
            "justification",
            "comment",
            "evidence",
            "carried_over",
            "revision",
            "updated_at",
            "updated_by",
        ]

    @extend_schema_field(LOCALIZED)
    def get_question_text(self, answer) -> dict:
        return localized(answer.question, "text")

    @extend_schema_field(LOCALIZED)
    def get_answer(self, answer) -> dict:
        from compliance.assessments.selectors import answer_text

        return in_both(answer_text, answer.question, answer)

    def get_updated_by(self, answer) -> str | None:
        return answer.updated_by.email if answer.updated_by else None


class ActionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    organisation = serializers.UUIDField(source="organisation.uuid", read_only=True)
    owner = serializers.SerializerMethodField(
        help_text="The owner's e-mail address; null: the organisation's owners."
    )
    status_label = serializers.SerializerMethodField()
    priority_label = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "organisation",
            "question_code",
            "title",
            "owner",
            "due_date",
            "overdue",
            "priority",
            "priority_label",
            "status",
            "status_label",
            "justification",
            "notes",
            "evidence",
            "created_at",
            "updated_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_owner(self, action) -> str | None:
        return action.owner.email if action.owner else None

    @extend_schema_field(LOCALIZED)
    def get_status_label(self, action) -> dict:
        return label_of(ActionStatus, action.status)

    @extend_schema_field(LOCALIZED)
    def get_priority_label(self, action) -> dict:
        return label_of(ActionPriority, action.priority)

    def get_overdue(self, action) -> bool:
        return bool(
            action.due_date
            and action.status in OPEN_STATUSES
            and action.due_date < self.context.get("today", timezone.localdate())
        )

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_evidence(self, action) -> list[str]:
        return [str(item.uuid) for item in action.evidence.all()]


class ActionChangeSerializer(serializers.Serializer):
    """The only writes of the API: an action's status, owner and due date (and the
    justification that accepting a risk needs)."""

    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    owner = serializers.EmailField(
        required=False, allow_null=True, help_text="A member's e-mail address; null: the owners."
    )
    due_date = serializers.DateField(required=False, allow_null=True)
    justification = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, trim_whitespace=False
    )

    def validate(self, data):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {
                    name: [
                        _(
                            "Not a field that can be changed: only status, owner, due_date "
                            "and justification."
                        )
                    ]
                    for name in sorted(unknown)
                }
            )
        if not data:
            raise serializers.ValidationError(
                _("Nothing to change: send status, owner, due_date or justification.")
            )
        return data


class FileSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    type = serializers.CharField(source="content_type")

    class Meta:
        model = EvidenceFile
        fields = ["id", "name", "size", "type", "sha256", "uploaded_at"]


class EvidenceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    organisation = serializers.UUIDField(source="organisation.uuid")
    files = FileSerializer(many=True)
    expired = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceItem
        fields = [
            "id",
            "organisation",
            "title",
            "document_date",
            "valid_until",
            "expired",
            "created_at",
            "files",
        ]

    def get_expired(self, item) -> bool:
        day: date = self.context.get("today", timezone.localdate())
        return bool(item.valid_until and item.valid_until < day)


class VersionSerializer(serializers.ModelSerializer):
    id = serializers.SerializerMethodField()
    questionnaire = serializers.CharField(source="questionnaire.slug")
    title = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    content_sha256 = serializers.CharField(source="content_digest")

    class Meta:
        model = QuestionnaireVersion
        fields = [
            "id",
            "questionnaire",
            "number",
            "status",
            "title",
            "description",
            "published_at",
            "content_sha256",
        ]

    def get_id(self, version) -> str:
        return f"{version.questionnaire.slug}:{version.number}"

    @extend_schema_field(LOCALIZED)
    def get_title(self, version) -> dict:
        return localized(version.questionnaire, "title")

    @extend_schema_field(LOCALIZED)
    def get_description(self, version) -> dict:
        return localized(version, "description")
