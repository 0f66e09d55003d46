"""Whether two of the process's servers (the webhook, the board) would listen on one address
and port, so that the second could not start. Decided by the addresses the hosts name, as the
servers resolve them, not by their spelling: localhost and 127.0.0.1, 0.0.0.0 and any address
of the machine, "" (every address) and anything."""

from __future__ import annotations

import ipaddress
import socket

Address = tuple[int, ipaddress.IPv4Address | ipaddress.IPv6Address]


def share_an_address(first: str, second: str, port: int) -> bool:
    """Whether servers listening on `first` and `second` at `port` would take one address.
    A host that names no address is left for its server to refuse."""
    ours, theirs = _addresses(first, port), _addresses(second, port)
    return any(_overlap(one, other) for one in ours for other in theirs)


def _addresses(host: str, port: int) -> list[Address]:
    """The addresses a server binds for `host`, resolved as asyncio's create_server does
    ("" is every address, IPv4 and IPv6)."""
    try:
        found = socket.getaddrinfo(
            host.strip() or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (OSError, UnicodeError):
        return []
    addresses: list[Address] = []
    for family, *_, sockaddr in found:
        if family in (socket.AF_INET, socket.AF_INET6):
            # An IPv6 address may carry its scope ("fe80::1%eth0"): the address is before it.
            addresses.append((family, ipaddress.ip_address(str(sockaddr[0]).split("%")[0])))
    return addresses


def _overlap(one: Address, other: Address) -> bool:
    # asyncio opens an IPv6 listening socket for IPv6 alone (IPV6_V6ONLY), so only addresses
    # of one family meet; within it, the same address or the unspecified one (every address).
    (family, address), (other_family, other_address) = one, other
    if family != other_family:
        return False
    return address == other_address or address.is_unspecified or other_address.is_unspecified
