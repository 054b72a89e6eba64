"""Regenerate the administrative-unit seeds from the `vietnamadminunits` package.

The package is needed at generation time only (it is a dev dependency); the CSVs it
produces are committed as dbt seeds so that builds never depend on it.

Limits of the source, recorded here because they shape the seeds:
- its pre-July-2025 list is a January 2025 snapshot: district-level units as they stood
  then (Lộc Hà already folded into Thạch Hà), communes after the 2019-2024 mergers. Units
  before that snapshot are not in it; supply your own list in the same format
  (`--legacy-csv`) to cover earlier years exactly.
- it gives no validity dates, so pre-reform units are valid until 2025-06-30 and the new
  communes from 2025-07-01; the start date of pre-reform units is left open (1900-01-01).

Usage: python tools/generate_admin_units.py [--province 42] [--out dbt_project/seeds]
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import unicodedata
from pathlib import Path

REFORM_DAY = "2025-07-01"
LAST_PRE_REFORM_DAY = "2025-06-30"
OPEN_START = "1900-01-01"
OPEN_END = "9999-12-31"

UNIT_FIELDS = [
    "unit_code", "unit_name", "unit_type", "unit_level", "parent_code",
    "province_code", "valid_from", "valid_to",
]
CHANGE_FIELDS = [
    "old_code", "old_name", "new_code", "new_name", "is_split", "is_default_new", "effective_date",
    "share",
]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _province_type(name: str) -> str:
    return "Tỉnh" if name.startswith("Tỉnh") else "Thành phố"


def _package_dir() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent


def _query(sql: str, params: tuple) -> list[dict]:
    with sqlite3.connect(_package_dir() / "data" / "dataset.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]


def build_units(province: str) -> tuple[list[dict], list[dict]]:
    """Return (units, changes) for one province, both sorted for stable diffs."""
    legacy = _query(
        "SELECT province, provinceKey, district, districtType, districtCode, districtKey,"
        " ward, wardType, wardCode, wardKey FROM admin_units_legacy WHERE provinceCode = ?",
        (province,),
    )
    current = _query(
        "SELECT province, ward, wardType, wardCode, wardKey FROM admin_units"
        " WHERE provinceCode = ?",
        (province,),
    )
    if not legacy or not current:
        raise SystemExit(f"province {province!r} not found in vietnamadminunits")
    province_name = _nfc(current[0]["province"])
    units: list[dict] = [{
        "unit_code": province, "unit_name": province_name, "unit_type": _province_type(province_name),
        "unit_level": "province", "parent_code": "", "province_code": province,
        "valid_from": OPEN_START, "valid_to": OPEN_END,
    }]
    districts: dict[str, dict] = {}
    for row in legacy:
        districts.setdefault(row["districtCode"], {
            "unit_code": row["districtCode"], "unit_name": _nfc(row["district"]),
            "unit_type": _nfc(row["districtType"]), "unit_level": "district",
            "parent_code": province, "province_code": province,
            "valid_from": OPEN_START, "valid_to": LAST_PRE_REFORM_DAY,
        })
        units.append({
            "unit_code": row["wardCode"], "unit_name": _nfc(row["ward"]),
            "unit_type": _nfc(row["wardType"]), "unit_level": "commune",
            "parent_code": row["districtCode"], "province_code": province,
            "valid_from": OPEN_START, "valid_to": LAST_PRE_REFORM_DAY,
        })
    units.extend(districts.values())
    for row in current:
        units.append({
            "unit_code": row["wardCode"], "unit_name": _nfc(row["ward"]),
            "unit_type": _nfc(row["wardType"]), "unit_level": "commune",
            "parent_code": province, "province_code": province,
            "valid_from": REFORM_DAY, "valid_to": OPEN_END,
        })
    units.sort(key=lambda u: (u["unit_level"] != "province", u["unit_level"] != "district",
                              u["valid_from"], u["unit_code"]))
    return units, build_changes(legacy, current)


def build_current_units_all() -> list[dict]:
    """Every province and its communes since July 2025 (no districts, no history)."""
    rows = _query("SELECT province, provinceCode, ward, wardType, wardCode FROM admin_units "
                  "WHERE provinceCode != ? ORDER BY provinceCode, wardCode", ("",))
    units: dict[str, dict] = {}
    for row in rows:
        code = row["provinceCode"]
        name = _nfc(row["province"])
        units.setdefault(code, {
            "unit_code": code, "unit_name": name, "unit_type": _province_type(name),
            "unit_level": "province", "parent_code": "",
            "province_code": code, "valid_from": OPEN_START, "valid_to": OPEN_END})
    communes = [{
        "unit_code": r["wardCode"], "unit_name": _nfc(r["ward"]), "unit_type": _nfc(r["wardType"]),
        "unit_level": "commune", "parent_code": r["provinceCode"], "province_code": r["provinceCode"],
        "valid_from": REFORM_DAY, "valid_to": OPEN_END} for r in rows]
    return list(units.values()) + communes


def build_changes(legacy: list[dict], current: list[dict]) -> list[dict]:
    """Old-to-new commune mapping of the July 2025 reform, split communes marked."""
    with open(_package_dir() / "data" / "converter_2025.json", encoding="utf-8") as fh:
        converter = json.load(fh)
    province_key = legacy[0]["provinceKey"]
    old_by_key = {f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}": r for r in legacy}
    new_by_key = {r["wardKey"]: r for r in current}
    changes: list[dict] = []
    whole = converter["DICT_PROVINCE_WARD_NO_DIVIDED"].get(province_key, {})
    for new_key, old_keys in whole.items():
        for old_key in old_keys:
            if old_key in old_by_key:
                changes.append(_change(old_by_key[old_key], new_by_key[new_key], False, True))
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"].get(province_key, {})
    for old_key, targets in divided.items():
        for target in targets:
            changes.append(_change(old_by_key[old_key], new_by_key[target["newWardKey"]],
                                   True, bool(target["isDefaultNewWard"])))
    changes.sort(key=lambda c: (c["old_code"], c["new_code"]))
    return changes


def _change(old: dict, new: dict, is_split: bool, is_default: bool) -> dict:
    return {
        "old_code": old["wardCode"], "old_name": _nfc(old["ward"]),
        "new_code": new["wardCode"], "new_name": _nfc(new["ward"]),
        "is_split": str(is_split).lower(), "is_default_new": str(is_default).lower(),
        "effective_date": REFORM_DAY,
        "share": "",  # fraction of the old unit's households; the office fills it in
    }


def write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", default="42",
                        help="GSO province code (default 42, Hà Tĩnh), or 'all'")
    parser.add_argument("--out", type=Path, default=Path("dbt_project/seeds"))
    args = parser.parse_args(argv)
    if args.province == "all":  # today's 34 provinces and 3,321 communes (national benchmark)
        units, changes = build_current_units_all(), []
    else:
        units, changes = build_units(args.province)
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "admin_units.csv", UNIT_FIELDS, units)
    write_csv(args.out / "admin_unit_changes.csv", CHANGE_FIELDS, changes)
    print(f"{len(units)} units, {len(changes)} old-to-new links written to {args.out}")


if __name__ == "__main__":
    main()
