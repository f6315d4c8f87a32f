"""Pure helpers of the pages, the catalogues, the static files and the headers."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_python
from fastapi.testclient import TestClient
from jinja2.ext import babel_extract

from tocsin.settings import Settings
from tocsin.sharing.tlp import TLP, TLP_COLOURS
from tocsin.web.i18n import LANGUAGES, choose_language, translations
from tocsin.web.messages import dynamic_messages
from tocsin.web.render import TEMPLATES_DIR, security_headers
from tocsin.web.static import STATIC_DIR
from tocsin.web.views import Change, changes, flatten, indicators_csv


def test_changes_between_revision_documents() -> None:
    before = {"title": "A", "revision": 1, "care_impact": {"services": ["imaging"]},
              "attack_steps": [{"description": "x", "technique": None}],
              "indicators": [{"id": "1", "type": "ipv4", "value": "203.0.113.1"}]}  # fmt: skip
    after = {"title": "B", "revision": 2, "care_impact": {"services": ["imaging", "surgery"]},
             "attack_steps": [{"description": "x", "technique": "T1486"}],
             "indicators": [{"id": "2", "type": "ipv4", "value": "203.0.113.2"}]}  # fmt: skip
    assert changes(before, after) == [
        Change("attack_steps[0].technique", None, "T1486"),
        Change("care_impact.services", ["imaging"], ["imaging", "surgery"]),
        Change("title", "A", "B"),
        Change("indicators", "ipv4 203.0.113.1", None),
        Change("indicators", None, "ipv4 203.0.113.2"),
    ]
    assert changes(after, after) == []
    assert flatten({"a": {"b": 1}, "c": []}) == {"a.b": 1, "c": []}


def test_indicator_csv_cannot_smuggle_a_formula() -> None:
    text = indicators_csv([("domain", "=cmd|' /C calc'!A0", "@SUM(1)"), ("ipv4", "1.2.3.4", None)])
    lines = text.splitlines()
    assert lines == ["type,value,comment", "domain,'=cmd|' /C calc'!A0,'@SUM(1)", "ipv4,1.2.3.4,"]


def test_language_choice() -> None:
    assert choose_language(user_language="en", accept_language="fr", fallback="fr") == "en"
    assert (
        choose_language(user_language=None, accept_language="en-US,fr;q=0.5", fallback="fr") == "en"
    )
    assert choose_language(user_language=None, accept_language="de, en;q=0", fallback="fr") == "fr"
    assert choose_language(user_language="xx", accept_language=None, fallback="en") == "en"
    assert choose_language(user_language=None, accept_language="q=;;,", fallback="zz") == "fr"


def _template_messages() -> set[str]:
    found: set[str] = set()
    for path in Path(TEMPLATES_DIR).glob("*.html"):
        with path.open("rb") as handle:
            for _, _, message, _ in babel_extract(handle, ("_", "ngettext"), [], {}):
                if isinstance(message, str):
                    found.add(message)
    return found


def _python_messages() -> set[str]:
    """Sentences the routes translate themselves (`gettext`, `_`, or marked with `N_` and
    translated once the reader is known)."""
    found: set[str] = set()
    for path in Path(STATIC_DIR).parent.glob("*.py"):
        with path.open("rb") as handle:
            for _, _, message, _ in extract_python(handle, ("_", "gettext", "N_"), [], {}):
                if isinstance(message, str):
                    found.add(message)
    return found


def _template_plurals() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in Path(TEMPLATES_DIR).glob("*.html"):
        with path.open("rb") as handle:
            for _, _, message, _ in babel_extract(handle, ("ngettext",), [], {}):
                if isinstance(message, tuple) and message[0]:
                    found.add((message[0], message[1]))
    return found


def test_every_message_is_in_both_catalogues_and_french_is_translated() -> None:
    wanted = _template_messages() | _python_messages() | dynamic_messages()
    assert len(wanted) > 100
    for language in LANGUAGES:
        catalogue = translations(language)
        missing = [m for m in wanted if m not in catalogue._catalog]  # type: ignore[attr-defined]
        assert missing == [], (language, missing)
    french = translations("fr")
    same_in_french = {"Posture", "Date", "Source", "Type", "Notes", "Organisation", "SMS",
                      "notification", "Notifications", "information", "Incident"}  # fmt: skip
    shown = _template_messages() | _python_messages()
    untranslated = [m for m in shown - same_in_french if french.gettext(m) == m]
    assert untranslated == []
    plurals = _template_plurals()
    assert plurals
    for singular, plural in plurals:
        assert french.ngettext(singular, plural, 2) != plural
        assert translations("en").ngettext(singular, plural, 2) == plural


def test_templates_hold_no_inline_script_or_style() -> None:
    for path in Path(TEMPLATES_DIR).glob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path.name
        assert " style=" not in text and "<style" not in text, path.name
        assert not re.search(r"\son[a-z]+=", text), path.name


def test_tlp_labels_use_the_standard_colours() -> None:
    css = (STATIC_DIR / "app.css").read_text()
    for tlp in TLP:
        rule = f".tlp-{tlp.value.replace('+', '-')} {{ color: {TLP_COLOURS[tlp]}; }}"
        assert rule in css, rule


def test_hsts_only_behind_tls() -> None:
    plain = security_headers(Settings(public_url="http://hub.example"))
    tls = security_headers(Settings(public_url="https://hub.example"))
    assert "Strict-Transport-Security" not in plain
    assert tls["Strict-Transport-Security"].startswith("max-age=")


def test_static_files_and_htmx_from_node_modules(client: TestClient) -> None:
    script = client.get("/static/app.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    htmx = client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200 and "htmx" in htmx.text[:2000]
    for path in ("/static/..%2Fauth.py", "/static/vendor/../../auth.py", "/static/vendor/other.js",
                 "/static/missing.css"):  # fmt: skip
        assert client.get(path).status_code == 404, path
