"""Creating and changing remediation actions, each change recorded (``ActionChange``).

Every write takes the action's row lock, checks what it is given (an owner who is a
member, a due date not in the past, a justification for an accepted risk, evidence of the
organisation) and records one ``ActionChange`` per field it changes, in one transaction:
a refused change changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from compliance.core.text import clean_text
from compliance.evidence.models import EvidenceItem
from compliance.organisations.models import Membership

from .models import OPEN_STATUSES, Action, ActionChange, ActionPriority, ActionStatus

#: The note of an owner change made because the owner left the organisation (the history
#: says so in the reader's language).
MEMBER_LEFT = "member-left"

TITLE_LENGTH = Action._meta.get_field("title").max_length

#: The due date an action gets when it is created, by priority (it can be changed).
DEFAULT_DAYS = {
    ActionPriority.CRITICAL: 30,
    ActionPriority.HIGH: 60,
    ActionPriority.MEDIUM: 90,
    ActionPriority.LOW: 180,
}


def today() -> date:
    return timezone.localdate()


def require_action_editor(membership: Membership) -> None:
    if not membership.can_edit:
        raise PermissionDenied(
            _(
                "Your role in this organisation is %(role)s: only owners and editors "
                "create and change actions; you can read them."
            )
            % {"role": membership.get_role_display().lower()}
        )


def _member(organisation, user):
    """``user`` if they belong to ``organisation`` (None stays None: the owners)."""
    if user is None:
        return None
    if not Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError(
            _("%(person)s is not a member of this organisation: choose a member as owner.")
            % {"person": user}
        )
    return user


def _due(value: date | None, *, day: date) -> date | None:
    if value is not None and value < day:
        raise ValidationError(
            _("The due date %(date)s is in the past: choose today or a later date.")
            % {"date": value.isoformat()}
        )
    return value


def default_priority(*, finding: bool, critical: bool) -> ActionPriority:
    """Critical findings first, then critical questions; the rest medium."""
    if finding:
        return ActionPriority.CRITICAL
    if critical:
        return ActionPriority.HIGH
    return ActionPriority.MEDIUM


def _person(user) -> str:
    return "" if user is None else str(user)


def _record(action: Action, user, field: str, old: str = "", new: str = "", note: str = ""):
    return ActionChange(action=action, user=user, field=field, old=old, new=new, note=note)


@dataclass(frozen=True)
class Created:
    action: Action
    created: bool  # False: the question already had an open action, which is returned


def create_action(
    *,
    organisation,
    question,
    version,
    user,
    title: str = "",
    owner=None,
    due_date: date | None = None,
    priority: int | None = None,
    source: str = "",
    day: date | None = None,
) -> Created:
    """An action closing ``question`` (of ``version``, the version of the assessment it
    comes from), or the open action the question already has."""
    day = day or today()
    if question.version_id != version.pk:
        raise ValidationError(
            _("This question is not in the questionnaire version of the assessment.")
        )
    existing = open_action(organisation, question.code)
    if existing is not None:
        return Created(existing, False)
    priority = ActionPriority(priority or ActionPriority.MEDIUM)
    notes = ""
    if not title:
        title, notes = default_title(question.recommendation or question.text)
    title = clean_text(title, what=_("The title"), required=True, limit=TITLE_LENGTH)
    title = " ".join(title.split())  # one line, as the field requires
    action = Action(
        organisation=organisation,
        question=question,
        question_code=question.code,
        title=title,
        owner=_member(organisation, owner),
        due_date=_due(due_date, day=day) or day + timedelta(days=DEFAULT_DAYS[priority]),
        priority=priority,
        notes=notes,
        created_by=user,
    )
    try:
        with transaction.atomic():
            action.save()
            _record(action, user, ActionChange.Field.CREATED, new=title, note=source).save()
    except IntegrityError:
        # Another request made it first (one open action per question).
        existing = open_action(organisation, question.code)
        if existing is None:
            raise
        return Created(existing, False)
    return Created(action, True)


def default_title(recommendation: str) -> tuple[str, str]:
    """A title made from a question's recommendation, and notes: the whole
    recommendation when the title had to be shortened to fit (its first sentence, or
    its first words), so that nothing of it is lost."""
    text = " ".join((recommendation or "").split())
    if len(text) <= TITLE_LENGTH:
        return text, ""
    for end in ("。", ". ", "；", "; "):
        first = text.split(end, 1)[0] + end.strip()
        if len(first) <= TITLE_LENGTH:
            return first, text
    return Truncator(text).chars(TITLE_LENGTH), text


def open_action(organisation, code: str) -> Action | None:
    return Action.objects.filter(
        organisation=organisation, question_code=code, status__in=OPEN_STATUSES
    ).first()


#: The fields ``update_action`` changes, in the order their changes are recorded.
FIELDS = ("title", "owner", "due_date", "priority", "status", "justification", "notes")


def update_action(action: Action, user, *, day: date | None = None, **changes) -> Action:
    """Change ``action``'s fields named in ``changes`` (of ``FIELDS``, plus ``evidence``:
    the evidence items that close it); a ``ValidationError`` changes nothing."""
    day = day or today()
    unknown = set(changes) - {*FIELDS, "evidence"}
    if unknown:
        raise ValueError(f"Not fields of an action: {sorted(unknown)}")
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        records = _apply(action, user, changes, day)
        if records:
            action.save()
            ActionChange.objects.bulk_create(records)
    return action


def _apply(action: Action, user, changes: dict, day: date) -> list[ActionChange]:
    organisation = action.organisation
    records = []
    if "title" in changes:
        typed = clean_text(changes["title"], what=_("The title"), required=True, limit=TITLE_LENGTH)
        title = " ".join(typed.split())
        if title != action.title:
            records.append(_record(action, user, "title", action.title, title))
            action.title = title
    if "owner" in changes:
        owner = _member(organisation, changes["owner"])
        if (owner.pk if owner else None) != action.owner_id:
            records.append(_record(action, user, "owner", _person(action.owner), _person(owner)))
            action.owner = owner
    if "due_date" in changes and changes["due_date"] != action.due_date:
        due = _due(changes["due_date"], day=day)
        records.append(
            _record(
                action,
                user,
                "due_date",
                action.due_date.isoformat() if action.due_date else "",
                due.isoformat() if due else "",
            )
        )
        action.due_date = due
    if "priority" in changes:
        priority = int(changes["priority"])
        if priority not in ActionPriority.values:
            raise ValidationError(_("Choose a priority from the list."))
        if priority != action.priority:
            records.append(_record(action, user, "priority", str(action.priority), str(priority)))
            action.priority = priority
    if "justification" in changes:
        justification = clean_text(
            changes["justification"], what=_("The justification"), required=False
        )
        if justification != action.justification:
            records.append(
                _record(action, user, "justification", action.justification, justification)
            )
            action.justification = justification
    if "status" in changes:
        records += _status(action, user, changes["status"])
    if "notes" in changes:
        notes = clean_text(changes["notes"], what=_("The notes"), required=False)
        if notes != action.notes:
            records.append(_record(action, user, "notes", action.notes, notes))
            action.notes = notes
    if "evidence" in changes:
        records += _evidence(action, user, changes["evidence"])
    return records


def _status(action: Action, user, status: str) -> list[ActionChange]:
    if status not in ActionStatus.values:
        raise ValidationError(_("Choose a status from the list."))
    if status == ActionStatus.RISK_ACCEPTED and not action.justification:
        raise ValidationError(
            _("Accepting the risk needs a justification: say why the gap is acceptable.")
        )
    if status == action.status:
        return []
    if status in OPEN_STATUSES and action.status not in OPEN_STATUSES:
        other = open_action(action.organisation, action.question_code)
        if other is not None and other.pk != action.pk:
            raise ValidationError(
                _("The question already has an open action: “%(title)s”.") % {"title": other}
            )
    record = _record(action, user, "status", action.status, status)
    action.status = status
    now = timezone.now()
    action.closed_at = None if status in OPEN_STATUSES else now
    if status == ActionStatus.RISK_ACCEPTED:
        action.accepted_by, action.accepted_at = user, now
    else:
        action.accepted_by, action.accepted_at = None, None
    return [record]


def _evidence(action: Action, user, items: Iterable[EvidenceItem]) -> list[ActionChange]:
    items = list(items)
    foreign = [item for item in items if item.organisation_id != action.organisation_id]
    if foreign or any(item.removed_at for item in items):
        raise ValidationError(_("Choose evidence from this organisation's library."))
    before = {item.pk: item for item in action.evidence.all()}
    after = {item.pk: item for item in items}
    if set(before) == set(after):
        return []
    action.evidence.set(items)

    def titles(found: dict) -> str:
        return "\n".join(sorted(item.title for item in found.values()))

    return [_record(action, user, "evidence", titles(before), titles(after))]


def bulk_update(organisation, actions: Iterable[Action], user, **changes) -> int:
    """Change the owner and/or due date of several actions of ``organisation`` at once;
    how many changed. All or nothing: one refusal changes none."""
    allowed = {"owner", "due_date"}
    if not changes or set(changes) - allowed:
        raise ValueError("A bulk change sets the owner and/or the due date.")
    changed = 0
    with transaction.atomic():
        for action in actions:
            if action.organisation_id != organisation.pk:
                raise PermissionDenied("An action of another organisation.")
            before = action.updated_at
            after = update_action(action, user, **changes)
            changed += after.updated_at != before
    return changed


def hand_back_actions_of(sender, organisation, user, by=None, **kwargs) -> None:
    """Receiver of ``member_removed``: the open actions of a member who leaves go back to
    the organisation's owners (no owner), recorded."""
    actions = list(
        Action.objects.select_for_update().filter(
            organisation=organisation, owner=user, status__in=OPEN_STATUSES
        )
    )
    if not actions:
        return
    note = MEMBER_LEFT
    Action.objects.filter(pk__in=[a.pk for a in actions]).update(
        owner=None, updated_at=timezone.now()
    )
    ActionChange.objects.bulk_create(
        _record(action, by, "owner", _person(user), "", note) for action in actions
    )
