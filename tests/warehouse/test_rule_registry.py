"""One registry of finding rules (issue 12): every code the reader or the warehouse can emit is
in base/rules.py, nothing registered is dead, and the seed and docs made from it are current."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from base.rules import DOC, RULES, SEED, IngestProblem, rules_markdown, seed_csv

pytestmark = pytest.mark.unit

PROJECT = Path(__file__).resolve().parents[2]
RAISERS = {"Finding", "FileRejected", "UnitError", "IngestProblem", "_problem"}


def _strings(node: ast.AST) -> set[str]:
    """String constants an argument may evaluate to (a literal, or either arm of an if-else)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def python_rules() -> set[str]:
    found: set[str] = set()
    for path in [*(PROJECT / "ingest").glob("*.py"), *(PROJECT / "base").glob("*.py"),
                 *(PROJECT / "clerk").glob("*.py"),
                 *(PROJECT / "chitieu").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in RAISERS and node.args:
                    found |= _strings(node.args[0])
                found |= {s for kw in node.keywords if kw.arg == "rule" for s in _strings(kw.value)}
    found.discard("bad_target")  # BadTarget's rule, given by its constructor
    return found | {"bad_target"}


def sql_rules() -> set[str]:
    found: set[str] = set()
    for path in (PROJECT / "dbt_project" / "models").rglob("*.sql"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"'([a-z0-9_]+)' as rule\b", text))
        found |= set(re.findall(r"rule_violation\('([a-z0-9_]+)'", text))
        for block in re.findall(r"case(.*?)end as rule\b", text, re.S):
            found |= set(re.findall(r"then '([a-z0-9_]+)'", block)) | set(
                re.findall(r"else '([a-z0-9_]+)'", block))
    return found


def test_every_rule_in_the_code_is_registered() -> None:
    used = python_rules() | sql_rules()
    assert used - set(RULES) == set(), "emitted but not in base/rules.py"


def test_every_registered_rule_is_emitted_somewhere() -> None:
    """Except the retired ones, kept for the findings an older warehouse holds (and only those)."""
    from base.rules import RETIRED

    used = python_rules() | sql_rules()
    assert set(RULES) - used == RETIRED, "registered but never emitted"
    assert not RETIRED & used, "a retired rule is emitted again: take it out of RETIRED"


def test_the_registry_reads_the_sql_and_python_it_claims() -> None:
    """The scans above find known codes of each kind (so an empty scan cannot pass)."""
    assert {"corrupt_file", "unit_mismatch", "not_a_number", "duplicate_element"} <= python_rules()
    assert {"vax18_dose_order", "outlier", "same_time_conflict", "replaced_value"} <= sql_rules()


def test_an_unregistered_rule_cannot_be_raised() -> None:
    with pytest.raises(KeyError, match="unregistered"):
        IngestProblem("made_up_rule", "x")


def test_seed_and_docs_are_generated_from_the_registry() -> None:
    assert SEED.read_text(encoding="utf-8") == seed_csv(), "run python -m ingest rules --write"
    assert DOC.read_text(encoding="utf-8") == rules_markdown(), "run python -m ingest rules --write"
    assert all(r.severity in {"error", "warning", "info"} and r.action_vi for r in RULES.values())


def test_validate_json_for_machines(tmp_path: Path) -> None:
    empty = tmp_path / "BC.csv"
    empty.write_bytes(b"")
    proc = subprocess.run([sys.executable, "-m", "ingest", "validate", "--json", str(empty)],
                          capture_output=True, text=True, check=False, cwd=PROJECT)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["refused"] is True
    (entry,) = report["files"]
    assert entry["status"] == "rejected"
    assert [(m["rule"], m["severity"], m["label"]) for m in entry["messages"]] == [
        ("empty_file", "error", "error")]
    assert all(m["rule"] in RULES for m in entry["messages"])


def test_validate_in_vietnamese_says_what_to_do(tmp_path: Path) -> None:
    empty = tmp_path / "BC.csv"
    empty.write_bytes(b"")
    proc = subprocess.run([sys.executable, "-m", "ingest", "validate", "--lang", "vi", str(empty)],
                          capture_output=True, text=True, check=False, cwd=PROJECT)
    assert proc.returncode == 1
    rule = RULES["empty_file"]
    title = rule.title_vi[:1].upper() + rule.title_vi[1:]
    assert proc.stdout.startswith(f"BC.csv — Lỗi: {title}. {rule.action_vi}\n")
