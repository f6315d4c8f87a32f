"""Network correlation among many stored networks: nested, neighbouring, IPv4 and IPv6."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.alerts.factory import publish
from tests.intel.test_related import hows, related
from tests.world import World


def ips(*values: str) -> list[dict[str, str]]:
    return [{"type": "cidr" if "/" in v else ("ipv6" if ":" in v else "ipv4"), "value": v}
            for v in values]  # fmt: skip


def test_an_address_matches_every_stored_network_holding_it_and_no_neighbour(
    client: TestClient, world: World
) -> None:
    # Several networks per prefix length, two of them nested in each other, in three alerts.
    wide = publish(client, world, "E1", indicators=ips("91.200.0.0/16", "91.201.0.0/16"))
    narrow = publish(
        client, world, "E2", indicators=ips("91.200.4.0/24", "91.200.5.0/24", "91.200.3.0/24")
    )
    same = publish(client, world, "E3", indicators=ips("91.200.4.0/24", "2a0e:97c0:1::/48"))
    probe = publish(
        client,
        world,
        "E4",
        indicators=ips(
            "91.200.4.9", "91.200.6.1", "91.202.0.1", "2a0e:97c0:1:ff::1", "2a0e:97c0:2::1"
        ),
    )
    found = {r["alert"]["id"]: hows(r) for r in related(client, world, "N", probe["id"])["related"]}
    assert found == {
        wide["id"]: {
            ("91.200.4.9", "91.200.0.0/16", "cidr"),
            ("91.200.6.1", "91.200.0.0/16", "cidr"),
        },
        narrow["id"]: {("91.200.4.9", "91.200.4.0/24", "cidr")},
        same["id"]: {
            ("91.200.4.9", "91.200.4.0/24", "cidr"),
            ("2a0e:97c0:1:ff::1", "2a0e:97c0:1::/48", "cidr"),
        },
    }


def test_networks_match_the_wider_networks_holding_them_and_what_they_hold(
    client: TestClient, world: World
) -> None:
    stored = publish(
        client, world, "E1", indicators=ips("45.128.0.0/12", "45.143.9.9", "193.29.7.0/24")
    )
    probe = publish(client, world, "E2", indicators=ips("45.143.0.0/16", "193.29.0.0/16"))
    [item] = related(client, world, "N", probe["id"])["related"]
    assert item["alert"]["id"] == stored["id"]
    assert hows(item) == {
        ("45.143.0.0/16", "45.128.0.0/12", "cidr"),  # inside a wider stored network
        ("45.143.0.0/16", "45.143.9.9", "cidr"),  # holds a stored address
        ("193.29.0.0/16", "193.29.7.0/24", "cidr"),  # holds a stored network
    }
