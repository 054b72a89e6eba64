"""Command line of the clerk tools: `python -m clerk validate FILE... | template --period PERIOD
[--unit CODE | --level LEVEL] | template --targets YEAR`.

The clerks and the office also reach these as `python -m ingest validate|template`: the
reader's command line hands those two words to `main` here (the one import from ingest/ into
clerk/ that the import contract in pyproject.toml allows)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingest.layouts import Finding

COMMANDS = ("validate", "template")


def _describe(path: Path, sheet: str, finding: Finding, lang: str = "en") -> str:
    """One line per problem: where (file › sheet › cell), then what. In Vietnamese (`--lang
    vi`) the registry's title and what to do come first, the detail after."""
    where = " › ".join(p for p in (path.name, sheet or finding.sheet, finding.cell) if p)
    if lang == "vi":
        from base.rules import RULES

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
    from base.settings import Settings, SettingsError

    try:
        published = Settings.from_env().published_db
    except SettingsError:  # a bad setting for the nightly job must not stop a clerk's check
        return None
    return published if published.exists() else None


def _warehouse_findings(sheet, published: Path | None) -> list[Finding]:
    """What the warehouse will say about a loaded report's figures (clerk/file_checks.py)."""
    from base.reference import data_elements, load_units
    from clerk.file_checks import history_findings, rule_findings

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
    """What the office runs on a file before loading it (a clerk may, before sending): plain
    words (or one JSON document for machines, `--json`), what the reader refuses and what the
    warehouse will flag (its row rules; beside the last published values when a published
    warehouse is at hand, read only). Exits 1 when anything was refused."""
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
    if args.command == "validate":
        return cmd_validate(args.files, args.json, args.lang,
                            args.published if args.published else _published_default())
    return cmd_template(args)


if __name__ == "__main__":
    sys.exit(main())
