"""Static files in production: hashed names, compressed, cached for a year (WhiteNoise)."""

import re
import shutil
from pathlib import Path

from django.conf import settings as project_settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client


def test_static_files_have_hashed_names_and_are_compressed_and_cached_forever(settings, tmp_path):
    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # Only the Bootstrap files the pages use: compressing all of its distribution (and the
    # admin's files) would take most of a minute and prove nothing more.
    bootstrap = Path(project_settings.BASE_DIR) / "node_modules" / "bootstrap" / "dist"
    vendor = tmp_path / "vendor"
    for name in ("css/bootstrap.min.css", "js/bootstrap.bundle.min.js"):
        for file in (name, f"{name}.map"):
            (vendor / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(bootstrap / file, vendor / file)
    settings.STATICFILES_DIRS = [
        Path(project_settings.BASE_DIR) / "compliance" / "static",
        ("vendor/bootstrap", vendor),
    ]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", "--noinput", "--ignore", "admin", verbosity=0)

    url = static("css/app.css")
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", url)
    client = Client()  # a new handler: WhiteNoise reads the collected files afresh
    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]

    page = client.get("/accounts/login/").content.decode()
    assert url in page  # pages name the hashed file
    assert client.get("/static/css/app.css").status_code == 200  # old links still work
