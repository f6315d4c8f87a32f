"""Draw the app icons (web/static/icon-192.png, icon-512.png) from favicon.svg.

Run once when the favicon changes: `python scripts/make_icons.py` (WeasyPrint lays the SVG
on a square page, poppler's pdftoppm rasterises it at each size)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from weasyprint import HTML

STATIC = Path(__file__).resolve().parents[1] / "src" / "tocsin" / "web" / "static"


def main() -> None:
    svg = (STATIC / "favicon.svg").read_text()
    page = ("<style>@page{size:64px 64px;margin:0}body{margin:0}"
            "svg{width:64px;height:64px;display:block}</style>" + svg)  # fmt: skip
    with tempfile.TemporaryDirectory() as work:
        pdf = Path(work) / "icon.pdf"
        HTML(string=page).write_pdf(pdf)
        for size in (192, 512):
            target = STATIC / f"icon-{size}"
            command = ["pdftoppm", "-png", "-singlefile", "-scale-to", str(size), str(pdf)]
            subprocess.run([*command, str(target)], check=True)  # noqa: S603


if __name__ == "__main__":
    main()
