"""The e-mail a person receives when an administrator resets their second factors."""

from __future__ import annotations

from email.message import EmailMessage

from tocsin.network.models import User
from tocsin.settings import Settings

TEXT = {
    "fr": (
        "tocsin : vos seconds facteurs ont été réinitialisés",
        "Bonjour {name},\n\nUn administrateur a réinitialisé les seconds facteurs de votre "
        "compte tocsin (application d'authentification, clés d'accès, codes de secours) et "
        "fermé vos sessions.\nÀ votre prochaine connexion ({url}), enregistrez un nouveau "
        "second facteur.\n\nSi vous n'avez rien demandé, prévenez sans attendre votre "
        "responsable de la sécurité.\n",
    ),
    "en": (
        "tocsin: your second factors were reset",
        "Hello {name},\n\nAn administrator reset the second factors of your tocsin account "
        "(authenticator app, passkeys, recovery codes) and ended your sessions.\nWhen you "
        "next sign in ({url}), enrol a new second factor.\n\nIf you did not ask for this, "
        "tell your security officer at once.\n",
    ),
}


def factors_reset(user: User, settings: Settings) -> EmailMessage:
    subject, body = TEXT.get(user.language or settings.language, TEXT["fr"])
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = user.email
    message["Subject"] = subject
    message.set_content(body.format(name=user.display_name, url=settings.public_url))
    return message
