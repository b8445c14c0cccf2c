"""An upload handler that stops reading a file once it is larger than any upload may be.

Django's other handlers keep an upload in memory or in a temporary file, however large
it is, before a view can look at its size: this one, first in ``FILE_UPLOAD_HANDLERS``,
counts each file's bytes as they arrive and skips the rest of a file past
``EVIDENCE_MAX_FILE_BYTES`` (its part of the request is read and thrown away, never
written anywhere). The file is then missing from ``request.FILES``, and its name and the
limit are in ``request.oversized_uploads`` for the view to say so.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class LimitedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.EVIDENCE_MAX_FILE_BYTES:
            if self.request is not None:
                oversized = getattr(self.request, "oversized_uploads", [])
                oversized.append(self.file_name)
                self.request.oversized_uploads = oversized
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file
