"""Standard Webhooks signatures, checked by a receiver written here from the spec's rules."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.delivery.signing import SignatureError, new_secret, sign, verify

NOW = 1_767_225_600  # 2026-01-01T00:00:00Z


def receiver_accepts(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a third-party receiver does: HMAC-SHA256 of "id.timestamp.body", base64, "v1,"."""
    key = base64.b64decode(secret.split("_", 1)[1])
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    for signature in headers["webhook-signature"].split(" "):
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


def test_a_new_secret_is_whsec_and_base64_of_random_bytes() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) >= 24
    assert new_secret() != secret


def test_signing_sets_the_three_headers() -> None:
    headers = sign(new_secret(), "msg_1", NOW, b"{}")
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == str(NOW)
    assert headers["webhook-signature"].startswith("v1,")


@given(msg_id=st.text(min_size=1, max_size=40), body=st.binary(max_size=500))
def test_an_independent_receiver_accepts_our_signature(msg_id: str, body: bytes) -> None:
    secret = new_secret()
    headers = sign(secret, msg_id, NOW, body)
    assert receiver_accepts(secret, headers, body)
    verify(secret, headers, body, now=NOW)


def test_a_known_vector_matches_hand_computed_hmac() -> None:
    key = bytes(range(32))
    secret = "whsec_" + base64.b64encode(key).decode()
    body = b'{"type":"alert.published"}'
    content = b"msg_2KWPBgLlAfxdpx2AI54pPJ85f4W.1674087231." + body
    expected = "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    headers = sign(secret, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", 1674087231, body)
    assert headers["webhook-signature"] == expected


def test_verification_accepts_any_of_several_signatures_during_key_rotation() -> None:
    old_secret, new = new_secret(), new_secret()
    body = b'{"alert":"x"}'
    signatures = [sign(key, "msg_r", NOW, body)["webhook-signature"] for key in (old_secret, new)]
    headers = {
        "webhook-id": "msg_r",
        "webhook-timestamp": str(NOW),
        "webhook-signature": " ".join(signatures),
    }
    verify(old_secret, headers, body, now=NOW)
    verify(new, headers, body, now=NOW)
    assert receiver_accepts(new, headers, body)
    with pytest.raises(SignatureError, match="no signature matches"):
        verify(new_secret(), headers, body, now=NOW)


def test_a_tampered_body_is_rejected() -> None:
    secret = new_secret()
    headers = sign(secret, "msg_t", NOW, b'{"tlp":"red"}')
    with pytest.raises(SignatureError, match="no signature matches"):
        verify(secret, headers, b'{"tlp":"clear"}', now=NOW)
    assert not receiver_accepts(secret, headers, b'{"tlp":"clear"}')


def test_a_changed_id_or_timestamp_is_rejected() -> None:
    secret = new_secret()
    headers = sign(secret, "msg_t", NOW, b"{}")
    with pytest.raises(SignatureError):
        verify(secret, {**headers, "webhook-id": "msg_other"}, b"{}", now=NOW)
    with pytest.raises(SignatureError):
        verify(secret, {**headers, "webhook-timestamp": str(NOW + 1)}, b"{}", now=NOW)


def test_stale_and_future_timestamps_are_rejected_outside_the_tolerance() -> None:
    secret = new_secret()
    headers = sign(secret, "msg_s", NOW, b"{}")
    verify(secret, headers, b"{}", now=NOW + 300)
    verify(secret, headers, b"{}", now=NOW - 300)
    with pytest.raises(SignatureError, match="too old"):
        verify(secret, headers, b"{}", now=NOW + 301)
    with pytest.raises(SignatureError, match="future"):
        verify(secret, headers, b"{}", now=NOW - 301)
    with pytest.raises(SignatureError, match="too old"):
        verify(secret, headers, b"{}", now=NOW + 61, tolerance=60)


def test_missing_or_malformed_headers_are_reported() -> None:
    secret = new_secret()
    headers = sign(secret, "msg_m", NOW, b"{}")
    without_signature = {k: v for k, v in headers.items() if k != "webhook-signature"}
    with pytest.raises(SignatureError, match="webhook-signature header is missing"):
        verify(secret, without_signature, b"{}", now=NOW)
    with pytest.raises(SignatureError, match="not an integer"):
        verify(secret, {**headers, "webhook-timestamp": "soon"}, b"{}", now=NOW)
    upper = {key.title(): value for key, value in headers.items()}
    verify(secret, upper, b"{}", now=NOW)
