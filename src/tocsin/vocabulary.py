"""The names of severities and alert categories, in French and English, for what leaves the
hub outside the pages' catalogues: e-mails and printed documents share them. Pure."""

from __future__ import annotations

ALERT_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "critical": "critique", "high": "élevée", "medium": "moyenne", "low": "faible",
        "info": "information",
        "ransomware": "rançongiciel", "phishing": "hameçonnage", "intrusion": "intrusion",
        "data_leak": "fuite de données", "ddos": "déni de service",
        "vulnerability": "vulnérabilité", "supply_chain": "compromission d'un prestataire",
        "outage": "panne", "other": "autre",
    },
    "en": {
        "critical": "critical", "high": "high", "medium": "medium", "low": "low",
        "info": "information",
        "ransomware": "ransomware", "phishing": "phishing", "intrusion": "intrusion",
        "data_leak": "data leak", "ddos": "denial of service",
        "vulnerability": "vulnerability", "supply_chain": "compromised supplier",
        "outage": "outage", "other": "other",
    },
}  # fmt: skip
