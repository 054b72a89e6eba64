"""The exact values the warehouse must publish for the sample, computed from the truth.

Computed here, in plain Python and apart from the dbt models, so that a test comparing
the marts with these files checks the models against an independent calculation.
"""

from __future__ import annotations

import csv
from pathlib import Path

from base.reference import load_catalogue
from ingest.sample.truth import YEAR, Truth

RATIOS = {
    "POVERTY_RATE": ("HH_POOR", "HH_TOTAL"),
    "NEAR_POVERTY_RATE": ("HH_NEAR_POOR", "HH_TOTAL"),
    "VAX18_DOSE1_RATE": ("VAX18_DOSE1", "POP_18PLUS"),
    "VAX18_DOSE2_RATE": ("VAX18_DOSE2", "POP_18PLUS"),
    "VAX12_DOSE1_RATE": ("VAX12_DOSE1", "POP_12_17"),
    "VAX12_DOSE2_RATE": ("VAX12_DOSE2", "POP_12_17"),
}


def _rollup(truth: Truth, codes: list[str], element: str, rule: str) -> float | None:
    year = str(YEAR)
    found = [truth.values.get((c, year), {}).get(element) for c in codes]
    found = [v for v in found if v is not None]
    if not found:
        return None
    if rule == "average":
        return sum(found) / len(found)
    return float(sum(found))  # sum, and count of yes over 0/1 values


def expected_values(truth: Truth) -> list[dict]:
    """Rows of (unit_code, unit_level, indicator_code, value) for the year 2021."""
    catalogue = load_catalogue()
    year = str(YEAR)
    rows: list[dict] = []
    children = {d.code: [c for c in truth.communes if c.parent_code == d.code]
                for d in truth.districts}
    scopes = [(c.code, "commune", [c]) for c in truth.communes]
    scopes += [(d.code, "district", children[d.code]) for d in truth.districts]
    scopes.append((truth.province.code, "province", truth.communes))
    for code, level, communes in scopes:
        commune_codes = [c.code for c in communes]
        own = truth.values.get((code, year), {})
        values: dict[str, float | None] = {}
        for element in catalogue.values():
            if element.kind != "element":
                continue
            if element.agg_over_units == "none":
                values[element.code] = own.get(element.code)
                continue
            below = commune_codes if level != "commune" else []
            if level == "province":
                below = below + [d.code for d in truth.districts]
            parts = [own.get(element.code)] if element.code in own else []
            sub = _rollup(truth, below, element.code, element.agg_over_units)
            if sub is not None:
                parts.append(sub)
            parts = [p for p in parts if p is not None]
            values[element.code] = float(sum(parts)) if parts else None
        for code_ind, (num, den) in RATIOS.items():
            n, d = values.get(num), values.get(den)
            values[code_ind] = 100 * n / d if n is not None and d else None
        xa = [c for c in communes if c.unit_type == "Xã"]
        if xa:
            yes = sum(truth.values[(c.code, year)].get("NTM_STATUS") or 0 for c in xa)
            values["NTM_COMMUNE_RATE"] = 100 * yes / len(xa)
        if level == "province":
            values["NTM_DISTRICT_COUNT"] = values["NTM_DISTRICT_STATUS"]
        for indicator, value in values.items():
            if value is not None:
                rows.append({"unit_code": code, "unit_level": level, "period": year,
                             "indicator_code": indicator, "value": round(value, 10)})
    return rows


def naive_average_poverty_rate(truth: Truth) -> float:
    """The wrong answer (mean of commune rates) that the sample is built to expose."""
    year = str(YEAR)
    rates = [100 * truth.values[(c.code, year)]["HH_POOR"] / truth.values[(c.code, year)]["HH_TOTAL"]
             for c in truth.communes]
    return sum(rates) / len(rates)


def write_expected(truth: Truth, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = expected_values(truth)
    with open(out_dir / "indicator_values_2021.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with open(out_dir / "poverty_rate_naive_average.txt", "w", encoding="utf-8") as fh:
        fh.write(f"{naive_average_poverty_rate(truth):.10f}\n")
