"""Cell values by the spreadsheet contract: Vietnamese numbers, GSO conventions, yes/no."""

from __future__ import annotations

import pytest

from base.periods import parse_period
from base.reference import data_elements

pytestmark = pytest.mark.unit

E = data_elements()


@pytest.mark.parametrize(("raw", "code", "value"), [
    ("1.981", "HH_POOR", 1981), ("4,68", "GRDP_GROWTH", 4.68), ("16.916,5", "BUDGET_REVENUE", 16916.5),
    ("1,981.5", "BUDGET_REVENUE", 1981.5), ("1,234,567", "POP_TOTAL", 1234567), ("4.5", "GRDP_GROWTH", 4.5),
    ("16.916", "BUDGET_REVENUE", 16916), ("1,981", "HH_POOR", 1981), ("1,981", "BUDGET_REVENUE", 1.981),
    ("1\u00a0981", "HH_POOR", 1981), ("1 981 hộ", "HH_POOR", 1981), ("4,68 %", "GRDP_GROWTH", 4.68),
    ("-", "HH_POOR", 0), ("–", "COVID_DEATHS", 0), (1981.0, "HH_POOR", 1981),
    ("87,6%", "PUBLIC_INVEST_DISBURSED", 87.6),
])
def test_numbers(raw, code: str, value: float) -> None:
    from ingest.values import parse_cell

    parsed = parse_cell(raw, E[code])
    assert parsed.ok and parsed.value == pytest.approx(value)


def test_percent_formatted_cell_means_the_shown_percentage() -> None:
    from ingest.values import parse_cell

    assert parse_cell(0.0468, E["GRDP_GROWTH"], percent_format=True).value == pytest.approx(4.68)
    assert parse_cell(0.0468, E["GRDP_GROWTH"], percent_format=False).value == pytest.approx(0.0468)


@pytest.mark.parametrize(("raw", "missing"), [("...", "not_collected"), ("…", "not_collected"),
                                              ("x", "not_applicable"), ("", "not_reported"),
                                              (None, "not_reported")])
def test_missing_conventions(raw, missing: str) -> None:
    from ingest.values import parse_cell

    parsed = parse_cell(raw, E["HH_POOR"])
    assert parsed.ok and parsed.value is None and parsed.missing == missing


@pytest.mark.parametrize(("raw", "value"), [("Đạt", 1), ("Có", 1), ("x", 1), ("1", 1), ("TRUE", 1),
                                            ("Yes", 1), ("Chưa đạt", 0), ("Không đạt", 0),
                                            ("Không", 0), ("0", 0), ("FALSE", 0), ("No", 0),
                                            ("CHƯA ĐẠT", 0), (1, 1)])
def test_yes_no(raw, value: int) -> None:
    from ingest.values import parse_cell

    assert parse_cell(raw, E["NTM_STATUS"]).value == value


@pytest.mark.parametrize(("raw", "code", "rule"), [
    ("#DIV/0!", "HH_POOR", "excel_error"), ("#REF!", "HH_POOR", "excel_error"),
    ("#N/A", "HH_POOR", "excel_error"), ("#NAME?", "HH_POOR", "excel_error"),
    ("#VALUE!", "HH_POOR", "excel_error"), ("khoảng 5", "HH_POOR", "not_a_number"),
    (-1, "COVID_DEATHS", "out_of_range"), ("5020", "GRDP_GROWTH", "out_of_range"),
    (120, "PUBLIC_INVEST_DISBURSED", "out_of_range"), ("12,5", "HH_POOR", "not_whole"),
    (20, "NTM_CRITERIA_MET", "out_of_range"), ("có lẽ", "NTM_STATUS", "not_yes_no"),
    ("=SUM(A1:A3)", "HH_POOR", "not_a_number"),
])
def test_problems_quarantine_the_row(raw, code: str, rule: str) -> None:
    from ingest.values import parse_cell

    parsed = parse_cell(raw, E[code])
    assert not parsed.ok and parsed.rule == rule and parsed.message


@pytest.mark.parametrize(("text", "code"), [
    ("Tháng 12/2021", "2021-12"), ("Tháng 12 năm 2021", "2021-12"), ("T12/2021", "2021-12"),
    ("12/2021", "2021-12"), ("2021-12", "2021-12"), ("Quý IV/2021", "2021-Q4"),
    ("Quý 4 năm 2021", "2021-Q4"), ("Q4/2021", "2021-Q4"), ("2021-Q4", "2021-Q4"),
    ("6 tháng đầu năm 2022", "2022-H1"), ("6 tháng cuối năm 2022", "2022-H2"), ("2022-H1", "2022-H1"),
    ("Năm 2021", "2021"), ("2021", "2021"), ("NĂM  2021", "2021"), ("quy iv / 2021", "2021-Q4"),
    ("Tha\u0301ng 3/2022", "2022-03"),
])
def test_periods(text: str, code: str) -> None:
    period = parse_period(text)
    assert period is not None and period.code == code


@pytest.mark.parametrize("text", ["cuối năm", "Tháng 13/2021", "Quý V/2021", "", "2021-Q5"])
def test_unreadable_periods(text: str) -> None:
    assert parse_period(text) is None
