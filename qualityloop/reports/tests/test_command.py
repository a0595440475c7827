"""``render_report_png``: page 1 of a report as a PNG, for the screenshot in docs/."""

import struct

import pytest
from django.core.management import CommandError, call_command


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_writes_page_one_as_a_png(rich, tmp_path):
    out = tmp_path / "docs" / "8d.png"
    call_command("render_report_png", complaint=rich.number, report="8d", out=str(out))
    # A4 (210 × 297 mm) at 110 dpi.
    assert png_size(out.read_bytes()) == (910, 1287)


def test_refuses_an_unknown_complaint(db, tmp_path):
    with pytest.raises(CommandError, match="No complaint QC-2099-000001"):
        call_command(
            "render_report_png",
            complaint="QC-2099-000001",
            report="8d",
            out=str(tmp_path / "x.png"),
        )


def test_refuses_an_output_that_is_not_png(rich, tmp_path):
    with pytest.raises(CommandError, match=r"--out must name a \.png file"):
        call_command(
            "render_report_png", complaint=rich.number, report="8d", out=str(tmp_path / "x.pdf")
        )
    assert not (tmp_path / "x.pdf").exists()
