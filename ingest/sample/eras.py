"""The sample's years after 2021, across the July 2025 reform, and their expected values.

2021 (the article's year) is left exactly as `truth.py` builds it. After it the office
receives what it receives today: the 209 pre-reform communes' annual reports for 2022-2024
and their monthly reports for January-June 2025; from July 2025 the 69 new communes'
monthly reports up to the last month that has ended, and their 2025 annual reports (stocks
only: the year's flows come from the months, across the change); the province's own
reports every year. Expected values are computed here, in plain Python and apart from the
dbt models, in both views of eras.md: as reported, and on today's units (through the
old-to-new mapping; a split commune without a share goes whole to its default successor).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from base.reference import Element, Unit, load_unit_changes, load_units
from ingest.sample.render import cell_text, layout_a, unit_lines
from ingest.sample.truth import YEAR, Truth, apportion

REFORM = date(2025, 7, 1)
ANNUAL_YEARS = (2022, 2023, 2024)
ANNUAL = ["POP_TOTAL", "HH_TOTAL", "HH_POOR", "HH_NEAR_POOR", "PARTY_MEMBERS",
          "PARTY_NEW_MEMBERS", "HOUSES_BUILT"]
MONTHLY = ["HH_TOTAL", "HH_POOR", "PARTY_NEW_MEMBERS", "HOUSES_BUILT"]
NEW_ANNUAL = ["POP_TOTAL", "HH_TOTAL", "HH_POOR", "HH_NEAR_POOR", "PARTY_MEMBERS"]  # stocks only
STOCKS = {"POP_TOTAL", "HH_TOTAL", "HH_POOR", "HH_NEAR_POOR", "PARTY_MEMBERS"}
PROVINCE_OWN = {  # illustrative, year by year: the province's own annual report
    2022: {"GRDP_GROWTH": 8.0, "GRDP_PER_CAPITA": 72.5, "INCOME_PER_CAPITA": 40.1,
           "BUDGET_REVENUE": 16_850.0, "PUBLIC_INVEST_DISBURSED": 91.2},
    2023: {"GRDP_GROWTH": 7.1, "GRDP_PER_CAPITA": 76.0, "INCOME_PER_CAPITA": 43.0,
           "BUDGET_REVENUE": 17_420.0, "PUBLIC_INVEST_DISBURSED": 93.5},
    2024: {"GRDP_GROWTH": 7.4, "GRDP_PER_CAPITA": 80.3, "INCOME_PER_CAPITA": 46.2,
           "BUDGET_REVENUE": 18_050.0, "PUBLIC_INVEST_DISBURSED": 95.1},
    2025: {"GRDP_GROWTH": 8.2, "GRDP_PER_CAPITA": 86.1, "INCOME_PER_CAPITA": 49.8,
           "BUDGET_REVENUE": 19_300.0, "PUBLIC_INVEST_DISBURSED": 96.0},
}
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UnitKey = tuple[str, date]  # code and valid_from: 18073 is two units


def last_closed_month(today: date) -> tuple[int, int]:
    """The latest month that has ended: its reports are the newest an office holds."""
    first = today.replace(day=1) - timedelta(days=1)
    return first.year, first.month


def months_between(start: tuple[int, int], end: tuple[int, int]) -> list[tuple[int, int]]:
    out, (y, m) = [], start
    while (y, m) <= end:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class EraTruth:
    """Reported values by unit (code, valid_from) and period, after 2021."""

    old: list[Unit]
    new: list[Unit]
    province: Unit
    successors: dict[str, list[tuple[str, float, bool]]]  # old code -> (new code, share, approx)
    last_month: tuple[int, int]
    values: dict[tuple[UnitKey, str], dict[str, float]] = field(default_factory=dict)

    def put(self, unit: Unit, period: str, element: str, value: float) -> None:
        self.values.setdefault(((unit.code, unit.valid_from), period), {})[element] = value

    def get(self, unit: Unit, period: str) -> dict[str, float]:
        return self.values.get(((unit.code, unit.valid_from), period), {})


def _successors(old: list[Unit], seeds: Path | None = None) -> dict[str, list[tuple[str, float, bool]]]:
    """eras.md: whole into one; split by share, else whole to the default, approximate."""
    rows: dict[str, list] = {}
    for change in load_unit_changes(seeds):
        rows.setdefault(change.old_code, []).append(change)
    out: dict[str, list[tuple[str, float, bool]]] = {}
    for unit in old:
        changes = rows.get(unit.code, [])
        if not changes:
            raise ValueError(f"{unit.name} ({unit.code}) has no successor in admin_unit_changes")
        if any(c.share is not None for c in changes):
            out[unit.code] = [(c.new_code, c.share or 0.0, False) for c in changes]
        elif len(changes) == 1:
            out[unit.code] = [(changes[0].new_code, 1.0, False)]
        else:
            default = next(c for c in changes if c.is_default_new)
            out[unit.code] = [(default.new_code, 1.0, True)]
    return out


def build_era_truth(truth: Truth, today: date, seed: int = 2025) -> EraTruth:
    rng = random.Random(seed)
    units = load_units()
    old = [u for u in truth.communes]
    new = sorted((u for u in units if u.level == "commune" and u.valid_from == REFORM),
                 key=lambda u: u.code)
    era = EraTruth(old, new, truth.province, _successors(old), last_closed_month(today))
    y0 = str(YEAR)
    state = {}
    for c in old:
        v = truth.values[(c.code, y0)]
        state[c.code] = {"POP_TOTAL": v["POP_TOTAL"], "HH_TOTAL": v["HH_TOTAL"],
                         "HH_POOR": v["HH_POOR"], "HH_NEAR_POOR": v["HH_NEAR_POOR"],
                         "PARTY_MEMBERS": v["PARTY_MEMBERS"]}
    flows = {c.code: {"PARTY_NEW_MEMBERS": truth.values[(c.code, y0)]["PARTY_NEW_MEMBERS"],
                      "HOUSES_BUILT": truth.values[(c.code, y0)]["HOUSES_BUILT"] or 10}
             for c in old}
    for year in ANNUAL_YEARS:
        for c in old:
            s = state[c.code]
            s["HH_TOTAL"] = round(s["HH_TOTAL"] * rng.uniform(1.005, 1.015))
            s["POP_TOTAL"] = round(s["POP_TOTAL"] * rng.uniform(1.003, 1.012))
            # Figures move as real ones do, never tenfold in a year: the outlier rule stays quiet.
            s["HH_POOR"] = max(min(1, s["HH_POOR"]), round(s["HH_POOR"] * rng.uniform(0.70, 0.85)))
            s["HH_NEAR_POOR"] = max(min(1, s["HH_NEAR_POOR"]),
                                    round(s["HH_NEAR_POOR"] * rng.uniform(0.80, 0.92)))
            new_members = max(1, round(flows[c.code]["PARTY_NEW_MEMBERS"] * rng.uniform(0.8, 1.2)))
            houses = round(flows[c.code]["HOUSES_BUILT"] * rng.uniform(0.8, 1.2))
            flows[c.code] = {"PARTY_NEW_MEMBERS": new_members, "HOUSES_BUILT": houses}
            s["PARTY_MEMBERS"] += new_members - rng.randint(0, 4)
            for element in STOCKS:
                era.put(c, str(year), element, s[element])
            era.put(c, str(year), "PARTY_NEW_MEMBERS", new_members)
            era.put(c, str(year), "HOUSES_BUILT", houses)
    for month in range(1, 7):  # the old communes' last half-year, month by month
        period = f"2025-{month:02d}"
        for c in old:
            s = state[c.code]
            s["HH_TOTAL"] += rng.randint(0, 3)
            s["HH_POOR"] -= rng.randint(0, s["HH_POOR"] // 100)
            for element in ("HH_TOTAL", "HH_POOR"):
                era.put(c, period, element, s[element])
            era.put(c, period, "PARTY_NEW_MEMBERS", rng.randint(1, 3))
            era.put(c, period, "HOUSES_BUILT", rng.randint(1, 4))
    new_state: dict[str, dict[str, float]] = {n.code: dict.fromkeys(STOCKS, 0) for n in new}
    for c in old:
        for code, share, _ in era.successors[c.code]:
            for element in STOCKS:
                new_state[code][element] += state[c.code][element] * share
    for s in new_state.values():
        for element in STOCKS:
            s[element] = round(s[element])
    for year, month in months_between((2025, 7), era.last_month):
        period = f"{year}-{month:02d}"
        for n in new:
            s = new_state[n.code]
            s["HH_TOTAL"] += rng.randint(0, 8)
            # about 1 % fewer poor households a month at most: a steady trend, no outlier
            s["HH_POOR"] -= rng.randint(0, s["HH_POOR"] // 100)
            s["POP_TOTAL"] += rng.randint(0, 20)
            for element in ("HH_TOTAL", "HH_POOR"):
                era.put(n, period, element, s[element])
            era.put(n, period, "PARTY_NEW_MEMBERS", rng.randint(2, 8))
            era.put(n, period, "HOUSES_BUILT", rng.randint(3, 9))
        if (year, month) == (2025, 12):  # the 2025 annual report, sent in January 2026
            for n in new:
                for element in NEW_ANNUAL:
                    era.put(n, "2025", element, new_state[n.code][element])
    for year, own in PROVINCE_OWN.items():
        if (year, 12) <= era.last_month:
            for element, value in own.items():
                era.put(truth.province, str(year), element, value)
    return era


def write_era_inbox(inbox, era: EraTruth, elements: dict[str, Element]) -> None:
    """Every report of the era truth as a clerk would send it (layout A, .xlsx)."""
    rng = random.Random(7)
    for (key, period), values in sorted(era.values.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        code, valid_from = key
        unit = _unit(era, code, valid_from)
        codes = [c for c in (*ANNUAL, *MONTHLY, *PROVINCE_OWN[2022]) if c in values]
        items = [(elements[c], cell_text(elements[c], values[c], rng, "number"))
                 for c in dict.fromkeys(codes)]
        if len(period) == 4:
            period_text, sent = f"Năm {period}", datetime(int(period) + 1, 1, 10, 9)
            name = f"BC nam {period}"
        else:
            year, month = int(period[:4]), int(period[5:])
            period_text = f"Tháng {month}/{year}"
            sent = datetime(year + (month == 12), month % 12 + 1, 3, 9)
            name = f"BC thang {month:02d}-{year}"
        folder = "Tinh" if unit.level == "province" else (
            f"Sau sap nhap/{unit.code}" if unit.valid_from == REFORM else f"Truoc sap nhap/{unit.code}")
        sent += timedelta(minutes=rng.randint(0, 600))
        rel = f"{period[:4]}/{folder}/{name} - {unit.code}.xlsx"
        if period == "2023" and unit.level == "commune" and _other_shape(inbox, era, unit, values,
                                                                          elements, rel, sent, rng):
            continue
        sheet = layout_a("Báo cáo", unit_lines(unit.code, unit.name, rng), period_text, items, rng)
        inbox.save(rel, [sheet], sent)
    _district_total(inbox, era, elements, rng)


def _other_shape(inbox, era: EraTruth, unit: Unit, values: dict[str, float],
                 elements: dict[str, Element], rel: str, sent: datetime, rng: random.Random) -> bool:
    """Shapes offices really send, each carrying the same figures as the plain annual report,
    so the expected values hold whatever the shape (spreadsheets.md, indicators.md): a
    commune reporting quarterly, a report in two sheets, a letterhead name, a ward that also
    sends an NTM status (quarantined: xã only), the unit written only as the issuing body
    above the title, on one row or two (Decree 30/2020/NĐ-CP)."""
    shape = era.old.index(unit) % 12
    items = [(elements[c], values[c]) for c in ANNUAL if c in values]
    if shape == 1:  # four quarterly reports make the year: flows split, stocks as at Q4
        parts = {c: apportion(int(values[c]), [1, 1, 1, 1]) for c in ANNUAL if c not in STOCKS}
        for q in range(4):
            quarter = [(e, v if e.code in STOCKS else parts[e.code][q]) for e, v in items]
            sheet = layout_a("Báo cáo", unit_lines(unit.code, unit.name, rng),
                             f"Quý {['I', 'II', 'III', 'IV'][q]}/2023", quarter, rng)
            inbox.save(rel.replace("BC nam 2023", f"BC quy {q + 1}-2023"), [sheet],
                       datetime(2023, 3 * q + 3, 28) + timedelta(days=10))
        return True
    if shape == 2:  # one report in two sheets of one workbook
        half = len(items) // 2
        sheets = [layout_a(f"Báo cáo ({n + 1})", unit_lines(unit.code, unit.name, rng), "Năm 2023",
                           part, rng) for n, part in enumerate((items[:half], items[half:]))]
        inbox.save(rel, sheets, sent)
        return True
    if shape == 3:  # the letterhead as the clerk writes it, beside the code
        district = next(u for u in load_units() if u.code == unit.parent_code and u.exists_on(
            date(2023, 12, 31)))
        lines = [["Mã đơn vị", unit.code], [f"Đơn vị báo cáo: UBND {unit.name.upper()}, {district.name}"]]
        inbox.save(rel, [layout_a("Báo cáo", lines, "Năm 2023", items, rng)], sent)
        return True
    if shape in (5, 6) and _named_once(unit):  # the issuing body alone names the unit
        sheet = layout_a("Báo cáo", [], "Năm 2023", items, rng)
        if shape == 5:  # "UBND XÃ …" on one row, beside the motto
            sheet.rows[0][0] = f"UBND {unit.name.upper()}"
        else:  # "ỦY BAN NHÂN DÂN" over the unit's name
            sheet.rows[0][0], sheet.rows[1][0] = "ỦY BAN NHÂN DÂN", unit.name.upper()
        inbox.save(rel, [sheet], sent)
        return True
    if shape == 4 and unit.unit_type == "Phường":  # a ward's NTM status: quarantined
        sheet = layout_a("Báo cáo", unit_lines(unit.code, unit.name, rng), "Năm 2023",
                         [*items, (elements["NTM_STATUS"], "Đạt")], rng)
        inbox.save(rel, [sheet], sent)
        inbox.label(rel, "Báo cáo", "", "not_reported_by_level", "quarantined")
        return True
    return False


def _named_once(unit: Unit) -> bool:
    """Whether the unit's name alone names it in its period (no namesake in the unit list)."""
    from base.units import name_key

    key = name_key(unit.name)
    return sum(1 for u in load_units() if name_key(u.name) == key) == 1


def _district_total(inbox, era: EraTruth, elements: dict[str, Element], rng: random.Random) -> None:
    """A district's own total of poor households for 2022 beside its communes' reports: a
    reported total, superseded by the communes' figures (equal here, so no finding)."""
    district = next(u for u in load_units() if u.level == "district" and u.exists_on(date(2022, 12, 31)))
    poor = sum(era.get(c, "2022")["HH_POOR"] for c in era.old if c.parent_code == district.code)
    sheet = layout_a("Báo cáo", unit_lines(district.code, district.name, rng), "Năm 2022",
                     [(elements["HH_POOR"], poor)], rng)
    inbox.save(f"2022/Huyen/BC ho ngheo 2022 - {district.code}.xlsx", [sheet],
               datetime(2023, 1, 18, 9))


def _unit(era: EraTruth, code: str, valid_from: date) -> Unit:
    for unit in (*era.old, *era.new, era.province):
        if unit.code == code and unit.valid_from == valid_from:
            return unit
    raise KeyError(code)


def expected_rows(truth: Truth, era: EraTruth) -> list[dict]:
    """Year figures in both views for the commune-reported elements and POVERTY_RATE."""
    rows: list[dict] = []
    y0 = str(YEAR)

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

    def old_year(c: Unit, year: int) -> dict[str, float]:
        if year == YEAR:
            v = truth.values[(c.code, y0)]
            return {e: float(v[e]) for e in ANNUAL if v.get(e) is not None}
        return dict(era.get(c, str(year)))

    districts = {d.code: [c for c in era.old if c.parent_code == d.code] for d in truth.districts}
    years = [YEAR, *ANNUAL_YEARS]
    for year in years:
        period = str(year)
        per_old = {c.code: old_year(c, year) for c in era.old}
        # As reported: the pre-reform hierarchy (communes, districts, province).
        for c in era.old:
            emit("as_reported", c.code, "commune", period, per_old[c.code], set())
        for d, children in districts.items():
            emit("as_reported", d, "district", period, _sum(per_old[c.code] for c in children), set())
        province = _sum(per_old.values())
        emit("as_reported", era.province.code, "province", period, province, set())
        # On today's units: each old commune's additive figures carried to its successor(s).
        carried, approx = _carry(era, per_old)
        for n in era.new:
            if carried.get(n.code):
                emit("current_units", n.code, "commune", period, carried[n.code], approx[n.code])
        emit("current_units", era.province.code, "province", period, province,
             set().union(*approx.values()))
    # 2025 and the current year: on the new communes in both views (their last day's units).
    for year in range(2025, era.last_month[0] + 1):
        period = str(year)
        months = [(y, m) for y, m in months_between((year, 1), (year, 12)) if (y, m) <= era.last_month]
        before = [f"{y}-{m:02d}" for y, m in months if date(y, m, 1) < REFORM]
        after = [f"{y}-{m:02d}" for y, m in months if date(y, m, 1) >= REFORM]
        flows_old = {c.code: _sum(_only(era.get(c, p), MONTHLY, STOCKS) for p in before)
                     for c in era.old}
        carried, approx = _carry(era, flows_old)
        latest_old = {c.code: _only(era.get(c, before[-1]), STOCKS, set()) for c in era.old} \
            if before and not after else {}
        carried_stocks, _ = _carry(era, latest_old) if latest_old else ({}, {})
        per_new: dict[str, dict[str, float]] = {}
        for n in era.new:
            own_flows = _sum(_only(era.get(n, p), MONTHLY, STOCKS) for p in after)
            values = _sum([carried.get(n.code, {}), own_flows])
            reported = era.get(n, period)
            stocks = {e: v for e, v in reported.items() if e in STOCKS} or (
                _only(era.get(n, after[-1]), STOCKS, set()) if after else carried_stocks.get(n.code, {}))
            values.update(stocks)
            per_new[n.code] = values
            flows_approx = approx.get(n.code, set()) - set(stocks)
            for view in ("as_reported", "current_units"):
                emit(view, n.code, "commune", period, values, flows_approx)
        province = _sum(per_new.values())
        province_approx = set().union(*approx.values()) - STOCKS if approx else set()
        for view in ("as_reported", "current_units"):
            emit(view, era.province.code, "province", period, province, province_approx)
    return rows


def _only(values: dict[str, float], keep: list[str] | set[str], drop: set[str]) -> dict[str, float]:
    return {e: v for e, v in values.items() if e in keep and e not in drop}


def _sum(parts) -> dict[str, float]:
    total: dict[str, float] = {}
    for part in parts:
        for element, value in part.items():
            total[element] = total.get(element, 0.0) + value
    return total


class HasSuccessors(Protocol):
    """What `_carry` reads of a truth: this module's EraTruth, or province.py's ProvinceTruth
    (named by shape, so that eras.py need not import province.py, which imports it)."""

    successors: dict[str, list[tuple[str, float, bool]]]


def _carry(era: HasSuccessors, per_old: dict[str, dict[str, float]]
           ) -> tuple[dict[str, dict[str, float]], dict[str, set[str]]]:
    """Carried values per new commune, and the elements that include an unshared split."""
    carried: dict[str, dict[str, float]] = {}
    approx: dict[str, set[str]] = {}
    for code, values in per_old.items():
        for new_code, share, is_approx in era.successors[code]:
            target = carried.setdefault(new_code, {})
            marks = approx.setdefault(new_code, set())
            for element, value in values.items():
                target[element] = target.get(element, 0.0) + value * share
                if is_approx:
                    marks.add(element)
    return carried, approx


def write_era_expected(truth: Truth, era: EraTruth, out_dir: Path) -> None:
    rows = expected_rows(truth, era)
    with open(out_dir / "indicator_values_eras.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
