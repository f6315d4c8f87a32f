"""The documents of an alert as HTML, plain text and PDF (WeasyPrint, from the same HTML).

Every page carries the TLP marking in its header and footer, so a sheet found on a
printer says how far it may travel."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tocsin.briefing.content import DirectorBrief, Facts, StaffNotice
from tocsin.briefing.words import label
from tocsin.sharing.tlp import TLP, TLP_COLOURS

TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _marking(facts: Facts, tlp: TLP, doc_title: str, handling: str) -> dict[str, Any]:
    return {
        "marking": facts.tlp, "colour": TLP_COLOURS[tlp], "doc_title": doc_title,
        "handling": handling, "page_word": label(facts.language, "page"),
        "l": lambda key: label(facts.language, key),
    }  # fmt: skip


def render(template: str, *, facts: Facts, tlp: TLP, doc: str, **values: Any) -> str:
    """One document (`sheet.html`, `notice.txt`, ...) for its reader."""
    context = _marking(facts, tlp, label(facts.language, doc), facts.handling)
    return _environment().get_template(template).render(**context, **values)


def sheet(facts: Facts, tlp: TLP, **values: Any) -> str:
    return render("sheet.html", facts=facts, tlp=tlp, doc="sheet", f=facts, **values)


def notice(notice: StaffNotice, tlp: TLP, kind: str) -> str:
    return render(f"notice.{kind}", facts=notice.facts, tlp=tlp, doc="notice", n=notice)


def brief(brief: DirectorBrief, tlp: TLP, kind: str) -> str:
    return render(f"brief.{kind}", facts=brief.facts, tlp=tlp, doc="brief", b=brief)


def pdf(html: str) -> bytes:
    """The HTML document laid out on A4 pages (WeasyPrint; imported here: it loads pango)."""
    from weasyprint import HTML

    document: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return document
