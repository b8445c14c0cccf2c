from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "compliance.api"
    verbose_name = _("API")

    def ready(self) -> None:
        from . import schema  # noqa: F401 (registers the schema's security schemes)
