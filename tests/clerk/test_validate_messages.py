"""`validate`'s messages, as a clerk reads them (and as the portal shows them): each names the
indicator by its Vietnamese name and its row, carries a Lỗi or Cảnh báo label, and the
summary counts each. Read from the real command's output, run from a plain shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.filled import filled_template

pytestmark = pytest.mark.unit
UNIT = "18685"  # Xã Cẩm Bình, a commune today
PERIOD = "2026-11"
GOOD = {"POP_TOTAL": 12000, "HH_TOTAL": 3000, "HH_POOR": 100, "HH_NEAR_POOR": 50, "PARTY_MEMBERS": 400}


def run_validate(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WAREHOUSE_DIR": str(tmp_path / "no-warehouse")}
    return subprocess.run([sys.executable, "-m", "ingest", "validate", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_a_dot_in_a_count_is_a_labelled_error_naming_the_indicator(tmp_path: Path) -> None:
    path = filled_template(tmp_path, UNIT, PERIOD, {**GOOD, "HH_TOTAL": "12.5"})
    run = run_validate(tmp_path, "--lang", "vi", str(path))
    assert run.returncode == 1, run.stdout + run.stderr
    line = next(ln for ln in run.stdout.splitlines() if "Tổng số hộ dân cư" in ln)
    assert " — Lỗi — Tổng số hộ dân cư (dòng 14): " in line, line
    assert "› Báo cáo › E14 — " in line, line
    assert "12.5 không phải số nguyên (hộ) — dấu chấm có thể là dấu phân cách hàng nghìn (12.500?)" in line
    assert run.stdout.splitlines()[-1].endswith(": 1 lỗi, 0 cảnh báo — không dùng được, sửa các lỗi rồi "
                                                "kiểm tra lại"), run.stdout


def test_a_row_rule_is_a_warning_at_the_indicators_cell(tmp_path: Path) -> None:
    path = filled_template(tmp_path, UNIT, PERIOD, {**GOOD, "HH_POOR": 2900, "HH_NEAR_POOR": 200})
    run = run_validate(tmp_path, "--lang", "vi", str(path))
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].endswith("› Báo cáo: Xã Cẩm Bình (18685), Tháng 11/2026: nhận 15 số liệu, từ chối 0 dòng")
    warning = next(ln for ln in lines if "Cảnh báo" in ln)
    assert "› Báo cáo › E15 — Cảnh báo — Số hộ nghèo (dòng 15): Hộ nghèo và cận nghèo nhiều hơn tổng số hộ" \
        in warning, warning
    assert lines[-1].endswith(": 0 lỗi, 1 cảnh báo — có thể gửi (giải thích các cảnh báo khi gửi)")
    assert "mẫu A" not in run.stdout and "kỳ 2026-11" not in run.stdout, run.stdout


def test_json_in_vietnamese_has_the_same_messages(tmp_path: Path) -> None:
    path = filled_template(tmp_path, UNIT, PERIOD, {**GOOD, "HH_TOTAL": "12.5", "HH_POOR": 2900})
    run = run_validate(tmp_path, "--json", "--lang", "vi", str(path))
    report = json.loads(run.stdout)
    (entry,) = report["files"]
    assert report["refused"] and entry["errors"] == 1 and entry["warnings"] == 0
    (message,) = entry["messages"]
    assert {k: message[k] for k in ("label", "indicator", "indicator_code", "row", "cell")} == {
        "label": "Lỗi", "indicator": "Tổng số hộ dân cư", "indicator_code": "HH_TOTAL", "row": 14,
        "cell": "E14"}
    assert message["text"].startswith("Số đếm không phải số nguyên: 12.5 không phải số nguyên"), message
    assert entry["sheets"][0]["period_label"] == "Tháng 11/2026"


def test_no_english_in_a_vietnamese_file_message(tmp_path: Path) -> None:
    """A file the reader refuses whole (here an unsupported kind) is told in Vietnamese only."""
    path = tmp_path / "bao cao.pdf"
    path.write_bytes(b"%PDF-1.4 not a workbook")
    run = run_validate(tmp_path, "--json", "--lang", "vi", str(path))
    (message,) = json.loads(run.stdout)["files"][0]["messages"]
    assert message["label"] == "Lỗi" and "not read" not in message["text"], message
    assert message["text"] == ("Loại tệp không được đọc: tệp '.pdf' không phải bảng tính. Gửi lại dạng "
                               ".xlsx, .xls, .ods hoặc .csv.")


def test_the_instructions_sheet_says_nothing(tmp_path: Path) -> None:
    path = filled_template(tmp_path, UNIT, PERIOD, GOOD)
    run = run_validate(tmp_path, "--lang", "vi", str(path))
    assert run.returncode == 0 and "Hướng dẫn" not in run.stdout, run.stdout
    assert run.stdout.splitlines()[-1].endswith(": 0 lỗi, 0 cảnh báo — có thể gửi")


def test_english_labels(tmp_path: Path) -> None:
    path = filled_template(tmp_path, UNIT, PERIOD, {**GOOD, "HH_TOTAL": "12.5"})
    run = run_validate(tmp_path, str(path))
    assert " — error — Tổng số hộ dân cư (row 14): 12.5 is not a whole number of hộ — is the dot a " \
           "thousands separator (12.500?)" in run.stdout, run.stdout
