"""Who may call what: one row per API operation and per page, the checks in the order applied.
The one authorisation table of the tests: test_table.py asks every actor every row;
test_matrix.py asks each row's gate (`gate`) and, for the resources, the TLP 2.0 oracle.

Read a row left to right: a caller refused by a check gets that check's status (403 for a
missing scope, role or kind of organisation; 404 for a resource it may not see, never telling
it exists); anonymous callers get 401 from the API (pages send them to sign in); a caller
that passes every check gets past authorisation (2xx, or 400/409/422 from the body or state,
or 404 for an id the test does not create). PUBLIC rows answer anyone.

Every token of a test actor carries read and write, so roles decide; a director's read-only
token and an integration token (no person, no role) are actors of their own. In paths:
{alert_id} is the alert under test (each TLP), {declaration_id} a declaration of E1,
{org_id} is E1, {indicator_id} one of a CLEAR alert of E2; other ids are made up (a 404
there passes), except TAXII collections: the AMBER one to read, the caller's own to write.
"""

from __future__ import annotations

from tests.authz.rules import (
    ADMIN,
    AUDITOR,
    DECLARANT,
    DECLARANT_404,
    DIRECTOR,
    ESTABLISHMENT,
    ESTABLISHMENT_404,
    IN_CELL,
    IS_E1,
    IS_E1_404,
    MANAGER,
    MANAGES_E1,
    NATIONAL,
    NOT_DECLARANT,
    NOT_RED,
    OVERSEER,
    PERSON,
    READ,
    RELAY_ANALYST,
    RELAY_ORG,
    RELAY_ORG_404,
    RESHARABLE,
    RESPONDER,
    SEES_ALERT,
    SEES_E1,
    SEES_E1_PEOPLE,
    SOURCE,
    SOURCE_OR_RELAY_ORG,
    WRITE_SCOPE,
    WRITER,
    Check,
)

PUBLIC: tuple[Check, ...] | None = None
A, D = "/api/v1/alerts/{alert_id}", "/api/v1/declarations/{declaration_id}"
T = "/taxii2/api/collections/{collection_id}"

API: dict[tuple[str, str], tuple[Check, ...] | None] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    # network
    ("GET", "/api/v1/me"): (READ,),
    ("GET", "/api/v1/organisations"): (READ,),
    ("POST", "/api/v1/organisations"): (ADMIN,),
    ("GET", "/api/v1/organisations/{org_id}"): (READ,),
    ("PATCH", "/api/v1/organisations/{org_id}/regulatory-status"): (ADMIN,),
    ("GET", "/api/v1/organisations/{org_id}/users"): (READ, SEES_E1_PEOPLE),
    ("POST", "/api/v1/users"): (WRITE_SCOPE, MANAGES_E1),  # body: a user of E1
    ("PATCH", "/api/v1/users/{user_id}"): (WRITE_SCOPE, MANAGER),  # then: a person of theirs
    ("GET", "/api/v1/tokens"): (READ,),  # every token for a manager, one's own otherwise
    ("POST", "/api/v1/tokens"): (WRITE_SCOPE, MANAGES_E1),  # body: a token of E1
    ("DELETE", "/api/v1/tokens/{token_id}"): (READ,),  # then: one's own, or a manager's write
    # identity: second factors and the organisations' OpenID Connect providers
    ("DELETE", "/api/v1/users/{user_id}/factors"): (WRITE_SCOPE, MANAGER),
    ("GET", "/api/v1/organisations/{org_id}/identity-providers"): (ADMIN,),
    ("POST", "/api/v1/organisations/{org_id}/identity-providers"): (ADMIN,),
    ("DELETE", "/api/v1/organisations/{org_id}/identity-providers/{provider_id}"): (ADMIN,),
    # alerts
    ("POST", "/api/v1/alerts"): (WRITER,),
    ("GET", "/api/v1/alerts"): (READ,),
    ("GET", A): (READ, SEES_ALERT),
    ("PATCH", A): (WRITER, SOURCE),
    ("POST", f"{A}/publish"): (WRITER, SOURCE),
    ("POST", f"{A}/close"): (WRITER, SOURCE),
    ("POST", f"{A}/retract"): (WRITER, SOURCE),
    ("GET", f"{A}/revisions"): (READ, SEES_ALERT),
    ("GET", "/api/v1/indicators"): (READ,),
    ("GET", f"{A}/export"): (READ, SEES_ALERT, RESHARABLE),
    ("POST", "/api/v1/imports"): (WRITER,),
    # audit
    ("GET", "/api/v1/audit"): (READ, AUDITOR),
    ("GET", "/api/v1/audit/export"): (READ, AUDITOR),
    # declarations and relaying
    ("POST", "/api/v1/declarations"): (WRITER, ESTABLISHMENT),
    ("GET", "/api/v1/declarations"): (READ,),
    ("GET", D): (READ, IN_CELL),
    ("PATCH", D): (WRITER, IN_CELL, DECLARANT),
    ("GET", f"{D}/history"): (READ, IN_CELL),
    ("POST", f"{D}/qualify"): (WRITER, RELAY_ANALYST, IN_CELL, NOT_DECLARANT),
    ("GET", f"{D}/proposals"): (READ, IN_CELL),
    ("POST", f"{D}/proposals/{{proposal_id}}/apply"): (WRITER, RELAY_ANALYST, IN_CELL),
    ("POST", f"{D}/close"): (WRITER, IN_CELL, DECLARANT),
    ("GET", f"{D}/log"): (READ, IN_CELL),
    ("POST", f"{D}/log"): (WRITER, IN_CELL),
    ("POST", f"{D}/checklist/{{item}}"): (WRITER, IN_CELL, DECLARANT),
    ("GET", f"{D}/regulatory"): (READ, IN_CELL),
    ("GET", f"{D}/obligations"): (READ, IN_CELL),
    ("POST", f"{D}/obligations/{{obligation_id}}/submit"): (WRITER, IN_CELL, DECLARANT),
    ("GET", f"{D}/obligations/{{obligation_id}}/document"): (READ, IN_CELL),
    ("GET", f"{D}/regulatory-trail"): (READ, IN_CELL),
    ("GET", f"{D}/affected-notice"): (READ, IN_CELL),
    ("POST", f"{D}/affected-notice"): (WRITER, IN_CELL, DECLARANT),
    # responses
    ("PUT", f"{A}/response"): (SEES_ALERT, RESPONDER, WRITER),
    ("GET", f"{A}/response"): (READ, SEES_ALERT, RESPONDER),
    ("GET", f"{A}/response/history"): (READ, SEES_ALERT, RESPONDER),
    ("GET", f"{A}/responses"): (READ, SEES_ALERT, OVERSEER),
    ("GET", f"{A}/escalations"): (READ, SEES_ALERT, OVERSEER),
    # delivery
    ("GET", "/api/v1/stream"): (READ,),
    ("GET", "/api/v1/webhooks"): (READ,),
    ("POST", "/api/v1/webhooks"): (WRITER,),
    ("GET", "/api/v1/webhooks/{endpoint_id}"): (READ,),
    ("DELETE", "/api/v1/webhooks/{endpoint_id}"): (WRITER,),
    ("GET", "/api/v1/webhooks/{endpoint_id}/attempts"): (READ,),
    ("POST", "/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver"): (WRITER,),
    ("GET", "/api/v1/me/notifications"): (READ, PERSON),
    ("PUT", "/api/v1/me/notifications"): (WRITE_SCOPE, PERSON),  # a read-only token: 403
    # TAXII (collection: the AMBER one to read, the caller's submissions to write) and feeds
    ("GET", "/taxii2/"): (READ,),
    ("GET", "/taxii2/api/"): (READ,),
    ("GET", "/taxii2/api/status/{status_id}/"): (READ,),
    ("GET", "/taxii2/api/collections/"): (READ,),
    ("GET", f"{T}/"): (READ,),
    ("GET", f"{T}/manifest/"): (READ,),
    ("GET", f"{T}/objects/"): (READ,),
    ("POST", f"{T}/objects/"): (WRITER,),
    ("GET", f"{T}/objects/{{object_id}}/"): (READ,),
    ("DELETE", f"{T}/objects/{{object_id}}/"): (WRITER,),
    ("GET", f"{T}/objects/{{object_id}}/versions/"): (READ,),
    ("GET", "/api/v1/feeds/indicators.csv"): (READ,),
    ("GET", "/api/v1/feeds/rpz.zone"): (READ,),
    ("GET", "/api/v1/feeds/{kind}.txt"): (READ,),
    ("GET", "/api/v1/feeds/suricata.rules"): (READ,),
    # intel
    ("GET", f"{A}/related"): (READ, SEES_ALERT),
    ("POST", "/api/v1/sightings"): (WRITER,),
    ("GET", "/api/v1/indicators/{indicator_id}/sightings"): (READ,),
    ("GET", f"{A}/sightings"): (READ, SEES_ALERT),
    ("POST", "/api/v1/indicators/{indicator_id}/confirm"): (SOURCE_OR_RELAY_ORG, WRITER),
    ("GET", "/api/v1/sweep/indicators"): (READ,),
    ("GET", "/api/v1/campaigns"): (READ,),
    ("POST", "/api/v1/campaigns"): (WRITER, RELAY_ORG),
    ("GET", "/api/v1/campaigns/{campaign_id}"): (READ,),
    ("PATCH", "/api/v1/campaigns/{campaign_id}"): (WRITER, RELAY_ORG),
    ("POST", "/api/v1/campaigns/{campaign_id}/merge"): (WRITER, RELAY_ORG),
    ("POST", "/api/v1/campaigns/{campaign_id}/split"): (WRITER, RELAY_ORG),
    # posture ({org_id}: E1, whose relays read its posture)
    ("GET", "/api/v1/posture/items"): (READ,),
    ("POST", "/api/v1/posture/items"): (WRITER, NATIONAL),
    ("PATCH", "/api/v1/posture/items/{key}"): (WRITER, NATIONAL),
    ("GET", "/api/v1/posture/organisations/{org_id}"): (READ, SEES_E1),
    ("PUT", "/api/v1/posture/organisations/{org_id}/items/{key}"): (SEES_E1, WRITER, IS_E1),
    # documents of an alert
    ("GET", f"{A}/sheet.pdf"): (READ, SEES_ALERT),
    ("GET", f"{A}/notice"): (READ, SEES_ALERT, NOT_RED),  # default: the notice to all staff
    ("POST", f"{A}/notices"): (SEES_ALERT, WRITER),
    ("GET", f"{A}/notices"): (READ, SEES_ALERT),
    # on-call list ({org_id}: E1, whose relays read it)
    ("GET", "/api/v1/organisations/{org_id}/on-call"): (READ, SEES_E1),
    ("PUT", "/api/v1/organisations/{org_id}/on-call"): (SEES_E1, WRITER, IS_E1),
    ("POST", "/api/v1/posture/organisations/{org_id}/signoff"): (
        WRITE_SCOPE,
        IS_E1_404,
        DIRECTOR,
        PERSON,
    ),
    # exercises ({exercise_id} is made up: the organiser and its relays see one, tests/exercises)
    ("POST", "/api/v1/exercises"): (WRITER,),
    ("GET", "/api/v1/exercises/{exercise_id}"): (READ,),
    ("POST", "/api/v1/exercises/{exercise_id}/start"): (WRITER,),
    ("POST", "/api/v1/exercises/{exercise_id}/injects"): (WRITER,),
    ("POST", "/api/v1/exercises/{exercise_id}/end"): (WRITER,),
    ("PUT", "/api/v1/exercises/{exercise_id}/observations/{org_id}"): (WRITER,),
    ("GET", "/api/v1/exercises/{exercise_id}/report"): (READ,),
    ("GET", "/api/v1/exercises/{exercise_id}/report.pdf"): (READ,),
    ("GET", "/api/v1/exercise-scenarios"): (READ,),
    ("PUT", "/api/v1/exercise-scenarios/{key}"): (WRITER, RELAY_ORG),
}

# Pages, for a signed-in person: the session carries read, and write for a writer role.
# POST pages are asked only for their gate (anonymous browsers): what they do for a signed-in
# person, allowed or not, is a form's business (tests/web); the services behind them are the
# API's, whose rows above are tried by everyone. Their checks here document the intent.
PAGES: dict[tuple[str, str], tuple[Check, ...] | None] = {
    ("GET", "/static/vendor/{name}"): PUBLIC,
    ("GET", "/static/{name}"): PUBLIC,
    ("GET", "/api/v1/docs"): PUBLIC,  # Swagger UI over the public OpenAPI document
    ("GET", "/"): PUBLIC,  # sends to the inbox or to sign-in
    ("GET", "/sw.js"): PUBLIC,  # the offline inbox's worker: code, no data
    ("GET", "/manifest.webmanifest"): PUBLIC,
    ("GET", "/signin"): PUBLIC,
    ("POST", "/signin"): PUBLIC,
    ("POST", "/signout"): PUBLIC,
    ("POST", "/language"): PUBLIC,
    ("GET", "/setup"): PUBLIC,  # only while no user exists (tested in tests/web)
    ("POST", "/setup"): PUBLIC,
    ("GET", "/organisation"): (),
    ("POST", "/organisation"): (),
    # the second step of sign-in and single sign-on: before any session exists
    ("GET", "/signin/verify"): PUBLIC,
    ("POST", "/signin/verify"): PUBLIC,
    ("POST", "/signin/passkey/options"): PUBLIC,
    ("POST", "/signin/passkey"): PUBLIC,
    ("GET", "/signin/sso/callback"): PUBLIC,
    ("GET", "/signin/sso/{slug}"): PUBLIC,
    # one's own account: any signed-in person, even one who owes a second factor
    ("GET", "/account/security"): (),
    ("POST", "/account/security/totp"): (),
    ("POST", "/account/security/totp/confirm"): (),
    ("POST", "/account/security/totp/remove"): (),
    ("POST", "/account/security/recovery-codes"): (),
    ("POST", "/account/security/passkeys/options"): (),
    ("POST", "/account/security/passkeys"): (),
    ("POST", "/account/security/passkeys/{passkey_id}/remove"): (),
    ("POST", "/account/password"): (),
    ("GET", "/account/sessions"): (),
    ("POST", "/account/sessions/{session_id}/end"): (),
    ("POST", "/account/sessions/end-others"): (),
    ("GET", "/account/notifications"): (),
    ("POST", "/account/notifications"): (),
    ("GET", "/inbox"): (),
    ("GET", "/alerts/{alert_id}/row"): (SEES_ALERT,),
    ("GET", "/alerts/{alert_id}"): (SEES_ALERT,),
    ("GET", "/alerts/{alert_id}/indicators.csv"): (SEES_ALERT,),
    ("GET", "/alerts/{alert_id}/export.{kind}.json"): (SEES_ALERT, RESHARABLE),
    ("GET", "/alerts/{alert_id}/sheet.pdf"): (SEES_ALERT,),
    ("GET", "/alerts/{alert_id}/notice"): (SEES_ALERT, NOT_RED),
    ("GET", "/alerts/{alert_id}/notice/file"): (SEES_ALERT, NOT_RED),
    ("POST", "/alerts/{alert_id}/notice"): (SEES_ALERT, WRITER),
    ("POST", "/alerts/{alert_id}/publish"): (SOURCE,),
    ("POST", "/alerts/{alert_id}/close"): (SOURCE,),
    ("POST", "/alerts/{alert_id}/update"): (SEES_ALERT,),
    ("POST", "/alerts/{alert_id}/response"): (SEES_ALERT,),
    ("GET", "/compose"): (),
    ("POST", "/compose"): (),
    ("POST", "/compose/extract"): (),
    ("GET", "/dashboard"): (),
    ("GET", "/dashboard/{org_id}"): (SEES_E1,),
    ("POST", "/dashboard/items/{key}"): (),
    ("POST", "/dashboard/signoff"): (),
    ("GET", "/dashboard/report/monthly"): (),
    ("GET", "/relay"): (RELAY_ORG_404,),
    ("GET", "/clocks"): (),  # the running regulatory clocks of one's perimeter
    ("GET", "/declare"): (ESTABLISHMENT_404, WRITER),
    ("POST", "/declare"): (),
    ("POST", "/declare/autosave"): (),
    ("GET", "/declarations/{declaration_id}"): (IN_CELL,),
    ("POST", "/declarations/{declaration_id}/qualify"): (IN_CELL,),
    ("POST", "/declarations/{declaration_id}/proposals/{proposal_id}/apply"): (IN_CELL,),
    ("GET", "/declarations/{declaration_id}/edit"): (IN_CELL, DECLARANT_404, WRITER),
    # exercises: the organiser and the relays above it read the report
    ("GET", "/exercises/{exercise_id}/report"): (),
    ("GET", "/exercises/{exercise_id}/report.pdf"): (),
    ("POST", "/relay/alerts/{alert_id}/remind"): (WRITER, RELAY_ANALYST, SEES_ALERT, OVERSEER),
    # Unknown TAXII paths get a TAXII-shaped 404 instead of the API's problem document.
    **{(m, "/taxii2/{rest:path}"): PUBLIC for m in ("GET", "POST", "PUT", "PATCH", "DELETE")},
}


PUBLIC_GATE, READ_GATE, WRITE_GATE, ADMIN_GATE, PAGE_GATE = (
    "public",
    "read",
    "write",
    "admin",
    "page",
)


def gate(checks: tuple[Check, ...] | None, *, page: bool = False) -> str:
    """The first door of a row: who may knock at all (anonymous, a reader, a writer, an
    administrator, or for pages a signed-in person)."""
    if checks is None:
        return PUBLIC_GATE
    if page:
        return PAGE_GATE
    if ADMIN in checks:
        return ADMIN_GATE
    if WRITER in checks or WRITE_SCOPE in checks:
        return WRITE_GATE
    return READ_GATE
