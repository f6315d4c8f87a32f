"""The default checklist, grouped by CaRE domain; the national CERT edits it afterwards."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.posture.models import Domain


@dataclass(frozen=True)
class DefaultItem:
    key: str
    domain: Domain
    title_fr: str
    title_en: str
    max_age_days: int | None = None
    weight: int = 1


DEFAULT_ITEMS = [
    DefaultItem(
        "ad_tiering",
        Domain.operational_security,
        "Active Directory cloisonné en tiers, score d'audit AD relevé",
        "Active Directory tiering in place, AD audit score recorded",
        weight=2,
    ),
    DefaultItem(
        "internet_exposure_audit",
        Domain.operational_security,
        "Audit de l'exposition sur Internet réalisé",
        "Internet exposure audit done",
        max_age_days=365,
    ),
    DefaultItem(
        "mfa_remote_access",
        Domain.operational_security,
        "MFA sur tous les accès distants",
        "MFA on every remote access",
        weight=2,
    ),
    DefaultItem(
        "backups_321",
        Domain.resilience,
        "Sauvegardes 3-2-1 avec une copie hors ligne immuable",
        "3-2-1 backups with an offline immutable copy",
        weight=2,
    ),
    DefaultItem(
        "restore_test",
        Domain.resilience,
        "Test de restauration dans les 12 derniers mois",
        "Restore test in the last 12 months",
        max_age_days=365,
    ),
    DefaultItem(
        "continuity_plans",
        Domain.resilience,
        "Plans de continuité et de reprise couvrant les soins critiques",
        "Continuity and recovery plans covering critical care",
        weight=2,
    ),
    DefaultItem(
        "crisis_exercise",
        Domain.governance,
        "Exercice de crise cyber dans les 12 derniers mois",
        "Cyber-crisis exercise in the last 12 months",
        max_age_days=365,
    ),
    DefaultItem(
        "awareness_phishing",
        Domain.awareness,
        "Sensibilisation du personnel et exercices d'hameçonnage",
        "Staff awareness and phishing exercises",
        max_age_days=365,
    ),
    DefaultItem(
        "security_policy",
        Domain.governance,
        "Politique de sécurité à jour",
        "Up-to-date security policy",
        max_age_days=730,
    ),
    DefaultItem(
        "incident_procedure",
        Domain.governance,
        "Procédure de déclaration des incidents",
        "Incident declaration procedure",
    ),
]
