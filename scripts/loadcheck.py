"""The load test's checks (see loadtest.py): every change the server acknowledged against
the history table and the answers in the database."""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from loadusers import REPLACED, SimulatedUser, Write

# Checks ---------------------------------------------------------------------------------------


@dataclass
class Record:
    """One row of the history table."""

    order: int
    choice_codes: list
    comment: str
    revision: int
    user: int | None


@dataclass
class Findings:
    acknowledged: list[Write] = field(default_factory=list)
    lost: dict[str, str] = field(default_factory=dict)  # comment: why
    problems: Counter = field(default_factory=Counter)  # broken guarantees other than loss
    info: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def problem(self, name: str, example: str) -> None:
        self.problems[name] += 1
        if len(self.examples) < 12:
            self.examples.append(f"{name}: {example}")

    def lose(self, write: Write, why: str) -> None:
        if write.comment not in self.lost:
            self.lost[write.comment] = why
            if len(self.examples) < 12:
                self.examples.append(f"lost ({why}): {write.assessment} {write.code} {write}")


def check(users: list[SimulatedUser]) -> Findings:
    from compliance.assessments.models import Answer, Assessment

    found = Findings()
    writes = [write for user in users for post in user.posts for write in post.writes]
    found.acknowledged = [write for write in writes if write.acked is not None]
    by_comment = {write.comment: write for write in writes}

    uuids = {user.assessment for user in users}
    assessments = dict(Assessment.objects.filter(uuid__in=uuids).values_list("pk", "uuid"))
    history: dict[tuple[str, str], list[Record]] = defaultdict(list)
    rows = (
        Answer.history.filter(assessment_id__in=assessments)
        .order_by("history_id")
        .values_list(
            "history_id",
            "assessment_id",
            "question__code",
            "choice_codes",
            "comment",
            "revision",
            "history_user_id",
        )
    )
    for order, assessment, code, choices, comment, revision, user in rows:
        key = (str(assessments[assessment]), code)
        history[key].append(Record(order, choices, comment, revision, user))
    final = {
        (str(assessments[a]), code): (choices, comment, revision)
        for a, code, choices, comment, revision in Answer.objects.filter(
            assessment_id__in=assessments
        ).values_list("assessment_id", "question__code", "choice_codes", "comment", "revision")
    }

    # Every acknowledged change is in the history, once, as it was sent.
    position: dict[str, tuple[tuple[str, str], int]] = {}
    for key, records in history.items():
        for index, record in enumerate(records):
            if not record.comment:  # the set-up's answers
                continue
            if record.comment in position:
                found.problem("change recorded twice in the history", record.comment)
            position[record.comment] = (key, index)
            write = by_comment.get(record.comment)
            if write is None:
                found.problem("history holds a change nobody sent", record.comment)
            elif write.acked is None:
                found.info["committed, response lost"] += 1
            elif (key, record.choice_codes, record.user) != (
                (write.assessment, write.code),
                [write.choice],
                write.user,
            ):
                found.problem("history differs from the change sent", record.comment)
    for write in found.acknowledged:
        if write.comment not in position:
            found.lose(write, "acknowledged, not in the history")
        elif write.token_revision is not None:
            key, index = position[write.comment]
            if history[key][index].revision != write.token_revision:
                found.problem("autosave token names another revision", write.comment)

    acknowledged_by_key: dict[tuple[str, str], list[Write]] = defaultdict(list)
    for write in found.acknowledged:
        acknowledged_by_key[(write.assessment, write.code)].append(write)

    for key, records in history.items():
        # Serialised: revisions 1, 2, 3, ... in commit order, none repeated.
        revisions = [record.revision for record in records]
        if revisions != list(range(1, len(records) + 1)):
            found.problem("revisions out of sequence (a lost update)", f"{key}: {revisions}")
            for earlier, later in itertools.pairwise(records):
                if later.revision <= earlier.revision and earlier.comment in by_comment:
                    found.lose(by_comment[earlier.comment], "overwritten by a save that missed it")
        # The database holds the last committed change.
        last = records[-1]
        if final.get(key) != (last.choice_codes, last.comment, last.revision):
            found.problem("answer differs from its last history record", f"{key}")
        # Real time: a change acknowledged before another was sent committed before it.
        ordered = sorted(
            (write for write in acknowledged_by_key.get(key, []) if write.comment in position),
            key=lambda write: position[write.comment][1],
        )
        earliest_ack_after = math.inf
        for write in reversed(ordered):
            if write.sent > earliest_ack_after:
                found.lose(write, "committed before a change acknowledged before it was sent")
            earliest_ack_after = min(earliest_ack_after, write.acked)
        _check_final(found, key, last, acknowledged_by_key.get(key, []), by_comment)

    _check_warnings(found, users, history, position, by_comment)
    return found


def _check_final(found, key, last: Record, acknowledged: list[Write], by_comment) -> None:
    """The database holds the change acknowledged last, or one that overlapped it."""
    if not acknowledged:
        return
    latest = max(acknowledged, key=lambda write: write.acked)
    holder = by_comment.get(last.comment)
    if holder is latest:
        found.info["questions ending on the last acknowledged change"] += 1
    elif holder is not None and holder.acked is not None and latest.sent < holder.acked:
        found.info["questions ending on a change overlapping the last acknowledged"] += 1
    else:
        found.lose(latest, "the database holds an earlier change")


def _check_warnings(found, users, history, position, by_comment) -> None:
    """Whoever replaced a change made after their page loaded by someone else is told."""

    def expected(write: Write) -> bool:
        key, index = position[write.comment]
        if index == 0:
            return False
        before = history[key][index - 1]
        return before.revision != write.loaded_revision and before.user != write.user

    for user in users:
        for post in user.posts:
            acked = [w for w in post.writes if w.acked is not None and w.comment in position]
            due = sum(1 for write in acked if expected(write))
            found.info[REPLACED] += due
            if post.kind == "autosave" and post.warnings_shown is not None:
                if post.warnings_shown < due:
                    found.problem("autosave did not warn", f"{due} due, {post.warnings_shown}")
                elif post.warnings_shown > due:
                    found.problem("autosave warned for nothing", f"{due} due")
        for view in user.pages:
            due = {"save": Counter(), "autosave": Counter()}
            for post in view.since:
                for write in post.writes:
                    if write.acked is not None and write.comment in position and expected(write):
                        due[post.kind][write.code] += 1
            shown = Counter(view.warned)
            if missed := due["save"] - shown:
                found.problem("save did not warn", f"{dict(missed)} not shown")
            rest = shown - due["save"]
            found.info["autosave warnings shown again on the next page"] += sum(
                (rest & due["autosave"]).values()
            )
            if spurious := rest - due["autosave"]:
                found.problem("page warned for nothing", f"{dict(spurious)}")
            saves = [post for post in view.since if post.kind == "save"]
            if saves and view.saved_message != len(saves[-1].writes):
                found.problem(
                    "save confirmed another number of answers",
                    f"{len(saves[-1].writes)} changed, message {view.saved_message}",
                )
