"""The declaration form and the declaration document, both ways (no I/O).

Fields are named with dots after the API's `DeclarationIn` (`description.summary`), so the
API validates them. Every field of the four blocks is on the form: a block posted by the
form replaces the stored one whole, so a field left off the form would be wiped on save.
Indicators come from a pasted text (extracted, refanged, typed) or the ticked ones found;
attack steps are one a line, `[YYYY-MM-DD HH:MM] [T1486] what happened`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from tocsin import localtime
from tocsin.alerts.vocab import CareService, Category, Severity
from tocsin.indicators.extract import extract
from tocsin.relay.vocab import (
    DEFAULT_SHARE_PARTS,
    HandlingStatus,
    Nature,
    RegulatoryCategory,
    SharePart,
)
from tocsin.sharing.tlp import TLP

COMMAS = {"description.systems"}  # free text, comma-separated
TICKED = {"impacts.care.services", "auto_share.parts"}  # checkboxes, one value each
FLAGS = {"impacts.personal_data", "impacts.care.degraded_mode", "causes.known",
         "identity.essential_services_operator", "anonymous", "auto_share.anonymous"}  # fmt: skip
DATES = {"description.discovered_at"}  # a datetime-local field, on the hub's clock
CLEARABLE = {"kind"}  # top-level: emptied means none, not "unchanged"
OWN = {"csrf_token", "declaration_id", "paste", "indicator", "attack_steps"}
MAX_PASTE = 200_000
_STEP = re.compile(
    r"^(?:(?P<at>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2})\s+)?"
    r"(?:(?P<technique>T\d{4}(?:\.\d{3})?)\b[\s:|-]*)?(?P<text>.*)$",
    re.IGNORECASE,
)


def choices() -> dict[str, Any]:
    """The closed vocabularies the form offers."""
    return {"categories": list(RegulatoryCategory), "kinds": list(Category),
            "natures": list(Nature), "severities": list(Severity),
            "handling": list(HandlingStatus), "services": list(CareService),
            "share_parts": list(SharePart), "share_tlps": [t for t in TLP if t is not TLP.red],
            "share_scopes": ["group", "region", "national"],
            "share_defaults": [p.value for p in DEFAULT_SHARE_PARTS]}  # fmt: skip


def utc_of(local_text: str, zone_name: str) -> str:
    """`2026-11-23 07:30` typed on the hub's clock, as stored: `2026-11-23T06:30:00Z`."""
    typed = datetime.fromisoformat(local_text.replace(" ", "T")[:16])
    moment = typed.replace(tzinfo=localtime.zone(zone_name)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def local_of(stored: str, zone_name: str) -> str:
    """A stored moment as the form shows it on the hub's clock: `2026-11-23 07:30`."""
    moment = localtime.local(datetime.fromisoformat(stored), zone_name)
    return moment.strftime("%Y-%m-%d %H:%M")


def _field(name: str, raw: str, form: FormData, zone_name: str) -> Any:
    value = raw.strip()
    if name in FLAGS:
        return value in ("on", "true")
    if name in TICKED:  # an empty hidden value keeps "none ticked" apart from "not on the form"
        return [str(v) for v in form.getlist(name) if str(v)]
    if value == "":
        return None
    if name in COMMAS:
        return [v.strip() for v in value.split(",") if v.strip()]
    if name in DATES and len(value) == 16:  # 2026-11-23T07:30
        return utc_of(value, zone_name)
    return value


def document_of(
    form: FormData, stored: dict[str, Any] | None = None, zone_name: str = "UTC"
) -> dict[str, Any]:
    """The posted form as the nested document DeclarationIn reads.

    An emptied field is left out, but its block is still there: the block replaces the
    stored one, so emptying a field clears it. `stored` is the saved document, whose
    indicator details (comments, dates) survive a save from the form.
    """
    document: dict[str, Any] = {}
    for name, raw in form.multi_items():
        if name in OWN or not isinstance(raw, str):
            continue
        value = _field(name, raw, form, zone_name)
        target = document
        *parents, leaf = name.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        if value is not None or name in CLEARABLE:
            target[leaf] = value
    for name in FLAGS - {n for n in FLAGS if "." in n}:
        document[name] = form.get(name) in ("on", "true")  # unticked boxes are not posted
    if "auto_share.tlp" in form:  # unticked means named, not the block's default (anonymous)
        document["auto_share"]["anonymous"] = form.get("auto_share.anonymous") in ("on", "true")
    if "attack_steps" in form:
        document["attack_steps"] = steps_of(str(form.get("attack_steps") or ""), zone_name)
    if "paste" in form or "indicator" in form:
        found = indicators_of(form)
        document["indicators"] = _kept(found, (stored or {}).get("indicators", []))
    return document


def indicators_of(form: FormData) -> list[dict[str, str]]:
    """The ticked indicators; with none ticked, all that the pasted text holds."""
    ticked = [str(i) for i in form.getlist("indicator") if " " in str(i)]
    if not ticked:
        paste = str(form.get("paste") or "")[:MAX_PASTE]
        ticked = [f"{e.type.value} {e.value}" for e in extract(paste)]
    pairs = [item.split(" ", 1) for item in dict.fromkeys(ticked)]
    return [{"type": kind, "value": value} for kind, value in pairs]


def _kept(found: list[dict[str, str]], stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    known = {(i.get("type"), i.get("value")): i for i in stored}
    return [known.get((i["type"], i["value"]), i) for i in found]


def steps_of(text: str, zone_name: str = "UTC") -> list[dict[str, Any]]:
    """One attack step a line: an optional time (hub's clock), an optional ATT&CK id, the text."""
    steps = []
    for line in (raw.strip() for raw in text.splitlines()):
        match = _STEP.match(line) if line else None
        if match is None:
            continue
        step: dict[str, Any] = {"description": match["text"] or match["technique"] or line}
        if match["technique"]:
            step["technique"] = match["technique"].upper()
        if match["at"]:
            step["at"] = utc_of(match["at"], zone_name)
        steps.append(step)
    return steps


def _step_line(step: dict[str, Any], zone_name: str) -> str:
    at = local_of(step["at"], zone_name) if step.get("at") else ""
    return " ".join(p for p in (at, step.get("technique") or "", step["description"]) if p)


def values_of(document: dict[str, Any], zone_name: str = "UTC") -> dict[str, Any]:
    """A saved declaration as the form's values, to carry on filling it in."""
    values: dict[str, Any] = {}

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(f"{name}.", value)
            elif name in FLAGS:
                values[name] = "on" if value else ""
            elif name in TICKED:
                values[name] = [str(v) for v in value]
            elif name in COMMAS:
                values[name] = ", ".join(value)
            elif name in DATES and value:
                values[name] = local_of(str(value), zone_name).replace(" ", "T")
            elif value is not None and not isinstance(value, list):
                values[name] = str(value)

    top = {k: document.get(k) for k in ("title", "category", "kind", "nature", "severity",
                                         "anonymous", "identity", "description", "impacts",
                                         "causes", "auto_share")}  # fmt: skip
    walk("", top)
    steps = document.get("attack_steps", [])
    values["attack_steps"] = "\n".join(_step_line(s, zone_name) for s in steps)
    values["indicator"] = [f"{i['type']} {i['value']}" for i in document.get("indicators", [])]
    return values


def form_values(form: FormData) -> dict[str, Any]:
    """What was typed, kept as typed, for the form shown again with its errors."""
    values: dict[str, Any] = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    for name in (*TICKED, "indicator"):
        values[name] = [str(v) for v in form.getlist(name)]
    return values


def field_of(path: list[str]) -> str:
    """The form field an error at this path of the document belongs to."""
    parts = [p for p in path if not p.isdigit()]
    if parts and parts[0] in ("indicators", "attack_steps"):
        return "paste" if parts[0] == "indicators" else "attack_steps"
    return ".".join(parts)


def errors_of(exc: ValidationError) -> dict[str, str]:
    """Field name (dotted, as on the form) to the reason it was refused."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        errors.setdefault(field_of([str(p) for p in error["loc"]]), str(error["msg"]))
    return errors
