"""The address guard: which IP addresses a fetch may connect to, and which addresses a URL host stands for."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# (host, port) -> the addresses it resolves to, as strings; raises OSError when it cannot resolve.
Resolver = Callable[[str, int], list[str]]

# Each refusal reason, in the order they are tried: the first that fits names the refusal.
REFUSAL_REASONS = (
    "cloud-metadata",
    "ipv4-mapped",
    "ipv4-compatible",
    "teredo",
    "nat64",
    "6to4",
    "unspecified",
    "loopback",
    "private",
    "link-local",
    "cgnat",
    "multicast",
    "broadcast",
    "reserved",
    "not-global",
)

# Instance metadata services hand out credentials to whoever asks from inside the cloud.
_CLOUD_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Oracle
        "169.254.170.2",  # AWS ECS task credentials
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
    )
)
_PRIVATE = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fec0::/10")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_BROADCAST = ipaddress.ip_address("255.255.255.255")
_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.ip_network("::/96")
_TEREDO = ipaddress.ip_network("2001::/32")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_6TO4 = ipaddress.ip_network("2002::/16")


class ResolutionError(Exception):
    """A host that resolves to nothing usable."""

    def __init__(self, host: str, detail: str) -> None:
        super().__init__(host, detail)
        self.host = host
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.host}: {self.detail}"


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses may be connected to: only globally routable ones, unless told otherwise."""

    # Lifts every refusal: for loopback fixtures and tests, never for a deployment facing the internet.
    allow_private: bool = False
    # Networks allowed even when allow_private is False: one intranet host, or a test's stand-in "public" address.
    allowed_networks: tuple[IPNetwork, ...] = ()

    def refusal(self, ip: IPAddress) -> str | None:
        """None when `ip` may be connected to, else the short reason it may not (one of REFUSAL_REASONS)."""
        if self.allow_private or any(ip in net for net in self.allowed_networks):
            return None
        if ip in _CLOUD_METADATA:
            return "cloud-metadata"
        if isinstance(ip, ipaddress.IPv6Address) and (embedding := _embedding(ip)) is not None:
            kind, carried = embedding
            # An IPv4 inside an IPv6 reaches that IPv4. Real transition mechanisms are judged by the IPv4 they
            # carry (DNS64 synthesises NAT64 answers on IPv6-only hosts); the others are refused outright.
            return kind if carried is None or self.refusal(carried) is not None else None
        return _plain_refusal(ip)

    def first_refusal(self, addresses: Iterable[IPAddress]) -> tuple[IPAddress, str] | None:
        """The first address refused and why, or None when every one is allowed."""
        for ip in addresses:
            if (reason := self.refusal(ip)) is not None:
                return ip, reason
        return None


def _embedding(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address | None] | None:
    """How `ip` wraps an IPv4 and which one (None: refused whatever it wraps), or None when it wraps none."""
    if ip in _MAPPED:
        return "ipv4-mapped", None  # dual-stack sockets connect straight to the IPv4
    if ip in _COMPATIBLE and int(ip) > 1:  # :: and ::1 are the unspecified and loopback addresses
        return "ipv4-compatible", None
    if ip in _TEREDO:
        return "teredo", None  # the client address inside is obfuscated: nothing to judge
    if ip in _NAT64_LOCAL:
        return "nat64", None  # local-use prefix: translated inside somebody's private network
    if ip in _NAT64:
        return "nat64", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    return None


def _plain_refusal(ip: IPAddress) -> str | None:
    if ip.is_unspecified:
        return "unspecified"  # 0.0.0.0 and :: connect to this very host on Linux
    if ip.is_loopback:
        return "loopback"
    if any(ip in net for net in _PRIVATE):
        return "private"
    if ip.is_link_local:
        return "link-local"
    if ip in _CGNAT:
        return "cgnat"
    if ip.is_multicast:
        return "multicast"
    if ip == _BROADCAST:
        return "broadcast"
    if ip.is_reserved:
        return "reserved"
    # Documentation, benchmarking, 0.0.0.0/8, IETF protocol ranges and the like.
    return None if ip.is_global else "not-global"


def ip_literal(host: str) -> IPAddress | None:
    """The address `host` spells by itself in any form the OS accepts ('127.1', '2130706433', '0x7f000001',
    '0177.0.0.1', '[::1]'), or None when it is a name to resolve."""
    text = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    try:
        # inet_aton is what the C library uses on numeric hosts; whatever it reads as an address, so do we.
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except (OSError, ValueError):
        return None


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host`, first-seen order, without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def resolve_host(host: str, port: int, resolver: Resolver = system_resolver) -> tuple[IPAddress, ...]:
    """The addresses `host` stands for: the literal itself, or every address the resolver returns."""
    if (literal := ip_literal(host)) is not None:
        return (literal,)
    try:
        answers = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise ResolutionError(host, str(exc) or type(exc).__name__) from None
    addresses: list[IPAddress] = []
    for answer in answers:
        try:
            addresses.append(ipaddress.ip_address(answer))
        except ValueError:
            raise ResolutionError(host, f"resolver returned {answer!r}, not an IP address") from None
    if not addresses:
        raise ResolutionError(host, "resolves to no address")
    return tuple(dict.fromkeys(addresses))
