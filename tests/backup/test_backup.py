"""`manage.py backup` and `manage.py restore`: a whole installation survives the round trip.

The round trip builds an installation as people use it (the default questionnaire, a
sample questionnaire with a published and a draft version, two organisations, members,
an open invitation, a submitted, reopened and resubmitted assessment, a draft carried
over from it with Chinese comments and an N/A, answer history, the admin's log), records
every backed-up row, the scores, the report HTML and the exports, backs up, empties the
database, restores, and compares.
"""

import gzip
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from io import StringIO
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
from django.db import connection, models

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
from compliance.backup.archive import EXCLUDED, backed_up_models
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


def answer_everything(assessment, user, variant: int = 0) -> None:
    """Answer every question of the assessment's version, some with Chinese comments."""
    content = load_version(assessment.version)
    items = []
    for index, question in enumerate(content.questions.values()):
        codes = [choice.code for choice in question.choices.all()]
        if question.type == Question.Type.MULTIPLE_CHOICE:
            value = AnswerInput(choice_codes=tuple(sorted(codes[: 1 + (index + variant) % 2])))
        elif question.uses_choices:
            value = AnswerInput(choice_codes=(codes[(index + variant) % len(codes)],))
        elif question.type == Question.Type.DATE:
            value = AnswerInput(value_date=date(2026, 1 + index % 12, 1 + variant))
        else:
            value = AnswerInput(value_text=f"出口管制内部合规机制 {index}-{variant}")
        if index % 3 == 0:
            value = replace(
                value,
                comment=f"已由合规部门审核（第{index}项）。",
                evidence=f"《出口管制合规手册》第{index}版",
            )
        items.append(Submitted(question, value, None))
    save_answers(assessment, items, user)


def build_installation(client) -> SimpleNamespace:
    call_command("loaddata", "default_questionnaire", verbosity=0)
    default = QuestionnaireVersion.objects.get(questionnaire__slug="cn-export-control-icp")
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


def backup(path: Path) -> str:
    out = StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


def restore(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


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


# ------------------------------------------------------------------------ refusals


def small_installation() -> SimpleNamespace:
    owner = UserFactory()
    organisation = create_organisation(owner, "Small Exporter")
    version = publish_version(import_questionnaire(SAMPLE.read_text(encoding="utf-8")))
    assessment = create_assessment(
        organisation=organisation, version=version, title="t", user=owner
    )
    answer_everything(assessment, owner)
    return SimpleNamespace(owner=owner, assessment=assessment)


@pytest.fixture
def backup_file(db, tmp_path) -> Path:
    """A backup of a small installation, and the database emptied."""
    small_installation()
    path = tmp_path / "backup.json.gz"
    backup(path)
    connection.check_constraints()  # PostgreSQL: no pending checks may block the flush
    call_command("flush", interactive=False, verbosity=0)
    return path


def rewrite(path: Path, change) -> Path:
    with gzip.open(path, "rt", encoding="utf-8") as file:
        data = json.load(file)
    change(data)
    changed = path.with_name("changed.json.gz")
    with gzip.open(changed, "wt", encoding="utf-8") as file:
        json.dump(data, file)
    return changed


def test_force_replaces_data_written_in_the_same_transaction(backup_file):
    """On PostgreSQL, foreign-key checks of rows written earlier in the transaction are
    still pending, and must not stop the tables from being emptied."""
    written = small_installation()
    restore(backup_file, "--force")
    assert not Assessment.objects.filter(uuid=written.assessment.uuid).exists()
    assert Assessment.objects.count() == 1 and get_user_count() == 1


def test_a_failure_while_loading_restores_nothing(backup_file):
    def break_last_answer(data):
        answer = [o for o in data["objects"] if o["model"] == "assessments.answer"][-1]
        answer["fields"]["question"] = ["sample-icp", 1, "no-such-question"]

    with pytest.raises(CommandError, match="nothing was restored"):
        restore(rewrite(backup_file, break_last_answer))
    # Users, questionnaires and all answers before the broken one were loaded, then undone.
    assert not get_user_count() and not Question.objects.exists() and not Answer.objects.exists()


def get_user_count() -> int:
    return apps.get_model("accounts", "User").objects.count()


def test_a_backup_of_another_migration_state_is_refused(backup_file):
    def from_the_future(data):
        data["header"]["migrations"]["assessments"].append("0099_future")

    with pytest.raises(CommandError, match="migration state") as refused:
        restore(rewrite(backup_file, from_the_future))
    message = str(refused.value)
    assert "assessments: the backup has 0099_future and this database not" in message
    assert "manage.py migrate assessments 0099_future" in message
    assert not get_user_count()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda data: data["objects"].pop(), "do not match the counts"),
        (lambda data: data["header"].update(format_version=2), "format version 2"),
        (lambda data: data.pop("header"), "not a backup made by"),
    ],
)
def test_changed_backups_are_refused(backup_file, change, message):
    with pytest.raises(CommandError, match=message):
        restore(rewrite(backup_file, change))
    assert not get_user_count()


def test_damaged_and_foreign_files_are_refused(backup_file, tmp_path):
    truncated = tmp_path / "truncated.json.gz"
    truncated.write_bytes(backup_file.read_bytes()[:-200])
    plain = tmp_path / "plain.json"
    plain.write_text("[]")
    for path in (truncated, plain):
        with pytest.raises(CommandError, match="not a readable backup"):
            restore(path)
    with pytest.raises(CommandError, match="does not exist"):
        restore(tmp_path / "missing.json.gz")
    assert not get_user_count()


def test_a_failed_backup_leaves_no_file(db, tmp_path):
    path = tmp_path / "backup.json.gz"
    with (
        mock.patch("compliance.backup.archive.call_command", side_effect=RuntimeError("gone")),
        pytest.raises(RuntimeError),
    ):
        backup(path)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------ what is covered


def test_every_model_is_backed_up_or_left_out_for_a_stated_reason():
    labels = {m._meta.label_lower for m in apps.get_models() if not m._meta.proxy}
    assert set(EXCLUDED) <= labels, "an excluded model no longer exists: update EXCLUDED"
    backed_up = {m._meta.label_lower for m in backed_up_models()}
    assert backed_up == labels - set(EXCLUDED)
    for needed in (
        "accounts.user",
        "auth.group",
        "admin.logentry",
        "organisations.invitation",
        "questionnaires.scoreband",
        "assessments.historicalanswer",
        "assessments.assessmentevent",
    ):
        assert needed in backed_up


def test_backed_up_rows_keep_nothing_in_the_file_storage():
    """A backup holds the database only: a backed-up model with files would need them too."""
    for model in backed_up_models():
        assert not any(isinstance(f, models.FileField) for f in model._meta.concrete_fields), (
            model._meta.label
        )
