"""A section page and its save cost the same number of queries for 5 or 50 questions."""

from urllib.parse import urlencode

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
    # Session, user, assessment with membership, the answers (the section's with their
    # authors, the others' states for the progress), the header's memberships.
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


def test_an_autosave_of_one_changed_answer_reads_the_answers_once_under_the_lock(
    editor_client, editor, default_v2
):
    """The autosave of the default questionnaire's biggest section, one answer changed:
    the session, the user and the assessment (the access rule), then under the
    assessment's lock one read of every answer, the answer's update and its history, and
    the progress: at most 8 statements. The answers are read once, and scored once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from compliance.assessments.models import Answer
    from compliance.questionnaires.selectors import load_version
    from tests.factories import answer_all

    assessment = create_assessment(
        organisation=editor.organisation, version=default_v2, title="t", user=editor.user
    )
    answer_all(assessment, editor.user)
    content = load_version(default_v2)
    biggest = max(
        range(len(content.sections)), key=lambda i: len(content.sections[i].questions.all())
    )
    url = reverse("assessment_section", args=[assessment.uuid, biggest + 1])
    page = editor_client.get(url)
    data = _posted_form(page.content.decode())
    comment = next(name for name in data if name.endswith("-comment"))
    data[comment] = ["Changed once."]
    # What autosave.js posts: the changed card's fields, and partial=1.
    code = comment.removesuffix("-comment")
    data = {name: value for name, value in data.items() if name.startswith(f"{code}-")}
    data["partial"] = ["1"]
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.post(
            url, urlencode(data, doseq=True), _URLENCODED, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200 and response["X-Autosave"] == "saved"
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) <= 8, "\n".join(statements)
    reads = [
        sql for sql in statements if sql.startswith("SELECT") and 'FROM "assessments_answer"' in sql
    ]
    assert len(reads) == 1  # under the lock
    answer = Answer.objects.get(assessment=assessment, question__code=code)
    assert answer.comment == "Changed once."
    # The history records the change and who made it, as for any save.
    latest = answer.history.latest("history_date")
    assert latest.comment == "Changed once." and latest.history_user == editor.user
    assert latest.history_type == "~"


#: How htmx posts a form (no file inputs, no hx-encoding): not the test client's multipart.
_URLENCODED = "application/x-www-form-urlencoded"


def _posted_form(html: str) -> dict[str, list[str]]:
    """What a browser posts of the page's form: the benchmark's own reader of forms
    (scripts/benchdata.py, which importing leaves alone)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "benchdata.py"
    spec = importlib.util.spec_from_file_location("benchdata", path)
    benchdata = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchdata)
    return benchdata.form_fields(html)
