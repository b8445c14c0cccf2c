"""The API's rate limit, ``API_RATE`` per token, per signed-in user, or per address.

Counted in the ``api`` cache (``API_CACHE_URL``): each process's memory unless a shared
cache is configured. Beyond the limit a call is a 429 with ``Retry-After``.
"""

from __future__ import annotations

from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class PerCaller(SimpleRateThrottle):
    scope = "api"

    def __init__(self):
        self.cache = caches["api"]
        super().__init__()

    def get_rate(self):
        from django.conf import settings

        return settings.API_RATE

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user is not None and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return f"api-rate:{ident}"
