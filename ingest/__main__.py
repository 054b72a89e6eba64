"""Command line: `python -m ingest sample | load [--inbox DIR] [--warehouse DIR] | rules`, and
the clerk tools' `validate` and `template` (clerk/__main__.py), which clerks and the office
have always typed after `python -m ingest`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def cmd_rules(write: bool) -> int:
    """The finding rules (base/rules.py); --write regenerates the dbt seed and docs/rules.md."""
    from base.rules import RULES, write_generated

    if write:
        for path in write_generated():
            print(f"wrote {path}")
        return 0
    for r in RULES.values():
        print(f"{r.code:24} {r.severity:8} {r.found_by:10} {r.title_en}")
    return 0


def cmd_load(inbox: Path | None, warehouse: Path | None, workers: int | None) -> int:
    """The DAG's ingest stage by hand: the same Settings, so the same database and archive."""
    from dataclasses import replace

    from base.settings import Settings, SettingsError, check_folders
    from base.writer_lock import WarehouseBusy, exclusive
    from ingest.pipeline import ingest_inbox

    try:
        settings = Settings.from_env()
        settings = check_folders(replace(
            settings, inbox=inbox.resolve() if inbox else settings.inbox,
            warehouse_dir=warehouse.resolve() if warehouse else settings.warehouse_dir,
            parse_workers=workers or settings.parse_workers))
        with exclusive(settings.lock_file):
            summary = ingest_inbox(settings.require_inbox(), settings.build_db, settings.archive_dir,
                                   workers=settings.parse_workers, settle_s=settings.settle_s,
                                   limits=settings.parse_limits, receipts=settings.receipts_file)
    except WarehouseBusy as exc:
        print(f"ingest: {exc}", file=sys.stderr)
        return 3
    except SettingsError as exc:
        print(f"ingest: {exc} (or pass --inbox)", file=sys.stderr)
        return 2
    print(summary.line())
    return 0


def cmd_sample(out: Path, seed: int, province: str | None = None, replace: bool = False) -> int:
    """`replace`: remove `out` first (make's way), only if it is the project's own sample folder."""
    from ingest.sample import generate
    from ingest.sample.folder import UnsafeFolder, remove_generated, require_province

    try:
        if province:
            require_province(province)
        if replace:
            remove_generated(out)
    except UnsafeFolder as exc:
        print(f"ingest sample: {exc}; nothing was written or removed", file=sys.stderr)
        return 2
    if province:
        from ingest.sample.province import generate_province

        counts = generate_province(province, out, seed)
        print(f"sample inbox for province {province}: {out / 'inbox'} ({counts['files']} files; "
              f"{counts['old_provinces']} old province(s), {counts['old_communes']} old communes, "
              f"{counts['communes']} communes today); seeds: {out / 'seeds'}; "
              f"expected values: {out / 'expected'}")
        return 0
    counts = generate(out / "inbox", out / "expected", seed)
    print(f"sample inbox: {out / 'inbox'} ({counts['files']} files, "
          f"{counts['bad_inputs']} labelled bad inputs); expected values: {out / 'expected'}")
    return 0


CLERK_COMMANDS = ("validate", "template")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in CLERK_COMMANDS:
        from clerk.__main__ import main as clerk_main  # the contract's one allowed ingest -> clerk import

        return clerk_main(argv, prog="python -m ingest")
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sample", help="generate the sample inbox and its expected values")
    p.add_argument("--out", type=Path, default=Path("data/sample"))
    p.add_argument("--seed", type=int, default=2021)
    p.add_argument("--province", help="any of the 34 provinces' GSO codes: its own unit list "
                   "(written to OUT/seeds) and reports across the reform; default: Hà Tĩnh's "
                   "sample with the source article's figures")
    p.add_argument("--replace", action="store_true",
                   help="remove OUT first; only the project's data/sample or data/provinces/CODE")
    for name in CLERK_COMMANDS:  # listed in --help; handed to clerk/__main__.py before parsing
        sub.add_parser(name, help=f"the clerk tools: python -m clerk {name} --help")
    p = sub.add_parser("rules", help="the finding rules; --write regenerates seed and docs")
    p.add_argument("--write", action="store_true")
    p = sub.add_parser("load", help="ingest an inbox into the warehouse's build database")
    p.add_argument("--inbox", type=Path, default=None, help="default: INBOX")
    p.add_argument("--warehouse", type=Path, default=None,
                   help="default: WAREHOUSE_DIR (the build database and archive inside it)")
    p.add_argument("--workers", type=int, default=None, help="default: CHITIEU_PARSE_WORKERS")
    args = parser.parse_args(argv)
    from base.errors import guarded

    return guarded(lambda: _dispatch(args))


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "sample":
        return cmd_sample(args.out, args.seed, args.province, args.replace)
    if args.command == "rules":
        return cmd_rules(args.write)
    return cmd_load(args.inbox, args.warehouse, args.workers)


if __name__ == "__main__":
    sys.exit(main())
