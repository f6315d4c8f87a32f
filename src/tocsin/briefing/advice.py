"""Plain words for people who are not in IT: what to do and not to do, by kind of attack, and
the decisions a director is asked for. Data, in French and English; no jargon."""

from __future__ import annotations

from tocsin.alerts.vocab import Category

Words = dict[str, list[str]]

# What every employee does, whatever the attack.
ALWAYS_DO: Words = {
    "fr": [
        "Restez vigilant : un message, un appel ou une clé USB inhabituels peuvent faire partie "
        "de l'attaque.",
        "En cas de doute, ne cliquez pas : appelez le numéro indiqué plus bas.",
    ],
    "en": [
        "Stay alert: an unusual message, call or USB stick may be part of the attack.",
        "When in doubt, do not click: call the number given below.",
    ],
}

DO: dict[Category, Words] = {
    Category.ransomware: {
        "fr": [
            "Si un écran affiche une demande de rançon ou si vos fichiers changent de nom, "
            "débranchez le câble réseau du poste, laissez-le allumé et appelez aussitôt.",
            "Appliquez les procédures de fonctionnement en mode dégradé de votre service "
            "(papier, téléphone) si votre encadrement le demande.",
        ],
        "en": [
            "If a screen shows a ransom demand or your files change names, unplug the "
            "computer's network cable, leave it switched on and call at once.",
            "Use your department's degraded-mode procedures (paper, telephone) when your "
            "manager asks.",
        ],
    },
    Category.phishing: {
        "fr": [
            "Transférez tout message suspect au service informatique puis supprimez-le.",
            "Si vous avez cliqué ou saisi votre mot de passe, dites-le tout de suite : ce "
            "n'est pas une faute, c'est ce qui permet d'arrêter l'attaque.",
        ],
        "en": [
            "Forward any suspicious message to IT, then delete it.",
            "If you clicked or typed your password, say so at once: it is not a fault, it "
            "is what lets the attack be stopped.",
        ],
    },
    Category.intrusion: {
        "fr": [
            "Fermez votre session quand vous quittez votre poste.",
            "Signalez toute connexion, fenêtre ou lenteur que vous ne vous expliquez pas.",
        ],
        "en": [
            "Lock your session whenever you leave your computer.",
            "Report any log-in, window or slowness you cannot explain.",
        ],
    },
    Category.data_leak: {
        "fr": [
            "Ne confirmez aucune information sur un patient à un interlocuteur que vous ne "
            "connaissez pas, même s'il semble bien informé."
        ],
        "en": [
            "Confirm nothing about a patient to someone you do not know, however well "
            "informed they seem."
        ],
    },
    Category.supply_chain: {
        "fr": [
            "Avant toute intervention d'un prestataire à distance ou sur site, vérifiez "
            "auprès du service informatique qu'elle est prévue."
        ],
        "en": [
            "Before any supplier works on a system, remotely or on site, check with IT "
            "that it was planned."
        ],
    },
    Category.ddos: {
        "fr": [
            "Si un service en ligne ne répond plus, utilisez la procédure de secours prévue "
            "plutôt que de réessayer sans fin."
        ],
        "en": [
            "If an online service stops answering, use the planned fallback rather than "
            "retrying again and again."
        ],
    },
    Category.outage: {
        "fr": ["Appliquez les procédures de fonctionnement en mode dégradé de votre service."],
        "en": ["Use your department's degraded-mode procedures."],
    },
}

DONT: dict[Category, Words] = {
    Category.ransomware: {
        "fr": [
            "N'éteignez pas un poste touché et ne tentez pas de le réparer vous-même.",
            "Ne branchez aucune clé USB ni disque externe.",
            "N'ouvrez aucune pièce jointe inattendue, même d'un expéditeur connu.",
        ],
        "en": [
            "Do not switch off an affected computer or try to fix it yourself.",
            "Do not plug in any USB stick or external drive.",
            "Do not open any unexpected attachment, even from a sender you know.",
        ],
    },
    Category.phishing: {
        "fr": [
            "N'ouvrez pas les pièces jointes et ne cliquez pas sur les liens des messages "
            "suspects.",
            "Ne saisissez jamais votre mot de passe après avoir cliqué sur un lien reçu par "
            "message.",
        ],
        "en": [
            "Do not open attachments or click links in suspicious messages.",
            "Never type your password after following a link you received.",
        ],
    },
    Category.intrusion: {
        "fr": ["Ne communiquez votre mot de passe à personne, pas même au service informatique."],
        "en": ["Give your password to nobody, not even to IT."],
    },
    Category.supply_chain: {
        "fr": ["N'acceptez pas une prise en main à distance que vous n'avez pas demandée."],
        "en": ["Do not accept a remote session you did not ask for."],
    },
}

SENDERS_LINE = {
    "fr": "Ne faites confiance à aucun message venant de : {senders}.",
    "en": "Trust no message coming from: {senders}.",
}
ATTACHMENTS_LINE = {
    "fr": "N'ouvrez aucun fichier nommé : {files}.",
    "en": "Open no file named: {files}.",
}

DECIDE_ALWAYS: Words = {
    "fr": [
        "Faire diffuser la note au personnel (jointe) et la tenir à jour.",
        "Vérifier avec le RSSI les déclarations obligatoires et leurs délais (ARS, CNIL, ANSSI).",
    ],
    "en": [
        "Have the staff notice (attached) sent and kept up to date.",
        "Check with the security officer the mandatory declarations and their deadlines "
        "(ARS, CNIL, ANSSI).",
    ],
}
DECIDE_CRITICAL: Words = {
    "fr": ["Réunir la cellule de crise et désigner qui parle au nom de l'établissement."],
    "en": ["Convene the crisis cell and name who speaks for the establishment."],
}
DECIDE_MEASURES = {
    "fr": "Valider les mesures proposées par le service informatique :",
    "en": "Approve the measures IT proposes:",
}
