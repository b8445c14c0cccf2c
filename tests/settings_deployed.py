"""The deployed settings, for the app's own processes that tests start (gunicorn, workers),
except that static files come from the finders: the manifest of hashed names needs a
collectstatic of a quarter of a minute, and static files are tested on their own."""

from compliance.settings import *  # noqa: F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
