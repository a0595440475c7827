"""Each report as a PDF, in Chinese and in English: the text a reader gets back, and its font."""

from datetime import timedelta

import pytest

from qualityloop.core import clock
from qualityloop.reports import pdf, rendering
from qualityloop.reports.documents import KINDS

from .conftest import ANSWER, CONTAINMENT, CORRECTIVE, PREVENTIVE, ROOT_CAUSE
from .pdfs import fonts_of, page_count, squash, text_of

TITLE = "控制器外壳开裂"

EXPECTED = {
    ("8d", "zh-hans"): [
        "8D",
        TITLE,
        "根本原因",
        ROOT_CAUSE,
        "MACH-02 参数设置错误",
        "生产部",
        "遏制措施",
        CONTAINMENT,
        CORRECTIVE,
        PREVENTIVE,
        "卡扣根部壁厚不足",
        "首件检验不测量卡扣壁厚",
        "保压时间参数设置过短",
        "外壳壁厚测量",
        "RMA-2026-0001",
        "通知客户暂停使用同批次控制器。",
        "客户总装线",
        ANSWER,
        *[f"D{n}" for n in range(9)],
    ],
    ("8d", "en"): [
        "8D report",
        TITLE,
        "Root cause",
        ROOT_CAUSE,
        "MACH-02 Setting",
        "Production",
        "Preparation and emergency response",
        "Problem description (5W2H)",
        "In stock",
        "Corrective actions chosen",
        CORRECTIVE,
        "Prevention of recurrence",
        PREVENTIVE,
        "Preventive (预防)",
        "Effective",
        "Closure and recognition",
        ANSWER,
    ],
    ("disposal", "zh-hans"): [
        TITLE,
        "根本原因",
        ROOT_CAUSE,
        CORRECTIVE,
        CONTAINMENT,
        PREVENTIVE,
        ANSWER,
        "免费更换3台控制器",
        "1500.00",
        "更换及运费",
        "1800.00",
        "RMA-2026-0001",
        "外观检查确认卡扣根部开裂。",
        "王经理",
    ],
    ("disposal", "en"): [
        "Disposal report of customer quality feedback (客户反馈质量问题处置报告)",
        TITLE,
        "Root cause",
        ROOT_CAUSE,
        "Measures",
        CORRECTIVE,
        "Remedy and costs",
        "Replacement",
        "1,500.00",
        "External failure (外部损失)",
        "1,800.00",
        ANSWER,
    ],
    ("rectification", "zh-hans"): [
        "质量问题整改措施表",
        TITLE,
        "措施",
        "责任人",
        "完成期限",
        CONTAINMENT,
        CORRECTIVE,
        PREVENTIVE,
        "prod_head",
        "生产部",
    ],
    ("rectification", "en"): [
        "Rectification plan (质量问题整改措施表)",
        TITLE,
        "Measure",
        "Owner",
        "Due date",
        CORRECTIVE,
        PREVENTIVE,
        "Production",
        "Responsible sign-off",
    ],
}
# Words that belong to one language only: seeing them in the other means it did not switch.
ONLY_IN = {"zh-hans": "严重等级", "en": "Severity"}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_report_reads_back_in_chinese_and_in_english(rich, kind):
    due = (clock.now().date() + timedelta(days=7)).isoformat()
    for language, other in (("zh-hans", "en"), ("en", "zh-hans")):
        data = rendering.pdf_bytes(kind, rich, language)
        assert data.startswith(b"%PDF-")
        text = text_of(data)
        missing = [s for s in EXPECTED[kind, language] if squash(s) not in text]
        assert missing == [], f"{kind} in {language} lacks {missing}"
        assert rich.number in text
        assert due in text
        assert squash(ONLY_IN[language]) in text
        assert squash(ONLY_IN[other]) not in text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_pdf_embeds_its_own_chinese_font_and_no_other(rich, kind):
    fonts = fonts_of(rendering.pdf_bytes(kind, rich, "zh-hans"))
    assert fonts, "no fonts at all"
    # Every font is ours and embedded; nothing is left to the reader's machine.
    assert all(name.startswith("QualityLoop-CJK") for name in fonts), fonts
    assert all(fonts.values()), fonts


def test_the_8d_report_spans_pages_with_the_number_on_each(rich):
    data = rendering.pdf_bytes("8d", rich, "en")
    pages = page_count(data)
    assert pages >= 3
    text = text_of(data)
    assert text.count(rich.number) >= pages
    assert f"{pages}/{pages}" in text


def test_filenames_name_the_complaint_report_and_language(rich):
    assert rendering.filename("8d", rich, "en") == f"{rich.number}-8D-en.pdf"
    assert rendering.filename("disposal", rich, "zh-hans") == f"{rich.number}-disposal-zh.pdf"


def test_a_missing_configured_font_is_an_error_that_says_so(settings):
    settings.REPORT_FONT = "/nonexistent/font.ttc"
    pdf.font_file.cache_clear()
    try:
        with pytest.raises(pdf.FontMissing, match=r"REPORT_FONT=/nonexistent/font\.ttc"):
            pdf.font_file()
    finally:
        pdf.font_file.cache_clear()


def test_without_any_chinese_font_the_error_says_what_to_install(monkeypatch, settings):
    settings.REPORT_FONT = ""
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ("/nonexistent/a.ttc",))
    monkeypatch.setattr(pdf, "_fontconfig_cjk_font", lambda: None)
    pdf.font_file.cache_clear()
    try:
        with pytest.raises(pdf.FontMissing, match="make pdf-deps"):
            pdf.font_file()
    finally:
        pdf.font_file.cache_clear()


def test_rendering_fetches_nothing_from_the_network():
    """A report whose text carried a URL (say, pasted into a description) loads nothing."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        data = pdf.render_pdf(
            f'<html><head><link rel="stylesheet" href="{base}/style.css"></head>'
            f'<body><p>外壳</p><img src="{base}/photo.png"></body></html>'
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert requests == []
    assert squash("外壳") in text_of(data)
