"""The authorisation matrix: for every API operation and every page, who may pass its gate.

Gates:
- public: anyone, signed in or not (probes, sign-in, static files, first-admin set-up);
- read / write / admin: a token (or, for pages, a signed-in browser) with that scope;
- page: a signed-in browser; write pages also need a writer role.

What the gate lets through is then narrowed by the resource: an operation whose path names
an alert or a declaration answers 404 to anyone who may not see it (tested in
test_matrix.py against the TLP 2.0 oracle of tests/sharing), whatever the method.
A new operation or page that is not listed here fails the coverage test.
"""

from __future__ import annotations

PUBLIC, READ, WRITE, ADMIN, PAGE = "public", "read", "write", "admin", "page"

API: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    # network
    ("GET", "/api/v1/me"): READ,
    ("GET", "/api/v1/organisations"): READ,
    ("POST", "/api/v1/organisations"): ADMIN,
    ("GET", "/api/v1/organisations/{org_id}"): READ,
    ("GET", "/api/v1/organisations/{org_id}/users"): READ,
    ("POST", "/api/v1/users"): ADMIN,
    ("GET", "/api/v1/tokens"): READ,
    ("POST", "/api/v1/tokens"): WRITE,
    ("DELETE", "/api/v1/tokens/{token_id}"): WRITE,
    # alerts
    ("POST", "/api/v1/alerts"): WRITE,
    ("GET", "/api/v1/alerts"): READ,
    ("GET", "/api/v1/alerts/{alert_id}"): READ,
    ("PATCH", "/api/v1/alerts/{alert_id}"): WRITE,
    ("POST", "/api/v1/alerts/{alert_id}/publish"): WRITE,
    ("POST", "/api/v1/alerts/{alert_id}/close"): WRITE,
    ("POST", "/api/v1/alerts/{alert_id}/retract"): WRITE,
    ("GET", "/api/v1/alerts/{alert_id}/revisions"): READ,
    ("GET", "/api/v1/indicators"): READ,
    ("GET", "/api/v1/alerts/{alert_id}/export"): READ,
    ("POST", "/api/v1/imports"): WRITE,
    # audit
    ("GET", "/api/v1/audit"): READ,
    ("GET", "/api/v1/audit/export"): READ,
    # declarations and relaying
    ("POST", "/api/v1/declarations"): WRITE,
    ("GET", "/api/v1/declarations"): READ,
    ("GET", "/api/v1/declarations/{declaration_id}"): READ,
    ("PATCH", "/api/v1/declarations/{declaration_id}"): WRITE,
    ("GET", "/api/v1/declarations/{declaration_id}/history"): READ,
    ("POST", "/api/v1/declarations/{declaration_id}/qualify"): WRITE,
    ("GET", "/api/v1/declarations/{declaration_id}/proposals"): READ,
    ("POST", "/api/v1/declarations/{declaration_id}/proposals/{proposal_id}/apply"): WRITE,
    ("POST", "/api/v1/declarations/{declaration_id}/close"): WRITE,
    ("GET", "/api/v1/declarations/{declaration_id}/log"): READ,
    ("POST", "/api/v1/declarations/{declaration_id}/log"): WRITE,
    ("POST", "/api/v1/declarations/{declaration_id}/checklist/{item}"): WRITE,
    ("GET", "/api/v1/declarations/{declaration_id}/regulatory"): READ,
    # responses
    ("PUT", "/api/v1/alerts/{alert_id}/response"): WRITE,
    ("GET", "/api/v1/alerts/{alert_id}/response"): READ,
    ("GET", "/api/v1/alerts/{alert_id}/response/history"): READ,
    ("GET", "/api/v1/alerts/{alert_id}/responses"): READ,
    ("GET", "/api/v1/alerts/{alert_id}/escalations"): READ,
    # delivery
    ("GET", "/api/v1/stream"): READ,
    ("GET", "/api/v1/webhooks"): READ,
    ("POST", "/api/v1/webhooks"): WRITE,
    ("GET", "/api/v1/webhooks/{endpoint_id}"): READ,
    ("DELETE", "/api/v1/webhooks/{endpoint_id}"): WRITE,
    ("GET", "/api/v1/webhooks/{endpoint_id}/attempts"): READ,
    ("POST", "/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver"): WRITE,
    ("GET", "/api/v1/me/notifications"): READ,
    ("PUT", "/api/v1/me/notifications"): READ,  # a reader chooses its own e-mails
    # TAXII and feeds
    ("GET", "/taxii2/"): READ,
    ("GET", "/taxii2/api/"): READ,
    ("GET", "/taxii2/api/status/{status_id}/"): READ,
    ("GET", "/taxii2/api/collections/"): READ,
    ("GET", "/taxii2/api/collections/{collection_id}/"): READ,
    ("GET", "/taxii2/api/collections/{collection_id}/manifest/"): READ,
    ("GET", "/taxii2/api/collections/{collection_id}/objects/"): READ,
    ("POST", "/taxii2/api/collections/{collection_id}/objects/"): WRITE,
    ("GET", "/taxii2/api/collections/{collection_id}/objects/{object_id}/"): READ,
    ("DELETE", "/taxii2/api/collections/{collection_id}/objects/{object_id}/"): WRITE,
    ("GET", "/taxii2/api/collections/{collection_id}/objects/{object_id}/versions/"): READ,
    ("GET", "/api/v1/feeds/indicators.csv"): READ,
    ("GET", "/api/v1/feeds/rpz.zone"): READ,
    ("GET", "/api/v1/feeds/{kind}.txt"): READ,
    # intel
    ("GET", "/api/v1/alerts/{alert_id}/related"): READ,
    ("POST", "/api/v1/sightings"): WRITE,
    ("GET", "/api/v1/indicators/{indicator_id}/sightings"): READ,
    ("GET", "/api/v1/alerts/{alert_id}/sightings"): READ,
    ("POST", "/api/v1/indicators/{indicator_id}/confirm"): WRITE,
    ("GET", "/api/v1/sweep/indicators"): READ,
    ("GET", "/api/v1/campaigns"): READ,
    ("POST", "/api/v1/campaigns"): WRITE,
    ("GET", "/api/v1/campaigns/{campaign_id}"): READ,
    ("PATCH", "/api/v1/campaigns/{campaign_id}"): WRITE,
    ("POST", "/api/v1/campaigns/{campaign_id}/merge"): WRITE,
    ("POST", "/api/v1/campaigns/{campaign_id}/split"): WRITE,
    # posture
    ("GET", "/api/v1/posture/items"): READ,
    ("POST", "/api/v1/posture/items"): WRITE,
    ("PATCH", "/api/v1/posture/items/{key}"): WRITE,
    ("GET", "/api/v1/posture/organisations/{org_id}"): READ,
    ("PUT", "/api/v1/posture/organisations/{org_id}/items/{key}"): WRITE,
    ("POST", "/api/v1/posture/organisations/{org_id}/signoff"): WRITE,
}

PAGES: dict[tuple[str, str], str] = {
    ("GET", "/static/vendor/{name}"): PUBLIC,
    ("GET", "/static/{name}"): PUBLIC,
    ("GET", "/"): PUBLIC,  # sends to the inbox or to sign-in
    ("GET", "/signin"): PUBLIC,
    ("POST", "/signin"): PUBLIC,
    ("POST", "/signout"): PUBLIC,
    ("POST", "/language"): PUBLIC,
    ("GET", "/setup"): PUBLIC,  # only while no user exists (tested in tests/web)
    ("POST", "/setup"): PUBLIC,
    ("GET", "/organisation"): PAGE,
    ("POST", "/organisation"): PAGE,
    ("GET", "/inbox"): PAGE,
    ("GET", "/alerts/{alert_id}/row"): PAGE,
    ("GET", "/alerts/{alert_id}"): PAGE,
    ("GET", "/alerts/{alert_id}/indicators.csv"): PAGE,
    ("GET", "/alerts/{alert_id}/export.{kind}.json"): PAGE,
    ("POST", "/alerts/{alert_id}/publish"): PAGE,
    ("POST", "/alerts/{alert_id}/close"): PAGE,
    ("POST", "/alerts/{alert_id}/update"): PAGE,
    ("POST", "/alerts/{alert_id}/response"): PAGE,
    ("GET", "/compose"): PAGE,
    ("POST", "/compose"): PAGE,
    ("POST", "/compose/extract"): PAGE,
    ("GET", "/dashboard"): PAGE,
    ("GET", "/dashboard/{org_id}"): PAGE,
    ("POST", "/dashboard/items/{key}"): PAGE,
    ("POST", "/dashboard/signoff"): PAGE,
    ("GET", "/dashboard/report/monthly"): PAGE,
    ("GET", "/relay"): PAGE,
    ("GET", "/declare"): PAGE,
    ("POST", "/declare"): PAGE,
    ("POST", "/declare/autosave"): PAGE,
    ("GET", "/declarations/{declaration_id}"): PAGE,
    ("POST", "/declarations/{declaration_id}/qualify"): PAGE,
    ("POST", "/declarations/{declaration_id}/proposals/{proposal_id}/apply"): PAGE,
    ("GET", "/declarations/{declaration_id}/edit"): PAGE,
    # Unknown TAXII paths get a TAXII-shaped 404 instead of the API's problem document.
    **{(m, "/taxii2/{rest:path}"): PUBLIC for m in ("GET", "POST", "PUT", "PATCH", "DELETE")},
}
