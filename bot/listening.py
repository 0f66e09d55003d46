"""Whether two of the process's servers (the webhook, the board) would listen on one address
and port, so that the second could not start. Decided by the addresses the hosts name, as the
servers resolve them, not by their spelling: localhost and 127.0.0.1, 0.0.0.0 and any address
of the machine, "" (every address) and anything."""

from __future__ import annotations

import errno
import ipaddress
import os
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


def host_at_fault(error: OSError) -> bool:
    """Whether a failure to listen is the host's (no address of this machine, or none at all)
    rather than the port's."""
    return isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL


def cannot_listen(error: OSError, host: str, port: int, listen_name: str, port_name: str) -> str:
    """The line for a server that could not listen on host:port, naming the setting to change:
    the port when another program holds it or it is reserved, the host when it names no
    address of this machine (the public name of the URL, say) or none at all."""
    # asyncio words its own bind failure ("error while attempting to bind on address ...");
    # the system's reason for the errno is the part an operator needs.
    number = None if isinstance(error, socket.gaierror) else error.errno
    reason = os.strerror(number) if number else error.strerror or str(error)
    where = f"cannot listen on {host}:{port} ({reason})"
    if host_at_fault(error):
        return f"{where}: set {listen_name} to an address of this machine, or 0.0.0.0"
    if error.errno == errno.EACCES:
        return f"{where}: set {port_name} to a port above 1023, or let the bot bind this one"
    return f"{where}: free the port or set {port_name}"
