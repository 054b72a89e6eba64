"""No text from a file name, sheet or cell stops a writer (issue 25, item 4).

A file named with an ESC that earned a finding stopped the report every night: python-docx
refuses the character, and the finding stays. Each writer — the review's HTML, PDF, workbook
and .docx, LAST_FAILURE.txt and the alert e-mail — is given every kind of hostile text and
must write, showing the text visibly escaped (`base.text.writable`), never raw."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from base.settings import Settings
from tests.smtp_sink import smtp_sink

ESC_NAME = "BC x\u00e3 \x1b[31mĐỏ.xlsx"
HOSTILE = {
    "esc": ESC_NAME,
    "nul": "BC\x00nul.xlsx",
    "surrogate": "BC \udcff\udc80 lone.xlsx",  # a name that is not UTF-8, as surrogateescape reads it
    "high_surrogate": "BC \ud800 half.xlsx",
    "nonchar": "BC \ufffe\uffff.xlsx",
    "bidi": "BC \u202eslx.exe\u202c \u2066x\u2069.xlsx",
    "c1": "BC \x85\x9b.xlsx",
    "long": "BC " + "dài " * 2500 + ".xlsx",  # 10,000 characters
}
RAW = ("\x1b", "\x00", "\udcff", "\ud800", "\ufffe", "\uffff", "\u202e", "\u2066", "\x85", "\x9b")


@pytest.mark.unit
def test_writable_escapes_visibly_and_keeps_plain_text() -> None:
    from base.text import writable

    assert writable("Xã Thạch Bình\tdòng\nhai") == "Xã Thạch Bình\tdòng\nhai"
    assert writable(ESC_NAME) == "BC xã \\x1b[31mĐỏ.xlsx"
    assert writable("a\x00b\x7f") == "a\\x00b\\x7f"
    assert writable("\udcff\ud800") == "\\xff\\ud800"
    assert writable("\ufffe\U0001ffff\ufdd0") == "\\ufffe\\U0001ffff\\ufdd0"
    assert writable("\u202eabc\u2069") == "\\u202eabc\\u2069"
    assert writable("x\ny", keep="") == "x\\x0ay"
    long = writable(HOSTILE["long"], limit=300)
    assert len(long) < 340 and long.endswith("more characters)")
    for text in HOSTILE.values():
        out = writable(text, limit=None)
        out.encode("utf-8")  # never raises
        assert not any(ch in out for ch in RAW)


@pytest.fixture(scope="module")
def hostile_review(built):
    """The sample's 2021 review with one finding per hostile name, and the names also as a
    unit's name, a period and a missing unit (every text column the writers show)."""
    from chitieu.review.data import FindingGroup, load_review
    from chitieu.review.frame import load_frame

    settings, _ = built
    review = load_review(settings.published_db, 2021, date(2026, 12, 7))
    groups = [FindingGroup(rule=f"rule_{k}", severity="warning", count=1,
                           examples=[f"{v} › Sheet\x1b1 › A1: {v}"], places=[f"{v} › Sheet\x1b1 › A1"])
              for k, v in HOSTILE.items()]
    completeness = [replace(c, missing=[*c.missing, *HOSTILE.values()]) for c in review.completeness[:1]]
    review = replace(review, findings=review.findings + groups,
                     completeness=completeness + review.completeness[1:],
                     targets=[replace(review.targets[0], unit_name=ESC_NAME), *review.targets[1:]])
    return review, load_frame(settings.published_db, 2021)


def assert_escaped(text: str) -> None:
    assert "\\x1b[31m" in text, "the ESC is not shown"
    assert not any(ch in text for ch in RAW)


@pytest.mark.warehouse
def test_the_docx_is_written_with_the_names_escaped(hostile_review, tmp_path: Path) -> None:
    from docx import Document

    from chitieu.review.word import write_docx

    review, frame = hostile_review
    path = write_docx(review, frame, tmp_path / "r.docx", "vi", date(2026, 12, 7))
    doc = Document(str(path))
    text = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert_escaped(text)
    assert "more characters)" in text  # the 10,000-character name is shortened, and says so


@pytest.mark.warehouse
def test_the_html_and_pdf_are_written_with_the_names_escaped(hostile_review, tmp_path: Path) -> None:
    import subprocess

    from chitieu.review.html import render_html
    from chitieu.review.pdf import find_chromium, html_to_pdf

    review, frame = hostile_review
    page = tmp_path / "r.html"
    page.write_text(render_html(review, "vi", date(2026, 12, 7), frame), encoding="utf-8")
    assert_escaped(page.read_text(encoding="utf-8"))
    if find_chromium() is None:
        pytest.skip("no Chromium")
    pdf = html_to_pdf(page, tmp_path / "r.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "x1b[31m" in text


@pytest.mark.warehouse
def test_the_workbook_is_written_with_the_names_escaped(hostile_review, tmp_path: Path) -> None:
    from chitieu.review.xlsx import write_workbook

    review, _ = hostile_review
    path = write_workbook(review, tmp_path / "r.xlsx", "vi")
    with zipfile.ZipFile(path) as book:
        xml = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    assert "\\x1b[31m" in xml and "\x1b" not in xml and "_x001B_" not in xml


@pytest.mark.warehouse
def test_a_whole_review_with_a_hostile_finding_is_written(built, hostile_review, tmp_path: Path,
                                                          monkeypatch) -> None:
    """The night's report stage itself, every format, with the hostile findings in the marts."""
    import chitieu.review as review_module
    from chitieu.review import write_review

    settings, _ = built
    review, _ = hostile_review
    monkeypatch.setattr(review_module, "load_review", lambda *a, **k: review)
    written = write_review(settings.published_db, tmp_path, 2021, date(2026, 12, 7))
    for path in (written.html, written.xlsx, written.docx, written.pdf):
        assert path is None or path.stat().st_size > 0


@pytest.mark.unit
def test_last_failure_and_the_alert_carry_hostile_text(tmp_path: Path) -> None:
    from chitieu.alerts import failure_message, send
    from chitieu.stages import write_failure

    reason = " ".join(HOSTILE.values())
    with smtp_sink() as sink:
        settings = Settings(None, tmp_path, alert_to=("tk@hatinh.gov.vn",), smtp_host=sink.host,
                            smtp_port=sink.port)
        write_failure(settings, f"task ingest failed: {reason}")
        assert send(settings, *failure_message(f"manual__{ESC_NAME}\nBcc: x@y", "ingest", reason,
                                               settings.status_file))
    status = settings.status_file.read_text(encoding="utf-8")
    assert_escaped(status)
    mail = sink.messages[0].message
    assert "\\x1b[31m" in mail["Subject"] and "\n" not in mail["Subject"]
    assert mail["Bcc"] is None
    assert_escaped(mail.get_content())
