"""Test data: factory_boy factories for the project's models, and builders of
questionnaires and answers shared by the tests."""

from decimal import Decimal
from fractions import Fraction as F
from pathlib import Path

import factory
from django.contrib.auth import get_user_model

from compliance.assessments.services import AnswerInput, Submitted, save_answers
from compliance.organisations.models import Membership, Organisation
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
from compliance.questionnaires.models import Question
from compliance.questionnaires.selectors import load_version
from compliance.questionnaires.services import publish_version
from compliance.scoring import BandSpec

PASSWORD = "correct-horse-battery-staple"
#: The small questionnaire most tests use (two sections, every kind of question).
SAMPLE = Path(__file__).resolve().parent / "questionnaires" / "sample.yaml"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def questionnaire_editor(**fields):
    """Staff in the "Questionnaire editors" group (not a superuser), as
    `manage.py setup_demo_editor` makes one. The group comes from a data migration, which
    a transactional test before this one may have flushed: it is made again then."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group

    migration = import_module(
        "compliance.questionnaires.migrations.0002_questionnaire_editor_group"
    )
    if not Group.objects.filter(name=migration.GROUP).exists():
        migration.create_group(apps, None)
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=migration.GROUP))
    return user


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Exporter {n} Ltd.")
    slug = factory.Sequence(lambda n: f"exporter-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.OWNER


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "assessments.Assessment"

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Assessment {n}")

    @factory.lazy_attribute
    def version(self):
        from compliance.questionnaires.models import QuestionnaireVersion

        version = QuestionnaireVersion.objects.published().order_by("-number").first()
        if version is None:
            raise RuntimeError("Load a published questionnaire first (e.g. the sample).")
        return version


def give(assessment, user, code, *choices, **values):
    question = Question.objects.get(version=assessment.version, code=code)
    save_answers(
        assessment,
        [Submitted(question, AnswerInput(choice_codes=tuple(choices), **values), None)],
        user,
    )


def answer_all(assessment, user, comment: str = "Checked.", text: str = "Noted.") -> None:
    """Every question of the assessment's version answered: the first choice that has a
    full score where there is one, else the first, else a text."""
    items = []
    for question in load_version(assessment.version).questions.values():
        choices = list(question.choices.all())
        full = [c for c in choices if c.score == 1] or choices
        value = (
            AnswerInput(choice_codes=(full[0].code,), comment=comment)
            if choices
            else AnswerInput(value_text=text)
        )
        items.append(Submitted(question, value, None))
    save_answers(assessment, items, user)


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


#: Five equal maturity bands, for the scoring engine's tests.
BANDS = tuple(
    BandSpec(code, F(low), F(high))
    for code, low, high in [
        ("initial", 0, 20),
        ("developing", 20, 40),
        ("defined", 40, 60),
        ("managed", 60, 80),
        ("optimised", 80, 100),
    ]
)


DEFAULT_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "default_questionnaire.json"


def default_fixture_of_version_1(directory: Path) -> Path:
    """The default questionnaire's fixture as it stood before version 2 (version 1 and
    what belongs to it), written into ``directory``; its path."""
    import json

    def version_of(item) -> int | None:
        fields = item["fields"]
        if item["model"] == "questionnaires.questionnaire":
            return None
        if item["model"] == "questionnaires.questionnaireversion":
            return fields["number"]
        for key in ("version", "question", "section"):
            if key in fields and isinstance(fields[key], list):
                return fields[key][1]
        raise AssertionError(item)

    everything = json.loads(DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    only_v1 = [item for item in everything if version_of(item) in (None, 1)]
    assert len(only_v1) < len(everything)
    path = directory / "only_v1.json"
    path.write_text(json.dumps(only_v1), encoding="utf-8")
    return path
