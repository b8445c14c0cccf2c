from django.apps import AppConfig


class BackupConfig(AppConfig):
    """`manage.py backup` and `manage.py restore`; no models, nothing shown in the admin."""

    name = "compliance.backup"
