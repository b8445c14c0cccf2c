"""Where evidence files are kept: ``STORAGES["evidence"]``, through Django's storage API.

The local file system under ``EVIDENCE_ROOT`` by default, or an S3-compatible bucket
through django-storages when ``EVIDENCE_BUCKET`` is set (compliance/settings.py). Keys
are the organisation's id and a random token: they reveal nothing, cannot be guessed,
and never contain a name a user chose. Files are never served by URL, only by the
download view, which applies the access rule.
"""

from __future__ import annotations

import secrets

from django.core.files.storage import Storage, storages
from django.db import transaction


def evidence_storage() -> Storage:
    return storages["evidence"]


def new_key(organisation) -> str:
    return f"{organisation.uuid.hex}/{secrets.token_hex(20)}"


def delete_stored_file(sender, instance, **kwargs) -> None:
    """After a file's row is deleted and the deletion committed, its bytes go too."""
    key = instance.key
    transaction.on_commit(lambda: evidence_storage().delete(key))
