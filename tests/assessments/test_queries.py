"""A section page and its save cost the same number of queries for 5 or 50 questions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from compliance.assessments.services import create_assessment
from compliance.questionnaires.document import (
    BandDocument,
    QuestionDocument,
    QuestionnaireDocument,
    SectionDocument,
    ShowIf,
    Text,
    create_version,
    default_choices,
)
from compliance.questionnaires.services import publish_version


def version_with(size: int, slug: str):
    questions = [
        QuestionDocument(
            code=f"q{i}",
            type="yes_partial_no",
            text=Text(f"Question {i}?", f"问题{i}？"),
            choices=default_choices("yes_partial_no"),
            show_if=ShowIf("q0", ["yes"]) if i % 5 == 4 else None,
        )
        for i in range(size)
    ]
    document = QuestionnaireDocument(
        slug=slug,
        title=Text("Size test", "规模测试"),
        score_bands=[BandDocument("all", Decimal(0), Decimal(100), Text("All", "全部"))],
        sections=[
            SectionDocument("first", Text("First", "一"), questions=questions),
            SectionDocument(
                "second",
                Text("Second", "二"),
                questions=[
                    QuestionDocument(
                        "last",
                        "yes_partial_no",
                        Text("Last?", "最后？"),
                        choices=default_choices("yes_partial_no"),
                    )
                ],
            ),
        ],
    )
    return publish_version(create_version(document))


def post_data(size: int) -> dict:
    return {f"q{i}-answer": "yes" for i in range(size)} | {
        f"q{i}-comment": f"note {i}" for i in range(size)
    }


@pytest.mark.parametrize("size", [5, 50])
def test_section_page_and_save_queries_do_not_grow(
    size, editor_client, editor, django_assert_num_queries, django_assert_max_num_queries
):
    version = version_with(size, f"size-{size}")
    assessment = create_assessment(
        organisation=editor.organisation, version=version, title="t", user=editor.user
    )
    url = reverse("assessment_section", args=[assessment.uuid, 1])
    editor_client.get(url)  # warm the session and this process's copy of the version
    # Session, user, assessment with membership, the answers, the header's memberships.
    with django_assert_num_queries(5):
        assert editor_client.get(url).status_code == 200
    with django_assert_max_num_queries(14):
        assert editor_client.post(url, post_data(size)).status_code == 302
    with django_assert_max_num_queries(14):
        assert editor_client.post(url, post_data(size) | {"q1-answer": "no"}).status_code == 302
    assert assessment.answers.count() == size


def test_the_counts_are_equal(editor_client, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for size in (5, 50):
        version = version_with(size, f"equal-{size}")
        assessment = create_assessment(
            organisation=editor.organisation, version=version, title="t", user=editor.user
        )
        url = reverse("assessment_section", args=[assessment.uuid, 1])
        editor_client.get(url)
        with CaptureQueriesContext(connection) as page:
            editor_client.get(url)
        with CaptureQueriesContext(connection) as save:
            editor_client.post(url, post_data(size))
        counts[size] = (len(page), len(save))
    assert counts[5] == counts[50]
