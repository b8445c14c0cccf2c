"""Settings for the test suite: the project's settings with a test key, a throwaway signing
pair and fast hashing."""

import fcntl
import os
import tempfile
from pathlib import Path

from compliance.reports.signing import generate_self_signed


def _throwaway_signing_pair() -> tuple[Path, Path]:
    """A self-signed pair for the test runs of this user, made once and kept. The lock
    keeps two processes starting at once from pairing one's key with the other's cert."""
    directory = Path(tempfile.gettempdir()) / f"compliance-test-signing-{os.getuid()}"
    directory.mkdir(mode=0o700, exist_ok=True)
    key, cert = directory / "key.pem", directory / "cert.pem"
    with open(directory / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (key.exists() and cert.exists()):
            generate_self_signed(directory, organisation="Test suite")
    return key, cert


os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
# compliance/settings.py checks these with DEBUG off; the app's processes that tests start
# inherit them. Whatever the shell has, the tests sign with the throwaway pair.
for _name in (
    "SIGNING_PKCS12_FILE",
    "SIGNING_PKCS12_PASSWORD",
    "SIGNING_KEY_PASSWORD",
    "SIGNING_CHAIN_FILE",
):
    os.environ.pop(_name, None)
_key, _cert = _throwaway_signing_pair()
os.environ["SIGNING_KEY_FILE"], os.environ["SIGNING_CERT_FILE"] = str(_key), str(_cert)

from compliance.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests exercise the app over plain HTTP; the production HTTPS settings are tested separately.
SECURE_SSL_REDIRECT = False
# The manifest needs collectstatic; tests read static files from the finders instead.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run inside the request that enqueues them, whatever TASK_BACKEND the shell has; the
# tests of the database backend and its worker choose it themselves.
TASKS = {"default": {"BACKEND": TASK_BACKENDS["immediate"], "QUEUES": ["default"]}}  # noqa: F405
