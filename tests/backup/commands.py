"""What the backup tests share: the commands as a test calls them, and answers to back up."""

from dataclasses import replace
from datetime import date
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

from django.core.management import call_command

from compliance.assessments.services import (
    AnswerInput,
    Submitted,
    create_assessment,
    save_answers,
)
from compliance.organisations.services import create_organisation
from compliance.questionnaires.models import Question
from compliance.questionnaires.selectors import load_version
from compliance.questionnaires.services import import_questionnaire, publish_version
from tests.factories import SAMPLE, UserFactory


def answer_everything(assessment, user, variant: int = 0) -> None:
    """Answer every question of the assessment's version, some with Chinese comments."""
    content = load_version(assessment.version)
    items = []
    for index, question in enumerate(content.questions.values()):
        codes = [choice.code for choice in question.choices.all()]
        if question.type == Question.Type.MULTIPLE_CHOICE:
            value = AnswerInput(choice_codes=tuple(sorted(codes[: 1 + (index + variant) % 2])))
        elif question.uses_choices:
            value = AnswerInput(choice_codes=(codes[(index + variant) % len(codes)],))
        elif question.type == Question.Type.DATE:
            value = AnswerInput(value_date=date(2026, 1 + index % 12, 1 + variant))
        else:
            value = AnswerInput(value_text=f"出口管制内部合规机制 {index}-{variant}")
        if index % 3 == 0:
            value = replace(
                value,
                comment=f"已由合规部门审核（第{index}项）。",
                evidence=f"《出口管制合规手册》第{index}版",
            )
        items.append(Submitted(question, value, None))
    save_answers(assessment, items, user)


def backup(path: Path) -> str:
    out = StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


def restore(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def small_installation() -> SimpleNamespace:
    owner = UserFactory()
    organisation = create_organisation(owner, "Small Exporter")
    version = publish_version(import_questionnaire(SAMPLE.read_text(encoding="utf-8")))
    assessment = create_assessment(
        organisation=organisation, version=version, title="t", user=owner
    )
    answer_everything(assessment, owner)
    return SimpleNamespace(owner=owner, assessment=assessment)
