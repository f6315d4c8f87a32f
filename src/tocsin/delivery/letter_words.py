"""The words of the messages sent to people (e-mail), in French and English.

Messages leave the hub and are read in a mail client, far from the pages' catalogues: they
keep their own short vocabulary here, like the SMS texts and the printed documents.
"""

from __future__ import annotations

from tocsin.vocabulary import ALERT_WORDS

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        **ALERT_WORDS["fr"],
        "verb.publish": "", "verb.update": "Mise à jour : ", "verb.close": "Clôturée : ",
        "verb.retract": "Retirée : ",
        "red.subject": "Une alerte TLP:RED vous concerne",
        "red.text": "Une alerte {tlp} de sévérité {severity} concerne votre organisation. "
                    "Son contenu n'est pas envoyé par e-mail : ouvrez-la dans tocsin.",
        "affected": "Établissement touché", "source": "Publiée par", "severity": "Sévérité",
        "category": "Catégorie", "handling": "Diffusion", "published": "Publiée le",
        "first_seen": "Première observation", "retracted": "Retirée",
        "indicators": "Indicateurs (désarmés)", "countermeasures": "Contre-mesures",
        "withheld": "[valeur retenue : impossible à désarmer]",
        "open_alert": "Lire l'alerte et en accuser réception",
        "open_notice": "Ouvrir dans tocsin",
        "automatic": "Message automatique de tocsin, ne pas répondre.",
        "digest.subject": "{count} organisation(s) sans réponse à une alerte : {title}",
        "digest.subject_one": "{org} n'a pas {missed} : {title}",
        "digest.intro": "Ces organisations n'ont pas répondu à temps à l'alerte {severity} "
                        "« {title} » :",
        "digest.line": "{org} : {missed}, échéance {due}",
        "missed.acknowledge": "accusé réception d'une alerte",
        "missed.first_update": "donné de nouvelles d'une alerte",
        "line.acknowledge": "pas d'accusé de réception", "line.first_update": "pas de nouvelles",
        "red.title": "(TLP:RED : titre retenu, voir le lien)",
        "declared": "Nouvel incident déclaré", "closed": "Déclaration close",
        "qualified": "Déclaration qualifiée et partagée",
        "auto_published": "Déclaration partagée automatiquement : l'échéance du relais est "
                          "passée",
        "revision_proposed": "Le déclarant propose une mise à jour",
        "auto_publish_failed": "Le partage automatique a échoué : qualifiez à la main",
        "correlation": "{count} alerte(s) liée(s) partagent des indicateurs avec : {title}",
        "notice.text": "Le détail est dans tocsin, après connexion.",
    },
    "en": {
        **ALERT_WORDS["en"],
        "verb.publish": "", "verb.update": "Update: ", "verb.close": "Closed: ",
        "verb.retract": "Retracted: ",
        "red.subject": "A TLP:RED alert concerns you",
        "red.text": "A {tlp} alert of severity {severity} concerns your organisation. "
                    "Its content is not sent by e-mail: open it in tocsin.",
        "affected": "Affected establishment", "source": "Published by", "severity": "Severity",
        "category": "Category", "handling": "Handling", "published": "Published",
        "first_seen": "First seen", "retracted": "Retracted",
        "indicators": "Indicators (defanged)", "countermeasures": "Countermeasures",
        "withheld": "[value withheld: could not be defanged]",
        "open_alert": "Read it and acknowledge",
        "open_notice": "Open it in tocsin",
        "automatic": "Automatic message from tocsin, do not reply.",
        "digest.subject": "{count} organisation(s) have not answered an alert: {title}",
        "digest.subject_one": "{org} has not {missed}: {title}",
        "digest.intro": "These organisations have not answered the {severity} alert "
                        "\"{title}\" in time:",
        "digest.line": "{org}: {missed}, due {due}",
        "missed.acknowledge": "acknowledged an alert", "missed.first_update": "updated an alert",
        "line.acknowledge": "not acknowledged", "line.first_update": "no update",
        "red.title": "(TLP:RED: title withheld, see the link)",
        "declared": "New incident declared", "closed": "Declaration closed",
        "qualified": "Declaration qualified and shared",
        "auto_published": "Declaration shared automatically: the relay deadline passed",
        "revision_proposed": "The declarant proposes an update",
        "auto_publish_failed": "Automatic sharing failed: qualify by hand",
        "correlation": "{count} related alert(s) share indicators with: {title}",
        "notice.text": "The detail is in tocsin, after signing in.",
    },
}  # fmt: skip


def language_of(wanted: str | None, fallback: str = "fr") -> str:
    """A supported language: the person's, else the hub's, else French."""
    for candidate in (wanted, fallback):
        if candidate in WORDS:
            return candidate
    return "fr"


def word(language: str, key: str, **values: str) -> str:
    """One phrase in that language, with its blanks filled; the key itself when unknown."""
    text = WORDS[language_of(language)].get(key, key)
    return text.format(**values) if values else text
