"""A file refused as a whole tells the clerk, in Vietnamese, what in it is wrong and where:
the cell typed far from the table, the CSV line, the file's size, its type — not the rule's
title alone (`python -m ingest validate --lang vi`, as a clerk checks a file before sending)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.sources import MAX_FILE_BYTES

pytestmark = pytest.mark.unit


def said(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> str:
    from ingest.__main__ import main

    assert main(["validate", "--lang", "vi", str(tmp_path / name)]) == 1
    return capsys.readouterr().out


def test_a_value_typed_far_below_the_table_is_named_by_its_cell(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Báo cáo"
    book.active["A1"] = "Báo cáo tháng 10/2026"
    book.active.cell(row=25_000, column=3, value=7)
    book.save(tmp_path / "xa.xlsx")
    out = said(tmp_path, capsys, "xa.xlsx")
    assert "Tệp quá lớn hoặc vùng dữ liệu quá rộng: " in out
    assert "trang 'Báo cáo' có ô C25000 (dòng 25000, cột 3), quá giới hạn 20000 dòng × 250 cột" in out, out
    assert "Xóa các ô thừa ở xa bảng số liệu" in out


def test_a_csv_over_the_row_limit_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "dai.csv").write_text("ma,gia tri\n" * 20_001, encoding="utf-8")
    assert "dòng 20001 của tệp CSV vượt giới hạn 20000 dòng × 250 cột" in said(tmp_path, capsys, "dai.csv")


def test_an_unclosed_quotation_mark_names_the_line(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ngoac.csv").write_text('ma,gia tri\nA,1\nB,"' + "x" * 200_000 + "\n", encoding="utf-8")
    out = said(tmp_path, capsys, "ngoac.csv")
    assert "Tệp bị hỏng, không đọc được: dòng 3 của tệp CSV có một ô dài hơn" in out, out
    assert "dấu ngoặc kép (\") mở mà không đóng" in out


def test_a_file_over_the_size_limit_says_its_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (tmp_path / "lon.xlsx").open("wb") as sparse:  # costs no disk
        sparse.truncate(MAX_FILE_BYTES + 10 * 2**20)
    limit = MAX_FILE_BYTES // 2**20
    assert f"tệp {limit + 10} MB, lớn hơn giới hạn {limit} MB" in said(tmp_path, capsys, "lon.xlsx")


def test_a_file_of_another_type_names_its_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bao cao.exe").write_bytes(b"MZ" * 100)
    out = said(tmp_path, capsys, "bao cao.exe")
    assert "Loại tệp không được đọc: tệp '.exe' không phải bảng tính. Gửi lại dạng .xlsx" in out, out
