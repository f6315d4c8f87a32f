"""The hub client of the sweep: fetch the caller's valid indicators, send back sightings only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx

from tocsin.sweep.loading import HubRef, Loaded


class HubError(Exception):
    """The hub refused a request or could not be reached."""


class HubClient:
    """A small synchronous client over httpx; pass `transport` to talk to an in-process hub."""

    def __init__(
        self, base_url: str, token: str, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            transport=transport,
            timeout=30.0,
        )

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise HubError(f"hub unreachable: {exc}") from exc
        if response.is_error:
            raise HubError(f"hub answered {response.status_code} to {method} {url}")
        return response

    def indicators(self, alert: str | None = None) -> Iterator[dict[str, Any]]:
        """Yield the caller's currently valid indicators, those a warninglist holds back
        included and marked (`excluded_by`), following the cursor."""
        params: dict[str, str] = {"include_excluded": "true"}
        if alert:
            params["alert"] = alert
        while True:
            page = self._call("GET", "/api/v1/sweep/indicators", params=params).json()
            yield from page.get("items", [])
            if not page.get("next"):
                return
            params = {**params, "cursor": page["next"]}

    def post_sighting(
        self,
        *,
        indicator_id: str,
        count: int,
        first_seen: datetime | None,
        last_seen: datetime | None,
        anonymous: bool,
    ) -> None:
        """Report how often one indicator was seen; never any log line."""
        body = {
            "indicator_id": indicator_id,
            "count": count,
            "first_seen": first_seen.isoformat() if first_seen else None,
            "last_seen": last_seen.isoformat() if last_seen else None,
            "anonymous": anonymous,
            "source": "sweep",
        }
        self._call("POST", "/api/v1/sightings", json=body)

    def set_applicability(self, alert_id: str, applicability: str) -> None:
        """State whether the caller's organisation is affected by an alert."""
        body = {"applicability": applicability}
        self._call("PUT", f"/api/v1/alerts/{alert_id}/response", json=body)


def load_from_hub(
    client: HubClient, alert: str | None = None, include_excluded: bool = False
) -> tuple[Loaded, datetime | None]:
    """Load the hub's indicators; also return the earliest first_seen (the alert's window).
    Those a warninglist holds back are counted in `loaded.excluded`, and swept only if asked."""
    loaded = Loaded()
    earliest: datetime | None = None
    for item in client.indicators(alert):
        lists = item.get("excluded_by") or []
        for name in lists:
            loaded.excluded[name] = loaded.excluded.get(name, 0) + 1
        if lists and not include_excluded:
            continue
        loaded.add(item["type"], item["value"], HubRef(str(item["id"]), item.get("alert_id")))
        if item.get("first_seen"):
            seen = datetime.fromisoformat(str(item["first_seen"]).replace("Z", "+00:00"))
            earliest = seen if earliest is None else min(earliest, seen)
    return loaded, earliest
