"""The baseline: what a typical first pipeline does, kept honest so the ratio means something.

Reads each workbook with `pandas.read_excel(engine="openpyxl")`, finds the indicator table,
and inserts each value into DuckDB one row at a time. Run as a script by bench/ingest.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb
import pandas as pd


def _load_file(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    values = 0
    for sheet, frame in pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl").items():
        rows = frame.astype(object).where(frame.notna(), None).values.tolist()
        header = next((i for i, r in enumerate(rows) if "Mã chỉ tiêu" in r or "Mã số" in r
                       or "Mã xã" in r), None)
        if header is None:
            continue
        names = [str(v) if v is not None else "" for v in rows[header]]
        for row in rows[header + 1:]:
            for col, name in enumerate(names):
                if name in {"", "STT", "Mã chỉ tiêu", "Mã số", "Tên chỉ tiêu", "Chỉ tiêu", "ĐVT",
                            "Đơn vị tính", "Ghi chú", "Kế hoạch", "Mã xã", "Tên xã"}:
                    continue
                if row[col] is None:
                    continue
                con.execute("INSERT INTO raw_values VALUES (?, ?, ?, ?)",
                            [str(path), sheet, name, str(row[col])])
                values += 1
    return values


def main(inbox: str, db: str, list_file: str) -> None:
    con = duckdb.connect(db)
    con.execute("CREATE TABLE IF NOT EXISTS raw_values (file VARCHAR, sheet VARCHAR, "
                "element VARCHAR, raw VARCHAR)")
    files = [Path(line) for line in Path(list_file).read_text().splitlines() if line]
    started = time.monotonic()
    values = sum(_load_file(con, f) for f in files)
    print(f"{len(files)} {values} {time.monotonic() - started:.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
