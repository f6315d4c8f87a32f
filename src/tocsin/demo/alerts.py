"""The scripted alerts of the demo: a ransomware attack on the university hospital."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


def ransomware_alert(now: datetime) -> dict[str, Any]:
    """TLP:AMBER, shared with the region: what peers need to check themselves at once."""
    start = now - timedelta(hours=30)
    return {
        "title": "Rançongiciel LockBit 3.0 au CHU : accès VPN sans MFA, chiffrement des hyperviseurs",
        "summary": (
            "Dans la nuit, les hyperviseurs ESXi du CHU ont été chiffrés. L'accès initial est un "
            "compte VPN de prestataire sans double authentification, ouvert par force brute. "
            "L'attaquant a utilisé Cobalt Strike puis exfiltré des données avant chiffrement. "
            "Vérifiez vos journaux VPN et proxy pour les indicateurs ci-dessous."
        ),
        "category": "ransomware",
        "severity": "critical",
        "tlp": "amber",
        "pap": "amber",
        "scope": {"kind": "region"},
        "first_seen": (start - timedelta(days=3)).isoformat(),
        "care_impact": {
            "services": ["emergency", "imaging", "laboratory", "admissions"],
            "degraded_mode": True,
            "patients_transferred": 14,
            "notes": "Urgences en mode dégradé papier ; SAMU régulé vers les CH voisins.",
        },
        "origin": {
            "initial_access": "VPN d'un prestataire sans MFA (force brute)",
            "threat_actor": "affilié LockBit",
            "malware_family": "LockBit 3.0",
        },
        "attack_steps": [
            {"at": (start - timedelta(days=3)).isoformat(), "technique": "T1110.001",
             "description": "Force brute sur le portail VPN depuis 185.220.101.47."},
            {"at": (start - timedelta(days=3, hours=-2)).isoformat(), "technique": "T1133",
             "description": "Connexion VPN réussie avec le compte d'un prestataire."},
            {"at": (start - timedelta(days=2)).isoformat(), "technique": "T1059.001",
             "description": "Balise Cobalt Strike lancée par PowerShell sur un serveur de fichiers."},
            {"at": (start - timedelta(days=1)).isoformat(), "technique": "T1567.002",
             "description": "Exfiltration vers un service de stockage en ligne (rclone)."},
            {"at": start.isoformat(), "technique": "T1486",
             "description": "Chiffrement des machines virtuelles ESXi et des partages."},
        ],
        "indicators": [
            {"type": "ipv4", "value": "185.220.101.47", "comment": "force brute VPN"},
            {"type": "ipv4", "value": "45.155.205.233", "comment": "serveur Cobalt Strike"},
            {"type": "cidr", "value": "194.26.192.0/24", "comment": "exfiltration"},
            {"type": "domain", "value": "update-check[.]cloudfront-cdn[.]net",
             "comment": "C2 Cobalt Strike"},
            {"type": "domain", "value": "lockbit-decryptor[.]top"},
            {"type": "url", "value": "hxxps://files-share[.]top/upload/chu.php"},
            {"type": "sha256",
             "value": "a56a43a3a1bd3a4dd0a0f1c5cb2c4b1e4b7c1b1b8f4d7d6e2a9c3e1f0b2d4c6e"},
            {"type": "sha256",
             "value": "0f3c1d2e4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0"},
            {"type": "md5", "value": "5f4dcc3b5aa765d61d8327deb882cf99"},
            {"type": "filename", "value": "svchosts.exe"},
            {"type": "email", "value": "support@lockbit-decryptor.top"},
            {"type": "cve", "value": "cve-2023-27997"},
        ],
        "countermeasures": [
            {"action": "Imposer la double authentification sur tous les accès VPN, "
                       "prestataires compris ; désactiver les comptes inutilisés."},
            {"action": "Bloquer les adresses et domaines ci-dessus sur les pare-feu et "
                       "résolveurs DNS (flux RPZ de tocsin)."},
            {"action": "Isoler les interfaces d'administration ESXi dans un réseau dédié."},
            {"action": "Rechercher la balise Cobalt Strike sur les serveurs de fichiers.",
             "rule_kind": "yara",
             "rule": "rule demo_cobalt_beacon { strings: $a = \"%c%c%c%c%c%c%c%c%cMSSE-%d-server\" "
                     "condition: $a }"},
        ],
    }  # fmt: skip


def related_intrusion_alert(now: datetime) -> dict[str, Any]:
    """An anonymous establishment of the same region sees the same infrastructure."""
    return {
        "title": "Balise Cobalt Strike détectée sur un serveur de fichiers (établissement anonyme)",
        "summary": (
            "Notre EDR a bloqué une balise Cobalt Strike contactant le même serveur que celui du "
            "rançongiciel du CHU ; pas de chiffrement constaté. Compte VPN de prestataire en cause."
        ),
        "category": "intrusion",
        "severity": "high",
        "tlp": "amber",
        "pap": "amber",
        "scope": {"kind": "region"},
        "anonymous": True,
        "first_seen": (now - timedelta(hours=6)).isoformat(),
        "origin": {"initial_access": "VPN d'un prestataire", "malware_family": "Cobalt Strike"},
        "indicators": [
            {"type": "ipv4", "value": "45.155.205.233", "comment": "même C2 que le CHU"},
            {"type": "domain", "value": "dl.lockbit-decryptor[.]top"},
            {"type": "url", "value": "hxxps://files-share[.]top/upload/ev.php"},
            {"type": "sha256",
             "value": "a56a43a3a1bd3a4dd0a0f1c5cb2c4b1e4b7c1b1b8f4d7d6e2a9c3e1f0b2d4c6e"},
        ],
        "countermeasures": [{"action": "Révoquer les comptes VPN des prestataires inactifs."}],
    }  # fmt: skip
