"""Run dbt in-process (one `dbtRunner` invocation) and judge its results for the audit gate."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from base.settings import DBT_DIR
from chitieu import kept_nodes
from chitieu.seed_loads import record_loaded_seeds, seed_hashes, unchanged_seeds

log = logging.getLogger(__name__)
# dbt's threads share one DuckDB file: one per core, up to four (beyond, they mostly wait).
DBT_THREADS = min(4, os.cpu_count() or 1)
CODE_FOLDERS = ("models", "macros", "tests")  # the project's code (project_code_key)


@dataclass
class BuildSummary:
    status_counts: dict[str, int] = field(default_factory=dict)
    blocking: list[str] = field(default_factory=list)  # error-severity failures and errors
    warnings: list[str] = field(default_factory=list)  # validation flags and target shortfalls
    dbt_seconds: float = 0.0  # dbt's own reported execution time, summed over nodes
    node_types: dict[str, int] = field(default_factory=dict)  # nodes run, by resource type
    kept_seeds: list[str] = field(default_factory=list)  # not loaded: unchanged (seed_loads.py)
    kept_nodes: list[str] = field(default_factory=list)  # not run: unchanged (kept_nodes.py)
    success: bool = True

    def as_dict(self) -> dict:
        return {"status_counts": self.status_counts, "blocking": self.blocking,
                "warnings": self.warnings, "dbt_seconds": round(self.dbt_seconds, 3),
                "kept_seeds": self.kept_seeds, "kept_nodes": self.kept_nodes, "success": self.success}


def project_code_key() -> str:
    """An md5 of the dbt project's own code: every file of its models, macros and tests (SQL
    and YAML) and dbt_project.yml. int_rebuild_periods puts it in every period's fingerprint,
    so that editing a macro or a test rebuilds and tests every period (a model's checksum
    covers its own file, not the macros it calls; and a night tests only the periods it
    rebuilt, macros/tested_periods.sql). dbt run by hand, without it, rebuilds every period."""
    digest = hashlib.md5()
    code = (p for folder in CODE_FOLDERS for p in (DBT_DIR / folder).rglob("*")
            if p.suffix in {".sql", ".yml"})
    files = [DBT_DIR / "dbt_project.yml", *code]
    for path in sorted(files):
        digest.update(f"{path.relative_to(DBT_DIR).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def seed_path() -> str:
    """The seeds folder (CHITIEU_SEEDS_DIR, read by ingest too) relative to the dbt project.
    dbt writes a seed's compiled SQL to target/run/<project>/<seed path>/<file>: with an
    absolute path that is the CSV itself, which dbt would overwrite."""
    from base.reference import seeds_dir

    return os.path.relpath(seeds_dir().resolve(), DBT_DIR.resolve())


@contextmanager
def _dbt_environment(values: dict[str, str]) -> Iterator[None]:
    """dbt's profile and project read these with env_var(): they are set for this one
    invocation and restored after it, never left behind in the process."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def run_dbt_build(db_path: Path, full_refresh: bool = False, unit_tests: bool = False,
                  as_of: date | None = None, periods: list[str] | None = None) -> BuildSummary:
    """`dbt build` into the build database, as of `as_of` (without it CHITIEU_AS_OF_DATE or
    today), rebuilding `periods` even if nothing changed them (var rebuild_periods); every
    node's result goes to the log.

    The as-of date reaches dbt in the environment (CHITIEU_AS_OF_DATE), not as a var: dbt
    re-parses the whole project whenever its vars change, and a date that moves every night
    cost every night a full parse (about 4 s here) instead of the partial one.

    dbt's unit tests check the models' SQL, not the night's data: the nightly build leaves
    them out, as dbt recommends for production, and the test suite runs them
    (`unit_tests=True`, tests/warehouse/test_seeds_read_only.py)."""
    from dbt.cli.main import dbtRunner

    args = ["build", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
            "--threads", str(DBT_THREADS), "--target-path", str(db_path.parent / "dbt_target"),
            "--log-path", str(db_path.parent / "dbt_logs")]
    if full_refresh:
        args.append("--full-refresh")
    if periods:
        args += ["--vars", json.dumps({"rebuild_periods": list(periods)})]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    from base.reference import seeds_dir

    hashes = seed_hashes(seeds_dir())
    kept_seeds = [] if full_refresh else unchanged_seeds(db_path, hashes)
    code_key = project_code_key()
    key = kept_nodes.nodes_key(db_path, code_key, hashes)
    kept = {} if full_refresh else kept_nodes.kept_since_last_build(db_path, key)
    if kept:  # by name, and only those: a test of a kept model and a rebuilt one still runs
        args += ["--indirect-selection", "empty"]
    if kept_seeds or kept:
        args += ["--exclude", *kept_seeds, *sorted(n["name"] for n in kept.values())]
    kept_models = sorted(uid for uid, n in kept.items() if n["resource_type"] == "model")
    with _dbt_environment({"CHITIEU_DB": str(db_path), "CHITIEU_DBT_SEED_PATH": seed_path(),
                           "CHITIEU_DBT_CODE_KEY": code_key,
                           "CHITIEU_DBT_KEPT_MODELS": ",".join(kept_models),
                           **({"CHITIEU_AS_OF_DATE": as_of.isoformat()} if as_of else {})}):
        result = dbtRunner().invoke(args)
    summary = BuildSummary()
    if result.exception is not None:
        kept_nodes.record(db_path, None, {})
        summary.success = False
        summary.blocking.append(f"dbt could not run: {result.exception}")
        return summary
    seeds = [(r.node.name, str(r.status)) for r in result.result or [] if r.node.resource_type == "seed"]
    record_loaded_seeds(db_path, hashes, loaded=[n for n, status in seeds if status == "success"],
                        failed=[n for n, status in seeds if status != "success"])
    summary.kept_seeds = kept_seeds
    if kept_seeds:
        log.info("seeds kept, unchanged since loaded: %s", ", ".join(kept_seeds))
    for node_result in result.result or []:
        status = str(node_result.status)
        node = node_result.node
        summary.status_counts[status] = summary.status_counts.get(status, 0) + 1
        summary.dbt_seconds += node_result.execution_time or 0.0
        kind = str(node.resource_type)
        summary.node_types[kind] = summary.node_types.get(kind, 0) + 1
        line = f"{node.resource_type} {node.name}: {status}"
        if node_result.failures:
            line += f" ({node_result.failures} rows)"
        log.info(line)
        if status in {"error", "fail"}:
            summary.blocking.append(f"{line}: {node_result.message or ''}".strip()
                                    + _where_the_rows_are(node, db_path, status))
        elif status == "warn":
            summary.warnings.append(line)
    summary.success = not summary.blocking
    summary.kept_nodes = sorted(n["name"] for n in kept.values())
    if kept:
        log.info("%d nodes kept, unchanged since the last build: %s", len(kept),
                 ", ".join(summary.kept_nodes))
    statuses = {r.node.unique_id: str(r.status) for r in result.result or []}
    keepable = kept_nodes.after_build(db_path.parent / "dbt_target" / "manifest.json", statuses, kept) \
        if summary.success else None
    kept_nodes.record(db_path, key if keepable is not None else None, keepable or {})
    return summary


def _where_the_rows_are(node, db_path: Path, status: str) -> str:
    """For a failing test, where its failing rows are kept: the audit table dbt writes with
    store_failures (dbt_project.yml), in the build database, ready to query."""
    relation = getattr(node, "relation_name", None)
    if status != "fail" or not relation:
        return ""
    return f" — the failing rows: SELECT * FROM {relation} (in {db_path}, read-only)"
