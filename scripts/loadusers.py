"""The load test's simulated users (see loadtest.py): a browser's view of a section page,
and a user who loads pages, changes answers and saves them as htmx or a Save button does,
recording every exchange and every change the server acknowledged."""

from __future__ import annotations

import html
import http.client
import http.cookies
import os
import random
import re
import time
import traceback
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from benchdata import (
    half_answered,
    member,
    session_key,
    sized_version,
)

USERS = int(os.environ.get("LOADTEST_USERS", "50"))
SHARED_USERS = min(USERS, int(os.environ.get("LOADTEST_SHARED_USERS", "20")))
QUESTIONS = 40  # two sections of 20
HOT = 3  # the first questions of each section, which every user of the shared assessment edits
AUTOSAVE_SHARE = 0.6  # of the posts: htmx autosaves; the others use a Save button
TIMEOUT = 120  # seconds a request may take before it counts as an error
REPLACED = "changes that replaced a colleague's newer answer"


# A browser's view of a section page ------------------------------------------------------

FORM = re.compile(r'<form\b[^>]*\bid="section-form"[^>]*>(.*?)</form>', re.S)
FIELD = re.compile(r"<(input|button)\b([^>]*)>|<textarea\b([^>]*)>(.*?)</textarea>", re.S)
ATTRIBUTE = re.compile(r'([^\s=/>"]+)(?:\s*=\s*"([^"]*)")?')
ALERT = re.compile(r'<div class="alert alert-(\w+)">(.*?)</div>', re.S)
WARNED_QUESTION = re.compile(r"Question (\d+) about")  # benchdata.question_text
SAVED_COUNT = re.compile(r"Saved (\d+) answers?\.")
PARTIAL_TOKEN = re.compile(r'<input type="hidden" name="([^"]+)-loaded" value="([^"]*)"')
PARTIAL_WARNING = "yours replaced it"
PARTIAL_INVALID = "not saved:"
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

    def cards(self, codes) -> list[tuple[str, str]]:
        """What autosave.js posts after a change of these questions: their cards' fields,
        the CSRF token and partial=1."""
        prefixes = tuple(f"{code}-" for code in codes)
        return [
            (name, value)
            for name, value in self.form()
            if name == "csrfmiddlewaretoken" or name.startswith(prefixes)
        ] + [("partial", "1")]

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

    def change(self, page: Page, kind: str, count: int | None = None) -> list[Write]:
        """Change one to three answers on the page (or ``count``), as a person would before
        a save."""
        count = count or self.random.randint(1, 3)
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
            # A change is a click on another choice than the one the page shows (the
            # same one again would change nothing, and send no autosave).
            shown = page.values.get(f"{code}-answer", [])
            others = [c for c in page.choices[code] if [c] != shown]
            choice = self.random.choice(others or page.choices[code])
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

    def autosave(self, page: Page, partial: bool = False) -> bool:
        post = Post("autosave", self.change(page, "autosave", count=1 if partial else None))
        form = page.cards(w.code for w in post.writes) if partial else page.form()
        response = self.exchange("POST", page.path, "autosave", form, htmx=True)
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


def make_users(ports: list[int], count: int = USERS, kind=SimulatedUser) -> list[SimulatedUser]:
    from django.conf import settings

    version = sized_version(QUESTIONS, slug="loadtest")
    sections = list(range(1, version.sections.count() + 1))
    cookie_name = settings.SESSION_COOKIE_NAME
    people = []
    shared_users = min(count, SHARED_USERS)
    for number in range(count - shared_users):
        organisation, user = member(f"own-{number:02d}@load.example")
        assessment = half_answered(version, organisation, user, f"Own assessment {number}")
        people.append((user, assessment, False))
    if shared_users:
        organisation, owner = member("shared-00@load.example")
        assessment = half_answered(version, organisation, owner, "Shared assessment")
        people.append((owner, assessment, True))
        for number in range(1, shared_users):
            _organisation, user = member(f"shared-{number:02d}@load.example", organisation)
            people.append((user, assessment, True))
    return [
        kind(number, user, assessment, (cookie_name, session_key(user)), ports, sections, shared)
        for number, (user, assessment, shared) in enumerate(people)
    ]


# At a human pace -----------------------------------------------------------------------------

#: Seconds between a paced user's actions (``PacedUser``).
AUTOSAVE_EVERY = (3.0, 5.0)
SECTION_EVERY = (30.0, 60.0)
RESULTS_EVERY = (120.0, 300.0)
PDF_EVERY = (600.0, 1200.0)
PDF_WAIT = 120.0  # seconds a user waits for a queued report before giving up (an error)
PDF_POLL = 2.0  # the waiting page polls every 2 seconds


class PacedUser(SimulatedUser):
    """A person filling in an assessment: one changed answer every 3-5 s, saved by
    autosave.js as it saves it (the changed card's fields and partial=1), another section
    every 30-60 s, the results page now and then, a PDF report rarely (queued for the
    worker; the user follows the waiting page until the PDF arrives)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pdf_waits: list[tuple[float, float, bool]] = []  # (asked, got it, in time)

    def run(self, deadline: float) -> None:
        try:
            start = time.monotonic()
            # Users arrive spread over the first seconds, each somewhere in their cycles.
            time.sleep(self.random.uniform(0, AUTOSAVE_EVERY[1]))
            now = time.monotonic()
            next_section = now + self.random.uniform(0, SECTION_EVERY[1])
            next_results = now + self.random.uniform(0, RESULTS_EVERY[1])
            next_pdf = start + self.random.uniform(0, PDF_EVERY[1])
            page = None
            while time.monotonic() < deadline:
                now = time.monotonic()
                if page is None or now >= next_section:
                    page = self.load(self.section_path())
                    next_section = now + self.random.uniform(*SECTION_EVERY)
                elif now >= next_results:
                    self.exchange("GET", f"/assessments/{self.assessment}/results/", "results")
                    next_results = now + self.random.uniform(*RESULTS_EVERY)
                elif now >= next_pdf:
                    self.pdf(deadline)
                    next_pdf = time.monotonic() + self.random.uniform(*PDF_EVERY)
                elif not self.autosave(page, partial=True):
                    page = None
                time.sleep(max(0.0, self.random.uniform(*AUTOSAVE_EVERY)))
        except Exception:  # a fault of this script: reported, and the run fails
            self.unexpected.append(f"user {self.number} stopped:\n{traceback.format_exc()}")

    def pdf(self, deadline: float) -> None:
        """Ask for the report; while it is queued, follow the waiting page (which polls)
        until the PDF is there."""
        path = f"/assessments/{self.assessment}/report.pdf"
        asked = time.monotonic()
        while True:
            response = self.exchange("GET", path, "pdf")
            if response.status == 200 and response.text.startswith("%PDF"):
                self.pdf_waits.append((asked, response.received, True))
                return
            if response.status not in (200, 202):
                self.unexpected.append(f"GET {path}: {response.status}")
                return
            if time.monotonic() - asked > PDF_WAIT or time.monotonic() > deadline:
                self.pdf_waits.append((asked, time.monotonic(), False))
                return
            time.sleep(PDF_POLL)
