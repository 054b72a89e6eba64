"""The province's review report (issue 11): Vietnamese numbers and words, attainment drawn by
direction, and the three files (HTML, PDF, Excel) rendered for the sample and read back.

Expected figures come from the source article (4,68 %; 5,02 %; 16.916 tỷ đồng; 9/17) and from
the sample's independent `expected/indicator_values_2021.csv`, never from the report's own code.
"""

from __future__ import annotations

import csv
import html
import os
import re
import struct
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest

from base import fmt
from base.settings import LOCAL_TZ
from chitieu.review import write_review
from chitieu.review.chart import attainment_svg
from chitieu.review.data import (
    Breakdown,
    BreakdownRow,
    FindingGroup,
    Indicator,
    Review,
    Scorecard,
    Target,
)
from tests.conftest import PROJECT, missing, require_tool

pytestmark = pytest.mark.warehouse

ARTIFACTS = PROJECT / "tests" / "artifacts"
PERCENT = Indicator("POVERTY_RATE", "Tỷ lệ hộ nghèo", "Poverty rate", "%", 2, "lower")


# ---------------------------------------------------------------- numbers and words (no warehouse)

def test_vietnamese_and_english_numbers() -> None:
    assert fmt.number(4.680029, 2) == "4,68"
    assert fmt.number(16916, 0) == "16.916"
    assert fmt.number(99776, 0) == "99.776"
    assert fmt.number(1503061, 0) == "1.503.061"
    assert fmt.number(15212.5, 1) == "15.212,5"
    assert fmt.number(16916, 0, "en") == "16,916" and fmt.number(4.68, 2, "en") == "4.68"
    # half-up on the written figure, as by hand (binary 2.675 is 2.67499…; banker's would give 2,67/89,0)
    assert fmt.number(2.675, 2) == "2,68" and fmt.number(89.0002, 1) == "89,0"
    assert fmt.number(-0.001, 2) == "0,00"  # never "-0,00"
    # A figure and its unit are one unbreakable run (no-break spaces): never split over lines.
    assert fmt.quantity(4.68, 2, "%") == "4,68\u00a0%"
    assert fmt.quantity(16916, 0, "tỷ đồng") == "16.916\u00a0tỷ\u00a0đồng"
    assert fmt.quantity(16916, 0, "tỷ đồng", "en") == "16,916\u00a0billion\u00a0VND"
    assert fmt.quantity(None, 2, "%") == "—"


def test_targets_and_changes_in_words() -> None:
    nb = "\u00a0"
    assert fmt.target_text("at_least", 14000, None, 0, "tỷ đồng") == f"≥{nb}14.000{nb}tỷ{nb}đồng"
    assert fmt.target_text("at_most", 5.5, None, 2, "%") == f"≤{nb}5,50{nb}%"
    assert fmt.target_text("range", 6.5, 7, 2, "%") == f"6,50–7,00{nb}%"
    assert fmt.target_text("change", -1.5, -1, 2, "%") == f"giảm 1,00–1,50{nb}điểm{nb}%"
    assert fmt.target_text("change", -1.5, -1, 2, "%", "en") == f"down 1.00–1.50{nb}points"
    assert fmt.change_text(-1.22, 2, "%", "vi") == f"giảm 1,22{nb}điểm{nb}%"
    assert fmt.signed(-1.48, 2, "%", "vi") == f"-1,48{nb}điểm{nb}%" and fmt.signed(0.0, 2, "%", "vi") == "—"


def test_status_words() -> None:
    assert [fmt.status_word(s) for s in ("met", "exceeded", "missed", "at_risk", "on_track", "no_data")] == \
        ["Đạt", "Vượt", "Không đạt", "Có nguy cơ không đạt", "Đúng tiến độ", "Chưa có số liệu"]
    assert [fmt.status_word(s, "en") for s in ("met", "exceeded", "missed", "at_risk")] == \
        ["Met", "Exceeded", "Missed", "At risk"]


def test_excel_number_format_is_tagged_vietnamese() -> None:
    assert fmt.excel_number_format(0) == "[$-42A]#,##0"
    assert fmt.excel_number_format(2) == "[$-42A]#,##0.00"


def _marker_and_zone(svg: str) -> tuple[float, float, float]:
    """The actual's x, and the target zone's left and right x (the second rect: the green zone)."""
    cx = float(re.search(r'<circle cx="([\d.]+)"', svg).group(1))
    x, width = (float(v) for v in re.findall(r'<rect x="([\d.]+)" y="3" width="([\d.]+)"', svg)[1])
    return cx, x, x + width


def test_attainment_is_drawn_by_direction() -> None:
    """Better is to the right for every indicator: a beaten ceiling (near-poverty 5,09 % under
    5,50 %) sits inside the green zone; a missed ceiling (Hương Khê's 15,34 % over 8 %) left of it;
    a floor met (budget 16.916 over 14.000) inside its zone too."""
    beaten = Target("42", "Tỉnh", PERCENT, "at_most", 5.5, None, 5.09, 0.0, "met", False)
    cx, left, right = _marker_and_zone(attainment_svg(beaten))
    assert left <= cx <= right and right > 90  # the zone runs to the right edge
    missed = Target("444", "Huyện Hương Khê", PERCENT, "at_most", 8.0, None, 15.34, 7.34, "missed", False)
    cx, left, _ = _marker_and_zone(attainment_svg(missed))
    assert cx < left
    floor = Indicator("BUDGET_REVENUE", "Thu ngân sách", "Budget", "tỷ đồng", 0, "higher")
    met = Target("42", "Tỉnh", floor, "at_least", 14000, None, 16916, 0.0, "met", False)
    cx, left, right = _marker_and_zone(attainment_svg(met))
    assert left <= cx <= right


# ---------------------------------------------------------------- the sample's reviews

@pytest.fixture(scope="module")
def today() -> date:
    return datetime.now(LOCAL_TZ).date()


def ci_font_packages() -> list[str]:
    """The font packages `.ci/run` installs by name (its `fonts="…"` line)."""
    text = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    return re.search(r'^fonts="([^"]+)"', text, re.M).group(1).split()


@pytest.fixture(scope="module")
def ci_fonts(tmp_path_factory) -> Iterator[Path]:
    """Only the fonts `.ci/run` installs, for every Chromium and LibreOffice this module starts:
    a fontconfig file whose one font folder links each file of those packages (dpkg-query -L),
    so that a font installed here by hand (or another package's) cannot hide a missing one, as
    it did when CI passed and a fresh machine failed (issue 27)."""
    require_tool("dpkg-query")
    root = tmp_path_factory.mktemp("ci_fonts")
    (root / "fonts").mkdir()
    for package in ci_font_packages():
        listed = subprocess.run(["dpkg-query", "-L", package], capture_output=True, text=True)
        if listed.returncode:
            missing(f"the font package {package} (.ci/run installs it)")
        for name in listed.stdout.splitlines():
            if name.endswith((".ttf", ".otf")) and Path(name).is_file():
                (root / "fonts" / f"{package}-{Path(name).name}").symlink_to(name)
    conf = root / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>{root / "fonts"}</dir>
  <cachedir>{root / "cache"}</cachedir>
  <include ignore_missing="yes">/etc/fonts/conf.d</include>
</fontconfig>
""", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FONTCONFIG_FILE", str(conf))
        yield conf


@pytest.fixture(scope="module")
def reviews(built, ci_fonts, tmp_path_factory, today) -> dict:
    """The nightly run's reviews (every target year) written again with only the fonts
    `.ci/run` installs, plus the 2021 one in English."""
    from chitieu.stages import write_report

    settings, _ = built
    report = write_report(replace(settings, reports_dir_setting=tmp_path_factory.mktemp("reports")),
                          today)
    english = write_review(settings.published_db, tmp_path_factory.mktemp("en"), 2021, today, "en",
                           pdf=False)
    return {"settings": settings, "report": report, "en": english}


@pytest.fixture(scope="module")
def expected_2021(sample_dir: Path) -> dict[tuple[str, str], float]:
    with open(sample_dir / "expected" / "indicator_values_2021.csv", encoding="utf-8") as fh:
        return {(r["unit_code"], r["indicator_code"]): float(r["value"]) for r in csv.DictReader(fh)
                if r["period"] == "2021"}


def _text(path: Path) -> str:
    """Whitespace folded, NFC: what a reader sees, whatever the line breaks."""
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", path.read_text(encoding="utf-8")))


def test_one_review_per_target_year(reviews, today) -> None:
    report = reviews["report"]
    years = sorted(int(y) for y in report["years"])
    assert years[0] == 2021 and years == list(range(2021, years[-1] + 1)) and years[-1] <= today.year
    for year, files in report["years"].items():
        for kind in ("html", "xlsx", "docx"):
            assert Path(files[kind]).name == f"bao_cao_{year}.{kind}" and Path(files[kind]).stat().st_size
    assert report["years"]["2021"]["headline"] == "2021: 9 of 17 targets met"
    assert report["headline"] == report["years"][str(years[-1])]["headline"]  # the current year


def test_html_2021_is_the_article_in_vietnamese(reviews, expected_2021) -> None:
    # The sample's figures are the article's: check the literals below against them first.
    assert round(expected_2021[("42", "POVERTY_RATE")], 2) == 4.68
    assert expected_2021[("42", "GRDP_GROWTH")] == 5.02 and expected_2021[("42", "BUDGET_REVENUE")] == 16916
    page = _text(Path(reviews["report"]["years"]["2021"]["html"]))
    assert '<html lang="vi">' in page
    assert "Năm 2021, tỉnh đạt và vượt 9/17 chỉ tiêu chủ yếu; tốc độ tăng trưởng GRDP đạt 5,02 %" in page
    assert "tỷ lệ hộ nghèo còn 4,68 %" in page and "16.916 tỷ đồng" in page
    assert "Tỷ lệ hộ nghèo" in page and "GRDP bình quân đầu người" in page
    for raw in ("GRDP_PER_CAPITA", "NTM_DISTRICT_COUNT", "94.1176", "89.0002", "4.68"):
        assert raw not in page.split("Các vấn đề về chất lượng số liệu")[0], raw
    for word in ("Đạt", "Không đạt"):
        assert f">{word}<" in page
    # The breakdown by district, the poorest first (from the expected CSV, not from the marts).
    districts = {code: v for (code, ind), v in expected_2021.items()
                 if ind == "POVERTY_RATE" and len(code) == 3}
    poorest, least = max(districts, key=districts.get), min(districts, key=districts.get)
    con = duckdb.connect(str(reviews["settings"].published_db), read_only=True)
    names = dict(con.execute("SELECT unit_code, unit_name FROM marts.dim_units WHERE unit_level = 'district'")
                 .fetchall())
    con.close()
    section = page.split("Theo đơn vị cấp huyện")[1]
    assert section.index(names[poorest]) < section.index(names[least])
    assert fmt.number(districts[poorest], 2) in section


def test_english_version(reviews) -> None:
    page = _text(reviews["en"].html)
    assert '<html lang="en">' in page and reviews["en"].html.name == "review_2021.html"
    assert "In 2021, the province met or exceeded 9 of its 17 main targets" in page
    assert "4.68 %" in page and "16,916 billion VND" in page and ">Missed<" in page


def test_current_year_shows_progress(reviews) -> None:
    report = reviews["report"]
    year = max(report["years"])
    con = duckdb.connect(str(reviews["settings"].published_db), read_only=True)
    statuses = {s for (s,) in con.execute("SELECT status FROM marts.target_attainment "
                                          "WHERE unit_code = '42' AND year = ?", [int(year)]).fetchall()}
    con.close()
    words = {"met": "Đạt", "exceeded": "Vượt", "missed": "Không đạt", "at_risk": "Có nguy cơ không đạt",
             "on_track": "Đúng tiến độ", "no_data": "Chưa có số liệu"}
    page = _text(Path(report["years"][year]["html"]))
    for status in statuses:
        assert f">{words[status]}<" in page, status


def _pdf_text(pdf: Path) -> str:
    require_tool("pdftotext")
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", out))


def _pdf_info(pdf: Path) -> dict[str, str]:
    require_tool("pdfinfo")
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def test_pdf_2021_reads_back(reviews) -> None:
    require_tool("chromium")
    pdf = Path(reviews["report"]["years"]["2021"]["pdf"])
    text = _pdf_text(pdf)
    assert "đạt và vượt 9/17 chỉ tiêu" in text
    for figure in ("4,68 %", "5,02 %", "16.916 tỷ đồng", "giảm 1,22 điểm %"):
        assert figure in text, figure
    info = _pdf_info(pdf)
    pages = int(info["Pages"])
    assert 2 <= pages <= 8
    assert "(A4)" in info["Page size"]
    assert f"Trang 1 / {pages}" in text and f"Trang {pages} / {pages}" in text


def test_pdf_of_the_current_year(reviews) -> None:
    require_tool("chromium")
    year = max(reviews["report"]["years"])
    pdf = Path(reviews["report"]["years"][year]["pdf"])
    text = _pdf_text(pdf)
    assert f"NĂM {year}" in text.upper() and "Trang 1 /" in text
    assert int(_pdf_info(pdf)["Pages"]) >= 1


def _xlsx(path: str):
    openpyxl = pytest.importorskip("openpyxl")
    return openpyxl.load_workbook(path)


def test_workbook_2021(reviews, expected_2021) -> None:
    book = _xlsx(reviews["report"]["years"]["2021"]["xlsx"])
    assert book.sheetnames[:2] == ["Tỉnh", "Huyện"]
    for ws in book.worksheets:
        assert ws.freeze_panes == "B4" and ws.auto_filter.ref, ws.title
    province = book["Tỉnh"]
    rows = {r[1].value: r for r in province.iter_rows(min_row=4) if r[1].value}
    growth = rows["GRDP_GROWTH"]
    actual = growth[7]
    assert actual.value == pytest.approx(expected_2021[("42", "GRDP_GROWTH")]) and actual.data_type == "n"
    assert actual.number_format == "[$-42A]#,##0.00"
    budget = rows["BUDGET_REVENUE"][7]
    assert budget.value == 16916 and budget.number_format == "[$-42A]#,##0"
    assert growth[9].value == "Không đạt" and rows["BUDGET_REVENUE"][9].value == "Đạt"
    assert budget.data_type == "n" and rows["BUDGET_REVENUE"][10].value == "chưa duyệt"  # no decision
    districts = book["Huyện"]
    assert districts.max_row - 3 == sum(1 for (c, i) in expected_2021 if i == "POVERTY_RATE" and len(c) == 3)


def test_workbook_after_the_reform_is_by_commune(reviews) -> None:
    report = reviews["report"]
    for year in (y for y in report["years"] if int(y) >= 2025):
        book = _xlsx(report["years"][year]["xlsx"])
        assert "Xã" in book.sheetnames and "Huyện" not in book.sheetnames
        assert book["Xã"].max_row - 3 == 69  # the province's 69 communes of today (eras.md)


def test_workbook_text_is_never_a_formula(tmp_path: Path) -> None:
    from chitieu.review.xlsx import safe_text, write_workbook

    assert safe_text("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert safe_text("+1") == "'+1" and safe_text("Xã A") == "Xã A" and safe_text(3) == 3
    evil_unit = "=cmd|' /C calc'!A0"
    target = Target("99999", evil_unit, PERCENT, "at_most", 5.0, None, 6.0, 1.0, "missed", False)
    review = Review(
        year=2021, province_code="42", province_name="@SUM(1)", published_at=None, closed=True,
        scorecard=Scorecard(1, 0, 0, 1), targets=[target], unit_targets=[], province_values={},
        previous_values={},
        breakdown=Breakdown("district", False, [PERCENT], [
            BreakdownRow("99999", evil_unit, {"POVERTY_RATE": 6.0}, False, False, [target])]),
        completeness=[], late_units=[],
        findings=[FindingGroup("not_a_number", "error", 1, ["-2+3 › Sheet › E5: '=1+1' is not a number"])])
    path = write_workbook(review, tmp_path / "evil.xlsx")
    book = _xlsx(str(path))
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert "'" + evil_unit in texts and not any(t.startswith(fmt_prefix) for t in texts
                                                for fmt_prefix in ("=", "+", "-", "@"))
    import zipfile

    with zipfile.ZipFile(path) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml


def test_every_time_a_person_reads_is_vietnam_time(tmp_path: Path) -> None:
    """Published at 23:58 UTC on 6 December is 06:58 on 7 December in Hà Tĩnh: the page (and
    so the PDF), the .docx and the workbook say the latter, whatever the machine's clock; a
    naive time is the warehouse's UTC."""
    docx = pytest.importorskip("docx")
    from chitieu.review.frame import Frame
    from chitieu.review.html import render_html
    from chitieu.review.word import write_docx
    from chitieu.review.xlsx import write_workbook

    today = date(2026, 12, 7)
    for published in (datetime(2026, 12, 6, 23, 58, tzinfo=UTC), datetime(2026, 12, 6, 23, 58)):
        review = Review(year=2026, province_code="42", province_name="Tỉnh Hà Tĩnh",
                        published_at=published, closed=False, scorecard=Scorecard(), targets=[],
                        unit_targets=[], province_values={}, previous_values={}, breakdown=None,
                        completeness=[], late_units=[], findings=[])
        said = "số liệu công bố lúc 07/12/2026 06:58, lập ngày 07/12/2026"
        assert said in render_html(review, "vi", today, Frame("Tỉnh Hà Tĩnh", None, 69))
        draft = write_docx(review, Frame("Tỉnh Hà Tĩnh", None, 69), tmp_path / "d.docx", "vi", today)
        assert any(said in p.text for p in docx.Document(str(draft)).paragraphs)
        book = _xlsx(str(write_workbook(review, tmp_path / "b.xlsx", "vi", today)))
        assert said in book.worksheets[0]["A2"].value
        assert "06/12/2026 23:58" not in render_html(review, "vi", today)


def test_last_failure_is_stamped_in_vietnam_time(tmp_path: Path) -> None:
    """LAST_FAILURE.txt written at 23:58 UTC says 06:58 the next morning, with its offset."""
    faketime = require_tool("faketime")
    script = ("import sys; from pathlib import Path; from base.settings import Settings; "
              "from chitieu.stages import write_failure; "
              "write_failure(Settings(Path(sys.argv[1]), Path(sys.argv[2])), 'task report failed')")
    subprocess.run([faketime, "2026-12-06 23:58:00", sys.executable, "-c", script,
                    str(tmp_path / "inbox"), str(tmp_path / "warehouse")], check=True,
                   cwd=PROJECT, env={**os.environ, "TZ": "UTC"}, timeout=120)
    stamp, reason = (tmp_path / "warehouse" / "LAST_FAILURE.txt").read_text().split("\n", 1)
    assert stamp.startswith("2026-12-07T06:58:") and stamp.endswith("+07:00"), stamp
    assert reason.strip() == "task report failed"


def _png_size(png: Path) -> tuple[int, int]:
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_screenshot_of_the_html(reviews, tmp_path: Path) -> None:
    """The page as a browser shows it, kept in tests/artifacts/ (git-ignored). Not blank: it
    compresses far worse than a blank page of the same size shot the same way."""
    from chitieu.review.pdf import screenshot

    require_tool("chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = screenshot(Path(reviews["report"]["years"]["2021"]["html"]), ARTIFACTS / "review_2021.png")
    assert _png_size(shot) == (1280, 2000)
    blank_html = tmp_path / "blank.html"
    blank_html.write_text("<!doctype html><html><body></body></html>", encoding="utf-8")
    blank = screenshot(blank_html, tmp_path / "blank.png")
    assert _png_size(blank) == (1280, 2000)
    assert shot.stat().st_size > 10 * blank.stat().st_size


def test_libreoffice_shows_the_workbook_the_vietnamese_way(reviews, tmp_path: Path) -> None:
    """The numbers are numbers; the Vietnamese-tagged format makes LibreOffice show them with
    Vietnamese separators (the cells as shown, exported to CSV)."""
    soffice = require_tool("soffice", "libreoffice")
    src = Path(reviews["report"]["years"]["2021"]["xlsx"])
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=300)
    with open(tmp_path / f"{src.stem}.csv", encoding="utf-8") as fh:
        rows = {r[1]: r for r in csv.reader(fh) if len(r) > 9}
    assert rows["BUDGET_REVENUE"][7] == "16.916" and rows["GRDP_GROWTH"][7] == "5,02"
    assert rows["GRDP_GROWTH"][5:7] == ["6,50", "7,00"]


def test_a_pdf_is_printed_again_only_when_its_figures_change(built, tmp_path: Path, today) -> None:
    """Chromium costs about a second a year: a night prints only the years whose review data
    changed, and a change (here one more target met) prints that year again."""
    from dataclasses import replace

    from chitieu.review import write_formats, write_review
    from chitieu.review.data import load_review
    from chitieu.review.frame import load_frame

    require_tool("chromium")
    settings, _ = built
    first = write_review(settings.published_db, tmp_path, 2021, today)
    printed_at = first.pdf.stat().st_mtime_ns
    again = write_review(settings.published_db, tmp_path, 2021, today)
    assert again.pdf == first.pdf and again.pdf.stat().st_mtime_ns == printed_at, "unchanged: kept"
    review = load_review(settings.published_db, 2021, today)
    changed = replace(review, scorecard=replace(review.scorecard, met=review.scorecard.met + 1))
    reprinted = write_formats(changed, load_frame(settings.published_db, 2021), first.pdf.parent,
                              "vi", today).pdf
    assert reprinted == first.pdf and first.pdf.stat().st_mtime_ns != printed_at, "changed: printed"


# ---------------------------------------------------------------- the administrative document (issue 21)

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def _province_upper(settings) -> str:
    """The province's name from the published unit list (not from the report's code)."""
    con = duckdb.connect(str(settings.published_db), read_only=True)
    name = con.execute("SELECT unit_name FROM marts.dim_units WHERE unit_level = 'province' "
                       "ORDER BY valid_to DESC LIMIT 1").fetchone()[0]
    con.close()
    return name.upper()


def _opening(html: Path) -> str:
    return re.search(r'<p class="opening">(.*?)</p>', html.read_text(encoding="utf-8"), re.S).group(1)


def test_html_frame_periods_and_figures_with_units(reviews) -> None:
    years = reviews["report"]["years"]
    page = _text(Path(years["2021"]["html"]))
    assert MOTTO in page and "Độc lập - Tự do - Hạnh phúc" in page and "Nơi nhận:" in page
    assert f"UBND {_province_upper(reviews['settings'])}" in page and "Số: …/BC-CTK" in page
    assert "(Ký, ghi rõ họ tên, đóng dấu)" in page
    raw = Path(years["2021"]["html"]).read_text(encoding="utf-8")
    assert "16.916\u00a0tỷ\u00a0đồng" in raw and "16.916 tỷ" not in raw  # never split from its unit
    later = Path(years["2025"]["html"]).read_text(encoding="utf-8")
    assert "<td>Tháng 1/2025</td>" in later and ">2025-01<" not in later
    # The reform in one sentence, only in the year it happened.
    assert "Từ ngày 01/07/2025 tỉnh có 69 đơn vị hành chính cấp xã mới" in _text(Path(years["2025"]["html"]))
    assert "đơn vị cũ – mới" not in page


def test_opening_names_each_figure_once(reviews) -> None:
    opening = _opening(Path(reviews["report"]["years"]["2021"]["html"]))
    opening = re.sub(r"mục tiêu [^;)]*", "", opening)  # two targets may be alike (≥ 95,0 %)
    figures = re.findall(r"\d[\d.,]*(?:\u00a0[^\s,;)]+)+", opening)
    assert len(figures) > 8 and "67,0\u00a0triệu\u00a0đồng" in figures
    assert sorted(f for f in figures if figures.count(f) > 1) == []


def test_findings_in_vietnamese_from_the_registry(reviews) -> None:
    from base.rules import RULES

    page = _text(Path(reviews["report"]["years"]["2021"]["html"]))
    section = html.unescape(page.split("Các vấn đề về chất lượng số liệu")[1].split("Nơi nhận:")[0])
    codes = [code for code in RULES if f">{RULES[code].title_vi[:1].upper()}{RULES[code].title_vi[1:]}"
             in section]
    assert codes, "no rule title from the registry"
    for code in codes:
        assert RULES[code].title_en not in section and RULES[code].action_vi in section


def _words(pdf: Path, page: int = 1) -> tuple[float, float, list[tuple[str, float, float, float, float]]]:
    """pdftotext -bbox: the page's size and each word with xMin, yMin, xMax, yMax."""
    require_tool("pdftotext")
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', out)
    words = [(unicodedata.normalize("NFC", w), float(a), float(b), float(c), float(d))
             for a, b, c, d, w in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                             r'yMax="([\d.]+)">([^<]*)</word>', out)]
    return float(size.group(1)), float(size.group(2)), words


def test_pdf_first_page_is_an_administrative_document(reviews, tmp_path: Path) -> None:
    """Decree 30's frame, by where the words are on the printed page: the motto top right, the
    issuing body top left, a serif font (Times New Roman or its metric twin Liberation Serif).
    The first page is also kept as a PNG (pdftoppm) for the README."""
    require_tool("chromium")
    pdf = Path(reviews["report"]["years"]["2021"]["pdf"])
    width, height, words = _words(pdf)
    first = {w: (x0, y0, x1, y1) for w, x0, y0, x1, y1 in reversed(words)}  # the first of each word
    motto = [first[w] for w in ("CỘNG", "HÒA", "NAM")]
    assert all(x0 > width / 2 - 20 and y1 < height * 0.15 for x0, _, _, y1 in motto), motto
    assert first["HÒA"][0] > width / 2
    issuer = [first[w] for w in ("UBND", "THỐNG", "KÊ")]
    assert all(x1 < width / 2 and y1 < height * 0.15 for _, _, x1, y1 in issuer), issuer
    assert first["BÁO"][1] > first["CỘNG"][3]  # the title below the motto
    assert {family for family, _ in _embedded_fonts(pdf)} == {"LiberationSerif"}
    _, _, last_words = _words(pdf, int(_pdf_info(pdf)["Pages"]))
    assert "Nơi" in [w[0] for w in last_words] and "đóng" in [w[0] for w in last_words]
    require_tool("pdftoppm")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(tmp_path / "page1")], check=True)
    assert _png_size(tmp_path / "page1.png")[0] > 400
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "review_2021_page1.png").write_bytes((tmp_path / "page1.png").read_bytes())


def _embedded_fonts(pdf: Path) -> list[tuple[str, str]]:
    """(family, style) of every font the PDF embeds, as pdffonts lists them; a font without a
    name (a Type 3 drawn for a letter no font had) is ("[none]", type)."""
    require_tool("pdffonts")
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        family, _, style = line.split()[0].split("+")[-1].partition("-")
        fonts.append((family, style or "Regular"))
    return fonts


def test_every_pdf_is_set_in_one_vietnamese_serif(reviews, ci_fonts) -> None:
    """Every letter of every year's review, the page numbers and any drawing's text included,
    in Liberation Serif 2.x (fonts-liberation2) and nothing else, printed with only the fonts
    `.ci/run` installs: no DejaVu Sans (or Type 3) stand-in for the ế, ộ, ư that Liberation
    Serif 1.07 lacks, no word split where its letters change typeface."""
    require_tool("chromium")
    for year, files in reviews["report"]["years"].items():
        fonts = _embedded_fonts(Path(files["pdf"]))
        assert {family for family, _ in fonts} == {"LiberationSerif"}, (year, fonts)
        assert {style for _, style in fonts} >= {"Regular", "Bold"}


def test_pdf_status_column_is_never_clipped(reviews) -> None:
    """Each status stays inside its column, in every year's PDF (the current year has the long
    ones, "Có nguy cơ không đạt", "Đúng tiến độ"): its words end left of the attainment column."""
    require_tool("chromium")
    status_words = {w for s in ("Đạt", "Vượt", "Không đạt", "Có nguy cơ không đạt", "Đúng tiến độ",
                                "Chưa có số liệu") for w in s.split()}
    checked = 0
    for files in reviews["report"]["years"].values():
        _, _, words = _words(Path(files["pdf"]))
        header = [i for i in range(len(words) - 1) if words[i][0] == "Tình" and words[i + 1][0] == "trạng"]
        if not header:
            continue  # a year without targets on its first page
        _, status_x, _, _, header_y = words[header[0]]  # the "Tình trạng" column's header
        chart_x = next(x0 for w, x0, *_ in words[header[0]:] if w == "Mức")  # "Mức đạt (tốt hơn →)"
        statuses = [(w, x1) for w, x0, y0, x1, _ in words
                    if x0 >= status_x - 1 and y0 > header_y and w in status_words]
        assert all(x1 <= chart_x for _, x1 in statuses), (files["pdf"], statuses)
        checked += len(statuses)
    assert checked >= 8


def test_docx_is_the_same_draft_and_editable(reviews) -> None:
    """The .docx beside the PDF, read back with python-docx: the frame, the title, a figure
    with its unit, the tables' rows, Nơi nhận and the signature block."""
    docx = pytest.importorskip("docx")
    path = Path(reviews["report"]["years"]["2021"]["docx"])
    assert path.name == "bao_cao_2021.docx"
    doc = docx.Document(str(path))
    top = doc.tables[0].rows[0].cells
    assert [p.text for p in top[0].paragraphs][:2] == [f"UBND {_province_upper(reviews['settings'])}",
                                                       "CỤC THỐNG KÊ"]
    assert top[0].paragraphs[-1].text == "Số: …/BC-CTK"
    assert top[1].paragraphs[0].text == MOTTO and top[1].paragraphs[1].text == "Độc lập - Tự do - Hạnh phúc"
    place_date = top[1].paragraphs[-1].text
    assert re.fullmatch(r"Hà Tĩnh, ngày \d\d tháng (0[12]|[3-9]|1[0-2]) năm \d{4}", place_date)
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts and "Kết quả thực hiện các chỉ tiêu chủ yếu năm 2021" in texts
    assert any("16.916\u00a0tỷ\u00a0đồng" in t for t in texts)  # the opening, the figure with its unit
    targets = doc.tables[1]
    assert [c.text for c in targets.rows[0].cells] == ["Chỉ tiêu", "Mục tiêu", "Thực hiện", "Chênh lệch",
                                                       "Tình trạng"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in targets.rows[1:]}
    assert len(rows) == 17
    # the sample has no decision: the figure is not yet approved (‡)
    assert rows["Thu ngân sách trên địa bàn"][2] == "16.916\u00a0tỷ\u00a0đồng\u00a0‡"
    assert rows["Tốc độ tăng trưởng GRDP"][4] == "Không đạt"
    sign = doc.tables[-1].rows[0].cells
    assert sign[0].paragraphs[0].text == "Nơi nhận:" and len(sign[0].paragraphs) >= 3
    signer = [p.text for p in sign[1].paragraphs]
    assert signer[:2] == ["CỤC TRƯỞNG", "(Ký, ghi rõ họ tên, đóng dấu)"]
    assert signer[2:-1] == [""] * 4 and signer[-1].strip("…") == "" and len(signer[-1]) >= 10
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.sections[0].page_width.mm == pytest.approx(210, abs=0.5)


def _mm(length) -> float:
    return round(length.mm, 1)


def _all_words(pdf: Path) -> list[tuple[int, str, float]]:
    """Every word of a PDF with its page and the top of its line (pdftotext -bbox)."""
    require_tool("pdftotext")
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return [(page, unicodedata.normalize("NFC", html.unescape(w)), round(float(y)))
            for page, text in enumerate(out.split("<page ")[1:])
            for y, w in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" '
                                   r'yMax="[\d.]+">([^<]*)</word>', text)]


def _lines_of(words: list[tuple[int, str, float]], name: str) -> list[int]:
    """For each place `name` is printed (its words one after another), over how many lines."""
    parts = name.split()
    found = []
    for i in range(len(words) - len(parts) + 1):
        if [w for _, w, _ in words[i:i + len(parts)]] == parts:
            found.append(len({(page, y) for page, _, y in words[i:i + len(parts)]}))
    return found


@pytest.mark.parametrize("year", ["2021", "current"])
def test_docx_tables_are_sized_by_their_content(reviews, ci_fonts, tmp_path: Path, year: str) -> None:
    """The .docx's geometry, as python-docx reads it and as LibreOffice prints it (with only the
    fonts .ci/run installs): every table's grid (w:tblGrid, what LibreOffice lays out by) and
    its cells' widths (w:tcW, what Word uses) agree and fill the 165 mm between the margins;
    the motto stays on one line; the longest indicator and unit names take at most two lines
    in the printed tables, where they took 3 to 6 beside half-empty number columns."""
    docx = pytest.importorskip("docx")
    soffice = require_tool("soffice", "libreoffice")
    years = reviews["report"]["years"]
    year = max(years) if year == "current" else year
    path = Path(years[year]["docx"])
    doc = docx.Document(str(path))
    for table in doc.tables:
        grid = [_mm(col.w) for col in table._tbl.tblGrid.gridCol_lst]
        assert sum(grid) == pytest.approx(165, abs=1), grid
        for row in table.rows:
            assert [_mm(cell.width) for cell in row.cells] == pytest.approx(grid, abs=0.2), grid
    header = doc.tables[0]._tbl.tblGrid.gridCol_lst
    assert _mm(header[1].w) > 85, "the motto's column: 50/50 (82.5 mm) wrapped it"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=300)
    pdf = tmp_path / f"{path.stem}.pdf"
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    assert any(MOTTO in unicodedata.normalize("NFC", line) for line in layout.splitlines()), layout[:800]
    tables = [t for t in doc.tables[1:-1] if t.rows[0].cells[0].text in ("Chỉ tiêu", "Đơn vị")][:2]
    names = {c.text for t in tables for r in t.rows[1:] for c in r.cells
             if c.text and not re.search(r"\d", c.text) and c.text not in fmt.STATUS_WORDS["vi"].values()}
    words = _all_words(pdf)
    start = next(i for i in range(len(words)) if words[i][1] == "từng" and words[i + 1][1] == "chỉ")
    stop = next(i for i in range(start, len(words)) if words[i][1] in ("Theo", "Tình")
                and words[i + 1][1] in ("đơn", "hình"))
    longest = sorted(names, key=len)[-3:]
    for name in longest:
        lines = _lines_of(words[start:stop], name)
        assert lines and max(lines) <= 2, (name, lines)


def _boxes(pdf: Path) -> tuple[float, list[tuple[int, str, float, float, float]]]:
    """The page width and every word of a PDF with its page, xMin, the top of its line and xMax
    (pdftotext -bbox)."""
    require_tool("pdftotext")
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', out).group(1))
    return width, [(page, unicodedata.normalize("NFC", html.unescape(w)), float(x0), round(float(y)),
                    float(x1))
                   for page, text in enumerate(out.split("<page ")[1:])
                   for x0, y, x1, w in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                                  r'yMax="[\d.]+">([^<]*)</word>', text)]


def _figures(cell: str) -> list[str]:
    """The figures of a number cell as a reader takes them, whatever joins their words: a number
    (with a comparison sign before it) and the words of its unit after it, up to the next number,
    an opening bracket, a word of change or a note mark. "giảm 1,22 điểm % (4,68 %)" holds
    "1,22 điểm %" and "(4,68 %)"; "≥ 38,0 triệu đồng/năm" is one."""
    figures: list[list[str]] = []
    for token in cell.split():
        if re.search(r"\d", token) or token in ("≥", "≤"):
            if not (figures and figures[-1][-1] in ("≥", "≤")):
                figures.append([])
            figures[-1].append(token)
        elif figures and not token.startswith("(") and token not in ("*", "giảm", "tăng"):
            figures[-1].append(token)
        else:
            figures.append([token])  # a word outside any figure: its own piece, never checked
    return [" ".join(f) for f in figures if re.search(r"\d", " ".join(f))]


@pytest.mark.parametrize("year", ["2021", "current"])
def test_pdf_targets_tables_are_sized_by_their_content(reviews, year: str) -> None:
    """What a reader of the printed review sees (Chromium, only the fonts .ci/run installs), in
    the targets tables: no figure split across lines (a figure and its unit are joined by
    no-break spaces; a cell may wrap between figures), no word running into the next cell,
    every word between the page's margins (A4, 25 and 15 mm), and each indicator or unit name
    on at most two lines, where fixed shares of the width gave the longest four beside
    half-empty number columns."""
    require_tool("chromium")
    years = reviews["report"]["years"]
    year = max(years) if year == "current" else year
    pdf, page = Path(years[year]["pdf"]), Path(years[year]["html"]).read_text(encoding="utf-8")
    width, boxes = _boxes(pdf)
    start = next(i for i in range(len(boxes)) if boxes[i][1] == "từng" and boxes[i + 1][1] == "chỉ")
    stop = next(i for i in range(start, len(boxes)) if boxes[i][1] in ("Theo", "Tình")
                and boxes[i + 1][1] in ("đơn", "xã,", "hình"))
    region = boxes[start:stop]
    left, right = 25 / 25.4 * 72, width - 15 / 25.4 * 72
    assert [b for b in region if b[2] < left - 1 or b[4] > right + 1] == []
    lines: dict[tuple[int, int], list] = {}
    for b in sorted(region, key=lambda b: b[2]):
        lines.setdefault((b[0], b[3]), []).append(b)
    touching = [(a[1], b[1]) for line in lines.values() for a, b in pairwise(line)
                if b[2] < a[4] + 1.0]
    assert touching == [], touching
    tables = re.findall(r'<table class="[^"]*fixed">.*?</table>', page, re.S)
    cells = [unicodedata.normalize("NFC", html.unescape(c)) for t in tables
             for c in re.findall(r'<td class="num">(.*?)</td>', t)]
    figures = {f for c in cells for f in _figures(c)}
    assert len(figures) >= 5 and any(" " in f for f in figures), cells
    words = [(p, w, y) for p, w, _, y, _ in region]
    for figure in figures:
        placed = _lines_of(words, figure)
        assert placed and max(placed) == 1, (figure, placed)
    names = {unicodedata.normalize("NFC", html.unescape(c)) for t in tables
             for c in re.findall(r"<td>(.*?)</td>", t)}
    assert len(names) >= 4, names
    for name in names:
        placed = _lines_of(words, name)
        assert placed and max(placed) <= 2, (name, placed)


def test_sample_reports_arrive_on_time_late_and_missing(reviews) -> None:
    """The sample replayed night by night (chitieu.replay, as `make run` does): most reports of
    the province arrive on time, some late, some never (the districts' own reports after
    2021), where read in one run every report was late ("Đúng hạn 0")."""
    con = duckdb.connect(str(reviews["settings"].published_db), read_only=True)
    expected, received, on_time = con.execute(
        "SELECT sum(expected_reports), sum(received_reports), sum(on_time_reports) "
        "FROM marts.reporting_completeness WHERE unit_code = '42'").fetchone()
    con.close()
    assert received > on_time > 0.7 * received, (expected, received, on_time)  # late ones too
    assert expected > received, "some reports never arrived"
    page = _text(Path(reviews["report"]["years"]["2025"]["html"]))
    on_time_cells = re.findall(r"<td>Tháng \d+/2025</td><td class=\"num\">[\d.]+</td>"
                               r"<td class=\"num\">[\d.]+</td><td class=\"num\">([\d.]+)</td>", page)
    assert len(on_time_cells) == 12 and "0" not in on_time_cells, on_time_cells


def test_replayed_nights_leave_files_sent_after_now_for_the_run() -> None:
    from chitieu.replay import nights

    vn = LOCAL_TZ
    sent = {"a.xlsx": datetime(2025, 2, 3, 9, tzinfo=vn), "b.xlsx": datetime(2025, 2, 3, 23, 30, tzinfo=vn),
            "c.xlsx": datetime(2025, 2, 9, 9, tzinfo=vn), "d.xlsx": datetime(2025, 3, 3, 9, tzinfo=vn)}
    # 23:30 in Hà Tĩnh is 16:30 UTC: still the 3rd, the day it was sent
    assert nights(sent, datetime(2025, 3, 1, tzinfo=vn)) == {date(2025, 2, 3): {"a.xlsx", "b.xlsx"},
                                                             date(2025, 2, 9): {"c.xlsx"}}


def _approved_but(published: Path, tmp: Path, unit: str | None) -> Path:
    """A copy of the published marts with every unit-period's figures approved but `unit`'s
    2021 ones (the marts' approval_status column, as a night writes it after the decisions)."""
    import shutil

    tmp.mkdir(parents=True, exist_ok=True)
    copy = tmp / "published.duckdb"
    shutil.copy(published, copy)
    con = duckdb.connect(str(copy))
    try:
        for mart in ("indicator_values", "indicator_values_current_units"):
            con.execute(f"UPDATE marts.{mart} SET approval_status = CASE WHEN unit_code = ? "
                        "AND period = '2021' THEN 'changed_after_approval' ELSE 'approved' END", [unit or ""])
    finally:
        con.close()
    return copy


def test_figures_not_yet_approved_are_marked(reviews, tmp_path: Path, today) -> None:
    """docs/spec/portal.md, "Sign off": the review says which figures it prints are not yet
    approved. The sample has no decision: every figure of 2021 is marked ‡ with its note. With
    all approved but one district, only that district's figures are marked, in the page and
    the .docx; with all approved, no mark and no note."""
    docx = pytest.importorskip("docx")
    note = "‡ Số liệu chưa được duyệt"
    page = _text(Path(reviews["report"]["years"]["2021"]["html"]))
    assert "16.916 tỷ đồng ‡" in page and note in page  # the sample: nothing approved
    assert "‡ Số liệu năm 2021 của tỉnh chưa được duyệt." in page
    con = duckdb.connect(str(reviews["settings"].published_db), read_only=True)
    try:
        district, name = con.execute(
            "SELECT unit_code, unit_name FROM marts.indicator_values WHERE period = '2021' AND unit_level = "
            "'district' AND indicator_code = 'POVERTY_RATE' ORDER BY unit_code LIMIT 1").fetchone()
    finally:
        con.close()
    for unit, marked in ((district, {name}), (None, set())):
        published = _approved_but(reviews["settings"].published_db, tmp_path / (unit or "all"), unit)
        written = write_review(published, tmp_path / (unit or "all") / "out", 2021, today, "vi", pdf=False)
        html_text = _text(Path(written.html))
        rows = re.findall(r"<tr[^>]*><td>([^<]*)</td>((?:<td class=\"num\">[^<]*</td>)+)", html_text)
        breakdown = {n: cells for n, cells in rows if "‡" in cells}
        assert set(breakdown) == marked, breakdown
        assert (note in html_text) == bool(marked)
        assert "của tỉnh chưa được duyệt" not in html_text and "16.916 tỷ đồng ‡" not in html_text
        doc = docx.Document(str(written.docx))
        texts = [p.text for p in doc.paragraphs]
        cells = {r.cells[0].text: [c.text for c in r.cells] for t in doc.tables for r in t.rows}
        assert (note in texts) == bool(marked)
        assert {n for n, c in cells.items() if any(x.endswith("\u00a0‡") for x in c[1:])} == marked
        # the workbook says it in a column of its own, the figures staying numbers
        book = _xlsx(str(written.xlsx))
        sheet = book["Huyện"]
        assert sheet.cell(3, sheet.max_column).value == "Duyệt"
        words = {r[1].value: r[-1].value for r in sheet.iter_rows(min_row=4)}
        assert {n for n, w in words.items() if w == "chưa duyệt"} == marked, words
        assert set(words.values()) <= {"đã duyệt", "chưa duyệt", None}
        province = {r[1].value: r[-1].value for r in book["Tỉnh"].iter_rows(min_row=4)
                    if r[7].value is not None}
        assert set(province.values()) == {"đã duyệt"}, province
