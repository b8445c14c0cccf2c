"""The per-process store of loaded versions never serves content another process no
longer has: it is keyed by what changes whenever the content could."""

from fractions import Fraction

from django.db import connection

from compliance.questionnaires.models import Choice, QuestionnaireVersion
from compliance.questionnaires.selectors import load_version


def yes_score(content) -> Fraction:
    question = next(
        q for s in content.spec.sections for q in s.questions if q.code == "policy-signed"
    )
    return next(choice.score for choice in question.choices if choice.code == "yes")


def test_other_content_under_a_reused_id_is_loaded_afresh(sample_version):
    """As after a restore with --force: the same id and creation time, other content,
    and so another digest."""
    assert yes_score(load_version(sample_version)) == 1
    choice = Choice.objects.get(
        question__version=sample_version, question__code="policy-signed", code="yes"
    )
    with connection.cursor() as cursor:  # past every guard, as a restore writes
        cursor.execute("UPDATE questionnaires_choice SET score = 0.25 WHERE id = %s", [choice.pk])
        cursor.execute(
            "UPDATE questionnaires_questionnaireversion SET content_digest = %s WHERE id = %s",
            ["f" * 64, sample_version.pk],
        )
    reloaded = QuestionnaireVersion.objects.get(pk=sample_version.pk)
    assert reloaded.created_at == sample_version.created_at
    assert yes_score(load_version(reloaded)) == Fraction(1, 4)


def test_an_unchanged_version_is_read_once(sample_version, django_assert_num_queries):
    load_version(sample_version)
    with django_assert_num_queries(0):
        load_version(sample_version)
