from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "compliance.evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from .models import EvidenceFile
        from .storage import delete_stored_file

        # However a file's row goes (its organisation deleted, in the admin or in code),
        # its bytes go from the storage once the deletion is committed.
        post_delete.connect(delete_stored_file, sender=EvidenceFile, dispatch_uid="evidence.delete")
