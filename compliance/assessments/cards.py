"""The question cards of a section page: what each shows, and their HTML.

A section page shows up to a few hundred inputs. Django's widgets render each through
templates of their own, and Django's template engine costs a few microseconds per
variable, which together cost more than the rest of the request; so the cards are one
Jinja2 template (``templates/jinja2/assessments/question_cards.html``, auto-escaped like
every template) that writes the inputs itself, from plain values, with Django's names
and ids (``<code>-<field>``, ``id_<code>-<field>``) so that ``AnswerForm`` reads them back
as usual. Number, date and text answers, which are few, keep Django's widget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from compliance.core.i18n import column_suffix, translated
from compliance.core.jinja2 import render_fragment
from compliance.questionnaires.models import Question

from .forms import MAX_TEXT, AnswerForm
from .models import Answer, Assessment

FIELDS = ("not_applicable", "confirm", "comment", "evidence", "na_justification", "loaded")


@dataclass(slots=True)
class CardChoice:
    id: str
    code: str
    label: str
    description: str
    checked: bool
    justify: bool  # choosing it needs a comment saying why


@dataclass(slots=True)
class CitedEvidence:
    title: str
    files: list  # (name, download URL)
    expired: bool


def cited_evidence(links, day) -> list[CitedEvidence]:
    return [
        CitedEvidence(
            title=link.item.title,
            files=[
                (stored.name, reverse("evidence_download", args=[stored.uuid]))
                for stored in link.item.files.all()
            ],
            expired=link.item.expired_on(day),
        )
        for link in links
    ]


@dataclass(slots=True)
class CardAction:
    """The organisation's open remediation action on a question, as its card shows it."""

    title: str
    href: str
    owner: str
    due: object  # date or None
    overdue: bool
    status: str
    #: The answer now has full marks: the card offers to mark the action done.
    offer_done: bool = False


def card_action(action, organisation, day, full_marks: bool) -> CardAction:
    href = reverse("action_detail", args=[organisation.uuid, action.uuid])
    return CardAction(
        title=action.title,
        href=href + ("?offer=done" if full_marks else ""),
        owner=str(action.owner) if action.owner else "",
        due=action.due_date,
        overdue=action.is_overdue(day),
        status=str(action.get_status_display()),
        offer_done=full_marks,
    )


@dataclass(slots=True)
class QuestionCard:
    """What the card of one question shows: attributes only, read by the template."""

    code: str
    text: str
    guidance: str
    evidence: str  # what to show an auditor
    critical: bool
    conditional: bool
    input_type: str  # "radio" or "checkbox", for a question with choices
    choices: list[CardChoice]
    answer_input: str  # Django's widget, for a question without choices
    values: dict  # FIELDS -> the value shown
    errors: dict  # "answer" and FIELDS -> messages
    na_allowed: bool
    carried_over: bool
    changed_by: str
    changed_at: datetime | None
    hidden: bool = False
    #: The evidence the answer cites: ``CitedEvidence`` items.
    cited: list = field(default_factory=list)
    #: The organisation's open action on the question (``CardAction``), if any.
    action: CardAction | None = None
    opened: bool = field(init=False)

    def __post_init__(self) -> None:
        values, errors = self.values, self.errors
        self.opened = bool(
            values["comment"] or values["evidence"] or errors["comment"] or errors["evidence"]
        )


def question_card(
    question: Question, answer: Answer | None, form: AnswerForm | None = None
) -> QuestionCard:
    """The card of ``question``: values from ``form`` when the page shows a post with
    errors, otherwise from the saved ``answer``."""
    values: dict = {
        "not_applicable": False,
        "confirm": False,
        "comment": "",
        "evidence": "",
        "na_justification": "",
        "loaded": "",
    }
    errors: dict = {name: [] for name in ("answer", *FIELDS)}
    if form is None:
        initial = AnswerForm.initial_for(question, answer)
        shown = initial.pop("answer")
        values.update({name: value for name, value in initial.items() if value is not None})
        if not question.uses_choices:
            form = AnswerForm(question=question, answer=answer)
    else:
        shown = form["answer"].value()
        for name in form.fields:
            if name != "answer" and (value := form[name].value()) is not None:
                values[name] = value
        errors.update(form.errors)
    if isinstance(shown, (list, tuple)):
        selected = {str(code) for code in shown}
    else:
        selected = {str(shown)} if shown not in (None, "") else set()
    return QuestionCard(
        code=question.code,
        text=question.text,
        guidance=question.guidance,
        evidence=question.evidence,
        critical=question.critical,
        conditional=question.show_if_question_id is not None,
        input_type="checkbox" if question.type == Question.Type.MULTIPLE_CHOICE else "radio",
        choices=_choices(question, selected),
        answer_input="" if question.uses_choices else _answer_input(question, form),
        values=values,
        errors=errors,
        na_allowed=question.na_allowed,
        carried_over=bool(answer and answer.carried_over),
        changed_by=(answer.updated_by.email if answer.updated_by else "—") if answer else "",
        changed_at=answer.updated_at if answer else None,
    )


def render_cards(
    cards: list[QuestionCard], assessment: Assessment, editable: bool = True
) -> SafeString:
    return render_fragment(
        "assessments/question_cards.html",
        {"cards": cards, "uuid": assessment.uuid, "max_text": MAX_TEXT, "editable": editable},
    )


def _answer_input(question: Question, form: AnswerForm) -> str:
    """A number, date or text answer: Django's own widget, through crispy-forms."""
    return render_to_string(
        "assessments/_answer_input.html", {"text": question.text, "field": form["answer"]}
    )


def _choices(question: Question, selected: set[str]) -> list[CardChoice]:
    if not question.uses_choices:
        return []
    suffix = column_suffix()  # once for all the choices, not once per label
    return [
        CardChoice(
            id=f"id_{question.code}-answer_{index}",
            code=choice.code,
            label=translated(choice, "label", suffix),
            description=translated(choice, "description", suffix),
            checked=choice.code in selected,
            justify=choice.justify,
        )
        for index, choice in enumerate(question.choices.all())
    ]
