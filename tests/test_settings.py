"""Settings come from the environment, as documented in docs/ARCHITECTURE.md."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as test_settings

from tests.processes import DEPLOYMENT_VARIABLES, ROOT, run_python

# The throwaway pair of tests/settings.py: with DEBUG off the settings stop without one.
SIGNING = {
    "SIGNING_KEY_FILE": str(test_settings.SIGNING_KEY_FILE),
    "SIGNING_CERT_FILE": str(test_settings.SIGNING_CERT_FILE),
}
NO_SIGNING = {"SIGNING_KEY_FILE": "", "SIGNING_CERT_FILE": ""}

PROBE = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "debug": settings.DEBUG, "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts": settings.SECURE_HSTS_SECONDS, "session_secure": settings.SESSION_COOKIE_SECURE,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "signing_key": str(settings.SIGNING_KEY_FILE), "signing_cert": str(settings.SIGNING_CERT_FILE),
}))
"""


def probe(**env: str) -> dict:
    result = run_python(PROBE, **{**SIGNING, **env})
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
    result = run_python(PROBE, **SIGNING)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SECRET_KEY is not set" in lines[0]


def test_debug_runs_without_secret_key():
    assert probe(DEBUG="1")["debug"] is True


def stopped_with_one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_missing_signing_files_stop_start_up_with_one_line():
    line = stopped_with_one_line(run_python(PROBE, SECRET_KEY="x" * 50, **NO_SIGNING))
    assert line == (
        "SIGNING_KEY_FILE and SIGNING_CERT_FILE (or SIGNING_PKCS12_FILE) are not set: "
        "approved reports are signed with them; run `manage.py make_signing_key --dir DIR` "
        "for a self-signed pair."
    )


def test_a_key_without_its_certificate_names_the_missing_setting():
    env = {**SIGNING, "SIGNING_CERT_FILE": ""}
    line = stopped_with_one_line(run_python(PROBE, SECRET_KEY="x" * 50, **env))
    assert line.startswith("SIGNING_CERT_FILE is not set:")


@pytest.fixture(params=["absent", "a directory", "mode 000"])
def unreadable(request, tmp_path):
    path = tmp_path / "cert.pem"
    if request.param == "a directory":
        path.mkdir()
    elif request.param == "mode 000":
        if os.geteuid() == 0:
            pytest.skip("root reads a file of mode 000")
        path.write_bytes(b"-----BEGIN CERTIFICATE-----\n")
        path.chmod(0)
    return path


def test_an_unreadable_signing_file_stops_start_up_naming_it(unreadable):
    env = {**SIGNING, "SIGNING_CERT_FILE": str(unreadable)}
    line = stopped_with_one_line(run_python(PROBE, SECRET_KEY="x" * 50, **env))
    assert line == f"SIGNING_CERT_FILE is missing or not readable by this user: {unreadable}"


def test_a_pkcs12_file_is_checked_instead_of_the_pair(tmp_path):
    missing = tmp_path / "signing.p12"
    env = {**NO_SIGNING, "SIGNING_PKCS12_FILE": str(missing)}
    line = stopped_with_one_line(run_python(PROBE, SECRET_KEY="x" * 50, **env))
    assert line == f"SIGNING_PKCS12_FILE is missing or not readable by this user: {missing}"


def test_a_missing_chain_file_stops_start_up_naming_it(tmp_path):
    env = {**SIGNING, "SIGNING_CHAIN_FILE": str(tmp_path / "chain.pem")}
    line = stopped_with_one_line(run_python(PROBE, SECRET_KEY="x" * 50, **env))
    assert line.startswith("SIGNING_CHAIN_FILE is missing or not readable")


def test_debug_signs_with_the_pair_under_var_by_default():
    settings = probe(DEBUG="1", **NO_SIGNING)
    assert settings["signing_key"] == str(ROOT / "var" / "signing" / "key.pem")
    assert settings["signing_cert"] == str(ROOT / "var" / "signing" / "cert.pem")


def test_check_deploy_is_clean_with_production_values():
    env = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARIABLES}
    env.update(
        SECRET_KEY="a-long-production-secret-" + "q7Z!x9" * 10,
        ALLOWED_HOSTS="assess.example.com",
        DJANGO_SETTINGS_MODULE="compliance.settings",
        **SIGNING,
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
