"""What the security tests check of every response and write: hostile values, escaping,
row counts and what a database column can store."""

from __future__ import annotations

from html import escape

import markupsafe
from django.apps import apps
from django.db import connection
from django.db.models import CharField, TextField

HTML_PAYLOADS = (
    '<script>alert("fuzz")</script>',
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    "</textarea><script>alert(4)</script>",
    '<a href="javascript:alert(5)">link</a>',
    '<iframe src="//evil.example/"></iframe>',
)
OTHER_PAYLOADS = (
    "' OR '1'='1' --",
    "1; DROP TABLE accounts_user; --",
    "admin'/*",
    "{{ request.user.password }}{% debug %}",
    "${7*7}#{7*7}",
    "%s%n%x%d",
    "../../../../etc/passwd",
    '=HYPERLINK("http://evil.example/","x")',
    "\u202egpj.exe",
    "مرحبا بالعالم",
    "שלום עולם",
    "出口管制合规自评",
    "👩🏽‍💻🚀🏳️‍🌈",
    "\ufeff\u200b\u200d\u2028\u2029",
    "\x00",
    "before\x00after",
    "\r\n\t\x0b\x0c\x1b[31m\x7f",
)
PAYLOADS = HTML_PAYLOADS + OTHER_PAYLOADS
ODD_SCALARS = ("", " ", "0", "-1", "1e9999", "NaN", "-Infinity", "true", "null", "[]", "{}")


def row_counts() -> dict[str, int]:
    """The number of rows of every table, in one query."""
    models = apps.get_models(include_auto_created=True)
    quote = connection.ops.quote_name
    counts = [f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models]  # noqa: S608
    query = "SELECT " + ", ".join(counts)
    with connection.cursor() as cursor:
        cursor.execute(query)
        row = cursor.fetchone()
    return {model._meta.label: count for model, count in zip(models, row, strict=True)}


def assert_only_changed(before: dict[str, int], allowed=()) -> None:
    after = row_counts()
    changed = {label for label, count in after.items() if before[label] != count}
    assert changed <= set(allowed), f"rows added or removed in {sorted(changed - set(allowed))}"


def assert_escaped(page: str, *shown: str | None) -> None:
    """No markup payload appears raw; each value that the page shows appears escaped."""
    for payload in HTML_PAYLOADS:
        assert payload not in page, f"unescaped {payload!r}"
    for value in shown:
        if value:
            # Django writes " as &quot;, Jinja2 (the question cards) as &#34;: both escape.
            escaped = (escape(value), str(markupsafe.escape(value)))
            assert any(form in page for form in escaped), f"{value[:80]!r} is not shown escaped"


def assert_storable(*objects) -> None:
    """No text is longer than its column or holds a NUL: SQLite stores both, PostgreSQL
    refuses them with a server error."""
    for obj in objects:
        for field in obj._meta.concrete_fields:
            if isinstance(field, CharField | TextField):
                value = getattr(obj, field.attname) or ""
                assert "\x00" not in value, field.name
                assert len(value) <= (field.max_length or len(value)), field.name


def assert_fits(*objects) -> None:
    """What a form stored passes its model's own validation (lengths, choices, ranges)."""
    for obj in objects:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    assert_storable(*objects)
