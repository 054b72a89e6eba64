"""Command line: `python -m ingest sample | validate FILE... | load [--inbox DIR] [--warehouse DIR] |
template --period PERIOD [--unit CODE | --level LEVEL] | template --targets YEAR`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingest.layouts import Finding


def _describe(path: Path, sheet: str, finding: Finding, lang: str = "en") -> str:
    """One line per problem: where (file › sheet › cell), then what. In Vietnamese (`--lang
    vi`) the registry's title and what to do come first, the detail after."""
    where = " › ".join(p for p in (path.name, sheet or finding.sheet, finding.cell) if p)
    if lang == "vi":
        from ingest.rules import RULES

        rule = RULES.get(finding.rule)
        if rule is not None:
            title = rule.title_vi[:1].upper() + rule.title_vi[1:]
            return f"{where}: {title}. {rule.action_vi} ({finding.message_vi or finding.message})"
    return f"{where}: {finding.message}"


def _summary(path: Path, sheet, lang: str) -> str:
    """The line each sheet read gets: what it is, and how much of it is loaded or refused."""
    if sheet.layout == "targets":
        if lang == "vi":
            return (f"{path.name} › {sheet.sheet}: chỉ tiêu kế hoạch, nhận {len(sheet.targets)} dòng, "
                    f"từ chối {sheet.rows_quarantined} dòng")
        return (f"{path.name} › {sheet.sheet}: targets, {len(sheet.targets)} rows loaded, "
                f"{sheet.rows_quarantined} rows refused")
    unit = f"{sheet.unit.name} ({sheet.unit.code})" if sheet.unit else "?"
    period = sheet.period.code if sheet.period else "?"
    if lang == "vi":
        return (f"{path.name} › {sheet.sheet}: mẫu {sheet.layout}, {unit}, kỳ {period}, "
                f"{len(sheet.values)} số liệu, từ chối {sheet.rows_quarantined} dòng")
    return (f"{path.name} › {sheet.sheet}: layout {sheet.layout}, {unit}, period {period}, "
            f"{len(sheet.values)} values, {sheet.rows_quarantined} rows refused")


def _published_default() -> Path | None:
    """The published warehouse of this machine (WAREHOUSE_DIR), when there is one."""
    from chitieu.settings import Settings, SettingsError

    try:
        published = Settings.from_env().published_db
    except SettingsError:  # a bad setting for the nightly job must not stop a clerk's check
        return None
    return published if published.exists() else None


def _warehouse_findings(sheet, published: Path | None) -> list[Finding]:
    """What the warehouse will say about a loaded report's figures (ingest/file_checks.py)."""
    from ingest.file_checks import history_findings, rule_findings
    from ingest.reference import data_elements, load_units

    found = rule_findings(sheet)
    if sheet.unit is not None and sheet.period is not None:
        province = next((u for u in load_units() if u.level == "province"
                         and u.exists_on(sheet.period.last_day)), None)
        found += history_findings(sheet, sheet.unit, data_elements(), published, province)
    return found


def _finding_json(sheet: str, finding: Finding) -> dict:
    return {"rule": finding.rule, "severity": finding.severity, "sheet": sheet or finding.sheet,
            "cell": finding.cell, "message": finding.message}


def cmd_validate(files: list[Path], as_json: bool = False, lang: str = "en",
                 published: Path | None = None) -> int:
    """What a district data officer runs before sending: plain words (or one JSON document
    for machines, `--json`), what the reader refuses and what the warehouse will flag (its
    row rules; beside the last published values when a published warehouse is at hand, read
    only). Exits 1 when anything was refused."""
    from ingest.guard import parse_guarded
    from ingest.parse import ParseJob

    refused, report = False, []
    lines: list[str] = []
    for path, result in zip(files, parse_guarded([ParseJob(p, "") for p in files], workers=1), strict=True):
        entry: dict = {"file": str(path), "status": result.status, "findings": [], "sheets": []}
        report.append(entry)
        if result.file_finding is not None:
            refused = True
            lines.append(_describe(path, "", result.file_finding, lang))
            entry["findings"].append(_finding_json("", result.file_finding))
            continue
        for sheet in result.sheets:
            entry["sheets"].append({
                "sheet": sheet.sheet, "status": sheet.status, "layout": sheet.layout,
                "unit": sheet.unit.code if sheet.unit else None,
                "period": sheet.period.code if sheet.period else None,
                "values": len(sheet.values), "targets": len(sheet.targets),
                "rows_read": sheet.rows_read, "rows_refused": sheet.rows_quarantined})
            if sheet.status == "loaded":
                lines.append(_summary(path, sheet, lang))
                if sheet.layout != "targets":
                    sheet.findings.extend(_warehouse_findings(sheet, published))
            for finding in sheet.findings:
                if finding.severity == "error":
                    refused = True
                lines.append(_describe(path, sheet.sheet, finding, lang))
                entry["findings"].append(_finding_json(sheet.sheet, finding))
    if as_json:
        import json

        print(json.dumps({"refused": refused, "files": report}, ensure_ascii=False, indent=1))
    else:
        print("\n".join(lines))
    return 1 if refused else 0


def cmd_rules(write: bool) -> int:
    """The finding rules (ingest/rules.py); --write regenerates the dbt seed and docs/rules.md."""
    from ingest.rules import RULES, write_generated

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

    from chitieu.settings import Settings, SettingsError, check_folders
    from ingest.pipeline import ingest_inbox
    from ingest.writer_lock import WarehouseBusy, exclusive

    try:
        settings = Settings.from_env()
        settings = check_folders(replace(
            settings, inbox=inbox.resolve() if inbox else settings.inbox,
            warehouse_dir=warehouse.resolve() if warehouse else settings.warehouse_dir,
            parse_workers=workers or settings.parse_workers))
        with exclusive(settings.lock_file):
            summary = ingest_inbox(settings.require_inbox(), settings.build_db, settings.archive_dir,
                                   workers=settings.parse_workers, settle_s=settings.settle_s,
                                   limits=settings.parse_limits)
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


def cmd_template(args: argparse.Namespace) -> int:
    """Blank report templates for the units (or the targets workbook for a year)."""
    from chitieu.settings import Settings
    from ingest.periods import parse_period
    from ingest.templates import Request, TemplateError, write_templates

    settings = Settings.from_env()
    published = args.published or settings.published_db
    if args.targets is not None:
        from ingest.targets import write_year_template

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
        print(f"no template written: {exc}", file=sys.stderr)
        return 1
    source = f"last values from {published}" if request.published else \
        "no published warehouse: last values left empty"
    print(f"{len(paths)} templates for {period.code} in {out} ({source})")
    return 0


def main(argv: list[str] | None = None) -> int:
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
    p = sub.add_parser("validate", help="check files before sending them; writes nothing")
    p.add_argument("files", type=Path, nargs="+")
    p.add_argument("--json", action="store_true", help="one JSON document, for machines")
    p.add_argument("--lang", choices=["en", "vi"], default="en",
                   help="vi: each problem's title, what to do and its detail in Vietnamese")
    p.add_argument("--published", type=Path, default=None,
                   help="published warehouse with the units' last values "
                        "(default: <WAREHOUSE_DIR>/warehouse.duckdb when it exists)")
    p = sub.add_parser("rules", help="the finding rules; --write regenerates seed and docs")
    p.add_argument("--write", action="store_true")
    p = sub.add_parser("load", help="ingest an inbox into the warehouse's build database")
    p.add_argument("--inbox", type=Path, default=None, help="default: INBOX")
    p.add_argument("--warehouse", type=Path, default=None,
                   help="default: WAREHOUSE_DIR (the build database and archive inside it)")
    p.add_argument("--workers", type=int, default=None, help="default: CHITIEU_PARSE_WORKERS")
    p = sub.add_parser("template", help="blank report templates for units to fill and send")
    p.add_argument("--period", help="the reporting period, in any written form")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--unit", help="one unit's GSO code (default: every unit the calendar expects)")
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
    if args.command == "sample":
        return cmd_sample(args.out, args.seed, args.province, args.replace)
    if args.command == "validate":
        return cmd_validate(args.files, args.json, args.lang,
                            args.published if args.published else _published_default())
    if args.command == "rules":
        return cmd_rules(args.write)
    if args.command == "template":
        return cmd_template(args)
    return cmd_load(args.inbox, args.warehouse, args.workers)


if __name__ == "__main__":
    sys.exit(main())
