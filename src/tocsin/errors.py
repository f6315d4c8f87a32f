"""The exception tree of tocsin, mapped once to RFC 9457 problem+json in `app.py`.

TocsinError
 ├── InvalidInput      422  bad field values; carries [{field, reason}]
 ├── Unauthenticated   401  no or bad credentials
 ├── Forbidden         403  authenticated but not allowed (wrong scope or role)
 ├── NotFound          404  absent, or invisible to the caller (never tell which)
 ├── Conflict          409  state does not allow the change (e.g. publish a closed alert)
 ├── PayloadTooLarge   413  body above the configured limit
 ├── RateLimited       429  too many requests; carries retry_after seconds
 └── Unavailable       503  a dependency (database, bus) is unreachable
      └── BusUnavailable       the message bus (NATS) is unreachable
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str


class TocsinError(Exception):
    status = 500
    title = "Internal error"
    type_slug = "internal"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title


class InvalidInput(TocsinError):
    status = 422
    title = "Invalid input"
    type_slug = "invalid-input"

    def __init__(self, errors: list[FieldError] | FieldError, detail: str = "") -> None:
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        summary = "; ".join(f"{e.field}: {e.reason}" for e in self.errors)
        super().__init__(detail or summary)

    @classmethod
    def one(cls, field: str, reason: str) -> InvalidInput:
        return cls(FieldError(field, reason))


class Unauthenticated(TocsinError):
    status = 401
    title = "Authentication required"
    type_slug = "unauthenticated"


class Forbidden(TocsinError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class NotFound(TocsinError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(TocsinError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class PayloadTooLarge(TocsinError):
    status = 413
    title = "Payload too large"
    type_slug = "payload-too-large"


class RateLimited(TocsinError):
    status = 429
    title = "Too many requests"
    type_slug = "rate-limited"

    def __init__(self, retry_after: int, detail: str = "") -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(TocsinError):
    status = 503
    title = "Service unavailable"
    type_slug = "unavailable"


class StorageFull(TocsinError):
    """The database cannot grow: nothing of the request was written."""

    status = 507
    title = "Storage full"
    type_slug = "storage-full"


class DatabaseUnavailable(Unavailable):
    """The database did not answer or dropped the connection: nothing of the request was
    written (its transaction rolled back); the same request may be sent again."""

    title = "Database unavailable"


class BusUnavailable(Unavailable):
    title = "Message bus unavailable"
