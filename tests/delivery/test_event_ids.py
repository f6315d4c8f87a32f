"""A delivery's event id never changes: receivers de-duplicate on it, and ids already sent
or stored must come out the same from every way of computing them."""

from __future__ import annotations

import uuid

from tocsin.delivery.fanout import live_event_id, target_list
from tocsin.delivery.models import Channel, RevisionFanout
from tocsin.delivery.outbox import event_id, event_ids

FIXED = uuid.UUID("0b6c3e8a-8f43-4d7e-9b0f-2a1d5c7e9f11")


def test_the_ids_of_a_revision_are_those_of_the_stable_formula() -> None:
    alert = uuid.uuid4()
    for revision in (1, 2, 17):
        of = event_ids(alert, revision)
        for _ in range(50):
            org, endpoint = uuid.uuid4(), uuid.uuid4()
            for channel, target in ((Channel.live, org), (Channel.webhook, endpoint),
                                    (Channel.email, endpoint), (Channel.sms, endpoint)):  # fmt: skip
                assert of(org, channel, target) == event_id(alert, revision, org, channel, target)
                assert of(org, channel, target).version == 5


def test_a_known_id_does_not_move() -> None:
    expected = uuid.uuid5(
        uuid.UUID("6f1d8c2e-3b7a-5e4f-9a10-2c4d6e8f0a1b"), f"{FIXED}:3:{FIXED}:webhook:{FIXED}"
    )
    assert event_ids(FIXED, 3)(FIXED, Channel.webhook, FIXED) == expected


def test_the_live_rows_carry_the_live_event_ids() -> None:
    row = RevisionFanout(alert_id=FIXED, revision=2, targets=[[str(FIXED), str(FIXED), 9]])
    [(org, _payload, _seq)] = target_list(row)
    assert event_ids(FIXED, 2)(org, Channel.live, org) == live_event_id(row, org)
