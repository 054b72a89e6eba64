"""The rooms' import contract (pyproject.toml, [tool.importlinter]) holds, and it can fail.

The contract is what `make lint` checks with import-linter: base imports no other room; the
reader (ingest) imports only base; the clerk tools and chitieu (night, warehouse, review)
import those below them and not each other; the review imports neither the reader, the clerk
tools nor the night; no circle between the modules of a room. The one allowed exception is
written in the contract by name: `python -m ingest validate|template` handing over to
clerk/__main__.py. A copy of the rooms with one forbidden import added must break it, so a
contract that checks nothing cannot pass here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT

pytestmark = pytest.mark.unit

ROOMS = ("base", "ingest", "clerk", "chitieu")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """import-linter on `project`'s pyproject.toml, its rooms imported from `project` first."""
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=project,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(project)},
                          capture_output=True, text=True, timeout=120)


def test_the_rooms_keep_their_contract() -> None:
    proc = lint_imports(PROJECT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 3 kept, 0 broken." in proc.stdout
    assert "(1 ignored import)" in proc.stdout  # python -m ingest validate|template, by name


def _copy_of_the_rooms(tmp_path: Path) -> Path:
    for room in ROOMS:
        shutil.copytree(PROJECT / room, tmp_path / room, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("base/text.py", "from clerk.templates import Request", "Each room imports only the rooms below it"),
    ("ingest/layouts.py", "import clerk.last_values", "Each room imports only the rooms below it"),
    ("clerk/templates.py", "from chitieu.stages import build", "Each room imports only the rooms below it"),
    ("chitieu/review/html.py", "from ingest.store import connect", "The review reads the published"),
    ("base/periods.py", "from base.calendar import load_calendar", "No circle between the modules"),
])
def test_a_forbidden_import_breaks_the_contract(tmp_path: Path, module: str, line: str,
                                                contract: str) -> None:
    project = _copy_of_the_rooms(tmp_path)
    path = project / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # added by the test\n", encoding="utf-8")
    proc = lint_imports(project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    broken = proc.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, proc.stdout


def test_every_import_of_our_rooms_names_a_module_that_exists() -> None:
    """A lazy import of a moved module (`from ingest.units import …` inside a test or a task)
    fails only when that line runs; here every such line is checked, in code and tests."""
    import ast
    import importlib.util

    ours = (*ROOMS, "tests", "tools")
    missing = []
    for folder in (*ROOMS, "tests", "tools", "dags", "bench"):
        for path in (PROJECT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level \
                    else [a.name for a in node.names] if isinstance(node, ast.Import) else []
                for name in names:
                    if name.split(".")[0] in ours and importlib.util.find_spec(name) is None:
                        missing.append(f"{path.relative_to(PROJECT)}:{node.lineno} {name}")
    assert not missing, missing
