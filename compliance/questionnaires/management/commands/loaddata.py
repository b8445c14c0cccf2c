"""Django's ``loaddata``, refusing fixtures that would change published content.

``loaddata`` saves raw, past the models' ``save()``. The ``pre_save`` guard refuses a
changed row of a published version; this command then checks, in loaddata's own
transaction, that every published or retired version still matches the digest recorded
when it was published, so rows *added* to a published version are refused too (and the
whole load is undone). A new database is loaded as before: its versions and their
content arrive together, and match their digests.
"""

from django.core.management.base import CommandError
from django.core.management.commands import loaddata

from compliance.questionnaires.models.receivers import forget_rows_created_by_loads
from compliance.questionnaires.services import TamperedVersion, verify_published_content


class Command(loaddata.Command):
    def loaddata(self, fixture_labels):
        forget_rows_created_by_loads()
        try:
            super().loaddata(fixture_labels)
        finally:
            forget_rows_created_by_loads()
        try:
            verify_published_content()
        except TamperedVersion as error:
            raise CommandError(str(error)) from error
