"""The document of one regulatory step, pre-filled from the declaration and its alert, in
the regulator's structure and in French: the ANSSI early warning and notification (NIS2
art. 23(4)), the CNIL notification's sections (GDPR art. 33(3)), the ARS form's four
blocks (arrêté du 30 octobre 2017). A later step lists what changed since the previous one
sent to the same regulator. As JSON, HTML, or PDF (WeasyPrint, through `briefing.render`).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from tocsin.localtime import moment_text

Section = tuple[str, tuple[tuple[str, str], ...]]

_INCIDENT: Section = ("Incident", (
    ("Intitulé", "title"), ("Prise de connaissance", "aware_at"),
    ("Début de l'incident", "description.started_at"), ("Découverte", "description.discovered_at"),
    ("Nature", "nature_text"), ("Type", "kind"), ("Résumé", "description.summary"),
))  # fmt: skip
_ASSESSMENT: Section = ("Évaluation initiale : gravité et impact", (
    ("Gravité", "severity"), ("Périmètre", "description.perimeter"),
    ("Systèmes touchés", "description.systems"), ("Impact sur les soins", "care_text"),
    ("Impact sur les systèmes", "impacts.on_systems"), ("Impact sur la structure",
    "impacts.on_structure"), ("État de traitement", "description.handling_status"),
))  # fmt: skip
_INDICATORS: Section = ("Indicateurs de compromission", (("Indicateurs", "indicator_list"),))
_CAUSES: Section = ("Cause première et type de menace", (
    ("Causes connues", "causes.known"), ("Description", "causes.description"),
    ("Accès initial", "causes.initial_access"), ("Logiciel malveillant", "causes.malware_family"),
    ("Acteur", "causes.threat_actor"),
))  # fmt: skip
_MEASURES: Section = ("Mesures d'atténuation appliquées et en cours", (
    ("Mesures", "measure_list"), ("Résolution", "resolution_text"),
))  # fmt: skip
_PERSONAL: Section = ("Nature de la violation", (
    ("Description", "description.summary"), ("Données concernées", "description.data_concerned"),
    ("Catégories de données", "impacts.personal_data_categories"),
    ("Nombre approximatif de personnes concernées", "impacts.people_concerned"),
))  # fmt: skip
_CONSEQUENCES: Section = ("Conséquences probables", (
    ("Sur les personnes", "impacts.on_persons"), ("Sur les données", "impacts.on_data"),
    ("Risque élevé pour les personnes", "impacts.high_risk_to_people"),
))  # fmt: skip
_DECLARANT: Section = ("Bloc 1 : identification de la structure et du déclarant", (
    ("Structure", "structure.name"), ("FINESS", "structure.finess"),
    ("FINESS juridique", "structure.legal_finess"), ("Déclarant", "identity.declarant.name"),
    ("Fonction", "identity.declarant.role"), ("Courriel", "identity.declarant.email"),
    ("Téléphone", "identity.declarant.phone"),
))  # fmt: skip
_DELAY: Section = ("Motifs du retard", (("Motifs", "late_reason"),))

SECTIONS: dict[str, tuple[Section, ...]] = {
    "nis2.early_warning": (_DECLARANT, _INCIDENT, ("Qualification", (
        ("Acte illicite ou malveillant suspecté", "malicious_text"),
        ("Impact transfrontière possible", "cross_border_text"),
    ))),
    "nis2.notification": (_DECLARANT, _INCIDENT, _ASSESSMENT, _INDICATORS),
    "nis2.intermediate_report": (_DECLARANT, _INCIDENT, _ASSESSMENT),
    "nis2.final_report": (_DECLARANT, _INCIDENT, _ASSESSMENT, _CAUSES, _MEASURES),
    "cnil.notification": (_DECLARANT, _PERSONAL, _CONSEQUENCES, _MEASURES, _DELAY),
    "ars.declaration": (
        _DECLARANT,
        ("Bloc 2 : description de l'incident", _INCIDENT[1] + _ASSESSMENT[1][1:3]),
        ("Bloc 3 : conséquences", _CONSEQUENCES[1][:2] + _ASSESSMENT[1][3:6]),
        ("Bloc 4 : causes", _CAUSES[1]),
    ),
}  # fmt: skip
TITLES = {
    "nis2.early_warning": "Alerte précoce (NIS2, art. 23.4 a)",
    "nis2.notification": "Notification d'incident (NIS2, art. 23.4 b)",
    "nis2.intermediate_report": "Rapport intermédiaire (NIS2, art. 23.4 c)",
    "nis2.final_report": "Rapport final (NIS2, art. 23.4 d)",
    "nis2.recipients_notice": "Information des destinataires des services (NIS2, art. 23.1)",
    "cnil.notification": "Notification de violation de données à la CNIL (RGPD, art. 33)",
    "cnil.data_subjects": "Communication aux personnes concernées (RGPD, art. 34)",
    "ars.declaration": "Déclaration d'incident de sécurité des SI à l'ARS (CSP L.1111-8-2)",
}
_NATURE = {"malicious": "oui", "accidental": "non", "unknown": "indéterminé"}


def _get(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def shown(value: Any, zone: str) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str) and len(value) >= 20 and value[4:5] == "-" and value[10:11] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment_text(moment, zone_name=zone, language="fr", with_zone=True)
    return str(value)


def facts(document: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The declaration's document with the derived values the forms name."""
    care = document.get("impacts", {}).get("care", {}) or {}
    resolution = document.get("resolution") or {}
    return {
        **document, **extra,
        "nature_text": _NATURE.get(document.get("nature", "unknown"), "indéterminé"),
        "malicious_text": _NATURE.get(document.get("nature", "unknown"), "indéterminé"),
        "cross_border_text": "à préciser par l'établissement",
        "care_text": ", ".join(f"{k} : {shown(v, 'UTC')}" for k, v in care.items() if v) or None,
        "indicator_list": [f"{i['type']} {i['value']}" for i in document.get("indicators", [])],
        "measure_list": [c.get("action", "") for c in document.get("countermeasures", [])],
        "resolution_text": resolution.get("summary"),
    }  # fmt: skip


def changes(before: dict[str, Any], after: dict[str, Any], key: str) -> list[dict[str, str]]:
    """The form's fields whose value differs from the document sent at the previous step."""
    found: list[dict[str, str]] = []
    for _, fields in SECTIONS.get(key, ()):
        for label, path in fields:
            old, new = _get(before, path), _get(after, path)
            if old != new and {"champ": label} not in [{"champ": f["champ"]} for f in found]:
                found.append({"champ": label, "avant": shown(old, "UTC"),
                              "après": shown(new, "UTC")})  # fmt: skip
    return found


def filing(
    *,
    key: str,
    data: dict[str, Any],
    header: dict[str, Any],
    previous: dict[str, Any] | None,
    zone: str,
) -> dict[str, Any]:
    """The step's document as data: header, sections of labelled values, changes."""
    sections = [
        {"titre": title,
         "champs": [{"libellé": label, "valeur": shown(_get(data, path), zone)}
                    for label, path in fields]}
        for title, fields in SECTIONS.get(key, ())
    ]  # fmt: skip
    return {
        "document": TITLES.get(key, key),
        **header,
        "sections": sections,
        "changements": changes(previous, data, key) if previous is not None else None,
    }


@functools.cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("tocsin.relay", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(document: dict[str, Any]) -> str:
    """The printable page of a step's document (the PDF is laid out from it)."""
    return _templates().get_template("filing.html").render(d=document)
