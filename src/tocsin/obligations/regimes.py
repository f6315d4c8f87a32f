"""The regulators' steps as data: who must be told, of what, by when, under which text.

Pure (no I/O). The French transposition of NIS2 (ANSSI as authority, its portal) was still
before Parliament in early 2026, so nothing here is code: a deployment replaces the table
with a JSON file (`TOCSIN_REGULATORY_REGIMES`) when the decree fixes the details.

Sources, as read for the defaults:
- Directive (EU) 2022/2555 (NIS2) art. 23(1) and (4): essential and important entities
  (healthcare providers are in Annex I, sector 5) give the CSIRT or authority an early
  warning within 24 hours of becoming aware of a significant incident (a), an incident
  notification within 72 hours (b), an intermediate report on request (c), and a final
  report no later than one month after the incident notification (d) (or a progress report
  then and the final one within a month of handling the incident, (e)); recipients of their
  services are informed where the incident may affect them (art. 23(1), second paragraph).
- Regulation (EU) 2016/679 (GDPR) art. 33(1): a personal-data breach is notified to the
  supervisory authority (CNIL) within 72 hours of becoming aware of it, with the reasons for
  any delay; art. 33(4) allows stages; art. 34: the data subjects are told without undue
  delay when the breach is likely to result in a high risk to them.
- Code de la santé publique L.1111-8-2 and décret 2016-1214 (art. R.1111-8-2 s.): health
  establishments and medico-social services declare serious incidents of their information
  systems "sans délai" to the ARS through the national portal, on the form of the arrêté of
  30 October 2017. The law sets no hour count: 24 hours is the hub's working target.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

NIS2_ENTITIES = frozenset({"essential", "important"})


@dataclass(frozen=True)
class StepRule:
    """One step a regime asks for, and when it applies."""

    regime: str  # nis2 | cnil | ars
    step: str  # early_warning, notification, intermediate_report, final_report, ...
    authority: str
    source: str
    contents: tuple[str, ...] = ()
    nis2: frozenset[str] | None = None  # the NIS2 statuses it applies to; None: any
    needs_personal_data: bool = False
    needs_high_risk: bool = False
    needs_csp_health: bool = False
    hours: int | None = None  # due this long after the anchor
    months: int | None = None  # or this many calendar months after it
    after: str | None = None  # anchor: awareness, or the submission of this step (same regime)
    on_request: bool = False  # no clock until the authority asks

    @property
    def key(self) -> str:
        return f"{self.regime}.{self.step}"


_NIS2 = "Directive (EU) 2022/2555 (NIS2) art. 23"
DEFAULT_RULES: tuple[StepRule, ...] = (
    StepRule("nis2", "early_warning", "ANSSI (CSIRT national)", f"{_NIS2}(4)(a)",
             ("Suspicion d'un acte illicite ou malveillant",
              "Possibilité d'un impact transfrontière"),
             nis2=NIS2_ENTITIES, hours=24),
    StepRule("nis2", "notification", "ANSSI (CSIRT national)", f"{_NIS2}(4)(b)",
             ("Mise à jour de l'alerte précoce", "Évaluation initiale : gravité et impact",
              "Indicateurs de compromission disponibles"),
             nis2=NIS2_ENTITIES, hours=72),
    StepRule("nis2", "intermediate_report", "ANSSI (CSIRT national)", f"{_NIS2}(4)(c)",
             ("Mises à jour pertinentes de la situation",), nis2=NIS2_ENTITIES, on_request=True),
    StepRule("nis2", "final_report", "ANSSI (CSIRT national)", f"{_NIS2}(4)(d)-(e)",
             ("Description détaillée, gravité et impact", "Type de menace ou cause première",
              "Mesures d'atténuation appliquées et en cours", "Impact transfrontière éventuel",
              "Si l'incident est en cours : rapport d'avancement, puis rapport final un mois "
              "après son traitement"),
             nis2=NIS2_ENTITIES, months=1, after="notification"),
    StepRule("nis2", "recipients_notice", "Destinataires des services", f"{_NIS2}(1) al. 2",
             ("Information des destinataires susceptibles d'être affectés",
              "Mesures qu'ils peuvent prendre"), nis2=NIS2_ENTITIES),
    StepRule("cnil", "notification", "CNIL", "RGPD (UE) 2016/679 art. 33",
             ("Nature de la violation, catégories et nombre approximatif de personnes et "
              "d'enregistrements", "Coordonnées du délégué à la protection des données",
              "Conséquences probables", "Mesures prises ou envisagées",
              "Motifs du retard au-delà de 72 heures"),
             needs_personal_data=True, hours=72),
    StepRule("cnil", "data_subjects", "Personnes concernées", "RGPD (UE) 2016/679 art. 34",
             ("Nature de la violation en termes clairs", "Conséquences probables",
              "Mesures prises", "Point de contact"),
             needs_personal_data=True, needs_high_risk=True),
    StepRule("ars", "declaration", "ARS (portail national des signalements)",
             "CSP L.1111-8-2, décret 2016-1214, arrêté du 30 octobre 2017",
             ("Bloc 1 : identification du déclarant", "Bloc 2 : description de l'incident",
              "Bloc 3 : conséquences", "Bloc 4 : causes"),
             needs_csp_health=True, hours=24),
)  # fmt: skip


def rules_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[StepRule, ...]:
    """A replacement table read from configuration; raises ValueError on a bad row."""
    rules: list[StepRule] = []
    for index, row in enumerate(data):
        try:
            values = dict(row)
            values["contents"] = tuple(values.get("contents", ()))
            if values.get("nis2") is not None:
                values["nis2"] = frozenset(values["nis2"])
            rules.append(StepRule(**values))
        except TypeError as exc:
            raise ValueError(f"regulatory rule {index}: {exc}") from exc
    keys = [r.key for r in rules]
    if len(set(keys)) != len(keys):
        raise ValueError("regulatory rules: each regime and step appears once")
    return tuple(rules)


@dataclass(frozen=True)
class Reminders:
    """When the declarant is reminded: at these fractions of the time allowed, and this many
    minutes before each due time."""

    fractions: tuple[float, ...] = (0.5,)
    minutes_before: tuple[int, ...] = (60,)
