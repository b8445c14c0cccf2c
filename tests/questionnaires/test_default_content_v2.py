"""Version 2 of the default questionnaire: loads beside version 1 without touching it,
routes each company to what applies, and says what it asks in both languages."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from compliance.questionnaires.document import document_from_version
from compliance.questionnaires.models import Question, QuestionnaireVersion
from compliance.questionnaires.services import content_digest, export_questionnaire
from compliance.questionnaires.validation import check_document
from compliance.questionnaires.yaml_format import load
from compliance.scoring import AnswerData, score, shown_sections, visible_questions
from tests.factories import default_fixture_of_version_1

ROOT = Path(__file__).resolve().parent.parent.parent
V1_YAML = ROOT / "fixtures" / "questionnaires" / "cn-export-control-icp.yaml"
V2_YAML = ROOT / "fixtures" / "questionnaires" / "cn-export-control-icp-v2.yaml"
FRAMEWORKS = {"mofcom-2021", "bis-ecg-2017", "eu-2019-1318", "eu-2021-1700", "wassenaar-2011"}


@pytest.fixture(scope="module")
def document():
    return load(V2_YAML.read_bytes())


def texts(document):
    """Every (where, Text) of the document that a respondent or a reader of the report sees."""
    found = [("methodology", document.methodology), ("changelog", document.changelog)]
    found += [(f"source {code}", title) for code, title in document.sources.items()]
    for section in document.sections:
        found += [(section.code, section.title), (section.code, section.description)]
        for q in section.questions:
            found += [(q.code, t) for t in (q.text, q.guidance, q.recommendation, q.evidence)]
            found += [(q.code, r.locator) for r in q.references]
            found += [(q.code, c.label) for c in q.choices]
            found += [(q.code, c.description) for c in q.choices]
    return [(where, text) for where, text in found if text]


def test_both_versions_load_over_version_1_then_again_without_change(db, tmp_path):
    """Every installation loaded version 1 before version 2 existed: the new fixture
    loads over it, adding version 2 and changing nothing of version 1; loading it once
    more changes nothing at all; each version is its YAML file, and published."""
    call_command("loaddata", str(default_fixture_of_version_1(tmp_path)), verbosity=0)
    v1 = QuestionnaireVersion.objects.get()
    before = (export_questionnaire(v1), v1.published_at, v1.content_digest)
    call_command("loaddata", "default_questionnaire", verbosity=0)
    counts = Question.objects.count()
    call_command("loaddata", "default_questionnaire", verbosity=0)
    assert Question.objects.count() == counts
    v1.refresh_from_db()
    assert (export_questionnaire(v1), v1.published_at, v1.content_digest) == before
    v2 = QuestionnaireVersion.objects.get(number=2)
    assert before[0] == V1_YAML.read_text(encoding="utf-8")
    assert export_questionnaire(v2) == V2_YAML.read_text(encoding="utf-8")
    assert v2.status == QuestionnaireVersion.Status.PUBLISHED
    assert v2.content_digest == content_digest(v2)
    assert check_document(document_from_version(v2), publishing=True) == []


def test_every_text_is_in_both_languages(document):
    missing = [where for where, text in texts(document) if not (text.en and text.zh_hans)]
    assert missing == []


def test_every_scored_question_says_what_to_show_an_auditor_and_cites_its_elements(document):
    for question in document.questions():
        if question.is_scored:
            assert question.evidence.en and question.evidence.zh_hans, question.code
            sources = {r.source for r in question.references}
            assert "mofcom-2021" in sources, question.code
        for reference in question.references:
            if reference.source in FRAMEWORKS:
                assert reference.element, (question.code, reference.source)


def test_only_article_numbers_that_the_domain_brief_confirms_are_cited(document):
    """ECL Art. 2, 4, 5, 12 and 48, and the 2024 Regulations' Art. 26, 27 and 28: every
    other article number is unconfirmed and must be worded "check the current text"."""
    confirmed = {"2", "4", "5", "12", "26", "27", "28", "48"}
    chinese = {"二", "四", "五", "十二", "二十六", "二十七", "二十八", "四十八"}
    for where, text in texts(document):
        for number in re.findall(r"\bArt(?:icle|s?\.)\s*(\d+)", text.en):
            assert number in confirmed, (where, number)
        for number in re.findall(r"第([一二三四五六七八九十百]+)条", text.zh_hans):
            assert number in chinese, (where, number)


def test_the_chinese_uses_the_terms_of_the_domain_brief(document):
    for where, text in texts(document):
        if where == "changelog":
            continue  # it names the terms it replaced
        chinese = text.zh_hans
        assert "管理级" not in chinese, where
        assert "评估人员" not in chinese, where
        assert not re.search(r"(?<!出口)管制编码", chinese), where


def test_critical_means_any_gap_and_every_critical_question_weighs_three(document):
    assert document.critical_threshold == 1
    critical = [q for q in document.questions() if q.critical]
    assert len(critical) >= 12
    assert all(q.weight == 3 for q in critical)
    codes = {q.code for q in critical}
    assert {"lic-changes", "screen-pre-shipment-parties"} <= codes
    assert not any(code.startswith("org-") for code in codes)  # stopping an export: practice


def profile_answers(spec, activities, structure=("none",)) -> dict:
    """The profile as given, and every other question answered so that each follow-up it
    governs is shown: the most questions such a company can be asked."""
    answers = {
        "profile-activities": AnswerData(choices=frozenset(activities)),
        "profile-structure": AnswerData(choices=frozenset(structure)),
        "profile-size": AnswerData(choices=frozenset({"medium"})),
    }
    wanted: dict[str, set] = {}
    for section in spec.sections:
        for question in section.questions:
            if question.show_if and not question.show_if.question.startswith("profile-"):
                wanted.setdefault(question.show_if.question, set()).update(question.show_if.choices)
    for code, choices in wanted.items():
        answers[code] = AnswerData(choices=frozenset(choices))
    return answers


@pytest.fixture
def v2_spec(default_v2):
    from compliance.questionnaires.selectors import load_version

    return load_version(default_v2).spec


PROFILES = [
    ("listed-items",),
    ("listed-items", "technology"),
    ("unlisted-items",),
    ("unlisted-items", "technology"),
    ("technology",),
    ("services",),
    ("research",),
    ("listed-items", "unlisted-items"),
]


def test_every_company_sees_75_to_110_questions(v2_spec):
    seen = {}
    for activities in PROFILES:
        for structure in (("none",), ("subsidiaries", "acquisitions")):
            answers = profile_answers(v2_spec, activities, structure)
            seen["+".join(activities + structure)] = len(visible_questions(v2_spec, answers))
    assert {profile: n for profile, n in seen.items() if not 75 <= n <= 110} == {}


def test_a_company_without_listed_exports_sees_no_licence_question_but_the_catch_all(v2_spec):
    answers = profile_answers(v2_spec, ("unlisted-items",))
    assert "licensing" not in shown_sections(v2_spec, answers)
    visible = visible_questions(v2_spec, answers)
    assert not any(code.startswith("lic-") for code in visible)
    assert {"enduse-catch-all-check", "enduse-catch-all-licence"} <= visible


def test_a_partial_answer_on_a_critical_question_is_a_critical_finding(v2_spec):
    answers = profile_answers(v2_spec, ("listed-items",))
    answers["screen-controlled-parties"] = AnswerData(choices=frozenset({"partial"}))
    result = score(v2_spec, answers)
    assert "screen-controlled-parties" in {f.code for f in result.critical_findings}
    assert result.band_capped or result.band in ("initial", "developing")


def test_the_admin_previews_version_2_and_compares_it_with_version_1(default_v2, admin_client):
    base = f"/admin/questionnaires/questionnaireversion/{default_v2.pk}"
    preview = admin_client.get(f"{base}/preview/").content.decode()
    assert preview.count('class="alert alert-secondary small section-show-if"') == 8
    assert "The whole section is asked only when the answer to" in preview
    assert "What to show an auditor" in preview
    compare = admin_client.get(f"{base}/compare/").content.decode()
    for code in ("profile-activities", "screen-watch-list", "lic-changes", "customs"):
        assert code in compare, code
