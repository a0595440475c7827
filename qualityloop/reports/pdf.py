"""HTML to PDF with WeasyPrint, with the Chinese font embedded from a file we name ourselves.

The font is declared with ``@font-face`` pointing at the installed file, so what a PDF looks
like does not depend on the machine's font configuration, and a missing font is an error that
says what to install instead of a PDF full of empty boxes. Nothing is fetched from the network:
the only URL a document may load is the font file.
"""

import functools
import logging
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

FONT_FAMILY = "QualityLoop CJK"

# WeasyPrint reports each rendering step at INFO; warnings about the document still show.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Debian's packages, smallest first: `make pdf-deps` installs the first.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


class FontMissing(RuntimeError):
    """No font with Chinese glyphs is installed; PDFs would show empty boxes."""


@functools.cache
def font_file() -> Path:
    """The font embedded in every PDF: ``settings.REPORT_FONT``, a Debian path, or fontconfig."""
    configured = getattr(settings, "REPORT_FONT", "")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontMissing(f"REPORT_FONT={configured} does not exist.")
        return path
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    found = _fontconfig_cjk_font()
    if found:
        return found
    raise FontMissing(
        "No Chinese font found for PDF reports. Install one with `make pdf-deps` "
        "(Debian: apt-get install fonts-wqy-microhei) or set REPORT_FONT to a .ttf/.ttc file."
    )


def _fontconfig_cjk_font() -> Path | None:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return None
    listed = subprocess.run(  # noqa: S603 (a fixed program and arguments)
        [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    files = sorted(line.strip().rstrip(":") for line in listed.splitlines() if line.strip())
    return Path(files[0]) if files else None


def _fetcher_for(font: Path):
    """Fetch the font file and nothing else: no network, no other local files."""
    # WeasyPrint loads Pango when imported: only processes that render a PDF pay for it.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = font.as_uri()

    class FontOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url != allowed:
                raise ValueError(f"PDF reports load no external resources ({url}).")
            return URLFetcherResponse(url, body=font.read_bytes())

    return FontOnly()


def render_pdf(html: str) -> bytes:
    """A PDF of ``html`` (a whole document from reports/document.html)."""
    # WeasyPrint loads Pango when imported: only processes that render a PDF pay for it.
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font = font_file()
    fetcher = _fetcher_for(font)
    fonts = FontConfiguration()
    css = render_to_string("reports/pdf.css", {"font_url": font.as_uri(), "family": FONT_FAMILY})
    stylesheet = CSS(string=css, font_config=fonts, url_fetcher=fetcher)
    document = HTML(string=html, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
