"""Settings come from the environment, as documented in docs/ARCHITECTURE.md."""

import json
import os
import subprocess
import sys

from tests.processes import DEPLOYMENT_VARIABLES, ROOT, run_python

PROBE = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "debug": settings.DEBUG, "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts": settings.SECURE_HSTS_SECONDS, "session_secure": settings.SESSION_COOKIE_SECURE,
    "allowed_hosts": settings.ALLOWED_HOSTS,
}))
"""


def probe(**env: str) -> dict:
    result = run_python(PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sqlite_under_var_is_the_default():
    settings = probe(SECRET_KEY="x" * 50)
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"] == str(ROOT / "var" / "db.sqlite3")
    assert settings["debug"] is False


def test_database_url_selects_postgresql():
    settings = probe(SECRET_KEY="x" * 50, DATABASE_URL="postgres://app:pw@db.example:5433/assess")
    assert settings["engine"] == "django.db.backends.postgresql"
    assert settings["name"] == "assess"
    assert settings["host"] == "db.example"


def test_production_defaults_are_secure():
    settings = probe(SECRET_KEY="x" * 50, ALLOWED_HOSTS="assess.example.com")
    assert settings["ssl_redirect"] is True
    assert settings["hsts"] >= 31_536_000
    assert settings["session_secure"] is True
    assert settings["allowed_hosts"] == ["assess.example.com"]


def test_missing_secret_key_stops_start_up_with_one_line():
    result = run_python(PROBE)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SECRET_KEY is not set" in lines[0]


def test_debug_runs_without_secret_key():
    assert probe(DEBUG="1")["debug"] is True


def test_check_deploy_is_clean_with_production_values():
    env = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARIABLES}
    env.update(
        SECRET_KEY="a-long-production-secret-" + "q7Z!x9" * 10,
        ALLOWED_HOSTS="assess.example.com",
        DJANGO_SETTINGS_MODULE="compliance.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
