"""The sample province's true figures, commune by commune, built to reproduce the article.

Every province-level total is fixed first (the figures of the source article, shared/seed)
and then apportioned over communes with uneven weights, so that communes differ as real
ones do: small and mountain communes are poorer, which makes the average of commune
poverty rates visibly higher than the correct ratio of sums.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date

from base.reference import Unit, load_units

YEAR = 2021
MONTHS = (10, 11, 12)
MOUNTAIN_DISTRICTS = {"Huyện Hương Sơn", "Huyện Hương Khê", "Huyện Vũ Quang", "Huyện Kỳ Anh"}

# Province totals for 2021 from the source article (or, where it gives none, illustrative).
ARTICLE = {
    "POVERTY_RATE": 4.68,
    "NEAR_POVERTY_RATE": 5.09,
    "VAX18_DOSE1_RATE": 99.0,
    "VAX18_DOSE2_RATE": 96.0,
    "VAX12_DOSE1_RATE": 98.0,
    "VAX12_DOSE2_RATE": 89.0,
    "PARTY_MEMBERS": 99_776,
    "PARTY_NEW_MEMBERS": 1_870,
    "NTM_COMMUNE_RATE": 94.0,
    "NTM_ADVANCED": 19,
    "NTM_MODEL": 2,
    "MODEL_RESIDENTIAL_AREAS": 747,
    "MODEL_GARDENS": 7_244,
    "NTM_DISTRICT_COUNT": 8,
    "INVEST_PROJECTS_DOMESTIC": 54,
    "INVEST_CAPITAL_DOMESTIC": 15_212.5,
    "INVEST_PROJECTS_FDI": 1,
    "INVEST_CAPITAL_FDI": 2_480.0,
    "BUDGET_REVENUE": 16_916.0,
    "GRDP_GROWTH": 5.02,
    "GRDP_PER_CAPITA": 67.0,
    "INCOME_PER_CAPITA": 36.5,
    "PUBLIC_INVEST_DISBURSED": 87.6,
    "COVID_CASES": 1_985,
    "COVID_RECOVERED": 1_623,
    "COVID_DEATHS": 5,
    "HOUSES_BUILT": 3_480,
}
POVERTY_RATE_2020 = 5.90  # illustrative: 2021 is 1.22 points lower, inside the 1-1.5 target
NEAR_POVERTY_RATE_2020 = 5.75


@dataclass
class Truth:
    """Reported values: {(unit_code, period): {element: value or None}}."""

    units: dict[str, Unit]
    communes: list[Unit]
    districts: list[Unit]
    province: Unit
    values: dict[tuple[str, str], dict[str, float | None]] = field(default_factory=dict)

    def put(self, unit: str, period: str, element: str, value: float | None) -> None:
        self.values.setdefault((unit, period), {})[element] = value


def apportion(total: int, weights: list[float], caps: list[int] | None = None) -> list[int]:
    """Split an integer total over weights by largest remainder, never above a cap."""
    caps = caps or [10**12] * len(weights)
    shares = [0] * len(weights)
    remaining = total
    active = [i for i, w in enumerate(weights) if w > 0 and caps[i] > 0]
    while remaining > 0 and active:
        weight_sum = sum(weights[i] for i in active)
        exact = {i: remaining * weights[i] / weight_sum for i in active}
        given = 0
        for i in active:
            add = min(math.floor(exact[i]), caps[i] - shares[i])
            shares[i] += add
            given += add
        left = remaining - given
        by_remainder = sorted(active, key=lambda i: (exact[i] - math.floor(exact[i])), reverse=True)
        for i in by_remainder:
            if left == 0:
                break
            if shares[i] < caps[i]:
                shares[i] += 1
                left -= 1
        remaining = left
        active = [i for i in active if shares[i] < caps[i]]
    if remaining:
        raise ValueError(f"cannot apportion {total}: caps too small")
    return shares


def _units_of(year: int) -> list[Unit]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    return [u for u in load_units() if u.valid_from <= first and last <= u.valid_to]


def build_truth(seed: int = 2021) -> Truth:
    rng = random.Random(seed)
    units = _units_of(YEAR)
    by_code = {u.code: u for u in units}
    communes = sorted((u for u in units if u.level == "commune"), key=lambda u: u.code)
    districts = sorted((u for u in units if u.level == "district"), key=lambda u: u.code)
    province = next(u for u in units if u.level == "province")
    truth = Truth(by_code, communes, districts, province)
    y = str(YEAR)
    n = len(communes)
    mountain = [by_code[c.parent_code].name in MOUNTAIN_DISTRICTS for c in communes]
    urban = [c.unit_type == "Phường" for c in communes]

    households = [
        int(rng.uniform(900, 2600) if m else rng.uniform(1500, 5200) * (1.3 if u else 1.0))
        for m, u in zip(mountain, urban, strict=True)
    ]
    population = [int(h * rng.uniform(3.3, 3.9)) for h in households]
    pop18 = [int(p * rng.uniform(0.66, 0.72)) for p in population]
    pop12 = [int(p * rng.uniform(0.08, 0.10)) for p in population]

    def poverty_weights(scale: float) -> list[float]:
        out = []
        for h, m, u in zip(households, mountain, urban, strict=True):
            rate = rng.lognormvariate(0, 0.5) * (2.8 if m else 1.0) * (0.25 if u else 1.0)
            out.append(h * rate * scale * (2500 / h) ** 0.8)
        return out

    total_hh = sum(households)
    poor = apportion(round(total_hh * ARTICLE["POVERTY_RATE"] / 100), poverty_weights(1.0),
                     [h // 3 for h in households])
    near = apportion(round(total_hh * ARTICLE["NEAR_POVERTY_RATE"] / 100), poverty_weights(1.0),
                     [h // 3 - p for h, p in zip(households, poor, strict=True)])

    def coverage(rate: float, base: list[int], spread: float) -> list[int]:
        weights = [b * max(0.5, 1 + rng.gauss(0, spread)) for b in base]
        return apportion(round(sum(base) * rate / 100), weights, base)

    vax18_1 = coverage(ARTICLE["VAX18_DOSE1_RATE"], pop18, 0.01)
    vax18_2 = apportion(round(sum(pop18) * ARTICLE["VAX18_DOSE2_RATE"] / 100),
                        [v * rng.uniform(0.9, 1.1) for v in vax18_1], vax18_1)
    vax12_1 = coverage(ARTICLE["VAX12_DOSE1_RATE"], pop12, 0.02)
    vax12_2 = apportion(round(sum(pop12) * ARTICLE["VAX12_DOSE2_RATE"] / 100),
                        [v * rng.uniform(0.7, 1.3) for v in vax12_1], vax12_1)
    party = apportion(ARTICLE["PARTY_MEMBERS"], [p * rng.uniform(0.7, 1.3) for p in population])
    party_new = apportion(ARTICLE["PARTY_NEW_MEMBERS"], [p * rng.uniform(0.5, 1.5) for p in party])

    cases = apportion(ARTICLE["COVID_CASES"], [p * rng.lognormvariate(0, 1) for p in population])
    dead_idx = set(rng.sample([i for i in range(n) if cases[i] >= 4], ARTICLE["COVID_DEATHS"]))
    deaths = [1 if i in dead_idx else 0 for i in range(n)]
    recovered = apportion(ARTICLE["COVID_RECOVERED"], [float(c) for c in cases],
                          [c - d for c, d in zip(cases, deaths, strict=True)])

    xa = [i for i, c in enumerate(communes) if c.unit_type == "Xã"]
    ntm_yes_count = round(len(xa) * ARTICLE["NTM_COMMUNE_RATE"] / 100)
    # Mountain communes are the ones still short of the standard.
    xa_sorted = sorted(xa, key=lambda i: (mountain[i], rng.random()))
    ntm_yes = set(xa_sorted[:ntm_yes_count])
    advanced = set(rng.sample(sorted(ntm_yes), ARTICLE["NTM_ADVANCED"]))
    model = set(rng.sample(sorted(advanced), ARTICLE["NTM_MODEL"]))
    residential = apportion(ARTICLE["MODEL_RESIDENTIAL_AREAS"],
                            [0.0 if urban[i] else rng.uniform(0.5, 1.5) for i in range(n)])
    gardens = apportion(ARTICLE["MODEL_GARDENS"],
                        [0.0 if urban[i] else rng.uniform(0.3, 1.7) for i in range(n)])
    not_collected = set(rng.sample(range(n), 4))  # "..." for houses built
    houses = apportion(ARTICLE["HOUSES_BUILT"],
                       [0.0 if i in not_collected else rng.uniform(0, 2) for i in range(n)])

    for i, c in enumerate(communes):
        row = {
            "POP_TOTAL": population[i], "POP_18PLUS": pop18[i], "POP_12_17": pop12[i],
            "HH_TOTAL": households[i], "HH_POOR": poor[i], "HH_NEAR_POOR": near[i],
            "VAX18_DOSE1": vax18_1[i], "VAX18_DOSE2": vax18_2[i],
            "VAX12_DOSE1": vax12_1[i], "VAX12_DOSE2": vax12_2[i],
            "COVID_CASES": cases[i], "COVID_RECOVERED": recovered[i], "COVID_DEATHS": deaths[i],
            "PARTY_MEMBERS": party[i], "PARTY_NEW_MEMBERS": party_new[i],
            "HOUSES_BUILT": None if i in not_collected else houses[i],
            "MODEL_RESIDENTIAL_AREAS": residential[i], "MODEL_GARDENS": gardens[i],
        }
        if c.unit_type == "Xã":
            row |= {
                "NTM_STATUS": int(i in ntm_yes), "NTM_ADVANCED": int(i in advanced),
                "NTM_MODEL": int(i in model),
                "NTM_CRITERIA_MET": 19 if i in ntm_yes else rng.randint(12, 18),
            }
        for element, value in row.items():
            truth.put(c.code, y, element, value)
        _monthly(truth, c.code, row, rng)

    _district_and_province(truth, rng)
    return truth


def _monthly(truth: Truth, code: str, year_row: dict, rng: random.Random) -> None:
    """Q4 monthly reports: stocks climbing to the year-end value, flows that fit in the year."""
    share = {10: 0.12, 11: 0.22, 12: 0.30}
    for month in MONTHS:
        period = f"{YEAR}-{month:02d}"
        climb = 1.0 if month == 12 else (0.93 if month == 10 else 0.975)
        d1 = math.floor(year_row["VAX18_DOSE1"] * climb)
        d12 = math.floor(year_row["VAX12_DOSE1"] * climb)
        cases = math.floor(year_row["COVID_CASES"] * share[month])
        dead = year_row["COVID_DEATHS"] if month == 12 and cases >= 2 else 0
        values = {
            "POP_18PLUS": year_row["POP_18PLUS"], "POP_12_17": year_row["POP_12_17"],
            "VAX18_DOSE1": d1,
            "VAX18_DOSE2": min(d1, math.floor(year_row["VAX18_DOSE2"] * climb ** 2)),
            "VAX12_DOSE1": d12,
            "VAX12_DOSE2": min(d12, math.floor(year_row["VAX12_DOSE2"] * climb ** 3)),
            "COVID_CASES": cases,
            "COVID_RECOVERED": min(cases - dead, math.floor(cases * rng.uniform(0.6, 0.9))),
            "COVID_DEATHS": dead,
        }
        for element, value in values.items():
            truth.put(code, period, element, value)


def _district_and_province(truth: Truth, rng: random.Random) -> None:
    y = str(YEAR)
    districts = truth.districts
    nd = len(districts)
    revenue_cents = apportion(520_000, [rng.uniform(0.5, 2) for _ in districts])
    projects = apportion(40, [rng.uniform(0.5, 2) for _ in districts])
    capital_cents = apportion(620_050, [p + 0.5 for p in projects])
    ntm_ok = set(rng.sample(range(nd), ARTICLE["NTM_DISTRICT_COUNT"]))
    for i, d in enumerate(districts):
        truth.put(d.code, y, "BUDGET_REVENUE", revenue_cents[i] / 100)
        truth.put(d.code, y, "INVEST_PROJECTS_DOMESTIC", projects[i])
        truth.put(d.code, y, "INVEST_CAPITAL_DOMESTIC", capital_cents[i] / 100)
        truth.put(d.code, y, "NTM_DISTRICT_STATUS", int(i in ntm_ok))
    p = truth.province.code
    own = {
        "BUDGET_REVENUE": round(ARTICLE["BUDGET_REVENUE"] - sum(revenue_cents) / 100, 2),
        "INVEST_PROJECTS_DOMESTIC": ARTICLE["INVEST_PROJECTS_DOMESTIC"] - sum(projects),
        "INVEST_CAPITAL_DOMESTIC": round(
            ARTICLE["INVEST_CAPITAL_DOMESTIC"] - sum(capital_cents) / 100, 2),
        "INVEST_PROJECTS_FDI": ARTICLE["INVEST_PROJECTS_FDI"],
        "INVEST_CAPITAL_FDI": ARTICLE["INVEST_CAPITAL_FDI"],
        "GRDP_GROWTH": ARTICLE["GRDP_GROWTH"],
        "GRDP_PER_CAPITA": ARTICLE["GRDP_PER_CAPITA"],
        "INCOME_PER_CAPITA": ARTICLE["INCOME_PER_CAPITA"],
        "PUBLIC_INVEST_DISBURSED": ARTICLE["PUBLIC_INVEST_DISBURSED"],
    }
    for element, value in own.items():
        truth.put(p, y, element, value)
    # 2020: the province's own household figures, so the poverty-change target has a base.
    hh_2020 = round(sum(truth.values[(c.code, y)]["HH_TOTAL"] for c in truth.communes) * 0.985)
    truth.put(p, "2020", "HH_TOTAL", hh_2020)
    truth.put(p, "2020", "HH_POOR", round(hh_2020 * POVERTY_RATE_2020 / 100))
    truth.put(p, "2020", "HH_NEAR_POOR", round(hh_2020 * NEAR_POVERTY_RATE_2020 / 100))
