"""A percentage typed as a fraction (docs/spec/indicators.md, "Validation rules"): a value under 1
is flagged only where it is a hundred times nearer the usual level, and the usual level is the
unit's own history first; the provinces' level stands in only for a unit without one.

One build on a unit list of two provinces (Hà Tĩnh 42 and a second province 99 added to the
shipped seeds), GRDP_GROWTH in each province's annual reports:
    year   42     99
    2021   0.03   5
    2022   0.04   6
    2023   0.05   7
    2024   0.04   0.065
Hà Tĩnh's own growth is small (median 0.04 %): its 2024 0.04 is no fraction, though the
provinces' level together (median of 0.03 0.04 0.05 5 6 7 = 2.525) would make 100 x 0.04 = 4
look nearer. Province 99's 0.065 is 6.5 % typed as a fraction (its own median 6): flagged.
"""

from __future__ import annotations

import csv
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from tests.inboxes import Build, build, deliver, report_by_code

pytestmark = pytest.mark.warehouse

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
NAMES = {"GRDP_GROWTH": ("Tốc độ tăng trưởng GRDP", "%")}
GROWTH = {"42": {2021: 0.03, 2022: 0.04, 2023: 0.05, 2024: 0.04},
          "99": {2021: 5, 2022: 6, 2023: 7, 2024: 0.065}}


def two_provinces(root: Path) -> Path:
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    with open(seeds / "admin_units.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(
            ["99", "Tỉnh Thử Nghiệm", "Tỉnh", "province", "", "99", "1900-01-01", "9999-12-31"])
    return seeds


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("percent_fraction")
    inbox = root / "inbox"
    inbox.mkdir()
    for unit, years in GROWTH.items():
        for year, growth in years.items():
            deliver(inbox, f"BC nam {year} {unit}",
                    [report_by_code(unit, f"Năm {year}", {"GRDP_GROWTH": growth}, NAMES,
                                    section="I. KINH TẾ")], datetime(year + 1, 1, 20))
    return build(root, inbox, two_provinces(root), env={"CHITIEU_AS_OF_DATE": "2026-12-01"})


def fraction_findings(office: Build) -> list[tuple[str, str]]:
    return office.con().execute(
        "SELECT unit_code, period FROM marts.data_quality_findings WHERE rule = 'percent_as_fraction' "
        "ORDER BY unit_code, period").fetchall()


def test_the_build_publishes(office: Build) -> None:
    assert office.error is None, office.error


def test_a_small_percentage_of_its_own_is_not_a_fraction(office: Build) -> None:
    assert ("42", "2024") not in fraction_findings(office)


def test_a_percentage_typed_as_a_fraction_is_flagged_against_its_own_level(office: Build) -> None:
    assert fraction_findings(office) == [("99", "2024")]
