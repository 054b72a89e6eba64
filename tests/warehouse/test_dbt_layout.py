"""The dbt project keeps the conventions docs/developer.md claims (dbt Labs' project structure).

Read from dbt's own parsed manifest, so a model that joins in staging, a mart that reads a
seed, or a constant written into a model again fails here rather than in review.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import PROJECT

pytestmark = pytest.mark.unit

DBT_DIR = PROJECT / "dbt_project"
STAGING_SHAPE = re.compile(
    r"with source as \(\s*select \* from \{\{ (source|ref)\(.*?\) \}\}\s*\),\s*"
    r"renamed as \(\s*select\b.*?\bfrom source\s*\)\s*select \* from renamed\s*$",
    re.DOTALL,
)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`dbt parse` of the project as shipped: nodes with their SQL and dependencies."""
    from dbt.cli.main import dbtRunner

    target = tmp_path_factory.mktemp("dbt_parse")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CHITIEU_DB", str(target / "parse.duckdb"))
        env.setenv("CHITIEU_DBT_SEED_PATH", "seeds")
        result = dbtRunner().invoke(["parse", "--project-dir", str(DBT_DIR), "--profiles-dir",
                                     str(DBT_DIR), "--target-path", str(target),
                                     "--log-path", str(target)])
    assert result.success, result.exception
    return result.result.to_dict()


def _models(manifest: dict, folder: str) -> dict[str, dict]:
    return {n["name"]: n for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["fqn"][1] == folder}


def test_one_staging_model_per_source_table_and_seed(manifest: dict) -> None:
    """Every raw table and every seed has exactly one staging model, named after it, reading
    nothing else (no joins in staging)."""
    staging = _models(manifest, "staging")
    readers: dict[str, list[str]] = {}
    for name, node in staging.items():
        parents = node["depends_on"]["nodes"]
        assert len(parents) == 1, f"{name} reads {parents}: joins belong in intermediate"
        readers.setdefault(parents[0], []).append(name)
    inputs = {s["unique_id"]: f"stg_{s['source_name']}__{s['name']}"
              for s in manifest["sources"].values()}
    seeds = [n for n in manifest["nodes"].values() if n["resource_type"] == "seed"]
    assert {s["name"] for s in seeds} == {p.stem for p in (DBT_DIR / "seeds").glob("*.csv")}
    for seed in seeds:
        inputs[seed["unique_id"]] = None  # stg_reference__<entity>: the seed's plural name varies
    for unique_id, expected_name in inputs.items():
        names = readers.get(unique_id, [])
        assert len(names) == 1, f"{unique_id} has staging models {names}, not one"
        if expected_name:
            assert names[0] == expected_name
        else:
            assert names[0].startswith("stg_reference__"), names[0]


def test_staging_models_rename_only(manifest: dict) -> None:
    """Each staging model is `with source as (…), renamed as (…) select * from renamed`,
    without a join or a filter."""
    for name, node in _models(manifest, "staging").items():
        sql = "\n".join(line for line in node["raw_code"].splitlines()
                        if not line.lstrip().startswith("--"))
        assert STAGING_SHAPE.search(sql.strip()), f"{name} is not in the source/renamed shape"
        assert not re.search(r"\b(join|where|qualify|group by)\b", sql, re.IGNORECASE), name


def test_only_staging_reads_sources_and_seeds(manifest: dict) -> None:
    """Intermediate models, marts and data tests read staging or intermediate models, never a
    raw table or a seed."""
    raw_inputs = set(manifest["sources"]) | {
        uid for uid, n in manifest["nodes"].items() if n["resource_type"] == "seed"}
    for node in manifest["nodes"].values():
        if node["resource_type"] not in {"model", "test"}:
            continue
        if node["resource_type"] == "model" and node["fqn"][1] == "staging":
            continue
        direct = raw_inputs & set(node["depends_on"]["nodes"])
        assert not direct, f"{node['name']} reads {sorted(direct)} directly"


def test_roll_up_and_its_check_share_values_with_rules(manifest: dict) -> None:
    """The unit roll-up and its reconciliation test read values joined to their rules from
    one model, not each its own join to int_element_rules."""
    by_name = {n["name"]: n for n in manifest["nodes"].values()}
    for name in ("int_unit_rollup", "assert_rollups_reconcile"):
        parents = by_name[name]["depends_on"]["nodes"]
        assert "model.chitieu.int_values_with_rules" in parents, name
        assert "model.chitieu.int_element_rules" not in parents, name


CONSTANTS = {"'Xã'": "xa_unit_type: Xã", "'xa'": "xa_reported_by: xa",
             "'XA_COUNT'": "xa_count_element: XA_COUNT", "0.6745": "outlier_mad_factor: 0.6745"}


@pytest.mark.parametrize("literal", sorted(CONSTANTS))
def test_domain_constants_live_in_vars(literal: str) -> None:
    """Domain constants are written once, as vars in dbt_project.yml, not in the SQL."""
    assert CONSTANTS[literal] in (DBT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    for folder in ("models", "macros", "tests"):
        for path in (DBT_DIR / folder).rglob("*.sql"):
            code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                             if not line.lstrip().startswith("--"))
            assert literal not in code, f"{path.relative_to(DBT_DIR)} writes {literal}"
