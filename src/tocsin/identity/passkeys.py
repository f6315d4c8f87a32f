"""Passkeys and security keys (WebAuthn, the `webauthn` package): register from a signed-in
browser, assert at the second step of sign-in. Never commits.

The relying party is the hub's public address (`TOCSIN_PUBLIC_URL`): its host name is the
RP ID (a domain name: browsers refuse an IP address) and its origin the only one accepted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.errors import InvalidInput, NotFound
from tocsin.identity.models import Passkey, PasskeyRegistration, PendingSignIn
from tocsin.network.models import User, WebSession

CEREMONY_TIME = timedelta(minutes=5)
RP_NAME = "tocsin"


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str

    @classmethod
    def of(cls, public_url: str) -> RelyingParty:
        parts = urlsplit(public_url)
        return cls(id=parts.hostname or "localhost", origin=f"{parts.scheme}://{parts.netloc}")


def passkeys_of(*, session: Session, user_id: uuid.UUID) -> list[Passkey]:
    query = select(Passkey).where(Passkey.user_id == user_id).order_by(Passkey.created_at)
    return list(session.scalars(query))


def _descriptors(keys: list[Passkey]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(k.credential_id)) for k in keys]


def registration_options(
    *, session: Session, web_session: WebSession, user: User, rp: RelyingParty, now: datetime
) -> str:
    """The options for `navigator.credentials.create()`, as JSON; the challenge is kept."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=RP_NAME,
        user_name=user.email,
        user_id=user.id.bytes,
        user_display_name=user.display_name,
        exclude_credentials=_descriptors(passkeys_of(session=session, user_id=user.id)),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    session.execute(
        delete(PasskeyRegistration).where(PasskeyRegistration.web_session_id == web_session.id)
    )
    session.add(
        PasskeyRegistration(
            web_session_id=web_session.id,
            challenge=options.challenge,
            expires_at=now + CEREMONY_TIME,
        )
    )
    return options_to_json(options)


def register(
    *,
    session: Session,
    web_session: WebSession,
    user: User,
    credential: str,
    name: str,
    rp: RelyingParty,
    now: datetime,
    actor: Actor,
) -> Passkey:
    """Verify the browser's answer to the registration challenge and keep the key; audited."""
    pending = session.scalar(
        select(PasskeyRegistration).where(PasskeyRegistration.web_session_id == web_session.id)
    )
    if pending is None or pending.expires_at <= now:
        raise InvalidInput.one("credential", "the registration expired: start again")
    session.delete(pending)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=pending.challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput.one("credential", f"the key's answer was refused: {exc}") from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)):
        raise InvalidInput.one("credential", "this key is already registered")
    key = Passkey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=(name.strip() or "Passkey")[:100],
        created_at=now,
    )
    session.add(key)
    session.flush()
    _audit(session, actor, user, "identity.passkey_add", now, key)
    return key


def authentication_options(*, session: Session, pending: PendingSignIn, rp: RelyingParty) -> str:
    """The options for `navigator.credentials.get()` at the second step, as JSON."""
    keys = passkeys_of(session=session, user_id=pending.user_id)
    options = generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=_descriptors(keys),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    pending.challenge = options.challenge
    return options_to_json(options)


def authenticate(
    *,
    session: Session,
    pending: PendingSignIn,
    credential: str,
    rp: RelyingParty,
    now: datetime,
) -> Passkey | None:
    """The user's key that signed this challenge, or None; the challenge is spent."""
    challenge, pending.challenge = pending.challenge, None
    if challenge is None:
        return None
    try:
        parsed = parse_authentication_credential_json(credential)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        return None
    key = session.scalar(
        select(Passkey).where(
            Passkey.credential_id == bytes_to_base64url(parsed.raw_id),
            Passkey.user_id == pending.user_id,
        )
    )
    if key is None:
        return None
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=key.public_key,
            credential_current_sign_count=key.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        return None
    key.sign_count = verified.new_sign_count
    key.last_used_at = now
    return key


def remove(
    *, session: Session, user: User, passkey_id: uuid.UUID, now: datetime, actor: Actor
) -> None:
    """Remove one of the user's keys; audited."""
    key = session.get(Passkey, passkey_id)
    if key is None or key.user_id != user.id:
        raise NotFound("no such passkey")
    session.delete(key)
    _audit(session, actor, user, "identity.passkey_remove", now, key)


def _audit(
    session: Session, actor: Actor, user: User, action: str, now: datetime, key: Passkey
) -> None:
    audit(
        session=session,
        actor=actor,
        action=action,
        target_type="user",
        target_id=user.id,
        at=now,
        concerns=[m.organisation_id for m in user.memberships],
        details={"passkey_id": str(key.id), "name": key.name},
    )
