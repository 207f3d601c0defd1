"""HTML to PDF by printing with a headless Chromium (Debian's ``chromium`` via Playwright)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from openruimte.model import OpenRuimteError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class NoBrowser(OpenRuimteError):
    code = "no_browser"


def find_browser() -> str:
    """The Chromium to print with: $OPENRUIMTE_CHROMIUM, else the first on PATH."""
    from openruimte.settings import Settings

    given = Settings().chromium
    if given:
        if Path(given).exists() or shutil.which(given):
            return shutil.which(given) or given
        raise NoBrowser(f"OPENRUIMTE_CHROMIUM={given} does not exist")
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise NoBrowser(
        "no Chromium to print the PDF with: install it (Debian: apt-get install chromium) "
        "or set OPENRUIMTE_CHROMIUM to its path"
    )


def print_pdf(html_file: Path, pdf: Path, **options: Any) -> Path:
    """Print ``html_file`` to ``pdf`` in headless Chromium, offline (only ``file:`` and ``data:``
    URLs load); ``options`` go to Playwright's ``page.pdf``."""
    browser = find_browser()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise NoBrowser("printing a PDF needs Playwright: pip install playwright") from None
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=browser, args=ARGS)
        try:
            ctx = b.new_context()
            ctx.route(
                "**/*",
                lambda route: route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort(),
            )
            page = ctx.new_page()
            page.goto(html_file.resolve().as_uri(), wait_until="load")
            page.pdf(path=str(pdf), **options)
        finally:
            b.close()
    return pdf


def html_to_pdf(html_file: Path, pdf: Path, *, title: str = "") -> Path:
    """Print ``html_file`` to ``pdf`` (A4, backgrounds, page numbers in the footer); offline."""
    footer = (
        '<div style="font-size:8px;width:100%;padding:0 12mm;color:#666;display:flex;justify-content:space-between">'
        f'<span>{title}</span><span>pagina <span class="pageNumber"></span> van <span class="totalPages"></span>'
        "</span></div>"
    )
    return print_pdf(
        html_file,
        pdf,
        format="A4",
        print_background=True,
        scale=0.85,
        display_header_footer=True,
        header_template="<span></span>",
        footer_template=footer,
        margin={"top": "12mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
    )
