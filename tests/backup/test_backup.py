"""`manage.py backup` and `manage.py restore`: a whole installation survives the round trip.

The round trip builds an installation as people use it (the default questionnaire, a
sample questionnaire with a published and a draft version, two organisations, members,
an open invitation, a submitted, reopened and resubmitted assessment, a draft carried
over from it with Chinese comments and an N/A, answer history, the admin's log), records
every backed-up row, the scores, the report HTML and the exports, backs up, empties the
database, restores, and compares.
"""

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from compliance.assessments.models import Answer, Assessment, AssessmentEvent, HistoricalAnswer
from compliance.assessments.scoring import answers_by_code, compute_result
from compliance.assessments.services import (
    AnswerInput,
    Submitted,
    create_assessment,
    reopen,
    save_answers,
    submit,
)
from compliance.backup.archive import backed_up_models
from compliance.organisations.models import Invitation, Membership, Organisation
from compliance.organisations.services import (
    create_organisation,
    invitation_from_token,
    invitation_token,
)
from compliance.questionnaires.models import (
    LockedVersionError,
    Question,
    QuestionnaireVersion,
)
from compliance.questionnaires.selectors import load_version
from compliance.questionnaires.services import (
    import_questionnaire,
    new_draft_from,
    publish_version,
)
from compliance.reports import exports, pdf
from compliance.reports.models import ReportFile
from compliance.reports.presentation import build_report
from tests.backup.commands import answer_everything, backup, restore, small_installation
from tests.factories import PASSWORD, SAMPLE, UserFactory

EDITORS = "Questionnaire editors"
#: The report's "generated" time, fixed so that two renderings can be compared.
GENERATED = datetime(2026, 3, 31, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _forget_content_type_ids():
    """Emptying the database recreates content types; later tests must not see stale ids."""
    yield
    ContentType.objects.clear_cache()


# ------------------------------------------------------------------------ the installation


def build_installation(client) -> SimpleNamespace:
    call_command("loaddata", "default_questionnaire", verbosity=0)
    default = QuestionnaireVersion.objects.get(
        questionnaire__slug="cn-export-control-icp", number=1
    )
    sample = publish_version(import_questionnaire(SAMPLE.read_text(encoding="utf-8")))
    sample_draft = new_draft_from(sample)

    owner = UserFactory(email="owner@example.com", first_name="王芳")
    editor = UserFactory(email="editor@example.com")
    viewer = UserFactory(email="viewer@example.com")
    staff = UserFactory(email="author@example.com", is_staff=True)
    editors, created = Group.objects.get_or_create(name=EDITORS)
    if created:
        editors.permissions.set(Permission.objects.filter(content_type__app_label="questionnaires"))
    staff.groups.add(editors)
    staff.user_permissions.add(Permission.objects.get(codename="view_organisation"))

    organisation = create_organisation(
        owner, "华东精密仪器有限公司", sector="激光器", country="中国"
    )
    Membership.objects.create(organisation=organisation, user=editor, role="editor")
    Membership.objects.create(organisation=organisation, user=viewer, role="viewer")
    invitation = Invitation.objects.create(
        organisation=organisation,
        email="new.colleague@example.com",
        role="editor",
        invited_by=owner,
    )

    submitted = create_assessment(
        organisation=organisation, version=default, title="2025 年度自评估", user=editor
    )
    answer_everything(submitted, editor)
    answer_everything(submitted, owner, variant=1)  # a second round: history
    submitted = submit(submitted, editor)
    submitted = reopen(submitted, owner, note="补充出口许可证据")
    answer_everything(submitted, editor, variant=2)
    submitted = submit(submitted, owner)

    draft = create_assessment(
        organisation=organisation,
        version=default,
        title="2026 年度自评估",
        user=editor,
        carry_over_from=submitted,
    )
    content = load_version(default)
    questions = list(content.questions.values())
    na_question = next(q for q in questions if q.na_allowed)
    save_answers(
        draft,
        [
            Submitted(
                na_question,
                AnswerInput(not_applicable=True, na_justification="本公司不出口该类物项。"),
                None,
                "",
            ),
            Submitted(
                questions[0],
                AnswerInput(
                    choice_codes=(questions[0].choices.all()[0].code,),
                    comment="总经理已签署，待归档。",
                ),
                None,
                "",
                confirm=True,
            ),
        ],
        editor,
    )

    other_owner = UserFactory(email="other@example.net")
    other = create_organisation(other_owner, "Other Exporter GmbH")
    other_assessment = create_assessment(
        organisation=other, version=sample, title="Sample check", user=other_owner
    )
    answer_everything(other_assessment, other_owner)

    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(QuestionnaireVersion),
        object_id=str(sample_draft.pk),
        object_repr=str(sample_draft),
        action_flag=CHANGE,
        change_message="修改了说明",
    )

    # What a backup leaves out: a rendered report, a login, a failed login.
    rendered = ReportFile.objects.create(assessment=submitted, language="en", key="0" * 64)
    client.force_login(owner)
    client.post("/accounts/login/", {"username": viewer.email, "password": "wrong"})
    return SimpleNamespace(
        default=default,
        sample=sample,
        sample_draft=sample_draft,
        owner=owner,
        editor=editor,
        staff=staff,
        organisation=organisation,
        invitation=invitation,
        token=invitation_token(invitation),
        submitted=submitted,
        draft=draft,
        other_assessment=other_assessment,
        rendered=rendered,
    )


# ------------------------------------------------------------------------ what is compared


def rows() -> dict[str, list]:
    """Every backed-up row, every column, ids included, and many-to-many links; references
    to content types and permissions (which migrate recreates) by natural key."""
    keys = {
        ContentType: {ct.pk: ct.natural_key() for ct in ContentType.objects.all()},
        Permission: {
            p.pk: p.natural_key() for p in Permission.objects.select_related("content_type")
        },
    }

    def value(field, raw):
        return keys[field.related_model][raw] if field.related_model in keys and raw else raw

    seen = {}
    for model in backed_up_models():
        label = model._meta.label_lower
        relations = [f for f in model._meta.concrete_fields if f.is_relation]
        seen[label] = [
            {**row, **{f.attname: value(f, row[f.attname]) for f in relations}}
            for row in model._base_manager.order_by("pk").values()
        ]
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            links = through.objects.values_list(
                f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            )
            seen[f"{label}.{field.name}"] = sorted((a, value(field, b)) for a, b in links)
    return seen


def fixed_report_html(report, language: str) -> str:
    clock = SimpleNamespace(localtime=lambda *args, **kwargs: GENERATED)
    with mock.patch.object(pdf, "timezone", clock):
        return pdf.report_html(report, language)


def outputs() -> dict[str, dict]:
    """For every assessment: its scores, frozen result, report HTML and exports."""
    seen = {}
    for assessment in Assessment.objects.order_by("uuid"):
        report = build_report(assessment)
        result = compute_result(load_version(assessment.version), answers_by_code(assessment))
        seen[str(assessment.uuid)] = {
            "result": result.to_json(),
            "frozen": assessment.result,
            "html_en": fixed_report_html(report, "en"),
            "html_zh": fixed_report_html(report, "zh-hans"),
            "json": exports.to_json(report),
            "csv": exports.to_csv(report),
        }
    return seen


# ------------------------------------------------------------------------ the round trip


@pytest.mark.django_db(transaction=True)
def test_round_trip_restores_everything_into_an_empty_database(client, tmp_path):
    site = build_installation(client)
    before_rows, before_outputs = rows(), outputs()
    assert before_outputs[str(site.submitted.uuid)]["frozen"]["score"] is not None
    assert "本公司不出口该类物项。" in before_outputs[str(site.draft.uuid)]["html_zh"]
    assert HistoricalAnswer.objects.count() > Answer.objects.count() > 180

    path = tmp_path / "backup.json.gz"
    assert "Backed up" in backup(path)
    assert path.stat().st_mode & 0o777 == 0o600  # password hashes: the owner's eyes only

    # A new database: empty, with what migrate creates (here the editors' group, under
    # another id than in the backup).
    call_command("flush", interactive=False, verbosity=0)
    Group.objects.create(name="placeholder").delete()
    Group.objects.create(name=EDITORS).permissions.set(Permission.objects.all()[:3])
    assert not Assessment.objects.exists() and not Question.objects.exists()

    assert "Restored" in restore(path)

    assert rows() == before_rows
    assert outputs() == before_outputs
    # Caches, logins and login throttling are not in a backup.
    assert not ReportFile.objects.exists()
    assert not Session.objects.exists()
    assert not apps.get_model("axes", "AccessAttempt").objects.exists()

    # The old session is gone; the same password still works.
    assert client.get("/assessments/").status_code == 302
    response = client.post("/accounts/login/", {"username": site.owner.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    assert "2026 年度自评估" in client.get("/assessments/").content.decode()
    # Links that name rows by id still work: the invitation's.
    assert invitation_from_token(site.token) == site.invitation

    # Published content is still locked after being written back raw.
    question = Question.objects.filter(version=site.default).first()
    question.text_en = "Changed"
    with pytest.raises(LockedVersionError):
        question.save()

    # New rows of every kind can be written after the restore (sequences follow the
    # restored ids on PostgreSQL).
    newcomer = UserFactory(email="newcomer@example.com")
    organisation = create_organisation(newcomer, "New Exporter")
    Invitation.objects.create(organisation=organisation, email="x@example.com", invited_by=newcomer)
    newcomer.groups.add(Group.objects.get(name=EDITORS))
    fresh = create_assessment(
        organisation=site.organisation, version=site.default, title="2027", user=site.editor
    )
    answer_everything(fresh, site.editor)
    answer_everything(fresh, site.owner, variant=1)
    submit(fresh, site.editor)
    draft = new_draft_from(site.sample)
    assert draft.number == 3 and draft.sections.count() == site.sample.sections.count()
    LogEntry.objects.create(
        user=site.staff,
        content_type=ContentType.objects.get_for_model(QuestionnaireVersion),
        object_id=str(draft.pk),
        object_repr=str(draft),
        action_flag=CHANGE,
    )
    assert AssessmentEvent.objects.filter(assessment=fresh).count() == 2
    assert HistoricalAnswer.objects.filter(assessment_id=fresh.pk).count() == 2 * len(
        load_version(site.default).questions
    )


@pytest.mark.django_db(transaction=True)
def test_force_replaces_the_data_of_a_database_in_use(tmp_path, settings):
    site = small_installation()
    rendered = ReportFile.objects.create(assessment=site.assessment, language="en", key="0" * 64)
    rendered.file.save("report.pdf", ContentFile(b"%PDF-1.7 rendered"), save=True)
    stored = Path(settings.MEDIA_ROOT) / rendered.file.name
    path = tmp_path / "backup.json.gz"
    backup(path)
    before_rows = rows()

    # The database moves on after the backup.
    create_organisation(UserFactory(email="late@example.com"), "Late Comer Ltd.")
    Answer.objects.filter(assessment=site.assessment).delete()

    with pytest.raises(CommandError, match="already holds data") as refused:
        restore(path)
    assert "--force" in str(refused.value)
    assert Organisation.objects.filter(name="Late Comer Ltd.").exists()  # untouched
    assert stored.exists()

    restore(path, "--force")
    assert rows() == before_rows
    assert not ReportFile.objects.exists()
    assert not stored.exists()  # the rendered file went with its row
