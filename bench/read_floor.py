"""Read a list of workbooks and nothing else, whole process: the floors `bench/ingest` compares
`ingest load` with. `calamine`: python-calamine, every sheet to Python values (what the reader
itself starts from); `openpyxl`: pandas.read_excel with openpyxl, the usual first choice.

Usage: read_floor.py calamine|openpyxl LIST_FILE  (prints files, cells, seconds in-process)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def read_calamine(files: list[Path]) -> int:
    import python_calamine

    cells = 0
    for path in files:
        book = python_calamine.load_workbook(str(path))
        for name in book.sheet_names:
            cells += sum(len(r) for r in book.get_sheet_by_name(name).to_python())
    return cells


def read_openpyxl(files: list[Path]) -> int:
    import pandas as pd

    return sum(frame.size for path in files
               for frame in pd.read_excel(path, sheet_name=None, header=None,
                                          engine="openpyxl").values())


def main(mode: str, list_file: str) -> None:
    files = [Path(line) for line in Path(list_file).read_text().splitlines() if line]
    started = time.monotonic()
    cells = (read_calamine if mode == "calamine" else read_openpyxl)(files)
    print(f"{len(files)} {cells} {time.monotonic() - started:.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
