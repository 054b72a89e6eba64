"""A national-scale inbox for the benchmarks: today's 34 provinces and 3,321 communes.

Each commune sends 12 monthly layout-A reports for 2026; each province sends 12 layout-B
tables of its communes. Written with the sample generator's own layout code, in .xlsx (the
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
    """Seeds for the whole country: the project's catalogue with every current unit."""
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
    from ingest.reference import data_elements
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
    from ingest.reference import data_elements
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
    units = _communes(seeds)
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
