from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "compliance.actions"
    verbose_name = _("Remediation actions")

    def ready(self) -> None:
        from compliance.organisations.signals import member_removed

        from .services import hand_back_actions_of

        # A member who leaves leaves their actions to the organisation's owners, recorded.
        member_removed.connect(hand_back_actions_of, dispatch_uid="actions.member_removed")
