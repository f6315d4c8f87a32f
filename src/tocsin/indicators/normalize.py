"""Refanging, canonical forms and type detection of indicators (pure, no network)."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import idna
import tldextract

from tocsin.indicators.types import IndicatorError, IndicatorType

# Every pattern uses bounded quantifiers only, so a hostile paste cannot make it backtrack.
_SCHEME_HXXP = re.compile(r"\bh[xX]{2}p(s?)(?=\[?:)", re.IGNORECASE)
_SCHEME_FXP = re.compile(r"\bfxp(?=\[?:)", re.IGNORECASE)
_BRACKET_DOT = re.compile(r"[\[({]\s{0,3}(?:\.|dot)\s{0,3}[\])}]", re.IGNORECASE)
_BRACKET_AT = re.compile(r"\[\s{0,3}(?:@|at)\s{0,3}\]|\(\s{0,3}at\s{0,3}\)", re.IGNORECASE)
_BRACKET_COLON = re.compile(r"\[(:|://)\]")
_ESCAPED_DOT = re.compile(r"\\\.")

_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]{0,31}")
_HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,31}://")
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_CVE = re.compile(r"CVE-\d{4}-\d{4,12}")
_HEX = re.compile(r"[0-9a-f]+")
_EXTENSION = re.compile(r"[^.]\.[A-Za-z0-9]{1,8}$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HASH_LENGTHS = {IndicatorType.MD5: 32, IndicatorType.SHA1: 40, IndicatorType.SHA256: 64}
_HASH_BY_LENGTH = {length: kind for kind, length in _HASH_LENGTHS.items()}
_MAX_REFANG_PASSES = 64


def _refang_once(text: str) -> str:
    text = _SCHEME_HXXP.sub(lambda m: "http" + m.group(1).lower(), text)
    text = _SCHEME_FXP.sub("ftp", text)
    text = _BRACKET_DOT.sub(".", text)
    text = _BRACKET_AT.sub("@", text)
    text = _BRACKET_COLON.sub(lambda m: m.group(1), text)
    return _ESCAPED_DOT.sub(".", text)


def refang(text: str) -> str:
    """Undo common defanging (hxxp, [.], (dot), [@], [:], \\.); idempotent."""
    # Nested markers such as "[[.]]" unwrap one layer per pass, so repeat to a fixed point.
    for _ in range(_MAX_REFANG_PASSES):
        refanged = _refang_once(text)
        if refanged == text:
            return text
        text = refanged
    return text


def defang(value: str, type: IndicatorType | str) -> str:
    """Make a normalised indicator safe to show in an e-mail (hxxp://, [.], [@])."""
    kind = IndicatorType(type)
    if kind is IndicatorType.URL:
        scheme, sep, rest = value.partition("://")
        scheme = {"http": "hxxp", "https": "hxxps", "ftp": "fxp"}.get(scheme.lower(), scheme)
        return scheme + sep + rest.replace(".", "[.]")
    if kind in (IndicatorType.DOMAIN, IndicatorType.IPV4, IndicatorType.CIDR):
        return value.replace(".", "[.]")
    if kind is IndicatorType.EMAIL:
        return value.replace(".", "[.]").replace("@", "[@]")
    return value


def _ipv4(value: str) -> str:
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise IndicatorError("not a valid IPv4 address") from None


def _ipv6(value: str) -> str:
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    try:
        return ipaddress.IPv6Address(value).compressed
    except ValueError:
        raise IndicatorError("not a valid IPv6 address") from None


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=False))
    except ValueError:
        raise IndicatorError("not a valid network in CIDR notation (e.g. 192.0.2.0/24)") from None


def _a_label(label: str) -> str:
    if label.isascii():
        label = label.lower()
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except idna.IDNAError:
                raise IndicatorError(f"label {label!r} is not valid punycode") from None
        return label
    try:
        return idna.encode(label, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise IndicatorError(f"label {label!r} is not a valid internationalised label") from None


def _domain(value: str) -> str:
    name = value.strip()
    # UTS 46 maps ideographic and fullwidth full stops to "."; split on all of them.
    name = re.sub("[\u3002\uff0e\uff61]", ".", name).removesuffix(".")
    if not name:
        raise IndicatorError("a domain cannot be empty")
    labels = [_a_label(label) for label in name.split(".")]
    for label in labels:
        if _LABEL.fullmatch(label) is None:
            raise IndicatorError(
                f"label {label!r} must be 1-63 letters, digits, hyphens or underscores"
            )
    result = ".".join(labels)
    if len(result) > 253:
        raise IndicatorError("a domain is at most 253 characters")
    if len(labels) < 2:
        raise IndicatorError("a domain needs at least two labels (e.g. example.org)")
    if labels[-1].isdigit():
        raise IndicatorError("the last label of a domain cannot be all digits")
    return result


def _url_host(host: str) -> str:
    if host.startswith("["):
        return f"[{_ipv6(host)}]"
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        return _domain(host)


def _url(value: str) -> str:
    if any(ch.isspace() or ord(ch) < 0x20 for ch in value):
        raise IndicatorError("a URL cannot contain spaces or control characters")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise IndicatorError(f"not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if _SCHEME.fullmatch(scheme) is None or "://" not in value:
        raise IndicatorError("a URL needs a scheme such as https://")
    hostport = parts.netloc.rpartition("@")[2]
    host = hostport if hostport.startswith("[") else hostport.split(":")[0]
    if host.startswith("["):
        host = host[: host.find("]") + 1]
    if not host:
        raise IndicatorError("a URL needs a host")
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (userinfo + "@" if "@" in parts.netloc else "") + _url_host(host)
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    path = _upper_escapes(parts.path) or "/"
    query = "?" + _upper_escapes(parts.query) if parts.query else ""
    return f"{scheme}://{netloc}{path}{query}"


def _upper_escapes(text: str) -> str:
    return _PERCENT.sub(lambda m: m.group(0).upper(), text)


def _email(value: str) -> str:
    local, at, domain = value.strip().rpartition("@")
    if not at or not local:
        raise IndicatorError("an e-mail address needs a local part, '@' and a domain")
    if len(local) > 64 or any(ch.isspace() or ch == "@" for ch in local):
        raise IndicatorError("the local part of an e-mail address is invalid")
    return f"{local}@{_domain(domain)}".lower()


def _hash(kind: IndicatorType, value: str) -> str:
    digest = value.strip().lower()
    length = _HASH_LENGTHS[kind]
    if len(digest) != length or _HEX.fullmatch(digest) is None:
        raise IndicatorError(f"an {kind.value.upper()} hash is {length} hexadecimal characters")
    return digest


def _filename(value: str) -> str:
    name = value.strip()
    if not name or len(name) > 255:
        raise IndicatorError("a file name is 1 to 255 characters")
    if "\x00" in name:
        raise IndicatorError("a file name cannot contain a NUL character")
    if "/" in name or "\\" in name:
        raise IndicatorError("must be a bare file name, without a directory")
    return name


def _cve(value: str) -> str:
    cve = value.strip().upper()
    if _CVE.fullmatch(cve) is None:
        raise IndicatorError("not a valid CVE id (expected CVE-YYYY-NNNN)")
    return cve


_NORMALISERS: dict[IndicatorType, Callable[[str], str]] = {
    IndicatorType.IPV4: lambda v: _ipv4(v.strip()),
    IndicatorType.IPV6: lambda v: _ipv6(v.strip()),
    IndicatorType.CIDR: lambda v: _cidr(v.strip()),
    IndicatorType.DOMAIN: _domain,
    IndicatorType.URL: lambda v: _url(v.strip()),
    IndicatorType.EMAIL: _email,
    IndicatorType.MD5: functools.partial(_hash, IndicatorType.MD5),
    IndicatorType.SHA1: functools.partial(_hash, IndicatorType.SHA1),
    IndicatorType.SHA256: functools.partial(_hash, IndicatorType.SHA256),
    IndicatorType.FILENAME: _filename,
    IndicatorType.CVE: _cve,
}


def normalize(type: IndicatorType | str, value: str) -> str:
    """Refang, validate and return the canonical form; raise IndicatorError with the reason."""
    try:
        kind = IndicatorType(type)
    except ValueError:
        raise IndicatorError(f"unknown indicator type {type!r}") from None
    return _NORMALISERS[kind](refang(value))


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # The bundled public suffix snapshot only: never fetch, never write a cache.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def public_suffix(domain: str) -> str:
    """Return the public suffix of a normalised domain, or "" if it has none."""
    return str(_extractor()(domain).suffix)


def registered_domain(domain: str) -> str:
    """Return the registrable parent (a.b.evil.co.uk -> evil.co.uk), or the domain itself."""
    parts = _extractor()(domain)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    return domain


def matches_domain(indicator: str, candidate: str) -> bool:
    """Tell whether candidate is the indicator domain or one of its subdomains."""
    return candidate == indicator or candidate.endswith("." + indicator)


def _succeeds(kind: IndicatorType, value: str) -> bool:
    try:
        _NORMALISERS[kind](value)
    except IndicatorError:
        return False
    return True


def _detect_refanged(value: str) -> IndicatorType | None:
    if _HAS_SCHEME.match(value):
        return IndicatorType.URL if _succeeds(IndicatorType.URL, value) else None
    if "@" in value:
        return IndicatorType.EMAIL if _succeeds(IndicatorType.EMAIL, value) else None
    if "/" in value:
        return IndicatorType.CIDR if _succeeds(IndicatorType.CIDR, value) else None
    for kind in (IndicatorType.IPV4, IndicatorType.IPV6, IndicatorType.CVE):
        if _succeeds(kind, value):
            return kind
    if _HEX.fullmatch(value.lower()):
        return _HASH_BY_LENGTH.get(len(value))
    if _succeeds(IndicatorType.DOMAIN, value) and public_suffix(_domain(value)):
        return IndicatorType.DOMAIN
    if _EXTENSION.search(value) and _succeeds(IndicatorType.FILENAME, value):
        return IndicatorType.FILENAME
    return None


def detect_type(value: str) -> IndicatorType | None:
    """Guess the indicator type of a (possibly defanged) value, or None."""
    return _detect_refanged(refang(value).strip())


def normalize_any(value: str) -> tuple[IndicatorType, str]:
    """Detect the type of a value and return it with the canonical form."""
    kind = detect_type(value)
    if kind is None:
        raise IndicatorError("not a recognised indicator (IP, network, domain, URL, e-mail, ...)")
    return kind, normalize(kind, value)
