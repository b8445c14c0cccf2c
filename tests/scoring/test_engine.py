"""Scoring, pinned to hand-computed numbers, and its properties checked with hypothesis."""

from fractions import Fraction as F

import pytest

from compliance.scoring import (
    AnswerData,
    ChoiceSpec,
    QuestionnaireSpec,
    QuestionSpec,
    Result,
    SectionSpec,
    ShowIfSpec,
    score,
)
from tests.factories import BANDS

YPN = (ChoiceSpec("yes", F(1)), ChoiceSpec("partial", F(1, 2)), ChoiceSpec("no", F(0)))


def ypn(code, weight=1, **kwargs) -> QuestionSpec:
    return QuestionSpec(code, "yes_partial_no", F(weight), choices=YPN, **kwargs)


def answer(*choices, **kwargs) -> AnswerData:
    return AnswerData(choices=frozenset(choices), **kwargs)


def spec(*sections, threshold=F(1, 2)) -> QuestionnaireSpec:
    return QuestionnaireSpec(tuple(sections), BANDS, threshold)


def test_weights_count_in_points_and_in_the_maximum():
    # Section A: q1 (w2) yes = 2/2, q2 (w1) partial = 0.5/1 -> 2.5/3 = 83.33
    # Section B (weight 3): q3 (w1) no = 0/1 -> 0
    # Overall = (83.33 * 1 + 0 * 3) / 4 = 20.83
    questionnaire = spec(
        SectionSpec("a", F(1), (ypn("q1", 2), ypn("q2"))),
        SectionSpec("b", F(3), (ypn("q3"),)),
    )
    result = score(
        questionnaire, {"q1": answer("yes"), "q2": answer("partial"), "q3": answer("no")}
    )
    assert result.section("a").score == pytest.approx(250 / 3)
    assert result.section("a").points == 2.5 and result.section("a").maximum == 3
    assert result.section("b").score == 0
    assert result.score == pytest.approx(250 / 12)
    assert result.band == "developing"


def test_not_applicable_and_hidden_questions_leave_points_and_maximum():
    questionnaire = spec(
        SectionSpec(
            "a",
            F(1),
            (
                ypn("gate"),
                ypn("follow-up", show_if=ShowIfSpec("gate", frozenset({"yes"}))),
                ypn("optional", na_allowed=True),
            ),
        )
    )
    result = score(
        questionnaire,
        {"gate": answer("no"), "follow-up": answer("no"), "optional": answer(not_applicable=True)},
    )
    statuses = {q.code: q.status for q in result.section("a").questions}
    assert statuses == {"gate": "answered", "follow-up": "hidden", "optional": "not_applicable"}
    assert result.section("a").maximum == 1
    assert result.score == 0
    assert result.applicable == 1


def test_unanswered_questions_count_zero_and_are_listed():
    questionnaire = spec(SectionSpec("a", F(1), (ypn("q1"), ypn("q2"))))
    result = score(questionnaire, {"q1": answer("yes")})
    assert result.score == 50
    assert result.unanswered == ("q2",)
    assert (result.answered, result.applicable) == (1, 2)


def test_multiple_choice_sums_the_chosen_scores_capped_at_one():
    lists = QuestionSpec(
        "lists",
        "multiple_choice",
        F(2),
        choices=(
            ChoiceSpec("controlled", F(6, 10)),
            ChoiceSpec("watch", F(6, 10)),
            ChoiceSpec("none", F(0)),
        ),
    )
    questionnaire = spec(SectionSpec("a", F(1), (lists,)))
    assert score(questionnaire, {"lists": answer("controlled")}).score == pytest.approx(60)
    assert score(questionnaire, {"lists": answer("controlled", "watch")}).score == 100


def test_number_questions_score_the_highest_threshold_reached():
    from decimal import Decimal

    trained = QuestionSpec(
        "trained",
        "number",
        choices=(
            ChoiceSpec("some", F(1, 2), Decimal(50)),
            ChoiceSpec("all", F(1), Decimal(100)),
        ),
    )
    questionnaire = spec(SectionSpec("a", F(1), (trained,)))
    assert score(questionnaire, {"trained": AnswerData(number=Decimal(10))}).score == 0
    assert score(questionnaire, {"trained": AnswerData(number=Decimal(75))}).score == 50
    assert score(questionnaire, {"trained": AnswerData(number=Decimal(100))}).score == 100


def test_a_critical_finding_caps_the_band_at_the_second_level():
    questionnaire = spec(SectionSpec("a", F(1), (ypn("screening", 1, critical=True), ypn("q2", 9))))
    result = score(questionnaire, {"screening": answer("no"), "q2": answer("yes")})
    assert result.score == 90
    assert result.band == "developing" and result.band_capped
    assert [f.code for f in result.critical_findings] == ["screening"]
    # Partially (0.5) is not below the threshold of 0.5: no finding.
    result = score(questionnaire, {"screening": answer("partial"), "q2": answer("yes")})
    assert result.critical_findings == () and result.band == "optimised"


def test_an_empty_section_has_no_score_and_does_not_count():
    questionnaire = spec(
        SectionSpec("a", F(1), (ypn("q1"),)),
        SectionSpec("b", F(5), (QuestionSpec("notes", "text"),)),
    )
    result = score(questionnaire, {"q1": answer("yes"), "notes": AnswerData(has_value=True)})
    assert result.section("b").score is None
    assert result.score == 100


def test_gaps_are_ordered_critical_first_then_by_shortfall():
    # a (w1): q1 w1, q2 w3 (max 4); b (w1): crit w1 (max 1). Total section weight 2.
    questionnaire = spec(
        SectionSpec("a", F(1), (ypn("q1"), ypn("q2", 3))),
        SectionSpec("b", F(1), (ypn("crit", critical=True),)),
    )
    result = score(
        questionnaire, {"q1": answer("no"), "q2": answer("partial"), "crit": answer("partial")}
    )
    assert [g.code for g in result.gaps] == ["crit", "q2", "q1"]
    shortfall = {g.code: g.shortfall for g in result.gaps}
    # q2: 3 * 0.5 / 4 * 100 * 1/2 = 18.75; q1: 1 / 4 * 100 / 2 = 12.5; crit: 0.5 * 100 / 2 = 25
    assert shortfall == pytest.approx({"crit": 25, "q2": 18.75, "q1": 12.5})
    assert result.score == pytest.approx(((1.5 / 4) * 100 + 50) / 2)
    assert result.score + sum(shortfall.values()) == pytest.approx(100)


def test_show_if_all_needs_every_choice():
    tools = QuestionSpec(
        "tools",
        "multiple_choice",
        choices=(ChoiceSpec("a", F(1, 2)), ChoiceSpec("b", F(1, 2))),
    )
    follow = ypn("follow", show_if=ShowIfSpec("tools", frozenset({"a", "b"}), "all"))
    questionnaire = spec(SectionSpec("s", F(1), (tools, follow)))
    hidden = score(questionnaire, {"tools": answer("a")}).section("s").questions[1]
    shown = score(questionnaire, {"tools": answer("a", "b")}).section("s").questions[1]
    assert (hidden.status, shown.status) == ("hidden", "unanswered")


def test_a_critical_questions_own_threshold_overrides_the_versions():
    """Version 2's method: the version's threshold is 1 (anything below full marks on a
    critical question is a finding, "partially" included); a question may set its own."""
    strict = ypn("screening", critical=True)
    lenient = ypn("stop", critical=True, critical_threshold=F(1, 2))
    questionnaire = spec(SectionSpec("a", F(1), (strict, lenient, ypn("q", 8))), threshold=F(1))
    result = score(
        questionnaire,
        {"screening": answer("partial"), "stop": answer("partial"), "q": answer("yes")},
    )
    assert [f.code for f in result.critical_findings] == ["screening"]
    assert result.critical_findings[0].fraction == 0.5
    assert result.band == "developing" and result.band_capped  # 90 by score
    result = score(
        questionnaire, {"screening": answer("yes"), "stop": answer("no"), "q": answer("yes")}
    )
    assert [f.code for f in result.critical_findings] == ["stop"]


def test_a_section_shown_only_for_some_profiles_counts_for_nothing_when_hidden():
    profile = QuestionSpec(
        "activities",
        "multiple_choice",
        weight=F(0),
        choices=(ChoiceSpec("listed", F(0)), ChoiceSpec("services", F(0))),
    )
    licensing = SectionSpec(
        "licensing",
        F(2),
        (ypn("lic", critical=True), ypn("lic-2")),
        show_if=ShowIfSpec("activities", frozenset({"listed"})),
    )
    questionnaire = spec(
        SectionSpec("profile", F(0), (profile,)),
        SectionSpec("core", F(1), (ypn("q1"),)),
        licensing,
    )
    services_only = score(questionnaire, {"activities": answer("services"), "q1": answer("yes")})
    section = services_only.section("licensing")
    assert not section.shown and section.score is None and section.maximum == 0
    assert {q.status for q in section.questions} == {"hidden"}
    assert services_only.score == 100 and services_only.critical_findings == ()
    assert "lic" not in services_only.unanswered and services_only.applicable == 2
    # The same company exporting listed items: the section counts (weight 2), unanswered.
    listed = score(questionnaire, {"activities": answer("listed"), "q1": answer("yes")})
    assert listed.section("licensing").shown
    assert listed.score == pytest.approx(100 / 3) and listed.unanswered == ("lic", "lic-2")
    # A section's condition on an unanswered profile: not shown (nothing is assumed).
    assert not score(questionnaire, {}).section("licensing").shown


def test_a_frozen_result_of_before_section_routing_reads_every_section_as_shown():
    questionnaire = spec(SectionSpec("a", F(1), (ypn("q1"),)))
    frozen = score(questionnaire, {"q1": answer("yes")}).to_json()
    for section in frozen["sections"]:
        del section["shown"]  # as results were stored before sections could be hidden
    assert Result.from_json(frozen).section("a").shown
