"""Sending one webhook request safely.

The address is checked before anything is sent (``vet``): http(s) only, no user name or
password in it, and every address its name resolves to must be public, unless it falls
in one of the networks a setting allows (the tests allow loopback for their receiver).
The request then goes to the checked address itself, never to the name again, so that a
name that resolves elsewhere the second time (DNS rebinding) cannot send it inside.
Redirects are never followed, the whole exchange has one deadline, and at most
``cap`` bytes of the answer are read.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

#: Cloud metadata services: refused even where their networks would otherwise pass.
METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
MAX_URL = 500
#: IPv6 prefixes that carry an IPv4 address in their last 32 bits (IPv4-compatible, the
#: NAT64 well-known prefix): the IPv4 address inside is what is reached, so it is judged.
COMPATIBLE = ipaddress.ip_network("::/96")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(ValueError):
    """The address may not be sent to; the message says why (it is shown to owners)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with its query
    address: str  # the checked address the request goes to

    @property
    def host_header(self) -> str:
        """The Host header: the name, bracketed if an IPv6 literal, with the port unless it
        is the scheme's default."""
        name = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes  # at most the cap
    truncated: bool
    duration_ms: int


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def inner(address):
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, NAT64), else the
    address itself."""
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64 or (address in COMPATIBLE and int(address) > 1):  # not :: or ::1
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def public(address, allowed: tuple[Network, ...] = ()) -> bool:
    """Whether a request may go to ``address``: a global unicast address, or one inside
    ``allowed``; never a metadata service. An IPv6 address that carries an IPv4 one is
    judged by the IPv4 address too."""
    carried = inner(address)
    if carried is not address and not public(carried, allowed):
        return False
    if address in METADATA:
        return False
    if any(address in network for network in allowed):
        return True
    return address.is_global and not address.is_multicast


def vet(url: str, *, allowed: tuple[Network, ...] = (), allow_http: bool = False) -> Target:
    """The checked target of ``url``, or ``Refused`` with the reason."""
    if len(url) > MAX_URL:
        raise Refused(_("The address is longer than %(limit)s characters.") % {"limit": MAX_URL})
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http"):
        raise Refused(_("The address must start with https://."))
    if parts.scheme == "http" and not allow_http:
        raise Refused(_("The address must use https://: deliveries are not sent in clear text."))
    if parts.username is not None or parts.password is not None:
        raise Refused(_("The address may not hold a user name or password."))
    host = parts.hostname
    if not host:
        raise Refused(_("The address has no host name."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused(_("The address's port is not a number from 1 to 65535.")) from None
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(_("The host name %(host)s does not resolve.") % {"host": host}) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    refused = [address for address in addresses if not public(address, allowed)]
    if refused and str(refused[0]) == host:  # the address itself was given
        raise Refused(
            _(
                "%(address)s is an address on a private, local or reserved network: "
                "deliveries go only to public addresses."
            )
            % {"address": host}
        )
    if refused:
        raise Refused(
            _(
                "%(host)s resolves to %(address)s, an address on a private, local or "
                "reserved network: deliveries go only to public addresses."
            )
            % {"host": host, "address": refused[0]}
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, str(addresses[0]))


def vet_configured(url: str) -> Target:
    """``vet`` with the deployment's settings (``WEBHOOK_ALLOWED_NETWORKS``,
    ``WEBHOOK_ALLOW_HTTP``): what registration and every attempt check."""
    return vet(
        url,
        allowed=networks(settings.WEBHOOK_ALLOWED_NETWORKS),
        allow_http=settings.WEBHOOK_ALLOW_HTTP,
    )


class _Connection(http.client.HTTPConnection):
    """A connection to the checked address, named by its host (Host header, TLS name)."""

    def __init__(self, target: Target, timeout: float, context: ssl.SSLContext | None):
        super().__init__(target.host, target.port, timeout=timeout)
        self._target = target
        self._context = context

    def connect(self) -> None:
        sock = socket.create_connection((self._target.address, self.port), self.timeout)
        if self._context is not None:
            sock = self._context.wrap_socket(sock, server_hostname=self._target.host)
        self.sock = sock


def _cut(connection: _Connection, expired: threading.Event) -> None:
    """At the deadline: shut the socket, which ends any read or write blocked on it (a
    receiver that sends its answer a byte at a time would otherwise hold it for ever)."""
    expired.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # closed already
            sock.shutdown(socket.SHUT_RDWR)


def post(
    target: Target,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    cap: int,
    context: ssl.SSLContext | None = None,
) -> Answer:
    """POST ``body`` to ``target``; the answer, at most ``cap`` bytes of it, all within
    ``timeout`` seconds. Raises ``OSError`` (``TimeoutError`` at the deadline) or
    ``http.client.HTTPException`` when there is none."""
    if target.scheme == "https" and context is None:
        context = ssl.create_default_context()
    started = time.monotonic()
    connection = _Connection(target, timeout, context if target.scheme == "https" else None)
    expired = threading.Event()
    watchdog = threading.Timer(timeout, _cut, (connection, expired))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(
            "POST", target.path, body=body, headers={**headers, "Host": target.host_header}
        )
        response = connection.getresponse()
        chunks, size = [], 0
        while size <= cap:
            chunk = response.read1(min(8192, cap + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if expired.is_set():
            raise TimeoutError(f"No complete answer within {timeout:g} s.")
        return Answer(
            status=response.status,
            body=b"".join(chunks)[:cap],
            truncated=size > cap,
            duration_ms=round((time.monotonic() - started) * 1000),
        )
    except (OSError, http.client.HTTPException):
        if expired.is_set():
            raise TimeoutError(f"No complete answer within {timeout:g} s.") from None
        raise
    finally:
        watchdog.cancel()
        connection.close()
