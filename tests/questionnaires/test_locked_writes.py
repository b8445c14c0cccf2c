"""Published content refuses every other way in: the admin of each model under a version,
and fixtures loaded with ``loaddata`` (which saves raw, past the models' ``save()``)."""

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.core.serializers import serialize
from django.urls import reverse

from compliance.questionnaires.models import (
    Choice,
    LockedVersionError,
    Question,
    QuestionnaireVersion,
    Reference,
    ScoreBand,
    Section,
    Source,
)
from compliance.questionnaires.services import new_draft_from
from tests.factories import UserFactory

LOCKED = "no longer a draft and cannot be changed"


@pytest.fixture
def versions(published):
    return published, new_draft_from(published)


@pytest.fixture
def editor_client(client, db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Questionnaire editors"))
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_url(obj, action: str) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=[obj.pk])


def snapshot(version) -> dict:
    """Every row under a version, as stored."""
    rows = {}
    for model in (Section, Source, Question, Choice, Reference, ScoreBand):
        items = model.objects.filter(**{model.version_path: version}).order_by("pk")
        rows[model.__name__] = serialize("json", items)
    return rows


def choice_form(choice, **changes) -> dict:
    data = {
        "question": choice.question_id,
        "order": choice.order,
        "code": choice.code,
        "label_en": choice.label_en,
        "label_zh_hans": choice.label_zh_hans,
        "description_en": choice.description_en,
        "description_zh_hans": choice.description_zh_hans,
        "score": str(choice.score),
        "min_value": "",
    }
    return {**data, **changes}


def test_an_editor_cannot_move_a_published_choice_to_a_drafts_question(versions, editor_client):
    published, draft = versions
    before = snapshot(published)
    choice = Choice.objects.get(
        question__version=published, question__code="policy-signed", code="yes"
    )
    target = Question.objects.get(version=draft, code="policy-signed")
    response = editor_client.post(
        admin_url(choice, "change"), choice_form(choice, question=target.pk), follow=True
    )
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert snapshot(published) == before


def test_changing_a_published_choices_score_gives_a_message(versions, admin_client_):
    published, _draft = versions
    before = snapshot(published)
    choice = Choice.objects.filter(question__version=published).first()
    response = admin_client_.post(
        admin_url(choice, "change"), choice_form(choice, score="0.1"), follow=True
    )
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert snapshot(published) == before


def test_a_drafts_choice_cannot_be_moved_into_a_published_question(versions, admin_client_):
    published, draft = versions
    choice = Choice.objects.filter(question__version=draft).first()
    target = Question.objects.filter(version=published).first()
    response = admin_client_.post(
        admin_url(choice, "change"), choice_form(choice, question=target.pk)
    )
    assert response.status_code == 200  # the form again, with the refusal on it
    assert LOCKED in response.content.decode()
    choice.refresh_from_db()
    assert choice.question.version == draft


def test_a_choice_cannot_be_added_to_a_published_question(versions, admin_client_):
    published, _draft = versions
    before = snapshot(published)
    question = Question.objects.filter(version=published).first()
    choice = Choice(question=question, code="extra", label_en="Extra", score=1)
    response = admin_client_.post(reverse("admin:questionnaires_choice_add"), choice_form(choice))
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert snapshot(published) == before


@pytest.mark.parametrize(
    "model", [QuestionnaireVersion, Section, Question, Choice, Reference, ScoreBand, Source]
)
def test_every_admin_refuses_to_change_or_delete_published_content(versions, admin_client_, model):
    published, _draft = versions
    before = snapshot(published)
    if model is QuestionnaireVersion:
        obj = published
    else:
        obj = model.objects.filter(**{model.version_path: published}).first()
    response = admin_client_.post(admin_url(obj, "change"), {"order": 99}, follow=True)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    response = admin_client_.post(admin_url(obj, "delete"), {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    changelist = reverse(f"admin:questionnaires_{model._meta.model_name}_changelist")
    response = admin_client_.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code in (200, 403)  # a page, never an error
    assert model.objects.filter(pk=obj.pk).exists()
    assert snapshot(published) == before
    published.refresh_from_db()
    assert published.status == QuestionnaireVersion.Status.PUBLISHED


DEFAULT = Path(__file__).resolve().parents[2] / "fixtures" / "default_questionnaire.json"


@pytest.fixture
def default_version(db):
    call_command("loaddata", "default_questionnaire", verbosity=0)
    return QuestionnaireVersion.objects.get(number=1)


def changed_fixture(tmp_path, change) -> str:
    """The default questionnaire's fixture, changed."""
    data = json.loads(DEFAULT.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "fixture.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def first(data, model: str) -> dict:
    return next(item for item in data if item["model"] == f"questionnaires.{model}")


def test_loaddata_cannot_change_a_published_row(default_version, tmp_path):
    before = snapshot(default_version)

    def lower_a_score(data):
        first(data, "choice")["fields"]["score"] = "0.0001"

    with pytest.raises(LockedVersionError):
        call_command("loaddata", changed_fixture(tmp_path, lower_a_score), verbosity=0)
    assert snapshot(default_version) == before


def test_loaddata_cannot_change_a_published_version(default_version, tmp_path):
    def rewrite_the_method(data):
        first(data, "questionnaireversion")["fields"]["methodology_en"] = "Anything goes."

    with pytest.raises(LockedVersionError):
        call_command("loaddata", changed_fixture(tmp_path, rewrite_the_method), verbosity=0)
    default_version.refresh_from_db()
    assert default_version.methodology_en != "Anything goes."


def test_loaddata_cannot_add_to_a_published_version(default_version, tmp_path):
    before = snapshot(default_version)

    def add_a_choice(data):
        extra = json.loads(json.dumps(first(data, "choice")))
        extra["fields"]["code"] = "extra"
        data.append(extra)

    with pytest.raises(CommandError, match="digest"):
        call_command("loaddata", changed_fixture(tmp_path, add_a_choice), verbosity=0)
    assert snapshot(default_version) == before


def test_loaddata_cannot_reroute_a_published_section(default_version, tmp_path):
    """A section's condition points forward in the fixture (at a question loaded after
    it), so loaddata saves such a row twice; the second save may complete a row the same
    load created, never change one already stored."""
    licensing = Section.objects.get(version__number=2, code="licensing")

    def show_it_to_everyone(data):
        row = next(
            item
            for item in data
            if item["model"] == "questionnaires.section"
            and item["fields"]["version"][1] == 2
            and item["fields"]["code"] == "licensing"
        )
        row["fields"]["show_if_choices"] = ["listed-items", "unlisted-items"]

    with pytest.raises(LockedVersionError):
        call_command("loaddata", changed_fixture(tmp_path, show_it_to_everyone), verbosity=0)
    licensing.refresh_from_db()
    assert licensing.show_if_choices == ["listed-items"]


def test_a_fixture_with_content_that_is_not_its_digest_is_refused(db, tmp_path):
    """Into an empty database too: content and digest must agree."""

    def change_a_text(data):
        first(data, "question")["fields"]["text_en"] = "Something else?"

    with pytest.raises(CommandError, match="digest"):
        call_command("loaddata", changed_fixture(tmp_path, change_a_text), verbosity=0)
    assert not QuestionnaireVersion.objects.exists()


def test_loaddata_of_the_same_content_changes_nothing(default_version):
    before = snapshot(default_version)
    call_command("loaddata", "default_questionnaire", verbosity=0)
    assert snapshot(default_version) == before
