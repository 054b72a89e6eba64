"""Which dbt nodes a night leaves out: those whose result cannot differ from the last build's.

A night that brings files runs `dbt build` over some 150 nodes, and at national scale most of
its time is dbt's own work per node (compile, relation cache, create and swap: 0.1-2 s each),
not their SQL. Two kinds of node give the same result as the last successful build as long as
nothing they are made of changed — the project's code (chitieu.build.project_code_key: models,
macros, tests, dbt_project.yml), the seeds (chitieu.seed_loads), dbt's and DuckDB's versions,
the columns of the raw layer and the rules of this module (its own source):

- a view model: DuckDB keeps a view's SQL and reads its inputs by name when the view is queried,
  so creating it again with the same SQL changes nothing (new rows in raw.* show through it;
  its data tests still run every night);
- a model of the reference subgraph, and the data tests that read only such models: no source
  feeds it, all its parents are seeds or such models, it is a table or a view (not incremental:
  those read meta tables), has no hook, and neither its SQL nor any macro it calls reads
  something a night changes (the as-of date, the periods asked for, the clock, the database at
  compile time, the environment; VOLATILE). The same seeds make the same tables, and their
  tests the same verdicts.

After a successful build in which each of these nodes succeeded or passed (a warning would go
unreported on the nights that skip it), the build records in meta.kept_nodes the key of what
they are made of and the nodes (from the manifest dbt wrote); the next build leaves them out
when its key is the same and every kept model's relation is still in the database. A full
refresh, a new database, a changed seed, model, macro, test or raw column: everything runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

import duckdb

META = "meta"
TABLE = "kept_nodes"
# What a node's SQL (or a macro it calls) may read that a night changes: the as-of date and
# the periods asked for (vars), int_rebuild_periods, the state of the database at compile time,
# the clock, the environment, randomness. A node that mentions one is built every night.
VOLATILE = ("as_of_date", "rebuild_periods", "is_incremental", "get_relation", "run_query",
            "statement(", "load_result", "run_started_at", "invocation_id", "env_var", "now()",
            "current_date", "current_timestamp", "today(", "random(", "uuid(")
THIS = re.compile(r"\{\{-?\s*this\b")  # the model's own relation, as it is before the build
COMMENTS = re.compile(r"\{#.*?#\}|--[^\n]*", re.DOTALL)  # what they say is not read
# The generic tests' where-subquery (macros/tested_periods.sql) narrows a test to the rebuilt
# periods only for a model incremental by period or configured test_rebuilt_periods_only;
# for any other model it is the model's relation (and the test's `where`, which is code).
NARROWING = "macro.chitieu.get_where_subquery"


def _macro_closure(manifest: dict, roots: Iterable[str], skip: frozenset[str] = frozenset()) -> set[str]:
    seen: set[str] = set()
    todo = [m for m in roots if m not in skip]
    while todo:
        macro = todo.pop()
        if macro in seen:
            continue
        seen.add(macro)
        todo += [m for m in manifest["macros"].get(macro, {}).get("depends_on", {}).get("macros", [])
                 if m not in skip]
    return seen


def _reads_what_a_night_changes(manifest: dict, node: dict, skip: frozenset[str] = frozenset()) -> bool:
    macros = _macro_closure(manifest, node.get("depends_on", {}).get("macros", []), skip)
    if any(m.endswith(".is_incremental") for m in macros):
        return True
    texts = [node.get("raw_code") or ""]  # and the project's macros (dbt's are in the key: its version)
    texts += [manifest["macros"][m].get("macro_sql") or "" for m in macros
              if manifest["macros"].get(m, {}).get("package_name") == node.get("package_name")]
    texts = [COMMENTS.sub("", text) for text in texts]
    return any(token in text for text in texts for token in VOLATILE) or any(THIS.search(t) for t in texts)


def _has_hooks(node: dict) -> bool:
    config = node.get("config", {})
    return bool(config.get("pre-hook") or config.get("post-hook"))


def keepable_nodes(manifest: dict) -> dict[str, dict]:
    """The nodes a build may leave out when nothing they are made of changed, by unique_id,
    each with its name, resource type and (for a model) its relation."""
    nodes = manifest["nodes"]
    reference: set[str] = {uid for uid, n in nodes.items() if n["resource_type"] == "seed"}
    kept: dict[str, dict] = {}
    models = [n for n in nodes.values() if n["resource_type"] == "model"]
    changed = True
    while changed:  # parents first: a model is reference when its parents are
        changed = False
        for node in models:
            uid = node["unique_id"]
            if uid in reference:
                continue
            parents = node.get("depends_on", {}).get("nodes", [])
            if (parents and all(p in reference for p in parents)
                    and node["config"].get("materialized") in {"table", "view"}
                    and not node["config"].get("test_rebuilt_periods_only")
                    and not _has_hooks(node) and not _reads_what_a_night_changes(manifest, node)):
                reference.add(uid)
                changed = True
    for node in models:
        uid = node["unique_id"]
        is_view = (node["config"].get("materialized") == "view" and not _has_hooks(node)
                   and not _reads_what_a_night_changes(manifest, node))
        if uid in reference or is_view:
            kept[uid] = {"name": node["name"], "resource_type": "model",
                         "schema": node["schema"], "alias": node.get("alias") or node["name"]}
    for node in nodes.values():
        if node["resource_type"] != "test":
            continue
        parents = node.get("depends_on", {}).get("nodes", [])
        if (parents and all(p in reference for p in parents) and not node["config"].get("where")
                and not _reads_what_a_night_changes(manifest, node, frozenset({NARROWING}))):
            kept[node["unique_id"]] = {"name": node["name"], "resource_type": "test"}
    return kept


def nodes_key(db_path: Path, code_key: str, seed_hashes: dict[str, str]) -> str:
    """The hash of what the keepable nodes are made of (see the module's docstring)."""
    from dbt.version import __version__ as dbt_version

    digest = hashlib.sha256()
    for part in (code_key, json.dumps(seed_hashes, sort_keys=True), dbt_version, duckdb.__version__,
                 Path(__file__).read_text(encoding="utf-8"), _raw_columns(db_path)):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _raw_columns(db_path: Path) -> str:
    if not db_path.exists():
        return ""
    con = duckdb.connect(str(db_path))  # the build's writer, under its lock
    try:
        rows = con.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                           "WHERE table_schema = 'raw' AND table_catalog = current_database() "
                           "ORDER BY table_name, ordinal_position").fetchall()
    finally:
        con.close()
    return json.dumps(rows)


def kept_since_last_build(db_path: Path, key: str) -> dict[str, dict]:
    """The nodes the last build recorded under the same key, if every kept model's relation
    is still there (none otherwise, and none in a new database)."""
    if not db_path.exists():
        return {}
    con = duckdb.connect(str(db_path))
    try:
        if not _has_table(con):
            return {}
        row = con.execute(f"SELECT key, nodes FROM {META}.{TABLE}").fetchone()
        if row is None or row[0] != key:
            return {}
        nodes = json.loads(row[1])
        relations = {(s, t) for s, t in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_catalog = current_database()").fetchall()}
    finally:
        con.close()
    models = [n for n in nodes.values() if n["resource_type"] == "model"]
    if any((n["schema"], n["alias"]) not in relations for n in models):
        return {}
    return nodes


def record(db_path: Path, key: str | None, nodes: dict[str, dict]) -> None:
    """Remember the key and the nodes the next build may leave out; with no key, forget them
    (the next build runs everything)."""
    con = duckdb.connect(str(db_path))
    try:
        if key is None and not _has_table(con):
            return
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {META}")
        con.execute(f"CREATE OR REPLACE TABLE {META}.{TABLE} (key VARCHAR, nodes VARCHAR)")
        if key is not None:
            con.execute(f"INSERT INTO {META}.{TABLE} VALUES (?, ?)", [key, json.dumps(nodes, sort_keys=True)])
    finally:
        con.close()


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
                            "AND table_name = ? AND table_catalog = current_database()",
                            [META, TABLE]).fetchone()[0])


def after_build(manifest_path: Path, statuses: dict[str, str],
                kept: dict[str, dict]) -> dict[str, dict] | None:
    """The keepable nodes of the project dbt just built (its manifest), if each succeeded or
    passed in this build or was kept; None if one did not (or dbt wrote no manifest)."""
    if not manifest_path.exists():
        return None
    keepable = keepable_nodes(json.loads(manifest_path.read_text(encoding="utf-8")))
    if any(uid not in kept and statuses.get(uid) not in {"success", "pass"} for uid in keepable):
        return None
    return keepable
