"""Reference data: the generator reproduces the committed seeds; the catalogue is complete."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from base.reference import load_catalogue, load_units, seeds_dir

pytestmark = pytest.mark.unit

# The contract lives in the repository (docs/spec/, kept in step with the office's copy), so
# that a clean clone tests against it wherever it is checked out.
TARGETS_TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "chi_tieu_ke_hoach.xlsx"
SPEC = Path(__file__).resolve().parents[2] / "docs" / "spec" / "indicators.md"


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_generator_reproduces_committed_seeds(tmp_path: Path) -> None:
    from tools.generate_admin_units import main

    main(["--province", "42", "--out", str(tmp_path)])
    for name in ("admin_units.csv", "admin_unit_changes.csv"):
        assert (tmp_path / name).read_bytes() == (seeds_dir() / name).read_bytes(), name


def test_another_province_is_one_option_away(tmp_path: Path) -> None:
    from tools.generate_admin_units import main

    main(["--province", "40", "--out", str(tmp_path)])
    units = _rows(tmp_path / "admin_units.csv")
    assert units[0]["unit_name"] == "Tỉnh Nghệ An"
    assert {u["province_code"] for u in units} == {"40"}


def test_units_before_and_after_the_2025_reform() -> None:
    units = load_units()
    old = [u for u in units if u.valid_to.isoformat() == "2025-06-30"]
    new = [u for u in units if u.valid_from.isoformat() == "2025-07-01"]
    assert len([u for u in old if u.level == "district"]) == 12  # Jan 2025 snapshot
    assert len([u for u in new if u.level == "commune"]) == 69
    assert all(u.parent_code == "42" for u in new)
    assert all(u.name == __import__("unicodedata").normalize("NFC", u.name) for u in units)
    assert {u.unit_type for u in old if u.level == "commune"} == {"Xã", "Phường", "Thị trấn"}


def test_split_communes_are_marked() -> None:
    changes = _rows(seeds_dir() / "admin_unit_changes.csv")
    split = [c for c in changes if c["is_split"] == "true"]
    assert split, "the 2025 reform split some communes"
    for old_code in {c["old_code"] for c in split}:
        parts = [c for c in split if c["old_code"] == old_code]
        assert len(parts) >= 2
        assert sum(c["is_default_new"] == "true" for c in parts) == 1


def test_catalogue_covers_every_code_of_the_spec() -> None:
    codes = set(re.findall(r"^\| ([A-Z0-9_]+) \|", SPEC.read_text(encoding="utf-8"), re.M))
    codes |= {"VAX18_DOSE2_RATE", "VAX12_DOSE2_RATE"}  # written as "(or 2)" in the spec
    catalogue = load_catalogue()
    assert codes <= set(catalogue), codes - set(catalogue)
    for element in catalogue.values():
        assert element.value_type in {"count", "amount", "percent", "yes_no"}
        if element.kind == "element":
            assert element.agg_over_units in {"sum", "count_yes", "average", "none"}
            assert element.agg_over_time in {"sum", "last", "none"}


def test_targets_2021_are_17_provincial_and_2022_from_the_article() -> None:
    """The shipped targets workbook's first rows, read as the nightly run reads it."""
    from ingest.parse import parse_file

    result = parse_file(TARGETS_TEMPLATE, "")
    (sheet,) = [s for s in result.sheets if s.layout == "targets"]
    assert sheet.rows_quarantined == 0 and not [f for f in sheet.findings if f.severity == "error"]
    targets = sheet.targets
    province_2021 = [t for t in targets if t.year == 2021 and t.unit_code == "42"]
    assert len(province_2021) == 17
    assert {t.target_kind for t in targets} == {"at_least", "at_most", "range", "change"}
    grdp_2022 = next(t for t in targets if t.year == 2022 and t.indicator_code == "GRDP_GROWTH")
    assert (grdp_2022.target_low, grdp_2022.target_high) == (8.5, 9.0)
