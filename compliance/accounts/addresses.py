"""The client's address as the app sees it behind the configured reverse proxies.

Each proxy appends the address it received the request from to X-Forwarded-For, so with
``TRUSTED_PROXY_COUNT`` = N proxies in front of the app the client is the N-th entry from
the right; everything to the left of it was written by the client and may be forged.
(django-ipware counts the proxies listed *in* the header, which a reverse proxy such as
nginx does not add itself: with one proxy it would take the forgeable left part.)
With no proxy the address is the connection's own.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest, *args, **kwargs) -> str:
    """The client's IP address (django-axes calls this with the request and more)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote  # it did not come through every proxy: only the connection is sure
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
