"""The one Host/Origin rule (hub/server/hostpolicy.py), over the settings that shape it."""

from __future__ import annotations

import pytest

from hub.server.hostpolicy import HostPolicy
from hub.settings import Settings


def policy(**changes: object) -> HostPolicy:
    return HostPolicy.from_settings(Settings(port=8050).replace(**changes))


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8050", "[::1]:8050", "x.localhost", "LocalHost:1"])
def test_local_names_always_pass(host: str) -> None:
    assert policy().allows_host(host)


@pytest.mark.parametrize("host", ["evil.test", "10.0.0.5", "192.168.1.2:8050", "", None, "localhost@evil.test"])
def test_loopback_bind_refuses_other_names_and_addresses(host: str | None) -> None:
    assert not policy().allows_host(host)


def test_bound_address_passes_and_a_wildcard_bind_takes_ip_literals_only() -> None:
    assert policy(host="10.0.0.5").allows_host("10.0.0.5:8050")
    assert not policy(host="10.0.0.5").allows_host("10.0.0.6")
    everywhere = policy(host="0.0.0.0")
    assert everywhere.allows_host("10.0.0.6:8050") and everywhere.allows_host("[fe80::1]")
    assert not everywhere.allows_host("evil.test") and not everywhere.allows_host("10.0.0.6.nip.io")


def test_public_url_and_allowed_hosts() -> None:
    p = policy(public_url="https://mova.example.com/", allowed_host=("Dash.Example.org", "*.ops.example"))
    assert p.allows_host("mova.example.com") and p.allows_host("dash.example.org:8443")
    assert p.allows_host("a.b.ops.example") and not p.allows_host("ops.example")
    assert p.allows_origin("https://mova.example.com")
    assert not p.allows_origin("http://mova.example.com")  # another scheme is another origin


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, True),  # not a browser page
        ("http://127.0.0.1:8050", True),
        ("http://localhost:8050/", True),
        ("http://localhost:3000", False),  # another local app
        ("http://localhost", False),
        ("null", False),
        ("http://evil.test:8050", False),
        ("https://ops.example", True),  # --allowed-origin
        ("chrome-extension://abc", False),
    ],
)
def test_origin_rule(origin: str | None, allowed: bool) -> None:
    assert policy(allowed_origin=("https://ops.example",)).allows_origin(origin) is allowed


def test_origin_of_the_requests_own_allowed_host_passes_behind_a_proxy() -> None:
    p = policy(allowed_host=("dash.example.org",))
    assert p.allows_origin("https://dash.example.org", host="dash.example.org")
    assert not p.allows_origin("https://dash.example.org", host="127.0.0.1:8050")
    assert not p.allows_origin("http://evil.test:9000", host="evil.test:9000")  # the name itself is not allowed
