"""The daily reminders (``manage.py send_reminders``): each event reminded once to whoever
has to act on it, in their language, through the outbox; never twice, however often the
command runs; not to those who turned the kind off or left."""

import threading
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance.actions.models import Action, ActionPriority, ActionStatus
from compliance.assessments import cycle
from compliance.assessments.models import Assessment, SectionAssignment
from compliance.evidence.models import EvidenceItem
from compliance.notifications.models import MailKind, MutedReminder, OutgoingMail
from compliance.organisations.models import Membership
from compliance.questionnaires.models import Question, Section
from compliance.work import reminders
from compliance.work.models import SentReminder
from tests.factories import AssessmentFactory, MembershipFactory, OrganisationFactory, UserFactory

FAILING = "tests.notifications.test_outbox.UnreachableMailServer"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SITE = "https://icp.example.org"
OWNER = Membership.Role.OWNER
EDITOR = Membership.Role.EDITOR
REVIEWER = Membership.Role.REVIEWER
VIEWER = Membership.Role.VIEWER


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the command as cron does: each e-mail goes once its transaction commits."""

    def run(*args: str, **options) -> str:
        output = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", "--site", SITE, *args, stdout=output, **options)
        return output.getvalue()

    return run


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Exporter Ltd.")


def member(organisation, role=OWNER, **user_fields):
    return MembershipFactory(
        organisation=organisation, role=role, user=UserFactory(**user_fields)
    ).user


@pytest.fixture
def owner(organisation):
    return member(organisation, OWNER, first_name="Olga", email="owner@example.com")


@pytest.fixture
def editor_user(organisation):
    return member(organisation, EDITOR, first_name="Ed", email="editor@example.com")


@pytest.fixture
def question(sample_version):
    return Question.objects.filter(section__version=sample_version).first()


def action(organisation, question, *, due, owner=None, title="", **fields) -> Action:
    number = Action.objects.count() + 1
    return Action.objects.create(
        organisation=organisation,
        question=question,
        question_code=f"q{number}",
        title=title or f"Action {number}",
        owner=owner,
        due_date=due,
        **fields,
    )


def sent(kind) -> dict[str, OutgoingMail]:
    """The e-mails of ``kind`` sent, by recipient (each recipient at most once)."""
    rows = OutgoingMail.objects.filter(kind=kind, sent_at__isnull=False)
    found = {row.recipient: row for row in rows}
    assert len(found) == len(rows), "a recipient got two e-mails of one kind"
    return found


# Actions due.


def test_an_owner_hears_of_their_actions_due_soon_and_overdue_in_one_email(
    run, organisation, owner, editor_user, question, today
):
    action(organisation, question, owner=editor_user, due=today + timedelta(days=3), title="Soon")
    action(organisation, question, owner=editor_user, due=today - timedelta(days=2), title="Late")
    action(organisation, question, owner=editor_user, due=today + timedelta(days=20), title="Far")
    action(
        organisation,
        question,
        owner=editor_user,
        due=today - timedelta(days=2),
        title="Finished",
        status=ActionStatus.DONE,
    )
    run()
    due = sent(MailKind.ACTION_DUE)
    assert list(due) == ["editor@example.com"]
    body = due["editor@example.com"].body
    assert due["editor@example.com"].subject == "2 actions due soon or overdue"
    assert body.startswith("Hello Ed,")
    assert "- Late (Exporter Ltd., Medium)" in body
    assert "Overdue: it was due on" in body
    assert "- Soon (Exporter Ltd., Medium)" in body
    assert body.index("- Late") < body.index("- Soon")  # the overdue first
    assert "Far" not in body and "Finished" not in body
    late = Action.objects.get(title="Late")
    assert f"{SITE}/organisations/{organisation.uuid}/actions/{late.uuid}/" in body
    assert f"{SITE}/accounts/reminders/" in body


def test_an_action_without_owner_goes_to_the_organisations_owners(
    run, organisation, owner, editor_user, question, today
):
    second = member(organisation, OWNER, email="second@example.com")
    action(organisation, question, due=today + timedelta(days=1), title="Nobody's")
    run()
    due = sent(MailKind.ACTION_DUE)
    assert sorted(due) == sorted([owner.email, second.email])
    assert "the organisation's owners answer for it" in due[owner.email].body


def test_an_action_due_soon_is_reminded_again_once_it_is_overdue(
    run, organisation, owner, question, today
):
    action(organisation, question, owner=owner, due=today + timedelta(days=3))
    run("--today", today.isoformat())
    run("--today", (today + timedelta(days=1)).isoformat())
    assert OutgoingMail.objects.filter(kind=MailKind.ACTION_DUE).count() == 1

    run("--today", (today + timedelta(days=4)).isoformat())
    run("--today", (today + timedelta(days=5)).isoformat())
    rows = OutgoingMail.objects.filter(kind=MailKind.ACTION_DUE).order_by("pk")
    assert [("Overdue" in row.body) for row in rows] == [False, True]


def test_a_changed_due_date_is_reminded_again(run, organisation, owner, question, today):
    moved = action(organisation, question, owner=owner, due=today + timedelta(days=2))
    run()
    moved.due_date = today + timedelta(days=6)
    moved.save()
    run()
    run()
    assert OutgoingMail.objects.filter(kind=MailKind.ACTION_DUE).count() == 2


# The weekly digest.


def test_the_owners_get_a_weekly_digest_of_the_open_actions(
    run, organisation, owner, editor_user, question, today
):
    action(
        organisation,
        question,
        owner=editor_user,
        due=today - timedelta(days=1),
        title="Late",
        priority=ActionPriority.CRITICAL,
    )
    action(organisation, question, due=today + timedelta(days=40), title="Later")
    action(organisation, question, due=None, title="Some day", status=ActionStatus.IN_PROGRESS)
    action(organisation, question, due=None, title="Done", status=ActionStatus.DONE)
    run()
    digest = sent(MailKind.ACTION_DIGEST)
    assert list(digest) == [owner.email]  # not the editor
    body = digest[owner.email].body
    assert digest[owner.email].subject == "Weekly summary of the open actions"
    assert "Open: 3; overdue: 1; open and critical: 1." in body
    assert "- Late\n  Overdue: it was due on" in body
    assert "Owner: Ed." in body
    assert "Later" not in body  # counted, not listed
    assert f"{SITE}/organisations/{organisation.uuid}/actions/" in body


def test_the_digest_goes_once_a_week(run, organisation, owner, question, today):
    action(organisation, question, owner=owner, due=today + timedelta(days=60))
    monday = today - timedelta(days=today.weekday())
    for offset in range(7):
        run("--today", (monday + timedelta(days=offset)).isoformat())
    assert OutgoingMail.objects.filter(kind=MailKind.ACTION_DIGEST).count() == 1
    run("--today", (monday + timedelta(days=7)).isoformat())
    assert OutgoingMail.objects.filter(kind=MailKind.ACTION_DIGEST).count() == 2


# The next assessment.


def submitted(organisation, on: date, status=Assessment.Status.APPROVED) -> Assessment:
    """An assessment of ``organisation`` submitted at noon on ``on``."""
    return AssessmentFactory(
        organisation=organisation,
        status=status,
        submitted_at=timezone.make_aware(datetime.combine(on, time(12))),
    )


def test_the_owners_hear_of_the_next_assessment_from_30_days_before_it_is_due(
    run, organisation, owner, editor_user, sample_version, today
):
    organisation.reassessment_months = 12
    organisation.save()
    last = cycle.add_months(today, -12) + timedelta(days=20)  # due in 20 days
    submitted(organisation, last)
    submitted(organisation, last - timedelta(days=400))
    not_yet = OrganisationFactory()  # due in 40 days
    member(not_yet, OWNER, email="not-yet@example.com")
    submitted(not_yet, cycle.add_months(today, -12) + timedelta(days=40))
    never = OrganisationFactory()  # never submitted one: nothing is due
    member(never, OWNER, email="never@example.com")
    AssessmentFactory(organisation=never)
    run()
    due = sent(MailKind.REASSESSMENT_DUE)
    assert list(due) == [owner.email]
    assert "The next self-assessment of Exporter Ltd. is due on" in due[owner.email].body
    assert "(12 months after the last submitted one)" in due[owner.email].body
    assert f"{SITE}/assessments/" in due[owner.email].body
    run("--today", (today + timedelta(days=21)).isoformat())  # overdue now: the same due date
    assert OutgoingMail.objects.filter(kind=MailKind.REASSESSMENT_DUE, user=owner).count() == 1


def test_an_overdue_assessment_is_reminded_and_a_returned_one_does_not_count(
    run, organisation, owner, sample_version, today
):
    submitted(organisation, cycle.add_months(today, -13))
    submitted(organisation, today - timedelta(days=5), status=Assessment.Status.RETURNED)
    run()
    assert "it is overdue" in sent(MailKind.REASSESSMENT_DUE)[owner.email].body


@pytest.mark.parametrize(
    ("day", "months", "due"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
        (date(2026, 5, 10), 60, date(2031, 5, 10)),
    ],
)
def test_the_next_assessment_is_due_calendar_months_later(day, months, due):
    assert cycle.add_months(day, months) == due
    assert reminders.next_assessment_due(day, months) == due


def test_next_due_counts_from_the_last_submitted_assessment(organisation, sample_version):
    assert cycle.next_due(organisation) is None
    organisation.reassessment_months = 6
    organisation.save()
    submitted(organisation, date(2026, 8, 31), status=Assessment.Status.SUBMITTED)
    submitted(organisation, date(2026, 2, 1))
    AssessmentFactory(organisation=organisation)  # a draft counts for nothing
    assert cycle.next_due(organisation) == date(2027, 2, 28)


# Evidence expiring.


def evidence(organisation, valid_until, *, created_by=None, **fields) -> EvidenceItem:
    return EvidenceItem.objects.create(
        organisation=organisation,
        title=fields.pop("title", f"Document until {valid_until}"),
        valid_until=valid_until,
        created_by=created_by,
        **fields,
    )


def test_evidence_expiring_goes_to_the_owners_and_its_uploader(
    run, organisation, owner, editor_user, today
):
    evidence(organisation, today + timedelta(days=10), created_by=editor_user, title="Licence")
    evidence(organisation, today - timedelta(days=10), title="Audit")
    evidence(organisation, today - timedelta(days=40), title="Long gone")
    evidence(organisation, today + timedelta(days=45), title="Still good")
    evidence(
        organisation,
        today + timedelta(days=5),
        title="Removed",
        removed_at=timezone.now(),
    )
    run()
    expiring = sent(MailKind.EVIDENCE_EXPIRING)
    assert sorted(expiring) == [editor_user.email, owner.email]
    body = expiring[owner.email].body
    assert expiring[owner.email].subject == "2 evidence items expiring or expired"
    assert "- Audit (Exporter Ltd.): expired on" in body
    assert "- Licence (Exporter Ltd.): valid until" in body
    assert "Removed" not in body and "Still good" not in body and "Long gone" not in body
    assert "Audit" not in expiring[editor_user.email].body  # not theirs
    assert f"{SITE}/evidence/" in body


def test_a_new_valid_until_is_reminded_again(run, organisation, owner, today):
    item = evidence(organisation, today + timedelta(days=3))
    run()
    item.valid_until = today + timedelta(days=20)
    item.save()
    run()
    assert OutgoingMail.objects.filter(kind=MailKind.EVIDENCE_EXPIRING).count() == 2


# Reviews waiting.


def test_an_assessment_waiting_more_than_two_days_goes_to_those_who_may_review(
    run, organisation, owner, editor_user, sample_version, today
):
    reviewer = member(organisation, REVIEWER, email="reviewer@example.com")
    member(organisation, VIEWER, email="viewer@example.com")
    now = timezone.now()
    waiting = AssessmentFactory(
        organisation=organisation,
        title="ICP 2026",
        status=Assessment.Status.IN_REVIEW,
        submitted_at=now - timedelta(days=3),
    )
    AssessmentFactory(
        organisation=organisation,
        title="Just in",
        status=Assessment.Status.SUBMITTED,
        submitted_at=now - timedelta(days=1),
    )
    AssessmentFactory(
        organisation=organisation,
        title="Needs no review",
        status=Assessment.Status.SUBMITTED,
        review_required=False,
        submitted_at=now - timedelta(days=5),
    )
    run()
    waiting_mails = sent(MailKind.REVIEW_WAITING)
    assert sorted(waiting_mails) == [owner.email, reviewer.email]
    body = waiting_mails[reviewer.email].body
    assert "- ICP 2026 (Exporter Ltd.): submitted on" in body
    assert "Just in" not in body and "Needs no review" not in body
    assert f"{SITE}/assessments/{waiting.uuid}/review/" in body
    assert waiting_mails[reviewer.email].subject == "1 assessment waiting for review"


# Sections assigned.


def test_an_assignee_hears_of_a_section_assigned_once(run, assessment, editor, sample_version):
    section = Section.objects.filter(version=sample_version).order_by("order", "pk")[1]
    assigner = MembershipFactory(organisation=editor.organisation, role=OWNER).user
    SectionAssignment.objects.create(
        assessment=assessment, section=section, assignee=editor.user, assigned_by=assigner
    )
    run()
    run()
    assigned = sent(MailKind.SECTION_ASSIGNED)
    assert list(assigned) == [editor.user.email]
    body = assigned[editor.user.email].body
    assert f"- {section.title_en}: 2026 ({editor.organisation.name}), assigned by" in body
    assert f"{SITE}/assessments/{assessment.uuid}/sections/2/" in body
    assert OutgoingMail.objects.filter(kind=MailKind.SECTION_ASSIGNED).count() == 1


def test_no_section_reminder_once_the_assessment_is_submitted(
    run, assessment, editor, sample_version
):
    section = Section.objects.filter(version=sample_version).first()
    SectionAssignment.objects.create(assessment=assessment, section=section, assignee=editor.user)
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    run()
    assert sent(MailKind.SECTION_ASSIGNED) == {}


# Across the kinds.


@pytest.fixture
def everything(organisation, owner, editor_user, question, sample_version, today):
    """One event of each kind for the owner."""
    action(organisation, question, owner=owner, due=today + timedelta(days=1))
    submitted(organisation, cycle.add_months(today, -12) + timedelta(days=3))
    evidence(organisation, today + timedelta(days=3))
    draft = AssessmentFactory(organisation=organisation)
    # In another organisation: a submission waiting would be the last submitted one.
    reviewed = OrganisationFactory()
    MembershipFactory(organisation=reviewed, user=owner, role=REVIEWER)
    AssessmentFactory(
        organisation=reviewed,
        status=Assessment.Status.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=3),
    )
    SectionAssignment.objects.create(
        assessment=draft,
        section=Section.objects.filter(version=sample_version).first(),
        assignee=owner,
    )


def test_running_twice_reminds_each_event_once(run, everything, owner):
    run()
    assert set(OutgoingMail.objects.values_list("kind", flat=True)) == set(reminders.REMINDER_KINDS)
    first = len(mail.outbox)
    assert first == 6
    assert all(message.to == [owner.email] for message in mail.outbox)
    run()
    assert len(mail.outbox) == first
    assert SentReminder.objects.filter(user=owner).count() == 6


def test_each_reminder_is_written_in_its_recipients_language(
    run, organisation, owner, question, today
):
    chinese = member(organisation, EDITOR, email="zh@example.com", preferred_language="zh-hans")
    action(organisation, question, owner=chinese, due=today + timedelta(days=2))
    action(organisation, question, owner=owner, due=today + timedelta(days=2))
    run()
    due = sent(MailKind.ACTION_DUE)
    assert due[owner.email].subject == "1 action due soon or overdue"
    assert due["zh@example.com"].subject == "1 项整改措施即将到期或已逾期"
    assert "1 项未完成的整改措施即将到期或已逾期：" in due["zh@example.com"].body
    (message,) = [m for m in mail.outbox if m.subject == due["zh@example.com"].subject]
    assert message.extra_headers["Content-Language"] == "zh-hans"


def test_a_kind_turned_off_is_not_sent(run, everything, owner):
    MutedReminder.objects.create(user=owner, kind=MailKind.ACTION_DUE)
    MutedReminder.objects.create(user=owner, kind=MailKind.EVIDENCE_EXPIRING)
    run()
    kinds = set(OutgoingMail.objects.values_list("kind", flat=True))
    assert MailKind.ACTION_DUE not in kinds and MailKind.EVIDENCE_EXPIRING not in kinds
    assert MailKind.ACTION_DIGEST in kinds
    assert not SentReminder.objects.filter(kind=MailKind.ACTION_DUE).exists()


def test_an_inactive_user_or_one_who_left_gets_nothing(run, organisation, question, today):
    stays = member(organisation, OWNER, email="stays@example.com")
    inactive = member(organisation, OWNER, email="inactive@example.com", is_active=False)
    left = member(organisation, EDITOR, email="left@example.com")
    action(organisation, question, owner=inactive, due=today + timedelta(days=1))
    action(organisation, question, owner=left, due=today + timedelta(days=1))
    evidence(organisation, today + timedelta(days=1), created_by=left)
    Membership.objects.filter(user=left).delete()
    run()
    recipients = {message.to[0] for message in mail.outbox}
    assert recipients == {stays.email}  # the actions of those gone go to the owners
    assert len(sent(MailKind.ACTION_DUE)[stays.email].body.split("\n- ")) == 3


def test_a_failed_send_is_tried_again_next_run_and_sent_once(
    run, settings, organisation, owner, question, today
):
    action(organisation, question, owner=owner, due=today + timedelta(days=1))
    settings.EMAIL_BACKEND = FAILING
    run()
    assert mail.outbox == []
    assert OutgoingMail.objects.filter(attempts=1, sent_at__isnull=True).count() == 2

    settings.EMAIL_BACKEND = LOCMEM
    # The next day: the next attempts are due.
    OutgoingMail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    output = run()
    assert len(mail.outbox) == 2  # the due reminder and the digest, once each
    assert "E-mails due (retried or left behind) sent: 2." in output
    run()
    assert len(mail.outbox) == 2
    assert OutgoingMail.objects.count() == 2


def test_a_run_racing_another_reminds_nobody_twice(
    run, monkeypatch, organisation, owner, question, today
):
    action(organisation, question, owner=owner, due=today + timedelta(days=1))
    remind = reminders._remind

    def another_run_first(kind, user, events, site):
        # Another run records the same event between this run's reading and its writing.
        if kind == MailKind.ACTION_DUE:
            SentReminder.objects.create(user=user, kind=kind, key=events[0].key)
        return remind(kind, user, events, site)

    monkeypatch.setattr(reminders, "_remind", another_run_first)
    output = run("-v", "1")
    assert "action_due: sent 0 e-mail(s)" in output
    assert not OutgoingMail.objects.filter(kind=MailKind.ACTION_DUE).exists()
    assert sent(MailKind.ACTION_DIGEST).keys() == {owner.email}
    assert SentReminder.objects.filter(kind=MailKind.ACTION_DUE).count() == 1


def test_a_dry_run_lists_what_it_would_send_and_writes_nothing(run, everything, owner):
    output = run("--dry-run")
    assert "action_due: would send 1 e-mail(s) about 1 event(s)." in output
    assert f"  to {owner.email}: action:" in output
    assert not OutgoingMail.objects.exists()
    assert not SentReminder.objects.exists()
    assert mail.outbox == []


def test_verbosity_0_prints_nothing_and_1_a_line_per_kind(run, everything):
    assert run("-v", "0") == ""
    lines = run("-v", "1").splitlines()
    assert [line.split(":")[0] for line in lines[:6]] == [
        kind.value for kind in reminders.REMINDER_KINDS
    ]
    assert "sent 0 e-mail(s)" in lines[0]  # reminded already


def test_a_date_that_is_no_date_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a date"):
        call_command("send_reminders", "--today", "tomorrow")


def test_the_queries_of_a_run_do_not_grow_with_the_actions(
    run, organisation, owner, question, today
):
    def run_counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            run()
        return len(queries)

    for _ in range(5):
        action(organisation, question, owner=owner, due=today + timedelta(days=2))
    for _ in range(5):
        evidence(organisation, today + timedelta(days=2))
    few = run_counted()

    other = OrganisationFactory()
    other_owner = member(other, OWNER)
    for _ in range(30):
        action(other, question, owner=other_owner, due=today - timedelta(days=2))
    for _ in range(30):
        evidence(other, today + timedelta(days=2))
    assert run_counted() <= few
    assert len(sent(MailKind.ACTION_DUE)[other_owner.email].body.split("\n- ")) == 31


def test_the_links_begin_with_the_site_url_setting(
    settings, django_capture_on_commit_callbacks, organisation, owner, question, today
):
    settings.SITE_URL = "https://from-settings.example/"
    action(organisation, question, owner=owner, due=today)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=StringIO())
    body = sent(MailKind.ACTION_DUE)[owner.email].body
    assert f"https://from-settings.example/organisations/{organisation.uuid}/actions/" in body
    assert "https://from-settings.example/accounts/reminders/" in body


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_remind_each_event_once(monkeypatch, sample_version, today):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time: two runs cannot interleave there.")
    organisation = OrganisationFactory()
    owner = member(organisation, OWNER)
    question = Question.objects.filter(section__version=sample_version).first()
    action(organisation, question, owner=owner, due=today + timedelta(days=1))
    # Both runs read what was reminded before either writes: the database decides.
    both_read = threading.Barrier(2, timeout=30)
    remind = reminders._remind

    def in_step(*args):
        both_read.wait()
        return remind(*args)

    monkeypatch.setattr(reminders, "_remind", in_step)
    summaries = []

    def one_run():
        try:
            summaries.append(reminders.send(today, site=SITE))
        finally:
            connection.close()

    runs = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(60)
    assert len(summaries) == 2
    assert sum(summary[MailKind.ACTION_DUE].mails for summary in summaries) == 1
    assert sum(summary[MailKind.ACTION_DIGEST].mails for summary in summaries) == 1
    assert len(mail.outbox) == 2
    assert OutgoingMail.objects.count() == 2
    assert SentReminder.objects.count() == 2
