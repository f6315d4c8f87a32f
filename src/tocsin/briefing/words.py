"""The labels of the documents, in French and English (the documents have their own short
vocabulary: they are read on paper, by people who never saw the hub)."""

from __future__ import annotations

from tocsin.vocabulary import ALERT_WORDS

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        **ALERT_WORDS["fr"],
        "emergency": "urgences", "surgery": "bloc opératoire", "imaging": "imagerie",
        "laboratory": "laboratoire", "pharmacy": "pharmacie", "radiotherapy": "radiothérapie",
        "admissions": "admissions",
        "situation.ransomware": "{where} subit une attaque par rançongiciel : des fichiers "
                                "sont chiffrés et les systèmes peuvent s'arrêter.",
        "situation.phishing": "Des messages piégés visent {where} et d'autres établissements "
                              "de santé.",
        "situation.intrusion": "Un attaquant s'est introduit dans le système d'information "
                               "de {where}.",
        "situation.data_leak": "Des données de {where} ont pu être dérobées.",
        "situation.ddos": "Les services en ligne de {where} sont saturés par une attaque.",
        "situation.vulnerability": "Une faille de sécurité touche des logiciels utilisés par "
                                   "{where} et d'autres établissements.",
        "situation.supply_chain": "Un prestataire informatique de {where} a été compromis.",
        "situation.outage": "Une panne touche les systèmes de {where}.",
        "situation.other": "Un incident de cybersécurité touche {where}.",
        "situation.someone": "un établissement de santé du réseau",
        "care.services": "Services touchés : {services}.",
        "care.degraded": "Fonctionnement en mode dégradé.",
        "care.transferred": "{n} patient(s) transféré(s).",
        "care.none": "Aucun impact sur les soins signalé.",
        "sheet": "Fiche d'alerte", "notice": "Note à tout le personnel",
        "brief": "Note au directeur", "severity": "Gravité", "category": "Nature",
        "affected": "Établissement touché", "publisher": "Publié par",
        "first_seen": "Début constaté", "published": "Publié le", "summary": "Ce qui se passe",
        "care": "Impact sur les soins", "indicators": "Indicateurs de compromission",
        "indicators_note": "Valeurs désactivées (neutralisées) : ne pas copier dans un "
                           "navigateur.",
        "measures": "Contre-mesures", "call": "Qui appeler", "do": "À faire maintenant",
        "dont": "À ne pas faire", "it_measures": "Ce que fait le service informatique",
        "decisions": "Décisions attendues", "nobody": "Aucune astreinte enregistrée : "
                     "appelez le standard et demandez le responsable de la sécurité.",
        "type": "Type", "value": "Valeur", "comment": "Commentaire", "page": "page",
        "undisclosed": "non communiqué",
    },
    "en": {
        **ALERT_WORDS["en"],
        "emergency": "emergency", "surgery": "surgery", "imaging": "imaging",
        "laboratory": "laboratory", "pharmacy": "pharmacy", "radiotherapy": "radiotherapy",
        "admissions": "admissions",
        "situation.ransomware": "{where} is under a ransomware attack: files are encrypted and "
                                "systems may stop.",
        "situation.phishing": "Booby-trapped messages target {where} and other health "
                              "establishments.",
        "situation.intrusion": "An attacker got into the information system of {where}.",
        "situation.data_leak": "Data of {where} may have been stolen.",
        "situation.ddos": "The online services of {where} are flooded by an attack.",
        "situation.vulnerability": "A security flaw affects software used by {where} and "
                                   "other establishments.",
        "situation.supply_chain": "An IT supplier of {where} was compromised.",
        "situation.outage": "An outage affects the systems of {where}.",
        "situation.other": "A cybersecurity incident affects {where}.",
        "situation.someone": "a health establishment of the network",
        "care.services": "Services affected: {services}.",
        "care.degraded": "Working in degraded mode.",
        "care.transferred": "{n} patient(s) transferred.",
        "care.none": "No impact on care reported.",
        "sheet": "Alert sheet", "notice": "Notice to all staff", "brief": "Director's brief",
        "severity": "Severity", "category": "Kind", "affected": "Establishment hit",
        "publisher": "Published by", "first_seen": "First seen", "published": "Published",
        "summary": "What is happening", "care": "Impact on care",
        "indicators": "Indicators of compromise",
        "indicators_note": "Defanged values: do not paste them into a browser.",
        "measures": "Countermeasures", "call": "Who to call", "do": "Do now",
        "dont": "Do not", "it_measures": "What IT is doing", "decisions": "Decisions needed",
        "nobody": "No on-call list recorded: call the switchboard and ask for the security "
                  "officer.",
        "type": "Type", "value": "Value", "comment": "Comment", "page": "page",
        "undisclosed": "not disclosed",
    },
}  # fmt: skip


def label(language: str, key: str) -> str:
    """The label in the language (French unless English is asked); the key if none."""
    return LABELS["en" if language == "en" else "fr"].get(key, key)
