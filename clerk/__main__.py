"""Command line of the clerk tools: `python -m clerk validate FILE... | template --period PERIOD
[--unit CODE | --level LEVEL] | template --targets YEAR`.

The clerks and the office also reach these as `python -m ingest validate|template`: the
reader's command line hands those two words to `main` here (the one import from ingest/ into
clerk/ that the import contract in pyproject.toml allows)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

COMMANDS = ("validate", "template")


def cmd_validate(files: list[Path], as_json: bool = False, lang: str = "en",
                 published: Path | None = None) -> int:
    """What the office runs on a file before loading it (a clerk may, before sending): plain
    words (or one JSON document for machines, `--json`), what the reader refuses and what the
    warehouse will flag (its row rules; beside the last published values when a published
    warehouse is at hand, read only). The messages are clerk/messages.py's, which the portal
    shows too. Exits 1 when anything was refused."""
    from base.errors import INTERNAL
    from clerk.messages import check_files, describe, summary_lines
    from ingest.guard import ParseInternalError

    try:
        checks = check_files(files, published, lang)
    except ParseInternalError as exc:  # ours, before any file was judged: no file is named broken
        return _validate_internal(exc, len(files), as_json)
    internal = [c for c in checks if c.status == "internal_error"]
    if as_json:
        import json

        print(json.dumps({"refused": any(c.refused for c in checks),
                          "files": [c.as_dict() for c in checks]}, ensure_ascii=False, indent=1))
    else:
        for check in internal:
            print(f"{check.path.name}: {_file_internal(check.internal_error, lang)}")
        for check in (c for c in checks if c.status != "internal_error"):
            summary = summary_lines(check, lang)
            print("\n".join(summary[:-1] + [describe(check, m, lang) for m in check.messages]
                            + summary[-1:]))
    return INTERNAL if internal else 1 if any(c.refused for c in checks) else 0


def _file_internal(error: str, lang: str, many: bool = False) -> str:
    """chitieu's own failure on a file, told as ours (Vietnamese first for clerks)."""
    from base.errors import file_message

    if lang == "vi":
        return f"{file_message(error, None, 'vi', many)} ({file_message(error, None, 'en', many)})"
    return file_message(error, None, "en", many)


def _validate_internal(exc, count: int, as_json: bool) -> int:
    """The parse workers failed before judging any file (a module not found, a worker that
    cannot start): one message for every file, in Vietnamese and English, exit INTERNAL."""
    from base.errors import INTERNAL, file_message, keep_detail

    error, kept = str(exc), keep_detail(getattr(exc, "detail", "") or str(exc))
    if as_json:
        import json

        print(json.dumps({"refused": False, "internal_error": error, "details": str(kept)},
                         ensure_ascii=False, indent=1))
    print(file_message(error, kept, "vi", count > 1), file=sys.stderr)
    print(file_message(error, kept, "en", count > 1), file=sys.stderr)
    return INTERNAL


def cmd_template(args: argparse.Namespace) -> int:
    """Blank report templates for the units (or the targets workbook for a year)."""
    from base.periods import parse_period, period_label
    from base.settings import Settings
    from clerk.templates import Request, TemplateError, write_templates

    settings = Settings.from_env()
    published = args.published or settings.published_db
    if args.targets is not None:
        from clerk.target_book import write_year_template

        out = args.out or settings.warehouse_dir / "templates" / str(args.targets)
        path = write_year_template(out, args.targets, published)
        print(f"targets workbook for {args.targets}: {path}")
        return 0
    if args.period is None:
        print("give --period (e.g. 'Tháng 12/2025', 2025-12, 'Năm 2025') or --targets YEAR",
              file=sys.stderr)
        return 2
    period = parse_period(args.period)
    if period is None:
        print(f"{args.period!r} is not a period (write e.g. 2025-12, 'Quý IV/2025', 2025)",
              file=sys.stderr)
        return 2
    out = args.out or settings.warehouse_dir / "templates" / period.code
    request = Request(period, out, published if published.exists() else None, args.send_to)
    try:
        paths = write_templates(request, args.unit, args.level)
    except TemplateError as exc:
        print(f"Không tạo biểu mẫu nào: {exc}", file=sys.stderr)
        return 1
    source = f"số liệu kỳ trước lấy từ {published}" if request.published else \
        "chưa có kho dữ liệu đã công bố: cột kỳ trước để trống"
    print(f"Đã tạo {len(paths)} biểu mẫu kỳ {period_label(period)} trong {out} ({source})")
    return 0


def main(argv: list[str] | None = None, prog: str = "python -m clerk") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check files before sending them; writes nothing")
    p.add_argument("files", type=Path, nargs="+")
    p.add_argument("--json", action="store_true", help="one JSON document, for machines")
    p.add_argument("--lang", choices=["en", "vi"], default="en",
                   help="vi: each problem's title, what to do and its detail in Vietnamese")
    p.add_argument("--published", type=Path, default=None,
                   help="published warehouse with the units' last values "
                        "(default: <WAREHOUSE_DIR>/warehouse.duckdb when it exists)")
    p = sub.add_parser("template", help="blank report templates for units to fill and send")
    p.add_argument("--period", help="the reporting period, in any written form")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--unit", help="one unit, by GSO code or by name as a letterhead writes it "
                                    "('Xã Cẩm Bình'; add ', huyện …' for namesakes); default: every "
                                    "unit the calendar expects")
    who.add_argument("--level", choices=["commune", "district", "province"],
                     help="every unit of that level on the period's last day")
    who.add_argument("--targets", type=int, metavar="YEAR",
                     help="the planning office's targets workbook for YEAR instead")
    p.add_argument("--out", type=Path, default=None,
                   help="folder to write into (default: <WAREHOUSE_DIR>/templates/<period>)")
    p.add_argument("--published", type=Path, default=None,
                   help="published warehouse to read last values from "
                        "(default: <WAREHOUSE_DIR>/warehouse.duckdb)")
    p.add_argument("--send-to", default=None,
                   help="where to send the report, printed in the instructions "
                        "(default: the statistics office of the unit's parent)")
    args = parser.parse_args(argv)
    from base.errors import guarded

    return guarded(lambda: _dispatch(args), clerk=args.command == "validate")


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "validate":
        from clerk.messages import published_default

        return cmd_validate(args.files, args.json, args.lang,
                            args.published if args.published else published_default())
    return cmd_template(args)


if __name__ == "__main__":
    sys.exit(main())
