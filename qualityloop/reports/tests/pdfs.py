"""Reading a PDF back as a person (its text) and as a printer (its fonts) sees it."""

import io
import re
import shutil
import subprocess

from pypdf import PdfReader


def text_of(data: bytes) -> str:
    """The PDF's text in the order it was written (so a table cell's wrapped lines stay
    together), as poppler's pdftotext extracts it, whitespace removed."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing: run `make pdf-deps`"
    out = subprocess.run(  # noqa: S603 (a fixed program)
        [pdftotext, "-raw", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return squash(out)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def fonts_of(data: bytes) -> dict[str, bool]:
    """Each font the pages use, by name without the subset tag, and whether it is embedded."""
    found = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get(
                "/FontDescriptor"
            )
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[name] = embedded
    return found


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)
