"""The authoring admin: read-only once published, actions, import, preview, compare."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compliance.questionnaires.models import Question, Questionnaire, QuestionnaireVersion
from compliance.questionnaires.services import import_questionnaire, new_draft_from
from tests.factories import UserFactory

SAMPLE = Path(__file__).with_name("sample.yaml")


@pytest.fixture
def editor(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Questionnaire editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def version_url(version, name="change") -> str:
    return reverse(f"admin:questionnaires_questionnaireversion_{name}", args=[version.pk])


def test_editor_group_has_exactly_the_authoring_permissions(db):
    codenames = set(
        Group.objects.get(name="Questionnaire editors").permissions.values_list(
            "codename", flat=True
        )
    )
    assert "publish_questionnaireversion" in codenames
    assert "change_question" in codenames
    assert "delete_questionnaireversion" not in codenames
    assert not any(name.endswith("_assessment") or name.endswith("_user") for name in codenames)


def test_draft_is_editable_and_published_version_is_read_only(editor_client, draft):
    page = editor_client.get(version_url(draft)).content.decode()
    assert 'name="_save"' in page and "Publish" in page

    response = editor_client.post(version_url(draft, "publish"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == QuestionnaireVersion.Status.PUBLISHED

    page = editor_client.get(version_url(draft)).content.decode()
    assert 'name="_save"' not in page
    assert "is published and read-only" in page
    question = Question.objects.get(version=draft, code="policy-signed")
    url = reverse("admin:questionnaires_question_change", args=[question.pk])
    page = editor_client.get(url).content.decode()
    assert 'name="_save"' not in page and 'name="text_en"' not in page
    response = editor_client.post(url, {"text_en": "Changed"}, follow=True)
    assert response.status_code == 200
    assert "no longer a draft and cannot be changed" in response.content.decode()
    question.refresh_from_db()
    assert question.text_en == "Is the policy signed?"


def test_publishing_a_broken_draft_lists_every_problem(editor_client, draft):
    Question.objects.filter(code="policy-maturity").update(text_zh_hans="")
    response = editor_client.post(version_url(draft, "publish"), follow=True)
    page = response.content.decode()
    assert "was not published: 1 problem" in page
    assert "Question “policy-maturity”: the Chinese text is missing" in page
    draft.refresh_from_db()
    assert draft.is_draft


def test_staff_without_permissions_cannot_publish(client, draft):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    assert client.post(version_url(draft, "publish")).status_code == 403
    draft.refresh_from_db()
    assert draft.is_draft


def test_new_draft_button_copies_the_version(editor_client, published):
    response = editor_client.post(version_url(published, "new_draft"))
    new = QuestionnaireVersion.objects.get(number=2)
    assert response["Location"] == version_url(new)
    assert new.questions.count() == published.questions.count()


def test_import_and_export_in_the_admin(editor_client, db):
    url = reverse("admin:questionnaires_questionnaire_import")
    upload = SimpleUploadedFile("sample.yaml", SAMPLE.read_bytes())
    response = editor_client.post(url, {"file": upload})
    version = QuestionnaireVersion.objects.get()
    assert response["Location"] == version_url(version)
    exported = editor_client.get(version_url(version, "export"))
    assert exported["Content-Disposition"] == 'attachment; filename="sample-icp-v1.yaml"'
    assert b"slug: sample-icp" in exported.content


def test_a_bad_upload_names_the_problem_and_changes_nothing(editor_client, db):
    url = reverse("admin:questionnaires_questionnaire_import")
    content = SAMPLE.read_bytes().replace(b"score: 0.5}", b"score: 5}")
    response = editor_client.post(url, {"file": SimpleUploadedFile("bad.yaml", content)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "nothing was changed" in page
    assert "the score 5 is outside 0 to 1" in page
    assert Questionnaire.objects.count() == 0


def test_preview_shows_the_questionnaire_as_a_respondent_sees_it(editor_client, draft):
    page = editor_client.get(version_url(draft, "preview")).content.decode()
    assert "Is the policy signed?" in page and "Critical" in page
    assert "Shown only when the answer to “Which lists?” is one of: Watch list." in page
    editor_client.post("/i18n/setlang/", {"language": "zh-hans"})
    page = editor_client.get(version_url(draft, "preview")).content.decode()
    assert "政策是否已签署？" in page


def test_compare_lists_a_changed_question(editor_client, published):
    draft = new_draft_from(published)
    question = Question.objects.get(version=draft, code="policy-signed")
    question.text_en = "Is the policy signed by the CEO?"
    question.save()
    page = editor_client.get(version_url(draft, "compare")).content.decode()
    assert "policy-signed" in page and "text" in page and "changed" in page


@pytest.mark.parametrize(
    "url_name",
    [
        "questionnaires_questionnaire_changelist",
        "questionnaires_questionnaireversion_changelist",
        "questionnaires_question_changelist",
        "questionnaires_section_changelist",
    ],
)
def test_admin_lists_use_a_constant_number_of_queries(
    admin_client, django_assert_max_num_queries, sample_yaml, url_name
):
    url = reverse(f"admin:{url_name}")
    import_questionnaire(sample_yaml)
    with django_assert_max_num_queries(12) as small:
        assert admin_client.get(url).status_code == 200
    for _ in range(3):
        new_draft_from(QuestionnaireVersion.objects.first())
    big = sample_yaml.replace("slug: sample-icp", "slug: other-icp")
    import_questionnaire(big)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert admin_client.get(url).status_code == 200


def _question_form(question, **changes):
    """The admin's question form, posted with the question as it is and ``changes``."""
    from django.forms.models import model_to_dict

    from compliance.questionnaires.forms import QuestionForm

    data = {
        key: value
        for key, value in model_to_dict(question).items()
        if key in QuestionForm._meta.fields and value is not None
    }
    data["show_if_choices_picked"] = list(question.show_if_choices)
    data.update(changes)
    return QuestionForm(data=data, instance=question)


def test_show_if_choices_are_ticked_among_the_controlling_questions_choices(draft):
    follow = Question.objects.get(version=draft, code="watch-process")
    unbound = str(_question_form(follow)["show_if_choices_picked"])
    assert 'value="watch"' in unbound and 'value="controlled"' in unbound
    form = _question_form(follow, show_if_choices_picked=["controlled", "watch"])
    assert form.is_valid(), form.errors
    form.save()
    follow.refresh_from_db()
    assert follow.show_if_choices == ["controlled", "watch"]


def test_a_new_controlling_question_offers_its_own_choices_and_refuses_the_old_ones(draft):
    follow = Question.objects.get(version=draft, code="watch-process")
    maturity = Question.objects.get(version=draft, code="policy-maturity")
    form = _question_form(follow, show_if_question=maturity.pk)  # still ticks "watch"
    assert not form.is_valid()
    assert "show_if_choices_picked" in form.errors
    offered = str(form["show_if_choices_picked"])
    assert 'value="l1"' in offered and 'value="watch"' not in offered
    form = _question_form(follow, show_if_question=maturity.pk, show_if_choices_picked=[])
    assert not form.is_valid()
    assert "Tick at least one choice of “policy-maturity”." in str(form.errors)
    form = _question_form(follow, show_if_question=maturity.pk, show_if_choices_picked=["l2"])
    assert form.is_valid(), form.errors
