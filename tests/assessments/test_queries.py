"""A section page and its save cost the same number of queries for 5 or 50 questions."""

import pytest
from django.urls import reverse

from compliance.assessments.services import create_assessment
from tests.factories import post_data, version_with


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
