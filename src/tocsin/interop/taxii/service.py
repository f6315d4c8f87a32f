"""What the TAXII routes call: collections, reads, writes and statuses, for one caller."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.audit.service import record
from tocsin.errors import Forbidden, InvalidInput, NotFound
from tocsin.interop.stix_checks import check_submission
from tocsin.interop.taxii import store
from tocsin.interop.taxii.collections import CollectionView, collections_for, find_collection
from tocsin.interop.taxii.models import TaxiiObject, TaxiiStatus
from tocsin.interop.taxii.query import Filters, Page, find
from tocsin.network.models import Scope
from tocsin.network.principal import Principal
from tocsin.sharing.rules import Network


def list_collections(*, principal: Principal) -> list[CollectionView]:
    """The caller's collections."""
    principal.require_scope(Scope.read)
    return collections_for(principal)


def get_collection(*, principal: Principal, collection_id: str) -> CollectionView:
    """One of the caller's collections; NotFound for any other id."""
    principal.require_scope(Scope.read)
    view = find_collection(principal, collection_id)
    if view is None:
        raise NotFound("no such collection")
    return view


def read_objects(
    *,
    session: Session,
    principal: Principal,
    network: Network,
    collection_id: str,
    filters: Filters,
    limit: int,
    after_us: int | None,
    with_body: bool = True,
) -> Page:
    """A page of objects (or manifest entries) of a collection the caller may read."""
    view = get_collection(principal=principal, collection_id=collection_id)
    return find(
        session=session,
        view=view,
        viewer_id=principal.org_id,
        network=network,
        filters=filters,
        limit=limit,
        after_us=after_us,
        with_body=with_body,
    )


def read_object(
    *,
    session: Session,
    principal: Principal,
    network: Network,
    collection_id: str,
    object_id: str,
    filters: Filters,
    limit: int,
    after_us: int | None,
    with_body: bool = True,
) -> Page:
    """The versions of one object matching the filters; NotFound if it has none visible."""
    page = read_objects(
        session=session,
        principal=principal,
        network=network,
        collection_id=collection_id,
        filters=Filters(
            ids=(object_id,),
            versions=filters.versions,
            spec_versions=filters.spec_versions,
            added_after_us=filters.added_after_us,
        ),
        limit=limit,
        after_us=after_us,
        with_body=with_body,
    )
    if not page.items and after_us is None:
        raise NotFound("no such object in this collection")
    return page


def _writable(principal: Principal, collection_id: str) -> CollectionView:
    view = get_collection(principal=principal, collection_id=collection_id)
    if not view.can_write:
        raise Forbidden("this collection is read-only for you")
    principal.require_writer()
    return view


def add_objects(
    *, session: Session, principal: Principal, collection_id: str, envelope: Any, now: datetime
) -> TaxiiStatus:
    """Store the objects of a TAXII envelope in a writable collection; the status of it."""
    view = _writable(principal, collection_id)
    objects = envelope.get("objects") if isinstance(envelope, dict) else None
    if not isinstance(objects, list):
        raise InvalidInput.one("objects", "an envelope holds a list of objects")
    result = store.add_objects(
        session=session, collection_id=view.id, objects=objects, now=now,
        owner_org_id=view.org_id, check=check_submission,
    )  # fmt: skip
    status = TaxiiStatus(
        id=uuid.uuid4(),
        org_id=principal.org_id,
        collection_id=view.id,
        requested_at=now,
        total_count=len(objects),
        success_count=len(result.successes),
        failure_count=len(result.failures),
        details={
            "successes": [o.as_json() for o in result.successes],
            "failures": [o.as_json() for o in result.failures],
        },
    )
    session.add(status)
    record(
        session=session,
        actor=principal.actor,
        action="taxii.objects_added",
        target_type="taxii_collection",
        target_id=view.id,
        at=now,
        concerns=[principal.org_id],
        details={"status": str(status.id), "added": len(result.successes)},
    )
    return status


def delete_object(
    *,
    session: Session,
    principal: Principal,
    network: Network,
    collection_id: str,
    object_id: str,
    filters: Filters,
    now: datetime,
) -> int:
    """Delete the versions of one object matching the filters; how many were deleted."""
    view = _writable(principal, collection_id)
    query = select(TaxiiObject.seq).where(
        TaxiiObject.collection_id == view.id, TaxiiObject.stix_id == object_id
    )
    page = read_object(
        session=session,
        principal=principal,
        network=network,
        collection_id=view.id,
        object_id=object_id,
        filters=Filters(versions=filters.versions or ("all",), spec_versions=filters.spec_versions),
        limit=1_000_000,
        after_us=None,
        with_body=False,
    )
    wanted = {item.seq for item in page.items}
    seqs = [seq for seq in session.scalars(query) if seq in wanted]
    deleted = store.delete_versions(
        session=session, collection_id=view.id, stix_id=object_id, seqs=seqs
    )
    record(
        session=session,
        actor=principal.actor,
        action="taxii.object_deleted",
        target_type="taxii_collection",
        target_id=view.id,
        at=now,
        concerns=[principal.org_id],
        details={"object": object_id, "versions": deleted},
    )
    return deleted


def get_status(*, session: Session, principal: Principal, status_id: uuid.UUID) -> TaxiiStatus:
    """A status resource of the caller's organisation."""
    principal.require_scope(Scope.read)
    status = session.get(TaxiiStatus, status_id)
    if status is None or status.org_id != principal.org_id:
        raise NotFound("no such status")
    return status
