"""HTTP security headers with production settings: the Content-Security-Policy, HSTS,
nosniff, the referrer, framing and opener policies, and cookies only over HTTPS."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"
APP_CSS = ROOT / "compliance" / "static" / "css" / "app.css"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production(settings):
    """What compliance/settings.py gives when DEBUG is off (tests/settings.py turns the
    HTTPS redirect off for the rest of the suite)."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} appears twice"
        directives[name] = sources
    return directives


class InlineCode(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' refuses: style
    attributes, <style> elements, inline <script>, on* handlers and javascript: URLs."""

    DATA_SCRIPTS = {"application/json", "application/ld+json"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            elif name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            elif name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "style":
            self.found.append("<style> element")
        if (
            tag == "script"
            and "src" not in attributes
            and attributes.get("type") not in self.DATA_SCRIPTS
        ):
            self.found.append("inline <script>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def answer_first_section(client, assessment) -> None:
    response = client.post(
        reverse("assessment_section", args=[assessment.uuid, 1]),
        {"policy-signed-answer": "yes", "policy-maturity-answer": "l1", "save": "1"},
        secure=True,
    )
    assert response.status_code == 302


# (name, URL, signed in as the organisation's editor?)
PAGES = [
    ("home", lambda a: reverse("home"), False),
    ("login", lambda a: reverse("login"), False),
    ("signup", lambda a: reverse("signup"), False),
    ("password reset", lambda a: reverse("password_reset"), False),
    ("admin login", lambda a: reverse("admin:login"), False),
    ("dashboard", lambda a: reverse("assessment_dashboard"), True),
    ("new assessment", lambda a: reverse("assessment_new"), True),
    ("overview", lambda a: reverse("assessment_overview", args=[a.uuid]), True),
    ("section", lambda a: reverse("assessment_section", args=[a.uuid, 1]), True),
    ("submit", lambda a: reverse("assessment_submit", args=[a.uuid]), True),
    ("results", lambda a: reverse("assessment_results", args=[a.uuid]), True),
    (
        "history",
        lambda a: reverse("assessment_question_history", args=[a.uuid, "policy-signed"]),
        True,
    ),
    ("organisations", lambda a: reverse("organisation_list"), True),
    ("password change", lambda a: reverse("password_change"), True),
]


@pytest.fixture(params=PAGES, ids=[name for name, _url, _signed_in in PAGES])
def response(request, client, editor, assessment):
    _name, url, signed_in = request.param
    if signed_in:
        client.force_login(editor.user)
        answer_first_section(client, assessment)
    response = client.get(url(assessment), secure=True)
    assert response.status_code == 200, url(assessment)
    return response


def test_page_sends_a_strict_content_security_policy(response):
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


def test_page_sends_the_other_security_headers(response):
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    features = dict(
        item.strip().split("=") for item in response.headers["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature


def test_page_has_no_inline_script_or_style(response):
    """What the policy would refuse: the browser test sees the same in Chromium."""
    assert inline_code(response.content.decode()) == []


def test_inline_code_detector_finds_what_the_policy_refuses():
    html = (
        '<div style="width: 5%"></div><style>p{}</style><script>alert(1)</script>'
        '<a href="javascript:alert(1)">x</a><button onclick="f()">y</button>'
        '<script src="/static/app.js"></script><script type="application/json">{}</script>'
    )
    assert inline_code(html) == [
        '<div style="width: 5%">',
        "<style> element",
        "inline <script>",
        "<a href=javascript:alert(1)>",
        "<button onclick=...>",
    ]


def test_templates_have_no_inline_script_or_style():
    """Every template, including pages the other tests do not render (the error pages,
    the admin's change form). The PDF report's template is WeasyPrint's: it is printed,
    and served as a page only through its own view (docs/security.md)."""
    offenders = {}
    for template in sorted(TEMPLATES.rglob("*.html")):
        relative = template.relative_to(TEMPLATES).as_posix()
        if relative.startswith("reports/pdf/"):
            continue
        # Template tags cannot be parsed as HTML; what they leave is what a page shows.
        text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "x", template.read_text(encoding="utf-8"))
        found = inline_code(text)
        if found:
            offenders[relative] = found
    assert offenders == {}


def test_htmx_adds_no_style_element_of_its_own(client):
    """htmx 2 would insert a <style> for its indicator; base.html's htmx-config turns that
    off, and app.css styles the indicator instead."""
    html = client.get(reverse("home"), secure=True).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config, "base.html has no htmx-config"
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowEval": false' in config.group(1)
    assert ".htmx-indicator" in APP_CSS.read_text(encoding="utf-8")


def test_progress_bar_width_classes_cover_every_percentage():
    css = APP_CSS.read_text(encoding="utf-8")
    widths = dict(re.findall(r"\.pct-(\d+)\s*{\s*width:\s*(\d+)%\s*}", css))
    assert widths == {str(n): str(n) for n in range(101)}


def test_overview_progress_bars_show_their_value_without_inline_style(editor_client, assessment):
    answer_first_section(editor_client, assessment)
    html = editor_client.get(
        reverse("assessment_overview", args=[assessment.uuid]), secure=True
    ).content.decode()
    bars = re.findall(
        r'role="progressbar"[^>]*aria-valuenow="(\d+)"[^>]*>\s*<div class="progress-bar pct-(\d+)"',
        html,
    )
    assert len(bars) == 2  # the sample questionnaire's two sections
    assert all(value == width for value, width in bars)
    assert ("100", "100") in bars


def test_server_error_page_styles_itself_from_a_static_file():
    html = render_to_string("500.html")
    assert inline_code(html) == []
    assert 'href="/static/css/error.css"' in html
    assert (ROOT / "compliance" / "static" / "css" / "error.css").exists()


def test_error_pages_carry_the_policy_too(editor_client):
    response = editor_client.get("/assessments/00000000-0000-0000-0000-000000000000/", secure=True)
    assert response.status_code == 404
    assert policy(response)["script-src"] == ["'self'"]
    assert inline_code(response.content.decode()) == []


def test_a_form_refused_by_the_csrf_check_gets_a_page_of_the_site_without_inline_style():
    """Django's own CSRF failure page has an inline <style>, which the policy refuses (the
    browser console says so): a stale form (a tab left open while logging in elsewhere)
    gets the site's page instead, in the user's language."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post(reverse("login"), {"username": "a@example.com"}, secure=True)
    assert response.status_code == 403
    assert [t.name for t in response.templates][:2] == ["403_csrf.html", "base.html"]
    assert inline_code(response.content.decode()) == []
    assert policy(response)["style-src"] == ["'self'"]
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_report_document_runs_no_script_and_only_its_own_page_frames_it(
    editor_client, assessment
):
    """The printed HTML may keep its print stylesheet inline (docs/security.md), but it
    never runs a script, and only the site's own report page may frame it; that page is
    a normal page of the site, framed by no one."""
    url = reverse("assessment_report_document", args=[assessment.uuid])
    response = editor_client.get(url, secure=True)
    assert response.status_code == 200
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "<script" not in response.content.decode()
    page = editor_client.get(reverse("assessment_report", args=[assessment.uuid]), secure=True)
    assert policy(page)["frame-ancestors"] == ["'none'"] and page["X-Frame-Options"] == "DENY"
    assert "'unsafe-inline'" not in policy(page)["style-src"]
    assert f'src="{url}?lang=en"' in page.content.decode()


def test_plain_http_is_redirected_to_https_without_hsts(client):
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert "Strict-Transport-Security" not in response.headers
    # The load balancer's health check stays on plain HTTP.
    assert client.get(reverse("healthz")).status_code == 200


def test_cookies_travel_only_over_https(client):
    user = UserFactory()
    login = reverse("login")
    form = client.get(login, secure=True)
    csrf = form.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"

    response = client.post(login, {"username": user.email, "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session.value
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    # Logging in rotates the CSRF token; the new cookie is HTTPS-only as well.
    assert response.cookies[django_settings.CSRF_COOKIE_NAME]["secure"] is True
