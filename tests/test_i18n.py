"""The language switcher changes the language of the pages."""

import pytest


@pytest.mark.django_db
def test_pages_default_to_english(client):
    response = client.get("/")
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.django_db
def test_language_switcher_changes_the_page_language(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert 'value="zh-hans"' in page

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"

    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录" in page

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Log in" in client.get("/").content.decode()


@pytest.mark.django_db
def test_browser_language_is_honoured_on_first_visit(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5").content.decode()
    assert '<html lang="zh-hans">' in page


@pytest.mark.django_db
def test_a_signed_in_users_language_follows_them(client):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"
    # Another device: no cookie, an English browser; the account's choice wins.
    other = type(client)()
    other.force_login(user)
    page = other.get("/assessments/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in page


def test_every_string_is_marked_and_translated(tmp_path):
    """Run makemessages into a scratch copy of the committed catalogue: a marked string
    that the catalogue lacks comes back untranslated, a changed one comes back fuzzy."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    # A scratch copy of the code and catalogue: makemessages writes next to the code.
    for name in ("compliance", "templates", "locale"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("*.mo"))
    shutil.copy(root / "manage.py", tmp_path)
    env = {**os.environ, "DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    scratch = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    catalogue = str(scratch / "django.po")

    def ids(*options: str) -> list[str]:
        output = subprocess.run(
            ["msgattrib", *options, catalogue], check=True, capture_output=True, text=True
        ).stdout
        return [
            line for line in output.splitlines() if line.startswith("msgid ") and line != 'msgid ""'
        ]

    assert ids("--untranslated") == []
    assert ids("--only-fuzzy") == []
