"""The demo network: fictional establishments, realistic shapes. Data only.

FINESS numbers have the real format and department codes, but "99" in positions 3-4
keeps them clear of real establishments.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoOrg:
    slug: str
    name: str
    kind: str
    finess: str | None = None
    group: str | None = None
    region: str | None = None
    legal_finess: str | None = None


NATIONAL = DemoOrg("cert-sante", "CERT Santé (démo)", "national")
REGIONS = [
    DemoOrg("ars-valdeseine", "ARS Val-de-Seine (démo)", "region"),
    DemoOrg("ars-armor", "ARS Armor (démo)", "region"),
]
GROUPS = [
    DemoOrg("ght-estuaire", "GHT de l'Estuaire", "group", region="ars-valdeseine"),
    DemoOrg("ght-bocage", "GHT du Bocage", "group", region="ars-valdeseine"),
    DemoOrg("ght-abers", "GHT des Abers", "group", region="ars-armor"),
]


def _est(
    slug: str, name: str, finess: str, group: str, region: str, legal: str | None = None
) -> DemoOrg:
    return DemoOrg(slug, name, "establishment", finess, group, region, legal)


_R1, _R2 = "ars-valdeseine", "ars-armor"
ESTABLISHMENTS = [
    _est("chu-rouvray", "CHU de Rouvray", "769900107", "ght-estuaire", _R1),
    _est("chu-rouvray-bois", "CHU de Rouvray – site du Bois-Guillaume", "769900114",
         "ght-estuaire", _R1, legal="769900107"),
    _est("ch-bellefontaine", "Centre hospitalier de Bellefontaine", "769900128", "ght-estuaire", _R1),
    _est("ch-saint-aubin", "Centre hospitalier de Saint-Aubin", "769900135", "ght-estuaire", _R1),
    _est("clinique-parc", "Clinique du Parc", "769900142", "ght-estuaire", _R1),
    _est("ehpad-tilleuls", "EHPAD Les Tilleuls", "769900149", "ght-estuaire", _R1),
    _est("labo-bioval", "Laboratoire BioVal", "769900156", "ght-estuaire", _R1),
    _est("ch-evreval", "Centre hospitalier d'Évreval", "279900163", "ght-bocage", _R1),
    _est("ch-bernay", "Centre hospitalier de Bernay-sur-Risle", "279900170", "ght-bocage", _R1),
    _est("ch-montville", "Centre hospitalier de Montville", "279900177", "ght-bocage", _R1),
    _est("clinique-saint-joseph", "Clinique Saint-Joseph", "279900184", "ght-bocage", _R1),
    _est("ehpad-verger", "EHPAD Le Verger", "279900191", "ght-bocage", _R1),
    _est("radiotherapie-estuaire", "Centre de radiothérapie de la Risle", "279900198",
         "ght-bocage", _R1),
    _est("ch-kerlann", "Centre hospitalier de Kerlann", "299900205", "ght-abers", _R2),
    _est("ch-pors-meur", "Centre hospitalier de Pors-Meur", "299900212", "ght-abers", _R2),
    _est("clinique-aber", "Clinique de l'Aber", "229900219", "ght-abers", _R2),
]  # fmt: skip

ALL = [NATIONAL, *REGIONS, *GROUPS, *ESTABLISHMENTS]


def nis2_status(org: DemoOrg) -> str:
    """The demo's NIS2 statuses: university hospitals (CHU) are large healthcare providers,
    essential entities; general hospitals (CH) are medium ones, important entities."""
    if org.slug.startswith("chu-"):
        return "essential"
    return "important" if org.slug.startswith("ch-") else "none"
