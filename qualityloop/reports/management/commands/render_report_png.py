"""Page 1 of a report as a PNG, e.g. for the screenshot in docs/."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qualityloop.complaints.models import Complaint
from qualityloop.reports import rendering
from qualityloop.reports.documents import KINDS


class Command(BaseCommand):
    help = "Render page 1 of a complaint's report as a PNG (needs pdftoppm: make pdf-deps)."

    def add_arguments(self, parser):
        parser.add_argument("--complaint", required=True, help="complaint number")
        parser.add_argument("--report", required=True, choices=sorted(KINDS))
        parser.add_argument("--out", required=True, help="PNG file to write")
        parser.add_argument("--lang", default="zh-hans", choices=sorted(rendering.LANGUAGES))
        parser.add_argument("--dpi", type=int, default=110)

    def handle(self, *args, complaint, report, out, lang, dpi, **options):
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is None:
            raise CommandError("pdftoppm is not installed; run `make pdf-deps` (poppler-utils).")
        found = Complaint.objects.filter(number=complaint).first()
        if found is None:
            raise CommandError(f"No complaint {complaint}.")
        target = Path(out)
        if target.suffix.lower() != ".png":
            raise CommandError("--out must name a .png file.")
        data = rendering.pdf_bytes(report, found, lang)
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "report.pdf"
            source.write_bytes(data)
            prefix = Path(tmp) / "page"
            subprocess.run(  # noqa: S603 (a fixed program, arguments we built)
                [
                    pdftoppm,
                    "-png",
                    "-r",
                    str(dpi),
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(source),
                    str(prefix),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(prefix.with_suffix(".png"), target)
        self.stdout.write(f"{target} ({report}, {lang}, page 1 of {found.number})")
