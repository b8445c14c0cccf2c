from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "compliance.assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from compliance.evidence import signals

        from .evidence import unlink_removed_item

        signals.item_removed.connect(unlink_removed_item, dispatch_uid="assessments.unlink")

        from compliance.organisations.signals import member_removed

        from .assignment import drop_assignments_of

        member_removed.connect(drop_assignments_of, dispatch_uid="assessments.member_removed")
