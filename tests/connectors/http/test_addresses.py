from __future__ import annotations

import ipaddress

import pytest

from connectors.http.addresses import (
    REFUSAL_REASONS,
    AddressPolicy,
    ResolutionError,
    ip_literal,
    resolve_host,
    system_resolver,
)

STRICT = AddressPolicy()


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("fec0::1", "private"),  # deprecated site-local
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("100.64.0.1", "cgnat"),
        ("100.127.255.254", "cgnat"),
        ("169.254.169.254", "cloud-metadata"),
        ("169.254.170.2", "cloud-metadata"),
        ("fd00:ec2::254", "cloud-metadata"),
        ("100.100.100.200", "cloud-metadata"),
        ("::ffff:127.0.0.1", "ipv4-mapped"),
        ("::ffff:8.8.8.8", "ipv4-mapped"),  # refused whatever it maps to
        ("::127.0.0.1", "ipv4-compatible"),
        ("::8.8.8.8", "ipv4-compatible"),
        ("2001::1", "teredo"),
        ("64:ff9b::127.0.0.1", "nat64"),
        ("64:ff9b::a9fe:a9fe", "nat64"),  # the metadata service through NAT64
        ("64:ff9b:1::1", "nat64"),  # local-use prefix
        ("2002:7f00:1::1", "6to4"),
        ("2002:a00:1::1", "6to4"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("255.255.255.255", "broadcast"),
        ("240.0.0.1", "reserved"),
        ("0.1.2.3", "not-global"),
        ("192.0.2.1", "not-global"),  # documentation
        ("198.18.0.1", "not-global"),  # benchmarking
        ("2001:db8::1", "not-global"),
    ],
)
def test_non_public_addresses_are_refused_with_a_precise_reason(address: str, reason: str) -> None:
    assert reason in REFUSAL_REASONS
    assert STRICT.refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "64:ff9b::8.8.8.8", "2002:808:808::1"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert STRICT.refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.0.0.1", "169.254.169.254", "::ffff:127.0.0.1"])
def test_allow_private_lifts_every_refusal(address: str) -> None:
    assert AddressPolicy(allow_private=True).refusal(ipaddress.ip_address(address)) is None


def test_allowed_networks_let_one_network_through_and_nothing_else() -> None:
    policy = AddressPolicy(allowed_networks=(ipaddress.ip_network("10.1.2.0/24"), ipaddress.ip_network("fd00::/64")))
    assert policy.refusal(ipaddress.ip_address("10.1.2.3")) is None
    assert policy.refusal(ipaddress.ip_address("fd00::5")) is None
    assert policy.refusal(ipaddress.ip_address("10.1.3.3")) == "private"
    assert policy.refusal(ipaddress.ip_address("127.0.0.1")) == "loopback"


def test_first_refusal_finds_the_one_bad_address_in_a_mix() -> None:
    mix = [ipaddress.ip_address(a) for a in ("93.184.216.34", "2606:4700::1111", "127.0.0.1")]
    assert STRICT.first_refusal(mix) == (ipaddress.ip_address("127.0.0.1"), "loopback")
    assert STRICT.first_refusal(mix[:2]) is None


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),
        ("169.254.43518", "169.254.169.254"),
    ],
)
def test_ip_literals_are_read_in_every_spelling_the_os_accepts(host: str, address: str) -> None:
    assert ip_literal(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["news.example", "localhost", "08.0.0.1", ""])
def test_names_are_not_literals(host: str) -> None:
    assert ip_literal(host) is None


def test_a_literal_never_reaches_the_resolver() -> None:
    def resolver(host: str, port: int) -> list[str]:
        raise AssertionError(f"resolver asked for {host}")

    assert resolve_host("2130706433", 80, resolver) == (ipaddress.ip_address("127.0.0.1"),)


def test_resolve_host_returns_every_address_once() -> None:
    answers = {"mixed.example": ["93.184.216.34", "127.0.0.1", "93.184.216.34", "2606:4700::1111"]}
    addresses = resolve_host("mixed.example", 443, lambda host, port: answers[host])
    assert [str(a) for a in addresses] == ["93.184.216.34", "127.0.0.1", "2606:4700::1111"]


def test_resolution_failures_are_errors() -> None:
    def failing(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(ResolutionError, match="not known"):
        resolve_host("nowhere.example", 80, failing)
    with pytest.raises(ResolutionError, match="no address"):
        resolve_host("empty.example", 80, lambda host, port: [])
    with pytest.raises(ResolutionError, match="not an IP address"):
        resolve_host("odd.example", 80, lambda host, port: ["not-an-ip"])


def test_the_system_resolver_answers_for_localhost() -> None:
    addresses = resolve_host("localhost", 80, system_resolver)
    assert addresses and all(a.is_loopback for a in addresses)
