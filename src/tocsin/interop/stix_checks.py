"""What makes a STIX 2.1 object acceptable where tocsin reads one: the import and TAXII.

`check_stix21` holds the rules of the import (ids, timestamps, the properties each type
needs); `check_submission` adds what a TAXII 2.1 server must refuse besides: another
specification version, and an indicator whose STIX pattern does not parse.
"""

from __future__ import annotations

import contextlib
from typing import Any

from tocsin.interop import stix_vocab as v
from tocsin.interop.stix_patterns import UnsupportedPattern, indicators_of

_NAMED = frozenset(
    {"attack-pattern", "course-of-action", "threat-actor", "intrusion-set", "vulnerability"}
)


def _require_timestamps(obj: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        try:
            v.parse_timestamp(obj.get(name))
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None


def check_stix21(obj: Any, *, observable: bool = False) -> None:
    """Raise ValueError with a reason when the object breaks STIX 2.1 where tocsin reads it
    (`observable`: a cyber-observable, which has no created/modified)."""
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    kind = obj.get("type")
    if not isinstance(kind, str) or v.object_type_of(obj.get("id")) != kind:
        raise ValueError("needs a type and an id of the form <type>--<uuid>")
    if kind in ("marking-definition", "bundle") or observable:
        return
    _require_timestamps(obj, ("created", "modified"))
    if kind == "indicator":
        _require_timestamps(obj, ("valid_from",))
        for name in ("pattern", "pattern_type"):
            if not isinstance(obj.get(name), str) or not obj[name]:
                raise ValueError(f"an indicator needs a {name}")
        if "valid_until" in obj and v.parse_timestamp(obj["valid_until"]) <= v.parse_timestamp(
            obj["valid_from"]
        ):
            raise ValueError("valid_until must be later than valid_from")
    elif kind == "report":
        _require_timestamps(obj, ("published",))
        refs = obj.get("object_refs")
        if not isinstance(refs, list) or not refs or not all(map(v.object_type_of, refs)):
            raise ValueError("a report needs object_refs, a list of STIX ids")
    elif kind == "relationship":
        for name in ("source_ref", "target_ref"):
            if v.object_type_of(obj.get(name)) is None:
                raise ValueError(f"a relationship needs a {name}")
    elif kind == "malware" and not isinstance(obj.get("is_family"), bool):
        raise ValueError("a malware needs is_family (true or false)")
    if (kind in _NAMED or kind == "report" or obj.get("is_family")) and not isinstance(
        obj.get("name"), str
    ):
        raise ValueError(f"a {kind} needs a name")


def check_submission(obj: Any) -> None:
    """Raise ValueError with a reason when a TAXII client may not add this object."""
    if isinstance(obj, dict) and obj.get("spec_version") != "2.1":
        raise ValueError('a STIX 2.1 object is needed (spec_version "2.1")')
    check_stix21(obj)
    if obj.get("type") == "indicator" and obj.get("pattern_type") == "stix":
        # Valid but not an indicator tocsin has a type for: accepted all the same.
        with contextlib.suppress(UnsupportedPattern):
            indicators_of(obj["pattern"])
