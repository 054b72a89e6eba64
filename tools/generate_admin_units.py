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


def _converter() -> dict:
    with open(_package_dir() / "data" / "converter_2025.json", encoding="utf-8") as fh:
        return json.load(fh)


def _province_row(code: str, name: str, valid_from: str, valid_to: str) -> dict:
    return {"unit_code": code, "unit_name": name, "unit_type": _province_type(name),
            "unit_level": "province", "parent_code": "", "province_code": code,
            "valid_from": valid_from, "valid_to": valid_to}


def build_units(province: str, converter: dict | None = None) -> tuple[list[dict], list[dict]]:
    """Return (units, changes) for one of today's provinces, both sorted for stable diffs.

    A province the reform left whole (same code, one old province) stays one unit valid
    throughout, so its series needs no succession. A merged province is several units: every
    old province it was formed from ceases on 2025-06-30 and is succeeded by today's province
    through a change row; their districts and communes keep their old province as parent.
    """
    converter = converter or _converter()
    current = _query(
        "SELECT province, provinceKey, ward, wardType, wardCode, wardKey FROM admin_units"
        " WHERE provinceCode = ?",
        (province,),
    )
    if not current:
        raise SystemExit(f"province {province!r} not found in vietnamadminunits")
    new_key = current[0]["provinceKey"]
    province_name = _nfc(current[0]["province"])
    old_keys = converter["DICT_PROVINCE"].get(new_key, [new_key])
    legacy = [row for key in old_keys for row in _query(
        "SELECT province, provinceCode, provinceKey, district, districtType, districtCode, districtKey,"
        " ward, wardType, wardCode, wardKey FROM admin_units_legacy WHERE provinceKey = ?", (key,))]
    old_provinces = {r["provinceCode"]: _nfc(r["province"]) for r in legacy}
    whole = list(old_provinces) == [province]
    units: list[dict] = []
    changes: list[dict] = []
    if whole:
        units.append(_province_row(province, province_name, OPEN_START, OPEN_END))
    else:
        units.append(_province_row(province, province_name, REFORM_DAY, OPEN_END))
        for code, name in old_provinces.items():
            units.append(_province_row(code, name, OPEN_START, LAST_PRE_REFORM_DAY))
            changes.append(_link(code, name, province, province_name, False, True))
    districts: dict[str, dict] = {}
    for row in legacy:
        districts.setdefault(row["districtCode"], {
            "unit_code": row["districtCode"], "unit_name": _nfc(row["district"]),
            "unit_type": _nfc(row["districtType"]), "unit_level": "district",
            "parent_code": row["provinceCode"], "province_code": row["provinceCode"],
            "valid_from": OPEN_START, "valid_to": LAST_PRE_REFORM_DAY,
        })
        if not row["wardCode"]:  # an island district with no communes (Cồn Cỏ, Lý Sơn, ...)
            continue
        units.append({
            "unit_code": row["wardCode"], "unit_name": _nfc(row["ward"]),
            "unit_type": _nfc(row["wardType"]), "unit_level": "commune",
            "parent_code": row["districtCode"], "province_code": row["provinceCode"],
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
    units.sort(key=_unit_order)
    changes.extend(build_changes(new_key, legacy, current, converter))
    changes.sort(key=_change_order)
    return units, changes


def _unit_order(u: dict) -> tuple:
    return (u["unit_level"] != "province", u["unit_level"] != "district", u["valid_from"], u["unit_code"])


def _change_order(c: dict) -> tuple:
    return (len(c["old_code"]) > 2, c["old_code"], c["new_code"])


def build_country() -> tuple[list[dict], list[dict]]:
    """The whole country across eras: every old province with its districts and communes, and
    today's 34 provinces with their communes, with every province and commune change."""
    converter = _converter()
    codes = [r["provinceCode"] for r in _query(
        "SELECT DISTINCT provinceCode FROM admin_units WHERE provinceCode != ? ORDER BY provinceCode", ("",))]
    units: list[dict] = []
    changes: list[dict] = []
    for code in codes:
        u, c = build_units(code, converter)
        units.extend(u)
        changes.extend(c)
    units.sort(key=_unit_order)
    changes.sort(key=_change_order)
    return units, changes


def build_changes(new_province_key: str, legacy: list[dict], current: list[dict],
                  converter: dict) -> list[dict]:
    """Old-to-new commune mapping of the July 2025 reform, split communes marked. The
    converter is keyed by today's province; its old keys name the old province, so a merged
    province's communes of every old province are linked. An island district without
    communes links as the district itself."""
    old_by_key = {f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}": r for r in legacy}
    new_by_key = {r["wardKey"]: r for r in current}
    changes: list[dict] = []
    whole = converter["DICT_PROVINCE_WARD_NO_DIVIDED"].get(new_province_key, {})
    for new_key, old_keys in whole.items():
        for old_key in old_keys:
            if old_key in old_by_key:
                changes.append(_change(old_by_key[old_key], new_by_key[new_key], False, True))
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"].get(new_province_key, {})
    for old_key, targets in divided.items():
        if old_key not in old_by_key:
            continue
        for target in targets:
            changes.append(_change(old_by_key[old_key], new_by_key[target["newWardKey"]],
                                   True, bool(target["isDefaultNewWard"])))
    return changes


def _change(old: dict, new: dict, is_split: bool, is_default: bool) -> dict:
    if old["wardCode"]:
        code, name = old["wardCode"], _nfc(old["ward"])
    else:
        code, name = old["districtCode"], _nfc(old["district"])
    return _link(code, name, new["wardCode"], _nfc(new["ward"]), is_split, is_default)


def _link(old_code: str, old_name: str, new_code: str, new_name: str, is_split: bool,
          is_default: bool) -> dict:
    return {
        "old_code": old_code, "old_name": old_name, "new_code": new_code, "new_name": new_name,
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
    if args.province == "all":
        units, changes = build_country()
    else:
        units, changes = build_units(args.province)
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "admin_units.csv", UNIT_FIELDS, units)
    write_csv(args.out / "admin_unit_changes.csv", CHANGE_FIELDS, changes)
    print(f"{len(units)} units, {len(changes)} old-to-new links written to {args.out}")


if __name__ == "__main__":
    main()
