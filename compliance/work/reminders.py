"""The daily reminders (``manage.py send_reminders``): what is due, about to expire or
waiting, e-mailed to whoever has to act on it.

Each kind of reminder finds its events (an action due on a day, an evidence item
expiring on a day, an organisation's week), and who is to hear of each: named people
(an action's owner, an item's uploader, a section's assignee) if they are still active
members, and members of some roles (the owners, the reviewers). Each person then gets one
e-mail per kind listing the events new to them, queued through the outbox (in their
language, sent once the transaction commits, retried when sending fails).

An event reminded is recorded (``SentReminder``) in the transaction that queues its
e-mail, under a unique constraint: a second run, even one racing this one, reminds
nobody of it again. An event whose date changes (an action's due date, an item's expiry)
is a new event. A person who turned a kind off (``MutedReminder``) gets none of it.

The queries of a run are a handful per kind, whatever the number of actions, items and
assessments; the writes are a few per e-mail.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from compliance.actions.models import OPEN_STATUSES, Action
from compliance.actions.selectors import ActionCounts, counts_for
from compliance.assessments import cycle
from compliance.assessments.models import (
    AWAITING_REVIEW,
    EDITABLE,
    Assessment,
    SectionAssignment,
)
from compliance.evidence.models import EvidenceItem
from compliance.notifications import outbox
from compliance.notifications.models import REMINDER_KINDS, MailKind, MutedReminder
from compliance.organisations.models import Membership, Organisation
from compliance.questionnaires.models import Section

from .models import SentReminder

#: An open action is reminded of this many days before its due date (and once overdue).
ACTION_DAYS = 7
#: The owners hear of the next assessment this many days before it is due.
REASSESSMENT_DAYS = 30
#: Evidence is reminded of this many days before and after its ``valid_until``.
EVIDENCE_DAYS = 30
#: A submission waits this long for its review before the reviewers are reminded.
REVIEW_WAIT = timedelta(days=2)

OWNER = Membership.Role.OWNER
REVIEWER = Membership.Role.REVIEWER


def next_assessment_due(last_submitted: date, months: int) -> date:
    """The day the next assessment is due: ``months`` calendar months after the day the
    last one was submitted (the dashboard reads the same through ``cycle.next_due``)."""
    return cycle.add_months(last_submitted, months)


@dataclass(frozen=True)
class Event:
    """Something one kind of reminder tells of, and whom: ``people`` (user ids) if they
    are active members of the organisation, else the members of the roles ``otherwise``;
    and, in any case, the members of the roles ``roles``."""

    kind: MailKind
    key: str  # unique within the kind; a changed date makes another event
    organisation_id: int
    entry: object  # what the e-mail's line about it shows
    order: tuple  # the lines of an e-mail are sorted by it
    people: tuple[int, ...] = ()
    otherwise: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()


# What each e-mail's lines show (templates/notifications/mail/reminder_<kind>_body.txt).
# The model instances are read when the e-mail is rendered, in its recipient's language.


@dataclass(frozen=True)
class ActionLine:
    action: Action
    overdue: bool
    url: str


@dataclass(frozen=True)
class DigestLine:
    organisation: Organisation
    counts: ActionCounts
    actions: list[ActionLine]  # overdue and due soon
    url: str


@dataclass(frozen=True)
class ReassessmentLine:
    organisation: Organisation
    due: date
    overdue: bool
    url: str


@dataclass(frozen=True)
class EvidenceLine:
    item: EvidenceItem
    expired: bool
    url: str


@dataclass(frozen=True)
class ReviewLine:
    assessment: Assessment
    url: str


@dataclass(frozen=True)
class AssignmentLine:
    assignment: SectionAssignment
    url: str


@dataclass
class Summary:
    """What a run did (or, dry, would do) for one kind."""

    mails: int = 0
    events: int = 0
    #: (recipient's address, event keys) of each e-mail.
    sent: list[tuple[str, list[str]]] = field(default_factory=list)


# Finding the events of each kind.


def _actions_path(organisation: Organisation) -> str:
    return reverse("organisation_actions", args=[organisation.uuid])


def _action_path(action: Action) -> str:
    return reverse("action_detail", args=[action.organisation.uuid, action.uuid])


def _open_actions_due(day: date) -> list[Action]:
    return list(
        Action.objects.filter(
            status__in=OPEN_STATUSES,
            due_date__isnull=False,
            due_date__lte=day + timedelta(days=ACTION_DAYS),
        )
        .select_related("organisation", "owner")
        .order_by("due_date", "priority", "pk")
    )


def _action_line(action: Action, day: date, site: str) -> ActionLine:
    return ActionLine(action, action.is_overdue(day), site + _action_path(action))


def actions_due(actions: list[Action], day: date, site: str) -> Iterator[Event]:
    """Each open action due within ``ACTION_DAYS``, or overdue, to its owner (the
    organisation's owners when it has none, or one no longer an active member): once
    while it is due soon, once when it is overdue, again when its due date changes."""
    for action in actions:
        line = _action_line(action, day, site)
        when = "overdue" if line.overdue else "soon"
        yield Event(
            MailKind.ACTION_DUE,
            f"action:{action.uuid}:{action.due_date.isoformat()}:{when}",
            action.organisation_id,
            line,
            (action.due_date, action.priority, action.pk),
            people=(action.owner_id,) if action.owner_id else (),
            otherwise=frozenset({OWNER}),
        )


def action_digests(actions: list[Action], day: date, site: str) -> Iterator[Event]:
    """A weekly digest of each organisation with open actions, to its owners: how many
    are open, overdue and critical, and which are overdue or due soon."""
    organisation_ids = (
        Action.objects.filter(status__in=OPEN_STATUSES)
        .order_by()  # the default ordering's columns would take part in DISTINCT
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    counts = counts_for(organisation_ids, day)
    organisations = Organisation.objects.in_bulk(list(counts))
    listed = defaultdict(list)
    for action in actions:
        listed[action.organisation_id].append(_action_line(action, day, site))
    year, week, _weekday = day.isocalendar()
    for organisation_id, figures in counts.items():
        organisation = organisations[organisation_id]
        yield Event(
            MailKind.ACTION_DIGEST,
            f"organisation:{organisation.uuid}:{year}-W{week:02d}",
            organisation_id,
            DigestLine(
                organisation,
                figures,
                listed[organisation_id],
                site + _actions_path(organisation),
            ),
            (organisation.name, organisation_id),
            roles=frozenset({OWNER}),
        )


def reassessments_due(day: date, site: str) -> Iterator[Event]:
    """The next assessment of each organisation that submitted one, to its owners, from
    ``REASSESSMENT_DAYS`` before it is due: once per due date."""
    horizon = day + timedelta(days=REASSESSMENT_DAYS)
    for organisation in cycle.with_last_submitted().order_by("pk"):
        due = next_assessment_due(
            timezone.localdate(organisation.last_submitted_at), organisation.reassessment_months
        )
        if due > horizon:
            continue
        yield Event(
            MailKind.REASSESSMENT_DUE,
            f"organisation:{organisation.uuid}:due:{due.isoformat()}",
            organisation.pk,
            ReassessmentLine(organisation, due, due < day, site + reverse("assessment_dashboard")),
            (due, organisation.pk),
            roles=frozenset({OWNER}),
        )


def evidence_expiring(day: date, site: str) -> Iterator[Event]:
    """Each evidence item of a library whose validity ends within ``EVIDENCE_DAYS`` or
    ended in the last ``EVIDENCE_DAYS``, to the owners and to whoever uploaded it: once
    per ``valid_until``."""
    window = timedelta(days=EVIDENCE_DAYS)
    items = (
        EvidenceItem.objects.current()
        .filter(valid_until__gte=day - window, valid_until__lte=day + window)
        .select_related("organisation")
        .order_by("valid_until", "pk")
    )
    library = site + reverse("evidence_library")
    for item in items:
        yield Event(
            MailKind.EVIDENCE_EXPIRING,
            f"evidence:{item.uuid}:{item.valid_until.isoformat()}",
            item.organisation_id,
            EvidenceLine(item, item.expired_on(day), library),
            (item.valid_until, item.pk),
            people=(item.created_by_id,) if item.created_by_id else (),
            roles=frozenset({OWNER}),
        )


def reviews_waiting(moment: datetime, site: str) -> Iterator[Event]:
    """Each assessment waiting for its review for longer than ``REVIEW_WAIT``, to those
    who may review it (owners and reviewers): once per submission."""
    assessments = (
        Assessment.objects.filter(
            review_required=True,
            status__in=AWAITING_REVIEW,
            submitted_at__lt=moment - REVIEW_WAIT,
        )
        .select_related("organisation")
        .order_by("submitted_at", "pk")
    )
    for assessment in assessments:
        yield Event(
            MailKind.REVIEW_WAITING,
            f"assessment:{assessment.uuid}:{assessment.submitted_at.isoformat()}",
            assessment.organisation_id,
            ReviewLine(assessment, site + reverse("assessment_review", args=[assessment.uuid])),
            (assessment.submitted_at, assessment.pk),
            roles=frozenset({OWNER, REVIEWER}),
        )


def sections_assigned(site: str) -> Iterator[Event]:
    """Each section assigned in an assessment being filled in, to its assignee: once
    per assignment."""
    assignments = list(
        SectionAssignment.objects.filter(assessment__status__in=EDITABLE)
        .select_related("assessment__organisation", "section", "assigned_by")
        .order_by("assigned_at", "pk")
    )
    numbers = _section_numbers({a.assessment.version_id for a in assignments})
    for assignment in assignments:
        path = reverse(
            "assessment_section",
            args=[assignment.assessment.uuid, numbers[assignment.section_id]],
        )
        yield Event(
            MailKind.SECTION_ASSIGNED,
            f"assignment:{assignment.pk}:{assignment.assigned_at.isoformat()}",
            assignment.assessment.organisation_id,
            AssignmentLine(assignment, site + path),
            (assignment.assessment_id, numbers[assignment.section_id]),
            people=(assignment.assignee_id,),
        )


def _section_numbers(version_ids: set[int]) -> dict[int, int]:
    """The number (from 1, as in the section's URL) of each section of these versions."""
    numbers: dict[int, int] = {}
    counted: dict[int, int] = defaultdict(int)
    for section_id, version_id in (
        Section.objects.filter(version_id__in=version_ids)
        .order_by("version_id", "order", "pk")
        .values_list("pk", "version_id")
    ):
        counted[version_id] += 1
        numbers[section_id] = counted[version_id]
    return numbers


def events_on(day: date, moment: datetime, site: str) -> list[Event]:
    """Every event of every kind on ``day`` (``moment``: the time of the run on it)."""
    actions = _open_actions_due(day)
    return [
        *actions_due(actions, day, site),
        *action_digests(actions, day, site),
        *reassessments_due(day, site),
        *evidence_expiring(day, site),
        *reviews_waiting(moment, site),
        *sections_assigned(site),
    ]


# Who hears of each, and sending.


def _members(organisation_ids: Iterable[int]) -> dict[int, dict[int, Membership]]:
    """The active members of each organisation, by user id, with their users."""
    members: dict[int, dict[int, Membership]] = defaultdict(dict)
    for membership in Membership.objects.filter(
        organisation_id__in=set(organisation_ids), user__is_active=True
    ).select_related("user"):
        members[membership.organisation_id][membership.user_id] = membership
    return members


def _recipients(event: Event, members: dict[int, Membership]) -> list:
    """Who hears of ``event``, of the active ``members`` of its organisation."""
    named = [members[pk].user for pk in event.people if pk in members]
    by_role = [
        m.user
        for m in members.values()
        if m.role in event.roles or (not named and m.role in event.otherwise)
    ]
    return list({user.pk: user for user in [*named, *by_role]}.values())


def _dedupe_key(keys: list[str]) -> str:
    return "reminder:" + hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()


def send(day: date, *, site: str, dry_run: bool = False) -> dict[MailKind, Summary]:
    """Remind everyone of the events of ``day`` new to them; what was sent (or, with
    ``dry_run``, what would be: nothing is written then), by kind. ``site`` (scheme and
    host) begins the links."""
    # Now's time of day on ``day``: a run for another day (a backfill) finds the reviews
    # that were waiting then.
    moment = timezone.now() + (day - timezone.localdate())
    events = events_on(day, moment, site)
    members = _members(event.organisation_id for event in events)
    pending: dict[tuple[str, int], list[Event]] = defaultdict(list)
    users = {}
    for event in events:
        for user in _recipients(event, members.get(event.organisation_id, {})):
            pending[event.kind, user.pk].append(event)
            users[user.pk] = user
    muted = set(
        MutedReminder.objects.filter(user_id__in=list(users)).values_list("kind", "user_id")
    )
    sent = set(
        SentReminder.objects.filter(
            user_id__in=list(users), key__in={event.key for event in events}
        ).values_list("kind", "user_id", "key")
    )
    summaries = {kind: Summary() for kind in REMINDER_KINDS}
    for (kind, user_id), of_user in sorted(pending.items()):
        if (kind, user_id) in muted:
            continue
        new = sorted(
            (e for e in of_user if (kind, user_id, e.key) not in sent), key=lambda e: e.order
        )
        if not new:
            continue
        user = users[user_id]
        if not dry_run and not _remind(kind, user, new, site):
            continue  # another run reminded them of these meanwhile
        summary = summaries[kind]
        summary.mails += 1
        summary.events += len(new)
        summary.sent.append((user.email, [e.key for e in new]))
    return summaries


def _remind(kind: str, user, events: list[Event], site: str) -> bool:
    """Queue one e-mail to ``user`` about ``events`` and record them as reminded, in one
    transaction; False (and nothing written) if another run recorded them first."""
    keys = [event.key for event in events]
    try:
        with transaction.atomic():
            outbox.queue(
                kind,
                [user],
                f"reminder_{kind}",
                {
                    "entries": [event.entry for event in events],
                    "count": len(events),
                    "settings_url": site + reverse("account_reminders"),
                },
                site=site,
                dedupe_key=_dedupe_key(keys),
            )
            SentReminder.objects.bulk_create(
                SentReminder(user=user, kind=kind, key=key) for key in keys
            )
    except IntegrityError:
        return False
    return True
