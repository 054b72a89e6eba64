"""Command line: `python -m ingest sample | validate FILE... | load --inbox DIR --db FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingest.layouts import Finding


def _describe(path: Path, sheet: str, finding: Finding) -> str:
    where = " › ".join(p for p in (path.name, sheet or finding.sheet, finding.cell) if p)
    return f"{where}: {finding.message}"


def cmd_validate(files: list[Path]) -> int:
    """What a district data officer runs before sending: no database, plain words."""
    from ingest.guard import parse_guarded

    refused = False
    for path, result in zip(files, parse_guarded([(p, "", None) for p in files], workers=1), strict=True):
        if result.file_finding is not None:
            refused = True
            print(_describe(path, "", result.file_finding))
            continue
        for sheet in result.sheets:
            if sheet.status == "loaded" and sheet.layout == "targets":
                print(f"{path.name} › {sheet.sheet}: targets, {len(sheet.targets)} rows loaded, "
                      f"{sheet.rows_quarantined} rows refused")
            elif sheet.status == "loaded":
                unit = f"{sheet.unit.name} ({sheet.unit.code})" if sheet.unit else "?"
                print(f"{path.name} › {sheet.sheet}: layout {sheet.layout}, {unit}, "
                      f"period {sheet.period.code if sheet.period else '?'}, "
                      f"{len(sheet.values)} values, {sheet.rows_quarantined} rows refused")
            for finding in sheet.findings:
                if finding.severity == "error":
                    refused = True
                print(_describe(path, sheet.sheet, finding))
    return 1 if refused else 0


def cmd_load(inbox: Path, db: Path, archive: Path | None, workers: int | None) -> int:
    from ingest.pipeline import ingest_inbox
    from ingest.writer_lock import WarehouseBusy, exclusive, lock_path_for

    archive = archive or db.parent / "archive"
    try:
        with exclusive(lock_path_for(db)):
            summary = ingest_inbox(inbox, db, archive, workers=workers)
    except WarehouseBusy as exc:
        print(f"ingest: {exc}", file=sys.stderr)
        return 3
    print(summary.line())
    return 0


def cmd_sample(out: Path, seed: int) -> int:
    from ingest.sample import generate

    counts = generate(out / "inbox", out / "expected", seed)
    print(f"sample inbox: {out / 'inbox'} ({counts['files']} files, "
          f"{counts['bad_inputs']} labelled bad inputs); expected values: {out / 'expected'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sample", help="generate the sample inbox and its expected values")
    p.add_argument("--out", type=Path, default=Path("data/sample"))
    p.add_argument("--seed", type=int, default=2021)
    p = sub.add_parser("validate", help="check files before sending them; writes nothing")
    p.add_argument("files", type=Path, nargs="+")
    p = sub.add_parser("load", help="ingest an inbox into a DuckDB file")
    p.add_argument("--inbox", type=Path, required=True)
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--archive", type=Path, default=None)
    p.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    if args.command == "sample":
        return cmd_sample(args.out, args.seed)
    if args.command == "validate":
        return cmd_validate(args.files)
    return cmd_load(args.inbox, args.db, args.archive, args.workers)


if __name__ == "__main__":
    sys.exit(main())
