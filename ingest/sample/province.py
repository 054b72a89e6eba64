"""`python -m ingest sample --province CODE`: a reproducible inbox for any of the 34 provinces.

The Hà Tĩnh sample (the package's `generate`) carries the source article's figures; this
one carries no article, only the shape every province's history has (eras.md): the old
communes' annual reports for 2021-2024 and their monthly reports for January-June 2025,
today's communes' monthly reports from July 2025 to the last month that has ended and their
2025 annual report (stocks only). For a merged province the old communes belong to two or
three old provinces, so the old provinces stand side by side as reported, and today's
province carries all of them on today's units.

Its unit list is generated from the reference package (tools/generate_admin_units.py) into
the sample's own seeds folder beside the inbox, so `CHITIEU_SEEDS_DIR=<out>/seeds` is all a
run needs. Expected values are computed here in plain Python, from the values written and
the old-to-new links, apart from the dbt models.
"""

from __future__ import annotations

import csv
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from base.reference import DEFAULT_SEEDS_DIR, Unit, data_elements, load_units
from ingest.sample.eras import _carry, _successors, _sum, months_between
from ingest.sample.render import cell_text, layout_a
from ingest.sample.workbook import Sheet

REFORM = date(2025, 7, 1)
LAST_OLD_DAY = date(2025, 6, 30)
OLD_YEARS = (2021, 2022, 2023, 2024)
STOCKS = ("HH_TOTAL", "HH_POOR")
FLOWS = ("PARTY_NEW_MEMBERS",)
ELEMENTS = (*STOCKS, *FLOWS)
EXPECTED_FIELDS = ["view", "unit_code", "unit_level", "period", "indicator_code", "value",
                   "is_approximate"]
TOOLS = Path(__file__).resolve().parents[2] / "tools" / "generate_admin_units.py"
Key = tuple[str, date]  # a unit is its code and the day it began: codes are reused


def write_seeds(province: str, seeds: Path) -> None:
    """The project's reference data with the province's own unit list, generated."""
    seeds.mkdir(parents=True, exist_ok=True)
    for path in DEFAULT_SEEDS_DIR.glob("*.csv"):
        if not path.name.startswith("admin_unit"):
            shutil.copyfile(path, seeds / path.name)
    subprocess.run([sys.executable, str(TOOLS), "--province", province, "--out", str(seeds)],
                   check=True, capture_output=True, text=True)


@dataclass
class ProvinceTruth:
    """What each unit reported, by unit key and period, and the units it needs to say so."""

    province: Unit
    old_provinces: list[Unit]
    districts: list[Unit]
    old: list[Unit]
    new: list[Unit]
    successors: dict[str, list[tuple[str, float, bool]]]
    last_month: tuple[int, int]
    values: dict[tuple[Key, str], dict[str, int]] = field(default_factory=dict)

    def put(self, unit: Unit, period: str, values: dict[str, int]) -> None:
        self.values[((unit.code, unit.valid_from), period)] = values

    def get(self, unit: Unit, period: str) -> dict[str, int]:
        return self.values.get(((unit.code, unit.valid_from), period), {})


def build_truth(seeds: Path, today: date, seed: int, communes: int | None = None) -> ProvinceTruth:
    """`communes`: keep only the first N old communes of each old province and the communes
    of today that succeed them (a small inbox for tests); every unit of the list otherwise."""
    rng = random.Random(seed)
    units = load_units(seeds)
    province = next(u for u in units if u.level == "province" and u.valid_to > LAST_OLD_DAY)
    old_provinces = sorted((u for u in units if u.level == "province" and u.exists_on(LAST_OLD_DAY)),
                           key=lambda u: u.code)
    districts = sorted((u for u in units if u.level == "district"), key=lambda u: u.code)
    old = sorted((u for u in units if u.level == "commune" and u.valid_to == LAST_OLD_DAY),
                 key=lambda u: u.code)
    new = sorted((u for u in units if u.level == "commune" and u.valid_from == REFORM),
                 key=lambda u: u.code)
    if communes is not None:
        province_of = {d.code: d.parent_code for d in districts}
        kept: dict[str, list[Unit]] = {}
        for c in old:
            kept.setdefault(province_of[c.parent_code], []).append(c)
        old = sorted((c for group in kept.values() for c in group[:communes]), key=lambda u: u.code)
        successors = _successors(old, seeds)
        reached = {code for links in successors.values() for code, _, _ in links}
        new = [n for n in new if n.code in reached]
    first = today.replace(day=1) - timedelta(days=1)
    truth = ProvinceTruth(province, old_provinces, districts, old, new, _successors(old, seeds),
                          (first.year, first.month))
    state = {c.code: {"HH_TOTAL": rng.randint(800, 4000)} for c in old}
    for s in state.values():
        s["HH_POOR"] = round(s["HH_TOTAL"] * rng.uniform(0.02, 0.12))
    for year in OLD_YEARS:
        for c in old:
            s = state[c.code]
            s["HH_TOTAL"] = round(s["HH_TOTAL"] * rng.uniform(1.005, 1.015))
            s["HH_POOR"] = max(1, round(s["HH_POOR"] * rng.uniform(0.80, 0.92)))
            truth.put(c, str(year), {**s, "PARTY_NEW_MEMBERS": rng.randint(2, 12)})
    for _, month in months_between((2025, 1), (2025, 6)):
        for c in old:
            s = state[c.code]
            s["HH_TOTAL"] += rng.randint(0, 3)
            s["HH_POOR"] -= rng.randint(0, s["HH_POOR"] // 100)
            truth.put(c, f"2025-{month:02d}", {**s, "PARTY_NEW_MEMBERS": rng.randint(0, 3)})
    carried, _ = _carry(truth, {c.code: state[c.code] for c in old})
    new_state = {n.code: {e: round(carried.get(n.code, {}).get(e, 0.0)) or 500 for e in STOCKS}
                 for n in new}
    for year, month in months_between((2025, 7), truth.last_month):
        for n in new:
            s = new_state[n.code]
            s["HH_TOTAL"] += rng.randint(0, 8)
            s["HH_POOR"] -= rng.randint(0, s["HH_POOR"] // 100)
            truth.put(n, f"{year}-{month:02d}", {**s, "PARTY_NEW_MEMBERS": rng.randint(1, 6)})
            if (year, month) == (2025, 12):  # the annual report, sent in January: stocks only
                truth.put(n, "2025", dict(s))
    return truth


def write_inbox(truth: ProvinceTruth, inbox: Path, seeds: Path) -> int:
    """Every report as a clerk sends it: layout A, unit by code and name, dated when sent."""
    from ingest.sample import LOCAL_TZ

    elements = data_elements(seeds)
    rng = random.Random(7)
    by_key = {(u.code, u.valid_from): u for u in (*truth.old, *truth.new)}
    files = 0
    for (key, period), values in sorted(truth.values.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        unit = by_key[key]
        items = [(elements[e], cell_text(elements[e], values[e], rng, "number"))
                 for e in ELEMENTS if e in values]
        if len(period) == 4:
            period_text, sent, name = f"Năm {period}", datetime(int(period) + 1, 1, 10, 9), f"BC nam {period}"
        else:
            year, month = int(period[:4]), int(period[5:])
            period_text, name = f"Tháng {month}/{year}", f"BC thang {month:02d}-{year}"
            sent = datetime(year + (month == 12), month % 12 + 1, 3, 9)
        sent += timedelta(minutes=rng.randint(0, 600))
        era = "Sau sap nhap" if unit.valid_from == REFORM else "Truoc sap nhap"
        rel = f"{period[:4]}/{era}/{unit.code}/{name} - {unit.code}.xlsx"
        lines = [["Mã đơn vị", unit.code], ["Đơn vị báo cáo", unit.name]]
        _save(inbox / rel, [layout_a("Báo cáo", lines, period_text, items, rng)], sent, LOCAL_TZ)
        files += 1
    return files


def _save(path: Path, sheets: list[Sheet], when: datetime, tz) -> None:
    import os

    from ingest.sample.workbook import write_workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(path, sheets)
    stamp = when.replace(tzinfo=tz).timestamp()
    os.utime(path, (stamp, stamp))


def expected_rows(truth: ProvinceTruth) -> list[dict]:
    """Year figures in both views (eras.md), with the poverty rate."""
    rows: list[dict] = []

    def emit(view: str, unit: str, level: str, period: str, values: dict[str, float],
             approx: set[str]) -> None:
        if values.get("HH_TOTAL") and "HH_POOR" in values:
            values = dict(values, POVERTY_RATE=100 * values["HH_POOR"] / values["HH_TOTAL"])
            if approx & {"HH_POOR", "HH_TOTAL"}:
                approx = approx | {"POVERTY_RATE"}
        for element, value in sorted(values.items()):
            rows.append({"view": view, "unit_code": unit, "unit_level": level, "period": period,
                         "indicator_code": element, "value": value,
                         "is_approximate": str(element in approx).lower()})

    for year in OLD_YEARS:
        period = str(year)
        per_old = {c.code: truth.get(c, period) for c in truth.old}
        for c in truth.old:
            emit("as_reported", c.code, "commune", period, per_old[c.code], set())
        for d in truth.districts:
            children = [per_old[c.code] for c in truth.old if c.parent_code == d.code]
            if children:
                emit("as_reported", d.code, "district", period, _sum(children), set())
        district_province = {d.code: d.parent_code for d in truth.districts}
        for p in truth.old_provinces:
            emit("as_reported", p.code, "province", period,
                 _sum(per_old[c.code] for c in truth.old if district_province[c.parent_code] == p.code),
                 set())
        carried, approx = _carry(truth, per_old)
        for n in truth.new:
            if carried.get(n.code):
                emit("current_units", n.code, "commune", period, carried[n.code], approx[n.code])
        emit("current_units", truth.province.code, "province", period, _sum(per_old.values()),
             set().union(*approx.values()))
    for year in range(2025, truth.last_month[0] + 1):
        period = str(year)
        months = [(y, m) for y, m in months_between((year, 1), (year, 12)) if (y, m) <= truth.last_month]
        before = [f"{y}-{m:02d}" for y, m in months if date(y, m, 1) < REFORM]
        after = [f"{y}-{m:02d}" for y, m in months if date(y, m, 1) >= REFORM]
        flows_old = {c.code: _sum({e: v for e, v in truth.get(c, p).items() if e in FLOWS}
                                  for p in before) for c in truth.old}
        carried, approx = _carry(truth, flows_old)
        per_new = {}
        for n in truth.new:
            own = _sum({e: v for e, v in truth.get(n, p).items() if e in FLOWS} for p in after)
            values = _sum([carried.get(n.code, {}), own])
            values.update({e: v for e, v in truth.get(n, after[-1]).items() if e in STOCKS})
            per_new[n.code] = values
            for view in ("as_reported", "current_units"):
                emit(view, n.code, "commune", period, values, approx.get(n.code, set()) - set(STOCKS))
        for view in ("as_reported", "current_units"):
            emit(view, truth.province.code, "province", period, _sum(per_new.values()),
                 set().union(*approx.values()) - set(STOCKS))
    return rows


def generate_province(province: str, out: Path, seed: int = 2021, today: date | None = None,
                      communes: int | None = None) -> dict[str, int]:
    """Seeds, inbox and expected values of one province under `out`; counts for the caller."""
    from ingest.sample import LOCAL_TZ

    today = today or datetime.now(LOCAL_TZ).date()
    seeds, inbox, expected = out / "seeds", out / "inbox", out / "expected"
    write_seeds(province, seeds)
    truth = build_truth(seeds, today, seed, communes)
    inbox.mkdir(parents=True, exist_ok=True)
    files = write_inbox(truth, inbox, seeds)
    expected.mkdir(parents=True, exist_ok=True)
    rows = expected_rows(truth)
    with open(expected / "indicator_values_eras.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=EXPECTED_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return {"files": files, "old_provinces": len(truth.old_provinces), "old_communes": len(truth.old),
            "communes": len(truth.new)}
