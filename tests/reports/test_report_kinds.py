"""Two documents from the same data: the board summary (at most four pages) and the full
report (everything, with short citations and one reference list), read back as PDFs."""

import re
from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse

from compliance.assessments.services import (
    AnswerInput,
    Submitted,
    create_assessment,
    save_answers,
    submit,
)
from compliance.questionnaires.selectors import load_version
from compliance.reports.citations import Citations
from compliance.reports.models import ReportFile
from compliance.reports.presentation import BOARD_FINDINGS, build_report
from tests.reports.test_pdf import font_names, outline_titles, read, text_of


def answered(organisation, user, version, title, pick):
    """An assessment of ``version`` with every question answered by ``pick``."""
    assessment = create_assessment(
        organisation=organisation, version=version, title=title, user=user
    )
    items = []
    for index, question in enumerate(load_version(version).questions.values()):
        choices = list(question.choices.all())
        if choices:
            codes = pick(index, choices)
            comment = "Checked." if any(c.justify for c in choices if c.code in codes) else ""
            items.append(Submitted(question, AnswerInput(choice_codes=codes), None, comment))
        elif question.type == "date":
            items.append(Submitted(question, AnswerInput(value_date=date(2026, 3, 31)), None, ""))
        elif question.type == "number":
            items.append(Submitted(question, AnswerInput(value_number=12), None, ""))
        else:
            items.append(Submitted(question, AnswerInput(value_text="Laser modules."), None, ""))
    save_answers(assessment, items, user)
    return assessment


def worst(index, choices):
    """The lowest-scoring choice: every critical question becomes a finding."""
    plain = [choice for choice in choices if not choice.exclusive]
    return (min(plain or choices, key=lambda choice: choice.score or 0).code,)


def middling(index, choices):
    return (choices[index % len(choices)].code,)


@pytest.fixture
def weak_after_a_previous(default_v2, editor):
    """The worst case for the board summary's length: every critical question a finding,
    the longest action plan, and a previous assessment to compare with."""
    organisation, user = editor.organisation, editor.user
    user.first_name, user.last_name = "Li", "Wei"
    user.save()
    submit(answered(organisation, user, default_v2, "FY2025", middling), user)
    weak = submit(answered(organisation, user, default_v2, "FY2026", worst), user)
    # Every gap followed up by an action (their figures are on the board summary's cover).
    from compliance.actions.services import create_action, default_priority

    for gap in build_report(weak).gaps:
        create_action(
            organisation=organisation,
            question=gap.question,
            version=default_v2,
            user=user,
            priority=default_priority(finding=gap.finding, critical=gap.critical),
        )
    return weak


def pdf_of(client, assessment, **params) -> bytes:
    response = client.get(reverse("assessment_report_pdf", args=[assessment.uuid]), params)
    assert response.status_code == 200, response.content[:500]
    return response.getvalue()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_board_summary_and_the_full_report(editor_client, weak_after_a_previous, language):
    assessment = weak_after_a_previous
    report = build_report(assessment)
    assert len(report.findings) > BOARD_FINDINGS  # the board lists some, the full all
    board = read(pdf_of(editor_client, assessment, lang=language, variant="board"))
    full = read(pdf_of(editor_client, assessment, lang=language))
    english = language == "en"

    assert len(board.pages) <= 4
    board_text = text_of(board)
    actions_label = "Opencriticalactions" if english else "未完成的严重级整改措施"
    assert actions_label in re.sub(r"\s+", "", board_text)
    assert ("Board summary" if english else "董事会摘要") in board.pages[0].extract_text()
    assert "Li Wei" in board.pages[0].extract_text()  # who answered
    assert ("FY2025" in board_text) and ("Confidential" if english else "机密") in board_text
    more = len(report.findings) - BOARD_FINDINGS
    assert (f"And {more} more critical findings" if english else f"另有 {more} 项") in board_text
    assert len(full.pages) > 20

    full_text = text_of(full)
    marking = "Confidential" if english else "机密"
    for reader in (board, full):
        assert all(marking in page.extract_text() for page in reader.pages)
        fonts = font_names(reader)
        assert not any("CJK-JP" in name or "CJKjp" in name for name in fonts), fonts
    # One reference list, at the end; short keys in the text, full titles only there.
    titles = outline_titles(full)
    assert titles.count("References" if english else "依据") == 1
    flat = re.sub(r"\s+", "", full_text)
    ecl = "Export Control Law of the People's Republic of China (2020)"
    ecl_zh = "《中华人民共和国出口管制法》（2020年）"
    assert flat.count(re.sub(r"\s+", "", ecl if english else ecl_zh)) == 1
    with_key = "ECLArt." if english else "《出口管制法》第"
    assert with_key in flat
    assert "is not cited here" not in full_text and "not cited here" not in board_text
    check = "check the current official text" if english else "现行有效的官方文本"
    assert re.sub(r"\s+", "", check) in flat


def test_a_source_without_a_short_name_is_cited_by_its_number(sample_version):
    """A source the app has no short name for is cited by its place in the list; the
    list names each source once, short names first."""
    citations = Citations()
    ecl = SimpleNamespace(pk=1, code="ecl", title="Export Control Law")
    local = SimpleNamespace(pk=2, code="company-rules", title="The company's own rules")
    group = SimpleNamespace(pk=3, code="group-policy", title="The group's policy")

    def question(*references):
        return SimpleNamespace(references=SimpleNamespace(all=lambda: list(references)))

    first = question(
        SimpleNamespace(source=local, locator="§ 3"), SimpleNamespace(source=ecl, locator="")
    )
    second = question(
        SimpleNamespace(source=ecl, locator="Art. 12"), SimpleNamespace(source=group, locator="")
    )
    assert citations.cite(first) == ["[1] § 3", "ECL"]
    assert citations.cite(second) == ["ECL Art. 12", "[2]"]
    assert [(s.key, s.title) for s in citations.listing()] == [
        ("ECL", "Export Control Law"),
        ("[1]", "The company's own rules"),
        ("[2]", "The group's policy"),
    ]


def test_each_kind_is_stored_and_named_on_its_own(editor_client, assessment, editor):
    from tests.factories import give

    give(assessment, editor.user, "policy-signed", "yes")
    url = reverse("assessment_report_pdf", args=[assessment.uuid])
    board = editor_client.get(url, {"lang": "en", "variant": "board"})
    full = editor_client.get(url, {"lang": "en"})
    assert board.status_code == full.status_code == 200
    assert board["Content-Disposition"].endswith('-board-en.pdf"')
    assert (
        full["Content-Disposition"].endswith('-en.pdf"')
        and "board" not in full["Content-Disposition"]
    )
    assert board["ETag"] != full["ETag"]
    kinds = sorted(ReportFile.objects.filter(assessment=assessment).values_list("kind", flat=True))
    assert kinds == ["board", "full"]  # a new board render does not prune the full report
    unknown = editor_client.get(url, {"lang": "en", "variant": "<script>"})
    assert unknown.status_code == 200 and unknown["ETag"] == full["ETag"]  # the full report
    page = editor_client.get(reverse("assessment_results", args=[assessment.uuid])).content.decode()
    assert f"{url}?variant=board" in page
