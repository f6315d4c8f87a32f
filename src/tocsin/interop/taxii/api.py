"""TAXII 2.1 routes (OASIS TAXII 2.1, sections 3 to 5): parse, call the service, format."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response

from tocsin.deps import NowDep, SessionDep, SettingsDep
from tocsin.interop.taxii import service
from tocsin.interop.taxii.collections import CollectionView
from tocsin.interop.taxii.http import (
    STIX_JSON,
    TAXII_JSON,
    TaxiiProblem,
    TaxiiRoute,
    envelope_text,
    manifest_text,
    page_headers,
    taxii_response,
    versions_text,
)
from tocsin.interop.taxii.models import TaxiiStatus
from tocsin.interop.taxii.query import Filters, decode_next
from tocsin.interop.taxii.stamps import format_us, parse_us, to_us
from tocsin.network.auth import NetworkDep, PrincipalDep

_RESPONSES: dict[int | str, dict[str, object]] = {
    code: {"description": "TAXII error", "content": {"application/taxii+json;version=2.1": {}}}
    for code in (400, 401, 403, 404, 406, 413, 415, 422)
}
# Every TAXII answer, success included, has the TAXII media type (section 1.6.8).
_RESPONSES[200] = {"description": "TAXII resource", "content": {TAXII_JSON: {}}}
router = APIRouter(prefix="/taxii2", tags=["taxii"], route_class=TaxiiRoute, responses=_RESPONSES)

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
COLLECTION = "/api/collections/{collection_id}"


def _values(request: Request, name: str) -> tuple[str, ...]:
    raw = ",".join(request.query_params.getlist(name))
    return tuple(v.strip() for v in raw.split(",") if v.strip())


def _filters(request: Request, default_versions: tuple[str, ...] = ("last",)) -> Filters:
    added_after = request.query_params.get("added_after")
    try:
        after_us = parse_us(added_after) if added_after else None
    except ValueError as exc:
        raise TaxiiProblem(400, "Bad request", f"added_after: {exc}") from exc
    return Filters(
        ids=_values(request, "match[id]"),
        types=_values(request, "match[type]"),
        versions=_values(request, "match[version]") or default_versions,
        spec_versions=_values(request, "match[spec_version]"),
        added_after_us=after_us,
    )


def _paging(request: Request) -> tuple[int, int | None]:
    raw_limit = request.query_params.get("limit")
    try:
        limit = int(raw_limit) if raw_limit else DEFAULT_LIMIT
    except ValueError as exc:
        raise TaxiiProblem(400, "Bad request", "limit must be a positive integer") from exc
    if limit < 1:
        raise TaxiiProblem(400, "Bad request", "limit must be a positive integer")
    token = request.query_params.get("next")
    return min(limit, MAX_LIMIT), decode_next(token) if token else None


def _collection_json(view: CollectionView) -> dict[str, Any]:
    return {
        "id": view.id,
        "title": view.title,
        "description": view.description,
        "can_read": view.can_read,
        "can_write": view.can_write,
        "media_types": [STIX_JSON],
    }


def _status_json(status: TaxiiStatus) -> dict[str, Any]:
    return {
        "id": str(status.id),
        "status": "complete",
        "request_timestamp": format_us(to_us(status.requested_at)),
        "total_count": status.total_count,
        "success_count": status.success_count,
        "successes": status.details["successes"],
        "failure_count": status.failure_count,
        "failures": status.details["failures"],
        "pending_count": 0,
        "pendings": [],
    }


@router.get("/", name="taxii_discovery")
def discovery(request: Request, principal: PrincipalDep) -> Response:
    """Server discovery (TAXII 2.1 section 4.1)."""
    root = str(request.url_for("taxii_api_root"))
    return taxii_response(
        {
            "title": "tocsin TAXII 2.1",
            "description": "Alerts and indicators shared in the tocsin hub.",
            "default": root,
            "api_roots": [root],
        }
    )


@router.get("/api/", name="taxii_api_root")
def api_root(principal: PrincipalDep, settings: SettingsDep) -> Response:
    """The one API root (section 4.2)."""
    return taxii_response(
        {
            "title": "tocsin",
            "description": "Collections derived from what your organisation may read.",
            "versions": [TAXII_JSON],
            "max_content_length": settings.max_body_bytes,
        }
    )


@router.get("/api/status/{status_id}/")
def status(status_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Response:
    """A status resource of an earlier POST (section 4.3)."""
    found = service.get_status(session=session, principal=principal, status_id=status_id)
    return taxii_response(_status_json(found))


@router.get("/api/collections/")
def collections(principal: PrincipalDep) -> Response:
    """The caller's collections (section 5.1)."""
    views = service.list_collections(principal=principal)
    return taxii_response({"collections": [_collection_json(v) for v in views]})


@router.get(COLLECTION + "/")
def collection(collection_id: str, principal: PrincipalDep) -> Response:
    """One collection (section 5.2)."""
    view = service.get_collection(principal=principal, collection_id=collection_id)
    return taxii_response(_collection_json(view))


@router.get(COLLECTION + "/manifest/")
def manifest(
    collection_id: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    network: NetworkDep,
) -> Response:
    """Manifest entries of the objects (section 5.3)."""
    limit, after_us = _paging(request)
    page = service.read_objects(
        session=session,
        principal=principal,
        network=network,
        collection_id=collection_id,
        filters=_filters(request),
        limit=limit,
        after_us=after_us,
        with_body=False,
    )
    return taxii_response(manifest_text(page), headers=page_headers(page))


@router.get(COLLECTION + "/objects/")
def get_objects(
    collection_id: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    network: NetworkDep,
) -> Response:
    """Objects of a collection in an envelope (section 5.4)."""
    limit, after_us = _paging(request)
    page = service.read_objects(
        session=session,
        principal=principal,
        network=network,
        collection_id=collection_id,
        filters=_filters(request),
        limit=limit,
        after_us=after_us,
    )
    return taxii_response(envelope_text(page), headers=page_headers(page))


@router.post(COLLECTION + "/objects/")
def add_objects(
    collection_id: str,
    envelope: Annotated[Any, Body()],
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> Response:
    """Add objects (section 5.5); processed at once, answered with a complete status."""
    added = service.add_objects(
        session=session,
        principal=principal,
        collection_id=collection_id,
        envelope=envelope,
        now=now,
    )
    return taxii_response(_status_json(added), status=202)


@router.get(COLLECTION + "/objects/{object_id}/")
def get_object(
    collection_id: str,
    object_id: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    network: NetworkDep,
) -> Response:
    """One object's versions matching the filters, in an envelope (section 5.6)."""
    limit, after_us = _paging(request)
    page = service.read_object(
        session=session,
        principal=principal,
        network=network,
        collection_id=collection_id,
        object_id=object_id,
        filters=_filters(request),
        limit=limit,
        after_us=after_us,
    )
    return taxii_response(envelope_text(page), headers=page_headers(page))


@router.delete(COLLECTION + "/objects/{object_id}/")
def delete_object(
    collection_id: str,
    object_id: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    network: NetworkDep,
    now: NowDep,
) -> Response:
    """Delete an object's versions matching the filters, all by default (section 5.7)."""
    service.delete_object(
        session=session,
        principal=principal,
        network=network,
        collection_id=collection_id,
        object_id=object_id,
        filters=_filters(request, default_versions=("all",)),
        now=now,
    )
    return taxii_response("", status=200)


@router.get(COLLECTION + "/objects/{object_id}/versions/")
def object_versions(
    collection_id: str,
    object_id: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    network: NetworkDep,
) -> Response:
    """The versions of one object (section 5.8)."""
    limit, after_us = _paging(request)
    given = _filters(request)
    page = service.read_object(
        session=session,
        principal=principal,
        network=network,
        collection_id=collection_id,
        object_id=object_id,
        filters=Filters(
            versions=("all",),
            spec_versions=given.spec_versions,
            added_after_us=given.added_after_us,
        ),
        limit=limit,
        after_us=after_us,
        with_body=False,
    )
    return taxii_response(versions_text(page), headers=page_headers(page))


@router.api_route(
    "/{rest:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
def unknown(rest: str) -> Response:
    """Anything else under /taxii2 gets a TAXII-shaped 404."""
    raise TaxiiProblem(404, "Not found", "no such TAXII endpoint")
