"""A fixture is defined once: a test module or conftest that imports a fixture from another
module makes pytest see a second definition, set up a second time. For the session's portal
that meant two Django data folders, one of them never used (issue 24's parallel run: the
portal tests failed after tests/warehouse/test_signoff_from_spec.py had imported it)."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import PROJECT

pytestmark = pytest.mark.unit


def fixtures_of(module: ast.Module) -> set[str]:
    """The names of the functions a module decorates with pytest.fixture."""
    names = set()
    for node in module.body:
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if ast.unparse(target) in {"pytest.fixture", "fixture"}:
                    names.add(node.name)
    return names


def test_no_module_imports_a_fixture() -> None:
    tests = PROJECT / "tests"
    fixtures = {path.relative_to(PROJECT).with_suffix("").as_posix().replace("/", "."):
                fixtures_of(ast.parse(path.read_text(encoding="utf-8")))
                for path in tests.rglob("*.py")}
    imported = []
    for path in tests.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in fixtures:
                imported += [f"{path.relative_to(PROJECT)}: {alias.name} from {node.module}"
                             for alias in node.names if alias.name in fixtures[node.module]]
    assert fixtures["tests.conftest"] >= {"portal_django", "built", "sample_dir"}
    assert not imported, "a fixture imported is a fixture defined twice: " + "; ".join(imported)
