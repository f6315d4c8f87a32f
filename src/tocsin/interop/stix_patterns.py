"""STIX patterns back to typed indicators, without the slow ANTLR parser on the common path.

Producers write IOC patterns as comparisons `object:path = 'value'` joined by OR/AND; those
are read with a linear regular expression. Anything else (MATCHES, LIKE, qualifiers,
FOLLOWEDBY) is checked with the reference parser: valid ones are kept attached, invalid ones
refused.
"""

from __future__ import annotations

import re

from tocsin.indicators.types import IndicatorType

_COMPARISON = re.compile(
    r"(?P<path>[a-z0-9-]{1,250}:[A-Za-z0-9_.'-]{1,250})\s{0,10}=\s{0,10}"
    r"'(?P<value>(?:[^'\\]|\\.){0,10000})'"
)
_GLUE = re.compile(r"[\s\[\]()]*(?:(?:OR|AND)[\s\[\]()]*)*")
_HASHES = {"MD5": IndicatorType.MD5, "SHA1": IndicatorType.SHA1, "SHA256": IndicatorType.SHA256}
_SIMPLE_PATHS = {
    "domain-name:value": IndicatorType.DOMAIN,
    "url:value": IndicatorType.URL,
    "email-addr:value": IndicatorType.EMAIL,
    "email-message:from_ref.value": IndicatorType.EMAIL,
    "email-message:sender_ref.value": IndicatorType.EMAIL,
    "file:name": IndicatorType.FILENAME,
}


# The reference parser recurses once per level (and Python stops near 1,000 frames): a
# pattern is measured before it is parsed. Real patterns nest a handful of levels.
MAX_NESTING = 32


class UnsupportedPattern(Exception):
    """A valid pattern with no tocsin indicator equivalent: keep the object attached."""


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def _type_of(path: str, value: str) -> IndicatorType | None:
    if path in ("ipv4-addr:value", "ipv6-addr:value"):
        if "/" in value:
            return IndicatorType.CIDR
        return IndicatorType.IPV4 if path.startswith("ipv4") else IndicatorType.IPV6
    if path.startswith("file:hashes."):
        algorithm = path.removeprefix("file:hashes.").strip("'").upper().replace("-", "")
        return _HASHES.get(algorithm)
    return _SIMPLE_PATHS.get(path)


def _nesting_problem(pattern: str) -> str | None:
    """Why the brackets and parentheses outside quoted values cannot be parsed, if they cannot."""
    closing = {"(": ")", "[": "]"}
    open_marks: list[str] = []
    quoted = escaped = False
    for char in pattern:
        if quoted:
            escaped, quoted = (not escaped and char == "\\"), quoted and (escaped or char != "'")
        elif char == "'":
            quoted = True
        elif char in closing:
            open_marks.append(closing[char])
            if len(open_marks) > MAX_NESTING:
                return f"nested deeper than {MAX_NESTING} levels of brackets or parentheses"
        elif char in ")]" and (not open_marks or open_marks.pop() != char):
            return f"unbalanced brackets or parentheses: unexpected {char!r}"
    if quoted:
        return "a quoted value is not closed"
    if open_marks:
        return f"unbalanced brackets or parentheses: {open_marks[-1]!r} missing"
    return None


def _reference_errors(pattern: str) -> list[str]:
    from stix2patterns.validator import run_validator

    return [str(e) for e in run_validator(pattern, stix_version="2.1")]


def indicators_of(pattern: str) -> list[tuple[IndicatorType, str]]:
    """The (type, raw value) pairs a pattern matches.

    Raises UnsupportedPattern for valid patterns tocsin cannot represent, ValueError for
    invalid ones.
    """
    problem = _nesting_problem(pattern)
    if problem:
        raise ValueError(f"invalid STIX pattern: {problem}")
    found = [(m.group("path"), _unescape(m.group("value"))) for m in _COMPARISON.finditer(pattern)]
    rest = _COMPARISON.sub(" ", pattern)
    balanced = rest.count("[") == rest.count("]") >= 1  # brackets outside quoted values
    simple = bool(found) and balanced and _GLUE.fullmatch(rest) is not None
    if not simple:
        errors = _reference_errors(pattern)
        if errors:
            raise ValueError(f"invalid STIX pattern: {errors[0]}")
        raise UnsupportedPattern(pattern)
    typed = [(_type_of(path, value), value) for path, value in found]
    if any(kind is None for kind, _ in typed):
        raise UnsupportedPattern(pattern)
    return [(kind, value) for kind, value in typed if kind is not None]
