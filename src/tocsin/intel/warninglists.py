"""Well-known benign values (the MISP warninglists shipped inside pymispwarninglists).

The package's own search is either exact-only or a linear scan of each list, and building
its `WarningLists` takes many seconds. We read the same JSON files once (lazily, cached
for the process, offline) into per-list sets and one table of networks, so a lookup costs
a few set probes: exact values, each parent of a host for "hostname" lists, and each
enclosing network of an address for "cidr" lists.
"""

from __future__ import annotations

import functools
import gc
import importlib.util
import ipaddress
import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tocsin.indicators.normalize import registered_domain
from tocsin.indicators.types import IndicatorType
from tocsin.intel.keys import host_of

log = logging.getLogger(__name__)

_NetKey = tuple[int, int, int]  # (IP version, network address, prefix length)
# The lists each (type, normalised value) is on, computed ahead of the write that flags them.
Matches = dict[tuple[IndicatorType, str], list[str]]
_SMALL_SUBSTRING_LIST = 1000


@dataclass
class Warninglists:
    """Lists by kind of match; `match` answers the names of the lists a value is on."""

    exact: dict[str, set[str]] = field(default_factory=dict)
    hostname: dict[str, set[str]] = field(default_factory=dict)
    substring: dict[str, list[str]] = field(default_factory=dict)
    networks: dict[_NetKey, list[str]] = field(default_factory=dict)
    prefix_lengths: dict[int, set[int]] = field(default_factory=lambda: {4: set(), 6: set()})

    def add(self, name: str, kind: str, values: list[str]) -> None:
        if kind == "string":
            self.exact[name] = set(values)  # lists are lower-case, like our values
        elif kind == "hostname":
            self.hostname[name] = {v.lower().lstrip(".") for v in values}
        elif kind == "substring" and len(values) <= _SMALL_SUBSTRING_LIST:
            self.substring[name] = [v.lower() for v in values if v]
        elif kind == "cidr":
            self._add_networks(name, values)

    def _add_networks(self, name: str, values: list[str]) -> None:
        for value in values:
            try:
                net = ipaddress.ip_network(value.strip(), strict=False)
            except ValueError:
                continue
            key = (net.version, int(net.network_address), net.prefixlen)
            self.networks.setdefault(key, []).append(name)
            self.prefix_lengths[net.version].add(net.prefixlen)

    def match(self, type: IndicatorType, value: str) -> list[str]:
        """Names of the lists the normalised indicator is on, sorted; [] when none."""
        found = {n for n, values in self.exact.items() if value in values}
        host = host_of(type, value) if type is not IndicatorType.EMAIL else None
        if host:
            parents = _parents(host)
            found |= {n for n, values in self.hostname.items() if not parents.isdisjoint(values)}
            found |= {n for n, subs in self.substring.items() if any(s in host for s in subs)}
        if type in (IndicatorType.IPV4, IndicatorType.IPV6, IndicatorType.CIDR):
            found |= self._network_match(value)
        return sorted(found)

    def _network_match(self, value: str) -> set[str]:
        net = ipaddress.ip_network(value, strict=False)
        address = int(net.network_address)
        bits = net.max_prefixlen
        found: set[str] = set()
        for length in self.prefix_lengths[net.version]:
            if length > net.prefixlen:
                continue  # a smaller network cannot contain this one
            mask = ((1 << length) - 1) << (bits - length) if length else 0
            found.update(self.networks.get((net.version, address & mask, length), ()))
        return found


def _parents(host: str) -> set[str]:
    """The host and its parents down to the registered domain (never a bare public suffix)."""
    labels = host.split(".")
    floor = registered_domain(host)
    parents = set()
    for i in range(len(labels)):
        parent = ".".join(labels[i:])
        parents.add(parent)
        if parent == floor:
            break
    return parents


def _lists_dir() -> Path:
    # Found without importing the package: its import loads jsonschema's format checkers,
    # which build a grammar (3 s of a node's first alert) that these JSON files never need.
    spec = importlib.util.find_spec("pymispwarninglists")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pymispwarninglists is not installed")
    package = Path(next(iter(spec.submodule_search_locations)))
    return package / "data" / "misp-warninglists" / "lists"


def load(directory: Path | None = None) -> Warninglists:
    """Read every list of the (offline) MISP warninglists into lookup tables."""
    started = time.monotonic()
    lists = Warninglists()
    for path in sorted((directory or _lists_dir()).glob("*/list.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        lists.add(document["name"], document["type"], document["list"])
    log.info("warninglists loaded in %.1f s", time.monotonic() - started)
    return lists


@functools.cache
def default() -> Warninglists:
    """The shipped warninglists, loaded on first use and kept for the process.

    They are millions of objects that live as long as the process, and every full pass of
    the cyclic garbage collector walked them all: 0.9 s of CPU in the middle of a 3,000-stream
    fan-out. Once loaded they are moved out of the collector's reach (`gc.freeze`); objects
    alive at that moment that later lose their last reference are still freed.
    """
    lists = load()
    gc.collect()
    gc.freeze()
    return lists


def matches_of(indicators: Iterable[tuple[IndicatorType, str]]) -> Matches:
    """The lists each (type, value) is on; no database, so callers run it before their
    transaction's first write (a 50,000-indicator alert takes seconds, the first load more)."""
    wanted = set(indicators)
    if not wanted:
        return {}
    lists = default()
    return {(kind, value): lists.match(kind, value) for kind, value in wanted}
