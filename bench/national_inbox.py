"""National-scale inboxes for the benchmarks.

`build_inbox` (bench/ingest): today's 34 provinces and 3,321 communes, each commune sending 12
monthly layout-A reports for 2026 and each province 12 layout-B tables of its communes.
`build_eras_inbox` (bench/pipeline --national): the whole country from 2021 to the last month
ended, the 10,035 old communes of 63 provinces to June 2025 and today's 3,321 communes of 34
provinces after, by Hà Tĩnh's calendar. Written with the sample generator's own layout code, in .xlsx (the
format both the pipeline and the openpyxl baseline read), in two processes.
"""

from __future__ import annotations

import csv
import random
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MONTHLY = ["POP_18PLUS", "POP_12_17", "VAX18_DOSE1", "VAX18_DOSE2", "VAX12_DOSE1", "VAX12_DOSE2",
           "COVID_CASES", "COVID_RECOVERED", "COVID_DEATHS", "HH_TOTAL", "HH_POOR", "HH_NEAR_POOR",
           "PARTY_MEMBERS", "PARTY_NEW_MEMBERS", "HOUSES_BUILT", "MODEL_GARDENS"]
WIDE = ["NTM_STATUS", "NTM_CRITERIA_MET", "MODEL_RESIDENTIAL_AREAS", "MODEL_GARDENS"]


def national_seeds(out: Path) -> Path:
    """Seeds for the whole country: the project's catalogue with every unit across eras."""
    seeds = out / "seeds"
    shutil.copytree(PROJECT / "dbt_project" / "seeds", seeds, dirs_exist_ok=True)
    subprocess.run([sys.executable, str(PROJECT / "tools" / "generate_admin_units.py"), "--province",
                    "all", "--out", str(seeds)], check=True, capture_output=True)
    return seeds


def _communes(seeds: Path) -> list[dict]:
    with open(seeds / "admin_units.csv", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh)]


def _write_commune(job: tuple[str, str, str, str, int]) -> int:
    sys.path.insert(0, str(PROJECT))
    from base.reference import data_elements
    from ingest.sample.render import layout_a, unit_lines
    from ingest.sample.workbook import write_workbook

    code, name, province, root, seed = job
    rng = random.Random(seed)
    elements = data_elements()
    for month in range(1, 13):
        items = [(elements[c], rng.randint(0, 5000)) for c in MONTHLY]
        sheet = layout_a(f"T{month}", unit_lines(code, name, rng), f"Tháng {month}/2026", items, rng)
        write_workbook(Path(root) / province / code / f"BC thang {month}.xlsx", [sheet])
    return 12


def _write_province(job: tuple[str, str, list[tuple[str, str]], str, int]) -> int:
    sys.path.insert(0, str(PROJECT))
    from base.reference import data_elements
    from ingest.sample.render import layout_b, unit_lines
    from ingest.sample.workbook import write_workbook

    code, name, communes, root, seed = job
    rng = random.Random(seed)
    elements = data_elements()
    wide = [elements[c] for c in WIDE]
    for month in range(1, 13):
        rows = [(c, n, ["Đạt" if rng.random() < 0.9 else "Chưa đạt", rng.randint(10, 19),
                        rng.randint(0, 9), rng.randint(0, 90)]) for c, n in communes]
        sheet = layout_b("Tổng hợp", unit_lines(code, name, rng), f"Tháng {month}/2026", wide, rows,
                         None, rng)
        write_workbook(Path(root) / code / f"Tong hop thang {month}.xlsx", [sheet])
    return 12


def build_inbox(root: Path, seeds: Path, communes_limit: int | None, workers: int = 2) -> int:
    """Write the inbox; returns the number of files. Province tables cover the communes chosen."""
    units = [u for u in _communes(seeds) if u["valid_to"] == "9999-12-31"]  # today's units only
    communes = [u for u in units if u["unit_level"] == "commune"]
    if communes_limit:
        step = max(1, len(communes) // communes_limit)
        communes = communes[::step][:communes_limit]
    provinces = {u["unit_code"]: u["unit_name"] for u in units if u["unit_level"] == "province"}
    (root).mkdir(parents=True, exist_ok=True)
    for c in communes:
        (root / c["parent_code"] / c["unit_code"]).mkdir(parents=True, exist_ok=True)
    jobs_a = [(c["unit_code"], c["unit_name"], c["parent_code"], str(root), i)
              for i, c in enumerate(communes)]
    by_province: dict[str, list[tuple[str, str]]] = {}
    for c in communes:
        by_province.setdefault(c["parent_code"], []).append((c["unit_code"], c["unit_name"]))
    jobs_b = [(p, provinces[p], cs, str(root), i) for i, (p, cs) in enumerate(sorted(by_province.items()))]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        total = sum(pool.map(_write_commune, jobs_a, chunksize=16))
        total += sum(pool.map(_write_province, jobs_b))
    return total


# --------------------------------------------------------------------------- every year since 2021

OLD_ANNUAL = ["POP_TOTAL", "HH_TOTAL", "HH_POOR", "HH_NEAR_POOR", "PARTY_MEMBERS", "PARTY_NEW_MEMBERS",
              "HOUSES_BUILT"]
COVID_MONTHLY = ["POP_18PLUS", "VAX18_DOSE1", "VAX18_DOSE2", "COVID_CASES"]
ERA_MONTHLY = ["HH_TOTAL", "HH_POOR", "PARTY_NEW_MEMBERS", "HOUSES_BUILT"]


def _last_month() -> tuple[int, int]:
    from datetime import date, timedelta

    first = date.today().replace(day=1) - timedelta(days=1)
    return first.year, first.month


def _era_periods(valid_to: str, last: tuple[int, int]) -> list[tuple[str, list[str]]]:
    """What a commune sends by Hà Tĩnh's calendar: an old commune its annual reports 2021-2024,
    its Q4 2021 monthly reports and January-June 2025; a commune of today every month from July
    2025 and its annual report for each year ended."""
    if valid_to == "2025-06-30":
        periods = [(f"Năm {y}", OLD_ANNUAL) for y in (2021, 2022, 2023, 2024)]
        periods += [(f"Tháng {m}/2021", COVID_MONTHLY) for m in (10, 11, 12)]
        return periods + [(f"Tháng {m}/2025", ERA_MONTHLY) for m in range(1, 7)]
    periods, (y, m) = [], (2025, 7)
    while (y, m) <= last:
        periods.append((f"Tháng {m}/{y}", ERA_MONTHLY))
        if m == 12:
            periods.append((f"Năm {y}", OLD_ANNUAL[:5]))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return periods


def _write_era_commune(job: tuple[str, str, str, str, int, tuple[int, int]]) -> int:
    sys.path.insert(0, str(PROJECT))
    from base.reference import data_elements
    from ingest.sample.render import layout_a, unit_lines
    from ingest.sample.workbook import write_workbook

    code, name, valid_to, root, seed, last = job
    rng = random.Random(seed)
    elements = data_elements()
    folder = Path(root) / ("truoc" if valid_to == "2025-06-30" else "sau") / code[:3] / code
    folder.mkdir(parents=True, exist_ok=True)
    periods = _era_periods(valid_to, last)
    for n, (period, codes) in enumerate(periods):
        items = [(elements[c], rng.randint(1, 5000)) for c in codes]
        sheet = layout_a("Báo cáo", unit_lines(code, name, rng), period, items, rng)
        write_workbook(folder / f"BC {n:02d}.xlsx", [sheet])
    return len(periods)


def build_eras_inbox(root: Path, seeds: Path, communes_limit: int | None, workers: int = 2) -> int:
    """The whole country from 2021 to the last month ended, across the 63 -> 34 province and the
    commune changes of July 2025 (seeds from `generate_admin_units.py --province all`)."""
    communes = [u for u in _communes(seeds) if u["unit_level"] == "commune"]
    if communes_limit:
        step = max(1, len(communes) // communes_limit)
        communes = communes[::step][:communes_limit]
    last = _last_month()
    jobs = [(c["unit_code"], c["unit_name"], c["valid_to"], str(root), i, last)
            for i, c in enumerate(communes)]
    root.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(_write_era_commune, jobs, chunksize=32))
