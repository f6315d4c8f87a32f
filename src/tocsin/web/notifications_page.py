"""The account's notifications: which severities reach the person by e-mail and by SMS, the
phone number SMS go to, and the language of the messages (the API's `/me/notifications`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from tocsin.alerts.vocab import Severity
from tocsin.delivery import notifications
from tocsin.deps import SessionDep, StateDep
from tocsin.sms.phone import e164
from tocsin.web.auth import AccountDep
from tocsin.web.render import page
from tocsin.web.security import PostingAccountDep, actor_of
from tocsin.web.signing import text_field

router = APIRouter(include_in_schema=False)
SEVERITIES = [s.value for s in reversed(Severity)]  # critical first


@router.get("/account/notifications")
def notifications_page(request: Request, who: AccountDep, session: SessionDep) -> Response:
    assert who.user is not None
    prefs = notifications.get_preferences(session=session, user_id=who.user.id)
    saved = request.query_params.get("saved") == "1"
    return page(request, who, "notifications.html", prefs=prefs, severities=SEVERITIES,
                phone=prefs.phone or "", errors={}, saved=saved)  # fmt: skip


def _ticked(form: FormData, channel: str) -> list[str]:
    return [s for s in SEVERITIES if form.get(f"{channel}_{s}")]


@router.post("/account/notifications")
async def save_notifications(
    request: Request, who: PostingAccountDep, session: SessionDep, state: StateDep
) -> Response:
    assert who.user is not None
    form = await request.form()
    raw_phone = text_field(form, "phone")
    try:
        phone = e164(raw_phone) if raw_phone else None
    except ValueError:
        prefs = notifications.get_preferences(session=session, user_id=who.user.id)
        return page(request, who, "notifications.html", 422, prefs=prefs, severities=SEVERITIES,
                    phone=raw_phone, errors={"phone": True}, saved=False)  # fmt: skip
    language = text_field(form, "language")
    notifications.set_preferences(
        session=session, user_id=who.user.id, by=actor_of(request, who), now=state.clock.now(),
        email=_ticked(form, "email"), sms=_ticked(form, "sms"), phone=phone,
        language=language if language in ("fr", "en") else None,
    )  # fmt: skip
    return RedirectResponse("/account/notifications?saved=1", status_code=303)
