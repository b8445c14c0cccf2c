"""Saving a section page: what is valid is saved, what is not is kept and explained."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from compliance.assessments.models import Answer, Assessment
from compliance.assessments.services import loaded_token, submit
from compliance.organisations.models import Membership
from tests.factories import MembershipFactory


def section_url(assessment, n=1) -> str:
    return reverse("assessment_section", args=[assessment.uuid, n])


class PostedFields(HTMLParser):
    """What a browser posts of the section form, read from the page's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str | list[str]] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "textarea":
            self._textarea = name
            self.data[name] = ""
        if tag != "input" or not name or name == "csrfmiddlewaretoken":
            return
        kind = attrs.get("type", "text")
        if kind in ("radio", "checkbox"):
            if "checked" in attrs:
                value = attrs.get("value", "on")
                if kind == "checkbox" and name.endswith("-answer"):
                    self.data.setdefault(name, []).append(value)
                else:
                    self.data[name] = value
        elif kind not in ("submit", "button"):
            self.data[name] = attrs.get("value", "")

    def handle_data(self, data) -> None:
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag) -> None:
        if tag == "textarea" and self._textarea:
            # A browser drops the newline that follows <textarea>.
            self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None


def page_data(client, assessment, n=1) -> dict:
    """The form as the browser would post it untouched (hidden fields included)."""
    response = client.get(section_url(assessment, n))
    parser = PostedFields()
    parser.feed(response.content.decode())
    data = {"csrfmiddlewaretoken": "x"}
    data.update({name: value for name, value in parser.data.items() if value not in ("", [])})
    return data


def answers(assessment) -> dict:
    return {
        a.question.code: a
        for a in Answer.objects.filter(assessment=assessment).select_related("question")
    }


def test_saving_writes_the_answers_of_the_page(editor_client, assessment):
    response = editor_client.post(
        section_url(assessment),
        {
            **page_data(editor_client, assessment),
            "policy-signed-answer": "partial",
            "policy-maturity-answer": "l1",
            "policy-signed-comment": "Signed draft only",
        },
    )
    assert response.status_code == 302
    saved = answers(assessment)
    assert saved["policy-signed"].choice_codes == ["partial"]
    assert saved["policy-signed"].comment == "Signed draft only"
    assert saved["policy-maturity"].choice_codes == ["l1"]
    assessment.refresh_from_db()
    assert (assessment.answered_count, assessment.applicable_count) == (2, 4)


def test_save_and_next_goes_to_the_next_section(editor_client, assessment):
    response = editor_client.post(section_url(assessment), {"save_next": "1"})
    assert response["Location"] == section_url(assessment, 2)


def test_errors_keep_what_was_typed_and_valid_answers_are_saved(editor_client, assessment):
    data = {
        **page_data(editor_client, assessment, 2),
        "lists-answer": ["controlled"],
        "watch-process-answer": "yes",
        "last-audit-answer": "2026-02-30",
        "lists-comment": "Screened weekly",
    }
    response = editor_client.post(section_url(assessment, 2), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page and "Enter a valid date." in page
    assert 'value="2026-02-30"' in page
    assert answers(assessment)["lists"].choice_codes == ["controlled"]
    assert "last-audit" not in answers(assessment)


def test_not_applicable_needs_a_justification(editor_client, assessment):
    data = {
        **page_data(editor_client, assessment, 2),
        "lists-answer": ["watch"],
        "watch-process-not_applicable": "on",
    }
    page = editor_client.post(section_url(assessment, 2), data).content.decode()
    assert "Say why this question does not apply" in page
    assert "watch-process" not in answers(assessment)
    data["watch-process-na_justification"] = "No watch-listed customers"
    editor_client.post(section_url(assessment, 2), data)
    answer = answers(assessment)["watch-process"]
    assert answer.not_applicable and answer.na_justification == "No watch-listed customers"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("policy-signed-answer", "l2", "Select a valid choice."),  # a choice of another question
        ("policy-signed-comment", "x" * 1_000_000, "Ensure this value has at most 5000"),
    ],
)
def test_tampered_values_are_form_errors(editor_client, assessment, field, value, message):
    data = {**page_data(editor_client, assessment), field: value, "policy-maturity-answer": "l2"}
    response = editor_client.post(section_url(assessment), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    saved = answers(assessment)
    assert "policy-signed" not in saved
    assert saved["policy-maturity"].choice_codes == ["l2"]


def test_numbers_out_of_range_are_refused(sample_version):
    from compliance.assessments.forms import AnswerForm
    from compliance.questionnaires.models import Question

    question = Question.objects.get(code="lists")
    question.type = "number"  # in memory only: a number question of this version
    for value in ("1e12", "NaN", "12abc"):
        form = AnswerForm({"lists-answer": value}, question=question, answer=None)
        assert not form.is_valid(), value
    form = AnswerForm({"lists-answer": "12.5"}, question=question, answer=None)
    assert form.is_valid()


def test_unknown_fields_and_questions_of_other_versions_are_ignored(editor_client, assessment):
    data = {
        **page_data(editor_client, assessment),
        "unknown-field": "x",
        "lists-answer": "controlled",  # a question of another section
        "policy-signed-answer": "yes",
    }
    assert editor_client.post(section_url(assessment), data).status_code == 302
    assert set(answers(assessment)) == {"policy-signed"}


def test_non_utf8_bytes_do_not_break_the_page(editor_client, assessment):
    body = b"policy-signed-answer=yes&policy-signed-comment=%FF%FE%FA"
    response = editor_client.post(
        section_url(assessment), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 302, 400)


def test_a_post_to_a_submitted_assessment_changes_nothing(editor_client, assessment, editor):
    data = {
        **page_data(editor_client, assessment, 1),
        "policy-signed-answer": "yes",
        "policy-maturity-answer": "l2",
    }
    editor_client.post(section_url(assessment, 1), data)
    data2 = {**page_data(editor_client, assessment, 2), "lists-answer": ["controlled"]}
    editor_client.post(section_url(assessment, 2), data2)
    submit(assessment, editor.user)
    response = editor_client.post(section_url(assessment), {"policy-signed-answer": "no"})
    assert response.status_code == 400
    assert "submitted and locked" in response.content.decode()
    assert answers(assessment)["policy-signed"].choice_codes == ["yes"]


def test_comment_html_is_shown_as_text(editor_client, assessment):
    data = {
        **page_data(editor_client, assessment),
        "policy-signed-answer": "yes",
        "policy-signed-comment": "<script>alert(1)</script>",
    }
    editor_client.post(section_url(assessment), data)
    page = editor_client.get(section_url(assessment)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_two_tabs_lose_nothing(editor_client, assessment, client, editor):
    colleague = MembershipFactory(organisation=editor.organisation, role=Membership.Role.EDITOR)
    tab_a = page_data(editor_client, assessment)
    tab_b = dict(tab_a)
    editor_client.post(section_url(assessment), {**tab_a, "policy-signed-answer": "yes"})
    client.force_login(colleague.user)
    # The colleague's tab was loaded before; they answer the other question only.
    client.post(section_url(assessment), {**tab_b, "policy-maturity-answer": "l2"})
    saved = answers(assessment)
    assert saved["policy-signed"].choice_codes == ["yes"]
    assert saved["policy-maturity"].choice_codes == ["l2"]
    # Now both change the same answer: the later save wins for it, and is told so.
    response = client.post(
        section_url(assessment), {**tab_b, "policy-signed-answer": "no"}, follow=True
    )
    assert answers(assessment)["policy-signed"].choice_codes == ["no"]
    assert "had been changed by" in response.content.decode()


def test_autosave_returns_the_status_and_updates_show_if(editor_client, assessment):
    data = {**page_data(editor_client, assessment, 2), "lists-answer": ["watch"]}
    response = editor_client.post(section_url(assessment, 2), data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "Saved 1 answer" in page
    assert '<div id="cond-watch-process" class="show-if-marker" hx-swap-oob="true">' in page
    token = loaded_token(Answer.objects.get(question__code="lists"))
    assert f'value="{token}"' in page
    data = {**data, "lists-answer": ["controlled"], "lists-loaded": token}
    page = editor_client.post(
        section_url(assessment, 2), data, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'class="show-if-marker is-hidden" hx-swap-oob="true"' in page


def test_an_autosave_moves_the_sidebar_and_the_progress_bar(editor_client, assessment):
    """Out of band, without a page load: "Saved 1 answer" and the counts agree."""
    page = editor_client.get(section_url(assessment, 2)).content.decode()
    assert "(0/2)" in page and 'aria-valuenow="0"' in page
    data = {**page_data(editor_client, assessment, 2), "lists-answer": ["controlled"]}
    page = editor_client.post(
        section_url(assessment, 2), data, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Saved 1 answer" in page
    nav = page[
        page.index('<ol class="list-unstyled small" id="section-nav-list" hx-swap-oob="true">') :
    ]
    assert "2. Screening</a>" in nav and "(1/2)" in nav  # watch-process hidden now
    bar = page[page.index('id="overall-progress"') :]
    assert 'hx-swap-oob="true"' in bar[: bar.index(">")]
    assert 'aria-valuenow="25"' in bar  # 1 of 4 applicable questions


def test_viewers_cannot_save(client, assessment, editor):
    viewer = MembershipFactory(organisation=editor.organisation, role=Membership.Role.VIEWER)
    client.force_login(viewer.user)
    response = client.post(section_url(assessment), {"policy-signed-answer": "yes"})
    assert response.status_code == 403
    assert "viewer" in response.content.decode()
    assert Answer.objects.count() == 0
    assert Assessment.objects.get().is_draft


def test_the_same_user_in_two_tabs_keeps_both_edits_to_different_fields(editor_client, assessment):
    """An older tab's save keeps the newer text another tab saved to another field, and
    a clash on the same field is said, naming the other tab."""
    tab_a = {**page_data(editor_client, assessment), "policy-signed-answer": "yes"}
    tab_b = dict(tab_a)
    editor_client.post(
        section_url(assessment), {**tab_a, "policy-signed-comment": "Signed by the CEO."}
    )
    page = editor_client.post(
        section_url(assessment),
        {**tab_b, "policy-signed-evidence": "Board minutes 2026-03"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    stored = answers(assessment)["policy-signed"]
    assert stored.comment == "Signed by the CEO."
    assert stored.evidence == "Board minutes 2026-03"
    assert "both changes were kept" in page
    assert "yours replaced it" not in page
    # The same field in both tabs: the later save wins, and says whose text it replaced.
    response = editor_client.post(
        section_url(assessment), {**tab_b, "policy-signed-comment": "Not signed yet."}, follow=True
    )
    assert answers(assessment)["policy-signed"].comment == "Not signed yet."
    assert answers(assessment)["policy-signed"].evidence == "Board minutes 2026-03"
    assert "you, in another tab or window" in response.content.decode()


def test_an_autosave_gives_the_page_a_token_of_what_it_shows(editor_client, assessment):
    """After a merge the page still shows its own evidence text: its next save must not
    take that for a change and undo the other tab's."""
    tab_a = page_data(editor_client, assessment)
    tab_b = dict(tab_a)
    editor_client.post(section_url(assessment), {**tab_a, "policy-signed-evidence": "From A"})
    page = editor_client.post(
        section_url(assessment), {**tab_b, "policy-signed-answer": "yes"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    token = page.split('name="policy-signed-loaded" value="')[1].split('"')[0]
    editor_client.post(
        section_url(assessment),
        {**tab_b, "policy-signed-answer": "no", "policy-signed-loaded": token},
        HTTP_HX_REQUEST="true",
    )
    stored = answers(assessment)["policy-signed"]
    assert stored.choice_codes == ["no"] and stored.evidence == "From A"


def test_an_exclusive_choice_cannot_be_combined(editor_client, assessment):
    data = {**page_data(editor_client, assessment, 2), "lists-answer": ["controlled", "none"]}
    response = editor_client.post(section_url(assessment, 2), data)
    assert response.status_code == 200
    assert "“None” cannot be combined with other answers." in response.content.decode()
    assert "lists" not in answers(assessment)
    # Alone it is an answer like any other.
    editor_client.post(section_url(assessment, 2), {**data, "lists-answer": ["none"]})
    assert answers(assessment)["lists"].choice_codes == ["none"]


def test_a_partial_autosave_reads_and_writes_only_the_questions_it_posts(editor_client, assessment):
    """autosave.js posts only the changed cards, with partial=1: a question of the page it
    did not post is left as it is (not blanked), even when its answer changed meanwhile.
    A post without partial=1 (the form's buttons, a browser without JavaScript) is the
    whole page, as before."""
    url = section_url(assessment)
    editor_client.post(url, {"policy-signed-answer": "yes", "policy-maturity-answer": "l2"})
    data = page_data(editor_client, assessment)
    card = {name: value for name, value in data.items() if name.startswith("policy-signed-")}
    response = editor_client.post(
        url,
        {**card, "policy-signed-answer": "partial", "partial": "1"},
        headers={"HX-Request": "true"},
    )
    assert response["X-Autosave"] == "saved"
    answers = {a.question.code: a for a in assessment.answers.select_related("question")}
    assert answers["policy-signed"].choice_codes == ["partial"]
    assert answers["policy-maturity"].choice_codes == ["l2"]
    assert answers["policy-maturity"].revision == 1
    # The same post without partial=1 is a whole page whose other question is empty.
    editor_client.post(url, {**card, "policy-signed-answer": "no"})
    assert Answer.objects.get(pk=answers["policy-maturity"].pk).choice_codes == []
