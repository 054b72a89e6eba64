"""The sample generator: reproducible, and true to the source article's 2021 figures."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ingest.sample.expected import naive_average_poverty_rate
from ingest.sample.truth import build_truth

pytestmark = pytest.mark.warehouse

ARTICLE_2021 = {  # shared/seed/README.md
    "POVERTY_RATE": 4.68, "NEAR_POVERTY_RATE": 5.09, "VAX18_DOSE1_RATE": 99, "VAX18_DOSE2_RATE": 96,
    "VAX12_DOSE1_RATE": 98, "VAX12_DOSE2_RATE": 89, "PARTY_MEMBERS": 99_776,
    "PARTY_NEW_MEMBERS": 1_870, "BUDGET_REVENUE": 16_916, "GRDP_GROWTH": 5.02,
    "GRDP_PER_CAPITA": 67, "PUBLIC_INVEST_DISBURSED": 87.6, "NTM_COMMUNE_RATE": 94,
    "NTM_ADVANCED": 19, "NTM_MODEL": 2, "MODEL_RESIDENTIAL_AREAS": 747, "MODEL_GARDENS": 7_244,
    "NTM_DISTRICT_COUNT": 8, "INVEST_PROJECTS_FDI": 1, "COVID_DEATHS": 5,
}


@pytest.mark.parametrize(("code", "article"), sorted(ARTICLE_2021.items()))
def test_province_truth_reproduces_the_article(expected_values, code: str, article: float) -> None:
    value = expected_values[("42", "2021", code)]
    decimals = len(str(article).split(".")[1]) if "." in str(article) else 0
    assert round(value, decimals) == pytest.approx(article), code


def test_investment_projects_add_up_to_55(expected_values) -> None:
    domestic = expected_values[("42", "2021", "INVEST_PROJECTS_DOMESTIC")]
    fdi = expected_values[("42", "2021", "INVEST_PROJECTS_FDI")]
    assert (domestic, fdi) == (54, 1)
    assert expected_values[("42", "2021", "INVEST_CAPITAL_DOMESTIC")] > 15_000


def test_communes_differ_so_averaging_rates_is_visibly_wrong() -> None:
    truth = build_truth()
    naive = naive_average_poverty_rate(truth)
    assert abs(naive - 4.68) > 1.0, naive
    rates = [truth.values[(c.code, "2021")]["HH_POOR"] / truth.values[(c.code, "2021")]["HH_TOTAL"]
             for c in truth.communes]
    assert max(rates) > 5 * min(r for r in rates if r > 0)


def test_generation_is_reproducible(tmp_path: Path, sample_dir: Path) -> None:
    from ingest.sample import generate

    generate(tmp_path / "inbox", tmp_path / "expected")

    def digest(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file() and p.suffix in {".csv", ".txt"}}

    assert digest(tmp_path / "expected") == digest(sample_dir / "expected")
    assert inbox_content(tmp_path / "inbox") == inbox_content(sample_dir / "inbox")


def inbox_content(root: Path) -> dict[str, tuple[int, str]]:
    """Every file's submission time and what a reader sees in it: the cells of every sheet as
    python-calamine reads them (a workbook's bytes carry the time it was written), the bytes
    of anything else."""
    import python_calamine

    content = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        try:
            book = python_calamine.load_workbook(str(path))
            seen = repr([(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names])
        except Exception:  # CSV, or a deliberately damaged workbook of the sample
            seen = path.read_bytes().hex()
        content[str(path.relative_to(root))] = (int(path.stat().st_mtime), hashlib.sha256(
            seen.encode()).hexdigest())
    return content


def test_inbox_mixes_formats_and_variations(sample_dir: Path, bad_inputs) -> None:
    files = [p for p in (sample_dir / "inbox").rglob("*") if p.is_file()]
    suffixes = {p.suffix for p in files}
    assert {".xlsx", ".xls", ".ods", ".csv"} <= suffixes
    assert any("(sua lan 2)" in p.name for p in files), "corrected resubmissions"
    assert any(p.name.endswith("(2).xlsx") or p.name.endswith("(2).csv") for p in files)
    rules = {b["rule"] for b in bad_inputs}
    assert {"unknown_unit", "bad_period", "not_a_number", "excel_error", "vax18_dose_order",
            "corrupt_file"} <= rules
    assert len(bad_inputs) < 0.02 * len(files), "bad input is a small share"
