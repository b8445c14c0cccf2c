"""Settings, read from the environment (the contracts are in docs/ARCHITECTURE.md).

DATABASE_URL   default: SQLite under var/
DEBUG          default: off (``make run`` turns it on)
SECRET_KEY     required when DEBUG is off
ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS   comma-separated
EMAIL_URL      default: the console backend
MAIL_MAX_ATTEMPTS  times a workflow e-mail is tried before it is given up (default 8)
SITE_URL       scheme and host of the site, for the links in the daily reminders, which no
               request sends (default http://localhost:8000)
SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, SECURE_PROXY_SSL_HEADER_ENABLED
               production HTTPS behaviour, for running behind a reverse proxy
REPORT_RENDER_TIMEOUT  seconds a PDF render may take (default 120)
TASK_BACKEND   immediate (default: a task runs inside the request that asks for it) or
               database (tasks wait in the database for `manage.py db_worker` processes)
MEDIA_ROOT     where generated files (rendered PDF reports) are stored; default var/media
EVIDENCE_ROOT  where uploaded evidence files are stored; default var/evidence
EVIDENCE_BUCKET, EVIDENCE_BUCKET_ENDPOINT, EVIDENCE_BUCKET_REGION
               evidence in an S3-compatible bucket instead (django-storages; AWS_* credentials)
EVIDENCE_MAX_FILE_MB   largest evidence file, in MB (default 25)
EVIDENCE_QUOTA_MB      evidence an organisation may store, in MB (default 2048)
EVIDENCE_MAX_FILES_PER_UPLOAD  files in one upload (default 20)
AUDIT_PACK_MAX_MB      the largest audit pack, in MB (default 4096)
VERIFY_LIMIT_PER_HOUR, VERIFY_MAX_FILE_MB   the verification page's limits (30 an hour, 20 MB)
SIGNING_KEY_FILE, SIGNING_CERT_FILE, SIGNING_KEY_PASSWORD
               the PEM key and certificate approved reports are signed with (PAdES);
               required when DEBUG is off (DEBUG default: var/signing/key.pem, cert.pem)
SIGNING_PKCS12_FILE, SIGNING_PKCS12_PASSWORD
               a PKCS#12 file holding key and certificate instead (used when set)
SIGNING_CHAIN_FILE     optional: PEM intermediate certificates to embed with signatures
API_RATE       requests an API token (or a signed-in user) may make, e.g. 120/min (default)
WEBHOOK_ALLOWED_NETWORKS  CIDRs webhook deliveries may go to besides public addresses
               (default none; docs/webhooks.md)
WEBHOOK_ALLOW_HTTP     deliveries to http:// addresses too (default: only with DEBUG)
WEBHOOK_TIMEOUT, WEBHOOK_MAX_ATTEMPTS   seconds a delivery may take (5), tries (8)
API_CACHE_URL  the cache that counts API requests (default: each process's memory; a shared
               cache such as redis:// or dbcache:// makes the limit hold across processes)
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # One line, no traceback: the operator needs to know what to set, nothing more.
        sys.stderr.write(
            "SECRET_KEY is not set: export SECRET_KEY to a long random string "
            "(or DEBUG=1 for local development).\n"
        )
        raise SystemExit(1)
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "adminsortable2",
    "axes",
    "django_htmx",
    "simple_history",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "compliance.core",
    "compliance.accounts",
    "compliance.questionnaires",
    "compliance.organisations",
    "compliance.assessments",
    "compliance.evidence",
    "compliance.actions",
    "compliance.reports",
    "compliance.work",
    "compliance.api",
    "compliance.webhooks",
    "compliance.notifications",
    "compliance.backup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "compliance.accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "compliance.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "compliance.organisations.context_processors.organisations",
            ],
        },
    },
    {
        # The fragments a page repeats many times (see compliance/core/jinja2.py).
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "compliance.core.jinja2.environment"},
    },
]

WSGI_APPLICATION = "compliance.wsgi.application"

if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(exist_ok=True)  # the embedded database's folder, on first start
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several people save answers at once: wait for the write lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# account from one IP address, that pair is locked out for the cool-off time.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "compliance.accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (it holds the e-mail address)
AXES_USERNAME_CALLABLE = "compliance.accounts.views.login_identity"
AXES_RESET_ON_SUCCESS = True
# The client's address behind TRUSTED_PROXY_COUNT reverse proxies (X-Forwarded-For read
# from the right), so that failures count per account *and* real client address: an
# attacker's wrong passwords lock out the attacker's address, not the account's owner.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "compliance.accounts.addresses.client_address"

#: How long an invitation link stays valid.
INVITATION_MAX_AGE = timedelta(days=env.int("INVITATION_MAX_AGE_DAYS", default=7))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "assessment_dashboard"
LOGOUT_REDIRECT_URL = "home"

# Internationalisation: the product ships in English and Simplified Chinese.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
# Unambiguous English dates and 24-hour time (compliance/formats/en/formats.py).
FORMAT_MODULE_PATH = ["compliance.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "compliance" / "static",
    # Installed from the npm registry by `make` (package-lock.json), never committed.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

#: Seconds a PDF report may take to render before it is stopped with a clear message.
REPORT_RENDER_TIMEOUT = env.float("REPORT_RENDER_TIMEOUT", default=120.0)
# With the immediate task backend a render holds the web process that runs it: at most
# this many at once, so that renders never take every web worker (keep it below the
# number of gunicorn workers). Others wait on a page that says the report is coming.
REPORT_WEB_RENDERS = env.int("REPORT_WEB_RENDERS", default=1)
# Background tasks through Django's task interface (the django-tasks backport; django.tasks
# from Django 6). "immediate" runs a task inside the request that enqueues it, so a single
# process needs nothing else; "database" keeps tasks in the database for `manage.py
# db_worker` processes on any machine (docs/deployment.md). Both apps are installed in
# either case, so that the migrations are the same everywhere.
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASK_BACKEND = env.str("TASK_BACKEND", default="immediate")
if TASK_BACKEND not in TASK_BACKENDS:
    sys.stderr.write(f"TASK_BACKEND must be one of: {', '.join(TASK_BACKENDS)}.\n")
    raise SystemExit(1)
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASK_BACKEND], "QUEUES": ["default"]}}

# Caches: each process's own memory. "pages" keeps the results page of an assessment,
# rendered once per language and state (compliance/reports/views.py): one entry per
# assessment and language, holding a digest of everything the page shows, and a process
# holds at most 200 of them (about 40 MB at most). It stays per process: a cache shared
# across deployments would also need the code's version in the key.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}
# Generated files (rendered reports) go through STORAGES["default"]: the file system under
# MEDIA_ROOT here, shared by every web and worker process, or object storage through
# django-storages (docs/deployment.md). They are never served by URL, only through the
# views that apply the access rule, so there is no MEDIA_URL; on disk only the app's user
# may read them.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Evidence files (uploads) have a storage of their own, STORAGES["evidence"]: the file
# system under EVIDENCE_ROOT, or an S3-compatible bucket (django-storages) when
# EVIDENCE_BUCKET is set. Like reports, they are served only through a view that applies
# the access rule (compliance/evidence/views.py), never by URL.
EVIDENCE_ROOT = env.path("EVIDENCE_ROOT", default=VAR_DIR / "evidence")
EVIDENCE_BUCKET = env.str("EVIDENCE_BUCKET", default="")
if EVIDENCE_BUCKET:
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EVIDENCE_BUCKET,
            "endpoint_url": env.str("EVIDENCE_BUCKET_ENDPOINT", default=None),
            "region_name": env.str("EVIDENCE_BUCKET_REGION", default=None),
            "location": "evidence",
            "default_acl": "private",
            "file_overwrite": False,
            # A download or the audit pack reads a file through a temporary file beyond
            # this size, never the whole file into memory.
            "max_memory_size": 1024 * 1024,
        },
    }
else:
    STORAGES["evidence"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": EVIDENCE_ROOT},
    }
EVIDENCE_MAX_FILE_BYTES = env.int("EVIDENCE_MAX_FILE_MB", default=25) * 1024 * 1024
# A file larger than that is not even spooled to disk: the first handler stops reading it.
FILE_UPLOAD_HANDLERS = [
    "compliance.evidence.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
EVIDENCE_QUOTA_BYTES = env.int("EVIDENCE_QUOTA_MB", default=2048) * 1024 * 1024
# An audit pack holds each evidence file once per answer that cites it: at most this much.
AUDIT_PACK_MAX_BYTES = env.int("AUDIT_PACK_MAX_MB", default=4096) * 1024 * 1024
# Files in one upload (Django's default is 100: each up to EVIDENCE_MAX_FILE_MB).
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("EVIDENCE_MAX_FILES_PER_UPLOAD", default=20)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750


def _optional_path(name: str) -> Path | None:
    value = env.str(name, default="")
    return Path(value) if value else None


# The installation's signature on approved reports (compliance/reports/signing.py): a PEM
# key and certificate, or a PKCS#12 file holding both (used instead when set), and
# optionally the PEM intermediates of a company CA, embedded in each signature.
SIGNING_KEY_FILE = _optional_path("SIGNING_KEY_FILE")
SIGNING_CERT_FILE = _optional_path("SIGNING_CERT_FILE")
SIGNING_KEY_PASSWORD = env.str("SIGNING_KEY_PASSWORD", default="")
SIGNING_PKCS12_FILE = _optional_path("SIGNING_PKCS12_FILE")
SIGNING_PKCS12_PASSWORD = env.str("SIGNING_PKCS12_PASSWORD", default="")
SIGNING_CHAIN_FILE = _optional_path("SIGNING_CHAIN_FILE")
if DEBUG and not (SIGNING_PKCS12_FILE or SIGNING_KEY_FILE or SIGNING_CERT_FILE):
    # Written by `manage.py make_signing_key` (`make run` does it), not checked here.
    SIGNING_KEY_FILE = VAR_DIR / "signing" / "key.pem"
    SIGNING_CERT_FILE = VAR_DIR / "signing" / "cert.pem"


def _signing_problem() -> str | None:
    """What to set, in one line, when the signing files are not configured or not readable.
    Only their presence is checked here; they are read when the first report is signed."""
    if SIGNING_PKCS12_FILE:
        files = {"SIGNING_PKCS12_FILE": SIGNING_PKCS12_FILE}
    elif SIGNING_KEY_FILE and SIGNING_CERT_FILE:
        files = {"SIGNING_KEY_FILE": SIGNING_KEY_FILE, "SIGNING_CERT_FILE": SIGNING_CERT_FILE}
    elif SIGNING_KEY_FILE or SIGNING_CERT_FILE:
        unset = "SIGNING_CERT_FILE" if SIGNING_KEY_FILE else "SIGNING_KEY_FILE"
        return (
            f"{unset} is not set: approved reports are signed with SIGNING_KEY_FILE and "
            "SIGNING_CERT_FILE together (or SIGNING_PKCS12_FILE)."
        )
    else:
        return (
            "SIGNING_KEY_FILE and SIGNING_CERT_FILE (or SIGNING_PKCS12_FILE) are not set: "
            "approved reports are signed with them; run `manage.py make_signing_key --dir DIR` "
            "for a self-signed pair."
        )
    if SIGNING_CHAIN_FILE:
        files["SIGNING_CHAIN_FILE"] = SIGNING_CHAIN_FILE
    for name, path in files.items():
        if not (path.is_file() and os.access(path, os.R_OK)):
            return f"{name} is missing or not readable by this user: {path}"
    return None


if not DEBUG and (_problem := _signing_problem()):
    sys.stderr.write(f"{_problem}\n")  # one line, like SECRET_KEY's
    raise SystemExit(1)

# The REST API (compliance/api, docs/api.md): tokens of an organisation or the signed-in
# browser's session (with CSRF), read-only but for actions, limited per token and per user.
API_RATE = env.str("API_RATE", default="120/min")
API_MAX_BODY = 64 * 1024  # bytes of a request's JSON body
CACHES["api"] = env.cache_url("API_CACHE_URL", default="locmemcache://api")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "compliance.api.authentication.TokenAuthentication",
        "compliance.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["compliance.api.permissions.ReadScope"],
    "DEFAULT_THROTTLE_CLASSES": ["compliance.api.throttling.PerCaller"],
    "DEFAULT_THROTTLE_RATES": {"api": API_RATE},
    "DEFAULT_PAGINATION_CLASS": "compliance.api.pagination.Pages",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["compliance.api.parsers.LimitedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "compliance.api.errors.handler",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ICP Self-Assessment API",
    "DESCRIPTION": "Organisations, assessments and their results, answers, remediation "
    "actions, evidence metadata and published questionnaires (docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStatus": "compliance.assessments.models.AssessmentStatus",
        "ActionStatus": "compliance.actions.models.ActionStatus",
        "VersionStatus": "compliance.questionnaires.models.versions.VersionStatus",
    },
}

# Webhooks (compliance/webhooks): where deliveries may go and how long they may take.
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=DEBUG)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The public verification page (/verify/): uses per client address and hour, and the
# largest PDF it reads (at most EVIDENCE_MAX_FILE_MB: the upload handler stops there).
VERIFY_LIMIT_PER_HOUR = env.int("VERIFY_LIMIT_PER_HOUR", default=30)
VERIFY_MAX_FILE_BYTES = min(
    env.int("VERIFY_MAX_FILE_MB", default=20) * 1024 * 1024, EVIDENCE_MAX_FILE_BYTES
)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="compliance@localhost")
# E-mails per hour (compliance.notifications): to one address of one kind (sign-up,
# invitation, password reset), from one client address, and from one signed-in sender.
MAIL_LIMIT_PER_RECIPIENT = env.int("MAIL_LIMIT_PER_RECIPIENT", default=3)
MAIL_LIMIT_PER_ADDRESS = env.int("MAIL_LIMIT_PER_ADDRESS", default=20)
MAIL_LIMIT_PER_SENDER = env.int("MAIL_LIMIT_PER_SENDER", default=30)
# Workflow e-mails (review requested, returned, approved) wait in an outbox and are tried
# again with a growing delay, up to 6 hours apart: this many times at most.
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=8)
#: The links of the e-mails sent outside any request (``manage.py send_reminders``).
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

# Production HTTPS behaviour. Behind a reverse proxy that terminates TLS, set
# SECURE_PROXY_SSL_HEADER_ENABLED=1 so that X-Forwarded-Proto is trusted.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("SECURE_PROXY_SSL_HEADER_ENABLED", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# A form the CSRF check refuses gets a page of the site (Django's has an inline style).
CSRF_FAILURE_VIEW = "compliance.core.views.csrf_failure"
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles and everything else only from the
# app's own origin; no inline script or style anywhere (Bootstrap's form icons are data:
# images). A view widens it only with django-csp's decorators and a reason in
# docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features the app never uses, switched off for every page.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint reports every unsupported CSS property; only errors matter here.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        # django-axes announces itself at start-up; lockouts are logged as warnings.
        "axes": {"level": "WARNING"},
    },
}
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
