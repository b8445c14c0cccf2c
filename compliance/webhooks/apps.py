from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "compliance.webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 (connects the receivers)
