"""Reading an organisation's actions: the page's filters and sorting, the figures the
dashboard, the report and the portfolio show, and the open action of each question."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import formats
from django.utils.translation import gettext as _

from .models import OPEN_STATUSES, Action, ActionChange, ActionPriority, ActionStatus
from .services import MEMBER_LEFT

#: How the actions page may sort: (key, order_by).
SORTS = {
    "due": ("due_date", "priority", "created_at"),
    "-due": ("-due_date", "priority", "created_at"),
    "priority": ("priority", "due_date", "created_at"),
    "-priority": ("-priority", "due_date", "created_at"),
    "status": ("status", "priority", "due_date"),
    "created": ("-created_at",),
}
DEFAULT_SORT = "due"


def actions_of(organisation) -> QuerySet[Action]:
    """Every action of the organisation, with what a list shows of it (its owner, its
    question and section) in the same query."""
    return Action.objects.filter(organisation=organisation).select_related(
        "owner", "question__section", "accepted_by"
    )


def action_or_404(organisation, action_uuid: UUID | str) -> Action:
    """One of the organisation's actions; any other id is a 404."""
    try:
        return actions_of(organisation).get(uuid=action_uuid)
    except (Action.DoesNotExist, ValueError, ValidationError):  # a malformed id too
        raise Http404 from None


@dataclass(frozen=True)
class Filters:
    """The actions page's filters, as the query string gives them (unknown values mean
    no filter, never an error)."""

    owner: str = ""  # a user id, "none" (the owners) or "" (anyone)
    status: str = "open"  # a status, "open" (open or in progress), or "all"
    overdue: bool = False
    section: str = ""  # a section code
    sort: str = DEFAULT_SORT

    @classmethod
    def of(cls, query) -> Filters:
        sort = query.get("sort", DEFAULT_SORT)
        status = query.get("status", "open")
        return cls(
            owner=query.get("owner", "").strip(),
            status=status if status in {"open", "all", *ActionStatus.values} else "open",
            overdue=query.get("overdue") in {"1", "on", "true"},
            section=query.get("section", "").strip(),
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )

    def apply(self, actions: QuerySet[Action], day: date) -> QuerySet[Action]:
        if self.owner == "none":
            actions = actions.filter(owner__isnull=True)
        elif self.owner.isdigit():
            actions = actions.filter(owner_id=int(self.owner))
        if self.status == "open":
            actions = actions.filter(status__in=OPEN_STATUSES)
        elif self.status != "all":
            actions = actions.filter(status=self.status)
        if self.overdue:
            actions = actions.filter(overdue_q(day))
        if self.section:
            actions = actions.filter(question__section__code=self.section)
        return actions.order_by(*SORTS[self.sort])


def overdue_q(day: date) -> Q:
    return Q(status__in=OPEN_STATUSES, due_date__lt=day)


def open_by_code(organisation, codes: Collection[str] | None = None) -> dict[str, Action]:
    """The open action of each question code (of those in ``codes``), with its owner."""
    actions = Action.objects.filter(organisation=organisation, status__in=OPEN_STATUSES)
    if codes is not None:
        actions = actions.filter(question_code__in=list(codes))
    return {action.question_code: action for action in actions.select_related("owner")}


def latest_by_code(organisation, codes: Collection[str]) -> dict[str, Action]:
    """The action of each question code that a page offers: the open one, else the
    latest closed one."""
    found: dict[str, Action] = {}
    for action in (
        Action.objects.filter(organisation=organisation, question_code__in=list(codes))
        .select_related("owner")
        .order_by("created_at")
    ):
        kept = found.get(action.question_code)
        if kept is None or not kept.is_open:
            found[action.question_code] = action
    return found


@dataclass(frozen=True)
class ActionCounts:
    open: int = 0
    overdue: int = 0
    open_critical: int = 0
    done: int = 0
    risk_accepted: int = 0


def counts_for(organisation_ids: Iterable[int], day: date) -> dict[int, ActionCounts]:
    """The action figures of each organisation, in one query."""
    rows = (
        Action.objects.filter(organisation_id__in=list(organisation_ids))
        .values("organisation_id")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=overdue_q(day)),
            open_critical=Count(
                "pk", filter=Q(status__in=OPEN_STATUSES, priority=ActionPriority.CRITICAL)
            ),
            done=Count("pk", filter=Q(status=ActionStatus.DONE)),
            risk_accepted=Count("pk", filter=Q(status=ActionStatus.RISK_ACCEPTED)),
        )
    )
    return {
        row.pop("organisation_id"): ActionCounts(**row)  # type: ignore[arg-type]
        for row in rows
    }


def counts(organisation, day: date) -> ActionCounts:
    return counts_for([organisation.pk], day).get(organisation.pk, ActionCounts())


def changes_of(action: Action) -> QuerySet[ActionChange]:
    return action.changes.select_related("user").order_by("at", "pk")


def assigned_to(user, day: date) -> QuerySet[Action]:
    """The open actions a user owns, in the organisations they still belong to, due
    first."""
    return (
        Action.objects.filter(
            owner=user,
            status__in=OPEN_STATUSES,
            organisation__memberships__user=user,
        )
        .select_related("organisation", "question__section")
        .order_by("due_date", "priority", "created_at")
    )


@dataclass(frozen=True)
class ChangeRow:
    """One change as the history shows it: the values in words, in the reader's language."""

    change: ActionChange
    old: str
    new: str
    note: str = ""


def readable(field: str, value: str) -> str:
    if field == ActionChange.Field.OWNER and not value:
        return str(_("The organisation's owners"))
    if not value:
        return ""
    if field == ActionChange.Field.STATUS and value in ActionStatus.values:
        return str(ActionStatus(value).label)
    if field == ActionChange.Field.PRIORITY and value.isdigit():
        number = int(value)
        return str(ActionPriority(number).label) if number in ActionPriority.values else value
    if field == ActionChange.Field.DUE_DATE:
        try:
            return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return value


def note_of(change: ActionChange) -> str:
    """A change's note in the reader's language: the notes the app writes are kept in no
    language (the assessment an action came from, a code), and worded here."""
    if change.field == ActionChange.Field.CREATED and change.note:
        return _("From the results of “%(title)s”") % {"title": change.note}
    if change.note == MEMBER_LEFT:
        return _("%(person)s left the organisation: back to its owners.") % {"person": change.old}
    return change.note


def history(action: Action) -> list[ChangeRow]:
    return [
        ChangeRow(
            change,
            readable(change.field, change.old),
            readable(change.field, change.new),
            note_of(change),
        )
        for change in changes_of(action)
    ]
