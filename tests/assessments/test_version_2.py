"""Publishing version 2 beside version 1: version 1 assessments keep their scores and
reports, and a new assessment on version 2 carries over what still matches."""

import pytest
from django.core.management import call_command

from compliance.assessments.models import Answer
from compliance.assessments.services import (
    create_assessment,
    submit,
)
from compliance.questionnaires.models import QuestionnaireVersion
from compliance.questionnaires.selectors import forget_loaded_versions, load_version
from compliance.reports.jobs import produce
from compliance.reports.models import ReportFile
from compliance.reports.pdf import prepare
from tests.factories import answer_all, default_fixture_of_version_1


@pytest.fixture
def only_v1(db, tmp_path):
    """An installation as it stood before version 2: the default questionnaire, version 1."""
    path = default_fixture_of_version_1(tmp_path)
    call_command("loaddata", str(path), verbosity=0)
    return QuestionnaireVersion.objects.get()


def test_a_version_1_assessment_keeps_its_score_and_report_when_version_2_comes(only_v1, editor):
    assessment = create_assessment(
        organisation=editor.organisation, version=only_v1, title="2026", user=editor.user
    )
    answer_all(assessment, editor.user)
    submitted = submit(assessment, editor.user)
    produce(submitted, "en")
    key = prepare(submitted, "en", None).key
    stored = ReportFile.objects.get(assessment=submitted, key=key)
    frozen = dict(submitted.result)
    call_command("loaddata", "default_questionnaire", verbosity=0)
    forget_loaded_versions()
    assert QuestionnaireVersion.objects.filter(number=2, status="published").exists()
    submitted.refresh_from_db()
    assert submitted.result == frozen
    assert prepare(submitted, "en", None).key == key  # the same report, byte for byte
    assert ReportFile.objects.filter(pk=stored.pk, status=ReportFile.Status.READY).exists()


def test_a_version_2_assessment_carries_over_the_answers_that_still_match(default_v2, editor):
    v1 = QuestionnaireVersion.objects.get(questionnaire=default_v2.questionnaire, number=1)
    old = create_assessment(
        organisation=editor.organisation, version=v1, title="2025", user=editor.user
    )
    answer_all(old, editor.user)
    submit(old, editor.user)
    new = create_assessment(
        organisation=editor.organisation,
        version=default_v2,
        title="2026",
        user=editor.user,
        carry_over_from=old,
    )
    carried = {a.question.code for a in Answer.objects.filter(assessment=new)}
    v1_codes = set(load_version(v1).questions)
    v2_content = load_version(default_v2)
    kept = v1_codes & set(v2_content.questions)
    assert {"lic-changes", "train-consequences", "screen-controlled-parties"} <= carried
    assert carried <= kept
    # Every kept question whose chosen choice still exists came over, marked.
    for code in kept - carried:
        old_answer = Answer.objects.get(assessment=old, question__code=code)
        choices = {c.code for c in v2_content.questions[code].choices.all()}
        assert not set(old_answer.choice_codes) <= choices, code
    assert all(a.carried_over for a in Answer.objects.filter(assessment=new))
    assert "screen-watch-list" not in carried  # split into questions of its own
