"""The address of the person behind a request, as login throttling sees it.

Behind a load balancer every request arrives from the balancer's address, so keying lockouts
on ``REMOTE_ADDR`` would put every user behind one address: five bad passwords from anyone
would lock a user out everywhere. The real address is in ``X-Forwarded-For``, but that
header is whatever the client sent plus what each proxy appended, so only the proxies'
part of it can be believed.

The rule (settings TRUSTED_PROXY_COUNT and TRUSTED_PROXIES, documented in docs/operations.md):

1. With TRUSTED_PROXY_COUNT = 0 (the default) no header is read: the address is REMOTE_ADDR.
2. With TRUSTED_PROXY_COUNT = N, the chain is ``X-Forwarded-For`` followed by REMOTE_ADDR,
   and the client is the N-th address from its right end (django-ipware's proxy count):
   each of our N proxies added one address, and anything further left is the client's
   own (forgeable) claim and ignored.
3. With TRUSTED_PROXIES set as well, the header is read only when REMOTE_ADDR is one of
   those addresses or networks, so a request that bypasses the balancer and forges the
   header is keyed on its own address.
A chain shorter than N+1 (no header) falls back to REMOTE_ADDR.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest
from python_ipware import IpWare

HEADER = "HTTP_X_FORWARDED_FOR"


@cache
def _proxy_networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _from_trusted_proxy(remote: str) -> bool:
    proxies = tuple(settings.TRUSTED_PROXIES)
    if not proxies:
        return True  # the count alone decides (every request comes through the balancer)
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    return any(address in network for network in _proxy_networks(proxies))


def client_address(request: HttpRequest) -> str | None:
    """The client's address under the trusted-proxy rule above; never a raw header value."""
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get(HEADER, "")
    if not hops or not remote or not forwarded or not _from_trusted_proxy(remote):
        return remote
    # Non-strict: at least `hops` proxies, and the client sits exactly `hops` from the right.
    ipware = IpWare(precedence=(HEADER,), proxy_count=hops)
    client, _ = ipware.get_client_ip({HEADER: f"{forwarded}, {remote}"}, strict=False)
    return str(client) if client is not None else remote
