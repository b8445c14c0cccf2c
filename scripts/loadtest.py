"""Load test: simulated users save answers through two web servers sharing one PostgreSQL,
then every save the server acknowledged is checked against the database.

Run with `make loadtest` (LOADTEST_SECONDS=30 for a shorter run). The shape is the
scale-out one of docs/deployment.md: two gunicorn instances (2 workers each) on two
loopback ports, one PostgreSQL, no sticky sessions. The test uses a database of its own,
``app_load``, created on the server of LOADTEST_POSTGRES_URL (default: the one
scripts/postgres.sh starts) and dropped afterwards unless the run failed. Production
settings: DEBUG off, the manifest static storage (collected into var/loadtest-static).

50 users (LOADTEST_USERS) work at once for 120 seconds (LOADTEST_SECONDS): 30 fill in
an assessment of their own, 20 (LOADTEST_SHARED_USERS) fill in one shared assessment, on
the same questions (three "hot" questions per section) and on different ones. Each user
loops, sending each request to the other server than the one before: load a section page
(40 questions, 2 sections), change one to three answers (a random choice, a comment
unique to that change), post the whole form as htmx's autosave does (the server answers
with a partial and new `loaded` tokens, which replace the old ones as htmx swaps them) or
with a Save button (the server redirects; the user follows), and so on.

The server acknowledges a change when it answers an autosave with the question's new
token, or a Save with a redirect to a section page. What the app guarantees, and what is
checked afterwards:

- Every response is 2xx or 3xx, and the one expected (a section page, a partial that
  confirms exactly the changed questions, a redirect to a section page).
- Every acknowledged change is in the history table (HistoricalAnswer), once.
- Changes to one answer are serialised (the assessment's row lock): in commit order the
  history's revisions run 1, 2, 3, ... with none repeated (a repeat would be a lost
  update), and the answer in the database is the last of them.
- Commit order respects real time: a change acknowledged before another was sent
  committed first. So for each question the database holds the change acknowledged last,
  or one whose request overlapped it (two overlapping saves may commit in either order;
  the later commit wins, as the app promises). Anything else is a lost answer.
- Whoever replaced an answer that someone else changed after their page loaded is told
  so: in the autosave's partial, or on the page the Save leads to.

Prints one table; exits non-zero on any error, lost answer or broken guarantee.
"""

from __future__ import annotations

import html
import http.client
import http.cookies
import itertools
import math
import os
import random
import re
import resource
import sys
import threading
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from benchdata import (
    collect_static,
    drop_postgres_database,
    free_port,
    half_answered,
    member,
    postgres_version,
    recreate_postgres_database,
    session_key,
    sized_version,
    start_gunicorn,
    stop_gunicorn,
    use_production_settings,
)

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "app_load"
SERVER_URL = os.environ.get("LOADTEST_POSTGRES_URL", "postgres://app:app@127.0.0.1:5432/app")
SECONDS = float(os.environ.get("LOADTEST_SECONDS", "120"))
USERS = int(os.environ.get("LOADTEST_USERS", "50"))
SHARED_USERS = min(USERS, int(os.environ.get("LOADTEST_SHARED_USERS", "20")))
SERVERS, WORKERS = 2, 2
QUESTIONS = 40  # two sections of 20
HOT = 3  # the first questions of each section, which every user of the shared assessment edits
AUTOSAVE_SHARE = 0.6  # of the posts: htmx autosaves; the others use a Save button
TIMEOUT = 120  # seconds a request may take before it counts as an error

REPLACED = "changes that replaced a colleague's newer answer"
KINDS = {
    "page": "GET section page",
    "autosave": "POST autosave (htmx)",
    "save": "POST save (redirect)",
}


# A browser's view of a section page ------------------------------------------------------

FORM = re.compile(r'<form\b[^>]*\bid="section-form"[^>]*>(.*?)</form>', re.S)
FIELD = re.compile(r"<(input|button)\b([^>]*)>|<textarea\b([^>]*)>(.*?)</textarea>", re.S)
ATTRIBUTE = re.compile(r'([^\s=/>"]+)(?:\s*=\s*"([^"]*)")?')
ALERT = re.compile(r'<div class="alert alert-(\w+)">(.*?)</div>', re.S)
WARNED_QUESTION = re.compile(r"Question (\d+) about")  # benchdata.question_text
SAVED_COUNT = re.compile(r"Saved (\d+) answers?\.")
PARTIAL_TOKEN = re.compile(r'<input type="hidden" name="([^"]+)-loaded" value="([^"]*)"')
PARTIAL_WARNING = "yours replaced it"
PARTIAL_INVALID = "use Save to see"
SECTION_PATH = re.compile(r"/assessments/[0-9a-f-]{36}/sections/\d+/")


def attributes(text: str) -> dict[str, str]:
    return {name: html.unescape(value or "") for name, value in ATTRIBUTE.findall(text)}


@dataclass
class Page:
    """The section form as a browser holds it: what it would post, field by field."""

    path: str
    values: dict[str, list[str]]
    codes: list[str]
    choices: dict[str, list[str]]
    buttons: list[str]

    @classmethod
    def parse(cls, path: str, text: str) -> Page | None:
        form = FORM.search(text)
        if form is None:
            return None
        page = cls(path, {}, [], {}, [])
        for match in FIELD.finditer(form.group(1)):
            if match.group(1) is None:  # a textarea; browsers drop one newline after the tag
                name = attributes(match.group(3)).get("name")
                value = html.unescape(match.group(4)).removeprefix("\n")
                page.values.setdefault(name, []).append(value)
                continue
            tag, attrs = match.group(1), attributes(match.group(2))
            name = attrs.get("name")
            if not name or "disabled" in attrs:
                continue
            kind = attrs.get("type", "submit" if tag == "button" else "text")
            if kind == "submit":
                page.buttons.append(name)
            elif kind in ("radio", "checkbox"):
                if name.endswith("-answer"):
                    page.choices.setdefault(name.removesuffix("-answer"), []).append(attrs["value"])
                if "checked" in attrs:
                    page.values.setdefault(name, []).append(attrs.get("value", "on"))
            else:
                page.values.setdefault(name, []).append(attrs.get("value", ""))
                if name.endswith("-loaded"):
                    page.codes.append(name.removesuffix("-loaded"))
        return page

    def form(self) -> list[tuple[str, str]]:
        return [(name, value) for name, values in self.values.items() for value in values]

    def loaded_revision(self, code: str) -> int | None:
        revision = self.values[f"{code}-loaded"][0].partition(":")[0]
        return int(revision) if revision.isdigit() else None


# What happened -----------------------------------------------------------------------------


@dataclass
class Exchange:
    kind: str
    status: int | str  # an HTTP status, or the name of a connection error
    sent: float
    received: float
    port: int


@dataclass
class Response:
    status: int | str
    text: str
    location: str
    sent: float
    received: float


@dataclass
class Write:
    """One changed answer in one post."""

    assessment: str
    code: str
    user: int
    choice: str
    comment: str  # unique to this change: it identifies it in the database
    loaded_revision: int | None
    kind: str
    sent: float = 0.0
    acked: float | None = None
    token_revision: int | None = None  # the revision the autosave's new token names


@dataclass
class Post:
    kind: str
    writes: list[Write]
    warnings_shown: int | None = None  # in an autosave's partial


@dataclass
class PageView:
    """A full section page, with the messages it showed and the posts since the last one."""

    warned: list[str]
    saved_message: int | None
    since: list[Post]


class SimulatedUser:
    def __init__(
        self, number: int, user, assessment, cookie: tuple[str, str], ports, sections, shared
    ):
        self.number = number
        self.user_id = user.pk
        self.assessment = str(assessment.uuid)
        self.cookies = {cookie[0]: cookie[1]}
        self.ports = ports
        self.sections = sections
        self.shared = shared
        self.random = random.Random(number)
        self.turn = number  # which server comes next; users start on either
        self.serial = 0
        self.exchanges: list[Exchange] = []
        self.posts: list[Post] = []
        self.pages: list[PageView] = []
        self.pending: list[Post] = []  # posts since the last full page
        self.unexpected: list[str] = []

    # HTTP

    def exchange(self, method: str, path: str, kind: str, form=None, htmx=False) -> Response:
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        origin = f"http://127.0.0.1:{port}"
        headers = {
            "Host": f"127.0.0.1:{port}",
            "Accept-Language": "en",
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = origin
            headers["Referer"] = origin + path
        if htmx:
            headers["HX-Request"] = "true"
            headers["HX-Current-URL"] = origin + path
            headers["HX-Target"] = "save-status"
            headers["HX-Trigger"] = "section-form"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        sent = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            status, location = response.status, response.getheader("Location", "")
            self.take_cookies(response.msg.get_all("Set-Cookie") or [])
        except (OSError, http.client.HTTPException) as error:
            status, text, location = type(error).__name__, "", ""
        finally:
            connection.close()
        received = time.monotonic()
        self.exchanges.append(Exchange(kind, status, sent, received, port))
        return Response(status, text, location, sent, received)

    def take_cookies(self, headers: list[str]) -> None:
        """As a browser would, except that it keeps `Secure` cookies over plain HTTP."""
        for header in headers:
            cookie = http.cookies.SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value

    # Behaviour

    def section_path(self) -> str:
        return f"/assessments/{self.assessment}/sections/{self.random.choice(self.sections)}/"

    def run(self, deadline: float) -> None:
        try:
            time.sleep(self.random.uniform(0, 1))  # not all at the same instant
            path, page = self.section_path(), None
            while time.monotonic() < deadline:
                if page is None:
                    page = self.load(path)
                    if page is None:
                        path = self.section_path()
                        continue
                if self.random.random() < AUTOSAVE_SHARE:
                    if not self.autosave(page):
                        page = None
                    elif self.random.random() < 0.2:  # on to another section
                        path, page = self.section_path(), None
                else:
                    path, page = self.save(page), None  # then follow the redirect
        except Exception:  # a fault of this script: reported, and the run fails
            self.unexpected.append(f"user {self.number} stopped:\n{traceback.format_exc()}")

    def load(self, path: str) -> Page | None:
        response = self.exchange("GET", path, "page")
        page = Page.parse(path, response.text) if response.status == 200 else None
        if page is None:
            self.pending = []  # the messages cannot be told apart any more
            if response.status == 200:
                self.unexpected.append(f"GET {path}: a 200 without the section form")
            return None
        warned, saved = [], None
        for level, text in ALERT.findall(response.text):
            text = html.unescape(text)
            if level == "warning" and (found := WARNED_QUESTION.search(text)):
                warned.append(f"q{found.group(1)}")
            elif level == "success" and (found := SAVED_COUNT.search(text)):
                saved = int(found.group(1))
        self.pages.append(PageView(warned, saved, self.pending))
        self.pending = []
        return page

    def change(self, page: Page, kind: str) -> list[Write]:
        """Change one to three answers on the page, as a person would before a save."""
        count = self.random.randint(1, 3)
        if self.shared:  # half of the changes on the questions everybody edits
            codes = {
                self.random.choice(page.codes[:HOT] if self.random.random() < 0.5 else page.codes)
                for _ in range(count)
            }
        else:
            codes = set(self.random.sample(page.codes, count))
        writes = []
        for code in sorted(codes):
            self.serial += 1
            choice = self.random.choice(page.choices[code])
            comment = f"user {self.number} change {self.serial}: {choice}"
            writes.append(
                Write(
                    self.assessment,
                    code,
                    self.user_id,
                    choice,
                    comment,
                    page.loaded_revision(code),
                    kind,
                )
            )
            page.values[f"{code}-answer"] = [choice]
            page.values[f"{code}-comment"] = [comment]
        return writes

    def autosave(self, page: Page) -> bool:
        post = Post("autosave", self.change(page, "autosave"))
        response = self.exchange("POST", page.path, "autosave", page.form(), htmx=True)
        for write in post.writes:
            write.sent = response.sent
        self.posts.append(post)
        if response.status != 200:
            return False
        tokens = dict(PARTIAL_TOKEN.findall(response.text))
        changed = {write.code for write in post.writes}
        if PARTIAL_INVALID in response.text or set(tokens) != changed:
            self.unexpected.append(
                f"autosave {page.path}: changed {sorted(changed)}, confirmed {sorted(tokens)}"
            )
        for write in post.writes:
            if write.code in tokens:
                write.acked = response.received
                write.token_revision = int(tokens[write.code].partition(":")[0])
                page.values[f"{write.code}-loaded"] = [tokens[write.code]]  # htmx's swap
        post.warnings_shown = response.text.count(PARTIAL_WARNING)
        self.pending.append(post)
        return True

    def save(self, page: Page) -> str:
        """Post with one of the page's buttons; returns where to go next."""
        post = Post("save", self.change(page, "save"))
        button = self.random.choice(page.buttons)
        response = self.exchange("POST", page.path, "save", [*page.form(), (button, "")])
        for write in post.writes:
            write.sent = response.sent
        self.posts.append(post)
        target = urlsplit(response.location).path
        if response.status != 302:
            if response.status == 200:
                self.unexpected.append(f"save {page.path}: 200 instead of a redirect")
            return page.path
        if not SECTION_PATH.fullmatch(target):
            self.unexpected.append(f"save {page.path}: redirected to {response.location}")
            return page.path
        for write in post.writes:
            write.acked = response.received
        self.pending.append(post)
        return target


# Set-up -------------------------------------------------------------------------------------


def make_users(ports: list[int]) -> list[SimulatedUser]:
    from django.conf import settings

    version = sized_version(QUESTIONS, slug="loadtest")
    sections = list(range(1, version.sections.count() + 1))
    cookie_name = settings.SESSION_COOKIE_NAME
    people = []
    for number in range(USERS - SHARED_USERS):
        organisation, user = member(f"own-{number:02d}@load.example")
        assessment = half_answered(version, organisation, user, f"Own assessment {number}")
        people.append((user, assessment, False))
    if SHARED_USERS:
        organisation, owner = member("shared-00@load.example")
        assessment = half_answered(version, organisation, owner, "Shared assessment")
        people.append((owner, assessment, True))
        for number in range(1, SHARED_USERS):
            _organisation, user = member(f"shared-{number:02d}@load.example", organisation)
            people.append((user, assessment, True))
    return [
        SimulatedUser(
            number, user, assessment, (cookie_name, session_key(user)), ports, sections, shared
        )
        for number, (user, assessment, shared) in enumerate(people)
    ]


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


# Report ---------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def table(rows: list[tuple[str, str]], title: str) -> str:
    width = max(len(name) for name, _ in rows)
    lines = [title, f"{'figure'.ljust(width)}  value"]
    lines += [f"{name.ljust(width)}  {value}" for name, value in rows]
    return "\n".join(lines)


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def report(users, found: Findings, seconds: float, ports, cpu: dict) -> tuple[list, bool]:
    exchanges = [exchange for user in users for exchange in user.exchanges]
    statuses = Counter(exchange.status for exchange in exchanges)
    errors = {
        status: count
        for status, count in statuses.items()
        if not (isinstance(status, int) and 200 <= status < 400)
    }
    unexpected = [problem for user in users for problem in user.unexpected]
    acknowledged = found.acknowledged
    shared = {user.assessment for user in users if user.shared}
    per_port = Counter(exchange.port for exchange in exchanges)

    def listing(counts) -> str:
        return ", ".join(f"{key}: {value}" for key, value in sorted(counts.items(), key=str))

    rows = [
        ("requests", f"{len(exchanges)}"),
        ("requests per server", " / ".join(f"{per_port[port]}" for port in ports)),
        ("responses by status", listing(statuses)),
        ("errors (not 2xx/3xx, or failed)", listing(errors) if errors else "0"),
        ("unexpected responses (wrong page or partial)", f"{len(unexpected)}"),
        ("answers sent", f"{sum(len(post.writes) for u in users for post in u.posts)}"),
        ("  acknowledged by the server", f"{len(acknowledged)}"),
        (
            "  by autosave / by save",
            f"{sum(w.kind == 'autosave' for w in acknowledged)} / "
            f"{sum(w.kind == 'save' for w in acknowledged)}",
        ),
        ("  to the shared assessment", f"{sum(w.assessment in shared for w in acknowledged)}"),
        ("answers lost", f"{len(found.lost)}"),
        (
            "questions ending on the last acknowledged change",
            f"{found.info['questions ending on the last acknowledged change']}",
        ),
        (
            "  ... on a change overlapping it (allowed)",
            f"{found.info['questions ending on a change overlapping the last acknowledged']}",
        ),
        (
            "changes that replaced a colleague's newer answer",
            f"{found.info[REPLACED]}",
        ),
        (
            "autosave warnings shown again on the next page",
            f"{found.info['autosave warnings shown again on the next page']}",
        ),
        ("other broken guarantees", listing(found.problems) if found.problems else "0"),
        ("throughput", f"{len(exchanges) / seconds:.1f} requests/s"),
        ("answers saved per second", f"{len(acknowledged) / seconds:.1f}"),
        (
            "CPU time: servers / load generator",
            f"{cpu['servers']:.0f} s / {cpu['load generator']:.0f} s in {seconds:.0f} s",
        ),
        ("server CPU time per request", f"{cpu['servers'] / len(exchanges) * 1000:.0f} ms"),
    ]
    for kind, name in KINDS.items():
        times = [e.received - e.sent for e in exchanges if e.kind == kind]
        if times:
            figures = " / ".join(
                f"{percentile(times, share) * 1000:.0f}" for share in (0.5, 0.95, 0.99)
            )
            rows.append((f"{name}: n, p50 / p95 / p99 ms", f"{len(times)}, {figures}"))
    passed = not errors and not unexpected and not found.lost and not found.problems
    return rows, passed


def main() -> int:
    sys.path.insert(0, str(ROOT))
    started_setup = time.monotonic()
    url = recreate_postgres_database(SERVER_URL, DATABASE)
    use_production_settings(url, ROOT / "var" / "loadtest-static")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    collect_static()
    call_command("migrate", verbosity=0)
    ports: list[int] = []
    while len(ports) < SERVERS:
        if (port := free_port()) not in ports:
            ports.append(port)
    users = make_users(ports)
    connection.close()  # not needed while the servers work
    servers = []
    cpu = {"servers": -cpu_seconds(resource.RUSAGE_CHILDREN)}
    try:
        for index, port in enumerate(ports, start=1):
            log = ROOT / "var" / f"loadtest-gunicorn-{index}.log"
            servers.append(start_gunicorn(port, WORKERS, log))
        print(
            f"Set up in {time.monotonic() - started_setup:.0f} s; {len(users)} users for "
            f"{SECONDS:.0f} s against 127.0.0.1:{ports[0]} and :{ports[1]}...",
            flush=True,
        )
        started = time.monotonic()
        cpu["load generator"] = -cpu_seconds(resource.RUSAGE_SELF)
        threads = [
            threading.Thread(target=user.run, args=(started + SECONDS,), daemon=True)
            for user in users
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        cpu["load generator"] += cpu_seconds(resource.RUSAGE_SELF)
    finally:
        for server in servers:
            stop_gunicorn(server)
    cpu["servers"] += cpu_seconds(resource.RUSAGE_CHILDREN)  # gunicorn and its workers

    found = check(users)
    rows, passed = report(users, found, seconds, ports, cpu)
    shared = sum(user.shared for user in users)
    title = (
        f"Load test: {len(users)} users ({len(users) - shared} on their own assessments, "
        f"{shared} on one shared), {seconds:.0f} s, {SERVERS} gunicorn x {WORKERS} workers, "
        f"PostgreSQL {postgres_version(SERVER_URL)}"
    )
    print(table(rows, title))
    for problem in [p for user in users for p in user.unexpected][:10] + found.examples:
        print(f"- {problem}")
    connection.close()
    if passed:
        drop_postgres_database(SERVER_URL, DATABASE)
        print("PASS: no error, no answer lost.")
        return 0
    print(
        f"FAIL. The database {DATABASE} is kept for a look; the servers' logs are "
        "var/loadtest-gunicorn-*.log."
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
