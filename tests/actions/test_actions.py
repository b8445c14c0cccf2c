"""Remediation actions: made from results, changed with every change recorded, listed,
filtered, exported, shown on the next assessment and in the report."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from compliance.actions import services
from compliance.actions.models import Action, ActionChange, ActionPriority, ActionStatus
from compliance.assessments.services import create_assessment, submit
from compliance.organisations.models import Membership
from compliance.questionnaires.models import Question
from tests.factories import MembershipFactory, UserFactory, give


@pytest.fixture
def answered(assessment, editor):
    """policy-signed (critical) answered "no": a critical finding; the others gaps."""
    give(assessment, editor.user, "policy-signed", "no")
    give(assessment, editor.user, "policy-maturity", "l1")
    give(assessment, editor.user, "lists", "controlled")
    give(assessment, editor.user, "watch-process", "partial")
    return assessment


def create_url(assessment):
    return reverse("assessment_actions_create", args=[assessment.uuid])


def list_url(organisation, **query):
    url = reverse("organisation_actions", args=[organisation.uuid])
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def make(assessment, user, code, **fields):
    question = Question.objects.get(version=assessment.version, code=code)
    return services.create_action(
        organisation=assessment.organisation,
        question=question,
        version=assessment.version,
        user=user,
        **fields,
    ).action


def test_one_click_per_gap_makes_one_action_and_a_second_click_none(
    editor_client, answered, editor
):
    response = editor_client.post(create_url(answered), {"question": "policy-maturity"})
    assert response.status_code == 302 and response.url.endswith("#follow-up")
    action = Action.objects.get()
    question = Question.objects.get(version=answered.version, code="policy-maturity")
    assert action.organisation == editor.organisation and action.question == question
    assert action.title == " ".join((question.recommendation or question.text).split())
    assert action.status == ActionStatus.OPEN and action.owner is None
    assert action.due_date == timezone.localdate() + timedelta(days=90)
    (created,) = action.changes.all()
    assert created.field == "created" and created.user == editor.user
    assert answered.title in created.note
    editor_client.post(create_url(answered), {"question": "policy-maturity"})
    assert Action.objects.count() == 1
    page = editor_client.get(reverse("assessment_results", args=[answered.uuid])).content.decode()
    follow_up = page[page.index('id="follow-up"') :]
    assert reverse("action_detail", args=[editor.organisation.uuid, action.uuid]) in follow_up


def test_all_critical_findings_at_once_critical_first(editor_client, answered, editor):
    page = editor_client.get(reverse("assessment_results", args=[answered.uuid])).content.decode()
    assert 'id="create-finding-actions"' in page
    editor_client.post(create_url(answered), {"findings": "1"})
    (action,) = Action.objects.all()
    assert action.question_code == "policy-signed"
    assert action.priority == ActionPriority.CRITICAL
    assert action.due_date == timezone.localdate() + timedelta(days=30)
    page = editor_client.get(reverse("assessment_results", args=[answered.uuid])).content.decode()
    assert 'id="create-finding-actions"' not in page  # every finding has its action


def test_refusals_when_creating_actions(client, editor_client, answered, editor, default_v2):
    # A question of another version (the default questionnaire's), or without a gap.
    response = editor_client.post(create_url(answered), {"question": "man-topics"})
    assert response.status_code == 400
    assert "not in the questionnaire version" in response.content.decode()
    give(answered, editor.user, "policy-maturity", "l2")
    response = editor_client.post(create_url(answered), {"question": "policy-maturity"})
    assert response.status_code == 400 and "no gap" in response.content.decode()
    other = Question.objects.filter(version=default_v2).first()
    with pytest.raises(ValidationError, match="not in the questionnaire version"):
        services.create_action(
            organisation=editor.organisation,
            question=other,
            version=answered.version,
            user=editor.user,
        )
    # A viewer may not; an outsider does not find the assessment.
    viewer = MembershipFactory(organisation=editor.organisation, role=Membership.Role.VIEWER)
    client.force_login(viewer.user)
    assert client.post(create_url(answered), {"question": "lists"}).status_code == 403
    client.force_login(MembershipFactory().user)
    assert client.post(create_url(answered), {"question": "lists"}).status_code == 404
    assert not Action.objects.exists()


def test_every_change_is_recorded_old_to_new(answered, editor):
    colleague = MembershipFactory(organisation=editor.organisation, role=Membership.Role.EDITOR)
    action = make(answered, editor.user, "lists")
    due = timezone.localdate() + timedelta(days=10)
    services.update_action(
        action,
        editor.user,
        owner=colleague.user,
        due_date=due,
        priority=ActionPriority.HIGH,
        status=ActionStatus.IN_PROGRESS,
        notes="Supplier list ordered.",
    )
    changes = {c.field: (c.old, c.new) for c in action.changes.exclude(field="created")}
    assert changes == {
        "owner": ("", str(colleague.user)),
        "due_date": ((timezone.localdate() + timedelta(days=90)).isoformat(), due.isoformat()),
        "priority": ("3", "2"),
        "status": ("open", "in_progress"),
        "notes": ("", "Supplier list ordered."),
    }
    # The same values again change nothing and record nothing.
    before = ActionChange.objects.count()
    services.update_action(action, editor.user, owner=colleague.user, due_date=due)
    assert ActionChange.objects.count() == before


def test_bad_changes_are_refused_and_change_nothing(answered, editor):
    action = make(answered, editor.user, "lists")
    before = Action.objects.values().get(pk=action.pk)
    changes = ActionChange.objects.count()
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError, match="in the past"):
        services.update_action(action, editor.user, due_date=yesterday, notes="x")
    with pytest.raises(ValidationError, match="needs a justification"):
        services.update_action(action, editor.user, status=ActionStatus.RISK_ACCEPTED)
    with pytest.raises(ValidationError, match="not a member"):
        services.update_action(action, editor.user, owner=UserFactory())
    from compliance.evidence.services import add_item
    from tests.evidence.files import ALLOWED, upload

    elsewhere = MembershipFactory()
    foreign = add_item(
        elsewhere.organisation,
        elsewhere.user,
        title="Theirs",
        files=[upload("a.pdf", ALLOWED["policy.pdf"])],
    )
    with pytest.raises(ValidationError, match="this organisation's library"):
        services.update_action(action, editor.user, evidence=[foreign])
    assert Action.objects.values().get(pk=action.pk) == before
    assert ActionChange.objects.count() == changes and not action.evidence.exists()


def test_risk_accepted_with_a_justification_records_who_accepted(answered, editor):
    action = make(answered, editor.user, "lists")
    services.update_action(
        action,
        editor.user,
        justification="Only one supplier, audited yearly.",
        status=ActionStatus.RISK_ACCEPTED,
    )
    action.refresh_from_db()
    assert action.accepted_by == editor.user and action.accepted_at and action.closed_at
    # Closed: a new action can be made for the question; reopening the old one then fails.
    again = make(answered, editor.user, "lists")
    assert again.pk != action.pk
    with pytest.raises(ValidationError, match="already has an open action"):
        services.update_action(action, editor.user, status=ActionStatus.OPEN)


def test_the_action_page_saves_with_the_form_and_refuses_a_viewer(client, answered, editor):
    action = make(answered, editor.user, "lists")
    url = reverse("action_detail", args=[editor.organisation.uuid, action.uuid])
    client.force_login(editor.user)
    data = {
        "title": "Check the lists <weekly>",
        "owner": "",
        "due_date": "",
        "priority": "2",
        "status": "risk_accepted",
        "justification": "",
        "notes": "",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "needs a justification" in response.content.decode()
    assert Action.objects.get(pk=action.pk).title != data["title"]  # nothing saved
    data["justification"] = "Accepted by the board."
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.RISK_ACCEPTED and action.title == data["title"]
    page = client.get(url).content.decode()
    assert "Check the lists &lt;weekly&gt;" in page and "<weekly>" not in page
    history = page[page.index('id="action-history"') :]
    assert "Risk accepted" in history and "Open" in history
    viewer = MembershipFactory(organisation=editor.organisation, role=Membership.Role.VIEWER)
    client.force_login(viewer.user)
    assert client.get(url).status_code == 200
    assert client.post(url, data | {"title": "Taken over"}).status_code == 403
    client.force_login(MembershipFactory().user)
    assert client.get(url).status_code == 404
    other_url = reverse("action_detail", args=[MembershipFactory().organisation.uuid, action.uuid])
    client.force_login(editor.user)
    assert client.get(other_url).status_code == 404


def test_a_removed_member_leaves_their_actions_to_the_owners(client, answered, editor):
    from compliance.assessments.assignment import assign
    from compliance.assessments.models import SectionAssignment

    owner = MembershipFactory(organisation=editor.organisation, role=Membership.Role.OWNER)
    action = make(answered, owner.user, "lists", owner=editor.user)
    section = answered.version.sections.order_by("order").first()
    assign(answered, section, editor.user, owner.user)
    client.force_login(owner.user)
    response = client.post(
        reverse("organisation_member_remove", args=[editor.organisation.uuid, editor.pk])
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.owner is None
    change = action.changes.get(field="owner")
    assert change.old == str(editor.user) and change.new == "" and change.user == owner.user
    url = reverse("action_detail", args=[editor.organisation.uuid, action.uuid])
    history = client.get(url).content.decode()
    assert f"{editor.user} left the organisation: back to its owners." in history
    client.cookies["django_language"] = "zh-hans"
    history = client.get(url).content.decode()
    assert "left the organisation" not in history  # the note is worded as it is read
    assert not SectionAssignment.objects.exists()
    event = answered.events.filter(kind="assigned").order_by("at", "pk").last()
    assert event.note == f"1. {editor.user} → —" and event.user == owner.user


def _filter_codes(client, organisation, **query):
    page = client.get(list_url(organisation, **query)).content.decode()
    return {a.question_code for a in Action.objects.all() if f'id="action-{a.uuid}"' in page}


def test_the_actions_page_filters_sorts_and_changes_in_bulk(editor_client, answered, editor):
    organisation = editor.organisation
    colleague = MembershipFactory(organisation=organisation, role=Membership.Role.EDITOR)
    mine = make(answered, editor.user, "lists", owner=editor.user)
    theirs = make(answered, editor.user, "policy-maturity", owner=colleague.user)
    done = make(answered, editor.user, "watch-process")
    services.update_action(done, editor.user, status=ActionStatus.DONE)
    Action.objects.filter(pk=theirs.pk).update(due_date=timezone.localdate() - timedelta(days=3))

    assert _filter_codes(editor_client, organisation) == {"lists", "policy-maturity"}
    assert _filter_codes(editor_client, organisation, status="all") == {
        "lists",
        "policy-maturity",
        "watch-process",
    }
    assert _filter_codes(editor_client, organisation, owner=editor.user.pk) == {"lists"}
    assert _filter_codes(editor_client, organisation, owner="none", status="all") == {
        "watch-process"
    }
    assert _filter_codes(editor_client, organisation, overdue="1") == {"policy-maturity"}
    section = mine.question.section.code
    expected = {a.question_code for a in Action.objects.filter(question__section__code=section)}
    assert _filter_codes(editor_client, organisation, section=section, status="all") == expected
    page = editor_client.get(list_url(organisation, sort="due")).content.decode()
    assert page.index(f"action-{theirs.uuid}") < page.index(f"action-{mine.uuid}")
    # Nonsense in the query string is no filter, not an error.
    assert editor_client.get(list_url(organisation, sort="x", owner="y")).status_code == 200

    due = timezone.localdate() + timedelta(days=20)
    bulk = reverse("organisation_actions_bulk", args=[organisation.uuid])
    response = editor_client.post(
        bulk, {"actions": [str(mine.uuid), str(theirs.uuid)], "due_date": due.isoformat()}
    )
    assert response.status_code == 302
    assert set(Action.objects.filter(due_date=due).values_list("pk", flat=True)) == {
        mine.pk,
        theirs.pk,
    }
    # A date in the past changes none of them.
    past = timezone.localdate() - timedelta(days=1)
    editor_client.post(bulk, {"actions": [str(mine.uuid)], "due_date": past.isoformat()})
    assert Action.objects.get(pk=mine.pk).due_date == due
    # Another organisation's action in the list: not a choice; nothing changes.
    foreign = MembershipFactory()
    editor_client.post(
        bulk, {"actions": [str(mine.uuid)], "owner": str(foreign.user.pk), "due_date": ""}
    )
    assert Action.objects.get(pk=mine.pk).owner == editor.user


def test_a_viewer_reads_the_actions_page_but_changes_nothing(client, answered, editor):
    action = make(answered, editor.user, "lists")
    viewer = MembershipFactory(organisation=editor.organisation, role=Membership.Role.VIEWER)
    client.force_login(viewer.user)
    page = client.get(list_url(editor.organisation)).content.decode()
    assert f'id="action-{action.uuid}"' in page and 'id="bulk-change"' not in page
    bulk = reverse("organisation_actions_bulk", args=[editor.organisation.uuid])
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    assert client.post(bulk, {"actions": [str(action.uuid)], "due_date": due}).status_code == 403
    status = reverse("action_status", args=[editor.organisation.uuid, action.uuid])
    assert client.post(status, {"status": "done"}).status_code == 403
    assert Action.objects.get(pk=action.pk).status == ActionStatus.OPEN
    client.force_login(MembershipFactory().user)
    assert client.get(list_url(editor.organisation)).status_code == 404


@pytest.mark.parametrize("count", [5, 40])
def test_the_actions_page_costs_the_same_for_5_or_40_actions(
    count, editor_client, editor, sample_version, django_assert_num_queries
):
    question = Question.objects.filter(version=sample_version).first()
    Action.objects.bulk_create(
        Action(
            organisation=editor.organisation,
            question=question,
            question_code=f"code-{n}",
            title=f"Action {n}",
            owner=editor.user if n % 2 else None,
            status=ActionStatus.DONE if n % 3 == 0 else ActionStatus.OPEN,
            due_date=timezone.localdate() + timedelta(days=n),
        )
        for n in range(count)
    )
    url = list_url(editor.organisation, status="all")
    editor_client.get(url)
    # Session, user, membership, the page's actions and their count, the figures, the
    # members (for the filter, and for the bulk change's choice), the sections, the
    # header's memberships.
    with django_assert_num_queries(10):
        assert editor_client.get(url).status_code == 200


def test_exports_read_back_with_formulas_neutralised(editor_client, answered, editor):
    action = make(answered, editor.user, "lists", title='=HYPERLINK("http://x")')
    csv_url = reverse("organisation_actions_export_csv", args=[editor.organisation.uuid])
    content = editor_client.get(csv_url).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][0] == "Title" and len(rows) == 2
    assert rows[1][0] == "'" + action.title and rows[1][1] == "lists"
    from openpyxl import load_workbook

    xlsx_url = reverse("organisation_actions_export_xlsx", args=[editor.organisation.uuid])
    sheet = load_workbook(io.BytesIO(editor_client.get(xlsx_url).content)).active
    assert sheet["A2"].value == "'" + action.title and sheet["B2"].value == "lists"


def test_the_next_assessment_shows_the_open_action_and_offers_it_done(
    editor_client, answered, editor
):
    action = make(answered, editor.user, "policy-signed", owner=editor.user)
    give(answered, editor.user, "policy-signed", "yes")
    submit(answered, editor.user)
    following = create_assessment(
        organisation=editor.organisation,
        version=answered.version,
        title="Next year",
        user=editor.user,
    )
    number = next(
        n
        for n, s in enumerate(answered.version.sections.order_by("order"), start=1)
        if s.questions.filter(code="policy-signed").exists()
    )
    url = reverse("assessment_section", args=[following.uuid, number])
    page = editor_client.get(url).content.decode()
    card = page[page.index('id="action-policy-signed"') :]
    assert action.title in card[:2000] and "action-offer-done" not in card[:2000]
    give(following, editor.user, "policy-signed", "yes")
    page = editor_client.get(url).content.decode()
    card = page[page.index('id="action-policy-signed"') :][:2000]
    assert "action-offer-done" in card and "?offer=done" in card
    results = editor_client.get(reverse("assessment_results", args=[following.uuid]))
    offered = results.content.decode()
    assert 'id="offered-done"' in offered
    done = reverse("action_status", args=[editor.organisation.uuid, action.uuid])
    editor_client.post(done, {"status": "done", "next": "https://evil.example/"})
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.closed_at is not None


def test_the_report_lists_open_and_closed_actions_and_the_board_counts_them(
    editor_client, answered, editor
):
    from tests.reports.test_pdf import read, text_of
    from tests.reports.test_report_kinds import pdf_of

    make(answered, editor.user, "policy-signed", priority=ActionPriority.CRITICAL)
    overdue = make(answered, editor.user, "lists", title="Screen the <lists>")
    Action.objects.filter(pk=overdue.pk).update(due_date=timezone.localdate() - timedelta(days=2))
    closed = make(answered, editor.user, "watch-process", title="Watch it")
    services.update_action(
        closed, editor.user, justification="Low volume.", status=ActionStatus.RISK_ACCEPTED
    )
    submitted = submit(answered, editor.user)
    board = text_of(read(pdf_of(editor_client, submitted, variant="board")))
    assert "Open critical actions" in board and "Overdue actions" in board
    full = text_of(read(pdf_of(editor_client, submitted)))
    section = full[full.rindex("Remediation actions") :]
    assert "2 open actions" in section and "1 closed action" in section
    assert "Screen the <lists>" in section and "Overdue" in section
    assert "Risk accepted by" in section and "Low volume." in section


def test_a_long_recommendation_makes_a_short_title_and_keeps_the_whole_in_the_notes():
    first = "Add the watch list to the screening tool."
    long = first + " " + "Screen every open order against it now. " * 12
    title, notes = services.default_title(long)
    assert title == first and notes == " ".join(long.split())
    one_sentence = "word " * 100
    title, notes = services.default_title(one_sentence)
    assert len(title) <= services.TITLE_LENGTH and title.endswith("…")
    assert notes == one_sentence.strip()
    assert services.default_title("Have it signed.") == ("Have it signed.", "")
    chinese = "将观察名单加入筛查工具。" + "立即对每一张未完成订单进行筛查，" * 30
    title, notes = services.default_title(chinese)
    assert title == "将观察名单加入筛查工具。" and notes == chinese
