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
    # authors, the others' states for the progress), the evidence cited, the header's
    # memberships.
    # ... and the review comments of the section's questions: one query; the section
    # assignments and the organisation's open actions on the section's questions: two.
    with django_assert_num_queries(9):
        assert editor_client.get(url).status_code == 200
    # Evidence cited by every question: one more, for the files of all of it.
    _cite_everywhere(assessment, editor.user)
    with django_assert_num_queries(10):
        assert editor_client.get(url).status_code == 200
    with django_assert_max_num_queries(14):
        assert editor_client.post(url, post_data(size)).status_code == 302
    with django_assert_max_num_queries(14):
        assert editor_client.post(url, post_data(size) | {"q1-answer": "no"}).status_code == 302
    assert assessment.answers.count() == size


def _cite_everywhere(assessment, user) -> None:
    from compliance.assessments.models import EvidenceLink
    from compliance.evidence.services import add_item
    from tests.evidence.files import ALLOWED, upload

    item = add_item(
        assessment.organisation,
        user,
        title="Manual",
        files=[upload("a.pdf", ALLOWED["policy.pdf"]), upload("b.txt", ALLOWED["notes.txt"])],
    )
    EvidenceLink.objects.bulk_create(
        EvidenceLink(assessment=assessment, question=question, item=item)
        for question in assessment.version.sections.all()[0].questions.all()
    )


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


def _autosave_of_the_biggest_section(editor_client, editor, default_v2, change):
    """A complete default assessment, its biggest section's page, and what autosave.js
    posts when ``change(data)`` changed one card: that card's fields and partial=1.
    Returns the assessment, the card's code, and the statements the save ran (no
    savepoints) with its response."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

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
    data = _posted_form(editor_client.get(url).content.decode())
    code = change(data)
    data = {name: value for name, value in data.items() if name.startswith(f"{code}-")}
    data["partial"] = ["1"]
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.post(
            url, urlencode(data, doseq=True), _URLENCODED, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200 and response["X-Autosave"] == "saved"
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    return assessment, code, statements, response


def _answer_reads(statements):
    return [s for s in statements if s.startswith("SELECT") and 'FROM "assessments_answer"' in s]


def test_an_autosave_of_one_changed_choice_reads_the_answers_once_under_the_lock(
    editor_client, editor, default_v2
):
    """One choice changed: the session, the user, the assessment under its lock (the
    access rule and the save's lock in one read), one read of every answer (the changed
    one to compare with, the others' states for the progress), the answer's update, its
    history, and the progress: 7 statements (the issue's bound is 8)."""
    from compliance.assessments.models import Answer

    def change(data):
        name = next(n for n in data if n.endswith("-answer") and len(data[n]) == 1)
        question = Answer.objects.get(question__code=name.removesuffix("-answer")).question
        other = next(c.code for c in question.choices.all() if [c.code] != data[name])
        data[name] = [other]
        return name.removesuffix("-answer")

    assessment, code, statements, response = _autosave_of_the_biggest_section(
        editor_client, editor, default_v2, change
    )
    assert len(statements) <= 7, "\n".join(statements)
    assert len(_answer_reads(statements)) == 1
    assert "FOR UPDATE" in statements[2] or connection_is_sqlite()
    # The sidebar and the progress follow the new choice (swapped in out of band).
    assert 'id="section-nav-list"' in response.text and 'id="overall-progress"' in response.text
    answer = Answer.objects.get(assessment=assessment, question__code=code)
    latest = answer.history.latest("history_date")
    assert latest.history_user == editor.user and latest.history_type == "~"
    assert latest.choice_codes == answer.choice_codes


def test_an_autosave_of_a_comment_reads_only_its_answer_and_leaves_the_progress(
    editor_client, editor, default_v2
):
    """A comment changes nothing that progress reads: the save reads only the posted
    answer (not every answer's state), records when the assessment changed but not its
    counts, and sends no sidebar or progress bar (they stand as the page shows them)."""
    from compliance.assessments.models import Answer, Assessment

    def change(data):
        name = next(n for n in data if n.endswith("-comment"))
        data[name] = ["Changed once."]
        return name.removesuffix("-comment")

    assessment, code, statements, response = _autosave_of_the_biggest_section(
        editor_client, editor, default_v2, change
    )
    before = Assessment.objects.values("answered_count", "applicable_count").get(pk=assessment.pk)
    assert len(statements) <= 7, "\n".join(statements)
    (read,) = _answer_reads(statements)
    assert '"question_id" IN' in read
    assert 'id="section-nav-list"' not in response.text
    assert 'id="overall-progress"' not in response.text
    answer = Answer.objects.get(assessment=assessment, question__code=code)
    assert answer.comment == "Changed once."
    # The history records the change and who made it, as for any save.
    latest = answer.history.latest("history_date")
    assert latest.comment == "Changed once." and latest.history_user == editor.user
    assert latest.history_type == "~"
    after = Assessment.objects.get(pk=assessment.pk)
    assert {"answered_count": after.answered_count, "applicable_count": after.applicable_count} == (
        before
    )
    assert after.last_changed_by == editor.user


def connection_is_sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"


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
