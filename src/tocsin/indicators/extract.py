"""Find indicators in pasted free text (an e-mail, a report), defanged or not."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tocsin.indicators.normalize import normalize, public_suffix, refang
from tocsin.indicators.types import IndicatorError, IndicatorType

# Bounded quantifiers and whitespace tokens keep the work linear in the length of the text.
_SPACED_MARKER = re.compile(r"([\[({])\s{1,3}(\.|dot|at|@)\s{1,3}([\])}])", re.IGNORECASE)
_URL_START = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,31}://")
_SEPARATORS = re.compile(r"[,;|<>\"'()\[\]{}=]")
_LEADING = "([{<\"'`*"
_TRAILING = ")]}>\"'`*.,;:!?"
_EMAIL_LOCAL_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-"
)
_CVE = re.compile(r"CVE-\d{4}-\d{4,12}", re.IGNORECASE)
_HEX = re.compile(r"[0-9A-Fa-f]{32,64}")
_MAX_TOKEN = 4096
# File extensions that are also TLDs (zip, mov, ...) or look like labels: a bare "x.zip"
# in a report is far more often a file than a domain.
_FILE_EXTENSIONS = frozenset(
    [
        "exe",
        "dll",
        "sys",
        "scr",
        "com",
        "pif",
        "cpl",
        "msi",
        "msp",
        "pdf",
        "doc",
        "docx",
        "docm",
        "xls",
        "xlsx",
        "xlsm",
        "ppt",
        "pptx",
        "pptm",
        "rtf",
        "odt",
        "zip",
        "rar",
        "7z",
        "gz",
        "tgz",
        "tar",
        "iso",
        "img",
        "vhd",
        "vhdx",
        "cab",
        "jar",
        "js",
        "jse",
        "vbs",
        "vbe",
        "wsf",
        "hta",
        "ps1",
        "psm1",
        "bat",
        "cmd",
        "lnk",
        "txt",
        "log",
        "csv",
        "json",
        "xml",
        "html",
        "htm",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "bmp",
        "svg",
        "mov",
        "mp4",
        "mp3",
        "wav",
        "py",
        "sh",
        "elf",
        "bin",
        "dat",
        "tmp",
        "one",
        "eml",
        "msg",
    ]
)
_HASHES = {32: IndicatorType.MD5, 40: IndicatorType.SHA1, 64: IndicatorType.SHA256}


@dataclass(frozen=True)
class Extracted:
    type: IndicatorType
    value: str
    original: str


def _try(kind: IndicatorType, value: str) -> tuple[IndicatorType, str] | None:
    try:
        return kind, normalize(kind, value)
    except IndicatorError:
        return None


def _trim(text: str) -> str:
    text = text.lstrip(_LEADING).rstrip(_TRAILING)
    return text


def _url_in(token: str) -> tuple[IndicatorType, str] | None:
    start = _URL_START.search(token)
    if start is None:
        return None
    url = token[start.start() :].rstrip(_TRAILING)
    # A closing parenthesis belongs to the URL only if the URL opened one.
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1].rstrip(_TRAILING)
    return _try(IndicatorType.URL, url)


def _email_in(piece: str) -> tuple[IndicatorType, str] | None:
    left, _, domain = piece.rpartition("@")
    start = len(left)
    while start > 0 and left[start - 1] in _EMAIL_LOCAL_CHARS:
        start -= 1
    local = left[start:].lstrip(".")
    if not local:
        return None
    return _try(IndicatorType.EMAIL, f"{local}@{_trim(domain)}")


def _name_in(piece: str) -> tuple[IndicatorType, str] | None:
    last_label = piece.rpartition(".")[2].lower()
    if last_label in _FILE_EXTENSIONS and (piece.count(".") == 1 or not public_suffix(piece)):
        return _try(IndicatorType.FILENAME, piece)
    found = _try(IndicatorType.DOMAIN, piece)
    if found is not None and public_suffix(found[1]):
        return found
    return None


def _classify(piece: str) -> tuple[IndicatorType, str] | None:
    if "@" in piece:
        return _email_in(piece)
    if "/" in piece:
        return _try(IndicatorType.CIDR, piece) if piece[:1].isalnum() else None
    if _CVE.fullmatch(piece):
        return _try(IndicatorType.CVE, piece)
    if _HEX.fullmatch(piece) and len(piece) in _HASHES:
        return _try(_HASHES[len(piece)], piece)
    if ":" in piece:
        return _try(IndicatorType.IPV6, piece)
    found = _try(IndicatorType.IPV4, piece)
    if found is None and "." in piece and not piece.replace(".", "").isdigit():
        found = _name_in(piece)
    return found


def _pieces(token: str) -> list[str]:
    pieces = []
    for part in _SEPARATORS.split(token):
        part = _trim(part)
        if not part:
            continue
        pieces.append(part)
        # "sha256:abc...", "1.2.3.4:443", "host:port": try each side when the whole fails.
        if ":" in part and part.count(":") == 1:
            pieces.extend(_trim(side) for side in part.split(":") if _trim(side))
    return pieces


def _from_token(raw: str) -> list[tuple[tuple[IndicatorType, str], str]]:
    token = refang(raw)
    original = _trim(raw)
    url = _url_in(token)
    if url is not None:
        return [(url, original)]
    found: list[tuple[tuple[IndicatorType, str], str]] = []
    for piece in _pieces(token):
        hit = _classify(piece)
        if hit is not None:
            # Pieces are exact substrings only when nothing was refanged.
            found.append((hit, piece if token == raw else original))
    return found


def extract(text: str) -> list[Extracted]:
    """Return the indicators found in text, normalised, de-duplicated in first-seen order."""
    text = _SPACED_MARKER.sub(r"\1\2\3", text)
    seen: set[tuple[IndicatorType, str]] = set()
    results: list[Extracted] = []
    for raw in text.split():
        if len(raw) > _MAX_TOKEN:
            continue
        for (kind, value), original in _from_token(raw):
            if (kind, value) not in seen:
                seen.add((kind, value))
                results.append(Extracted(type=kind, value=value, original=original))
    return results
