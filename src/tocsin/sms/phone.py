"""Phone numbers in E.164 (`+33612345678`), checked with libphonenumber's rules. Pure."""

from __future__ import annotations

import phonenumbers


def e164(raw: str) -> str:
    """The number in E.164; ValueError saying why when it is not a valid international one."""
    text = raw.strip()
    if not text.startswith("+"):
        raise ValueError("an international number in E.164 form, starting with + (e.g. +33…)")
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid number for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
