"""Settings for the test suite: the project's settings with a test key and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from compliance.settings import *  # noqa: F403

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
