"""The macro round_half_up (dbt_project/macros/round_half_up.sql), which rounds a target's
actual value to the indicator's decimals, run by dbt itself (`dbt show --inline` on the real
project, DuckDB) on doubles whose right answers are counted by hand: half away from zero,
on the number as printed (the review's Python Decimal, ROUND_HALF_UP), not on the binary
double (1.005 is stored as 1.00499999999999989..., which a plain round() takes to 1.0)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.warehouse

# (value, decimals, rounded) by hand
CASES = [
    ("1.005", 2, 1.01),
    ("0.125", 2, 0.13),  # exactly half: up, not to even (0.12)
    ("-2.4000000000000004", 2, -2.4),  # 4.8 - 7.2 in doubles: printed -2.40
    ("2.5", 0, 3.0),
    ("-2.5", 0, -3.0),  # away from zero
    ("1.23456789", 6, 1.234568),
    ("1.23456789", 7, 1.23456789),  # outside 0..6 places: kept as it is
]


def test_round_half_up_rounds_the_printed_number_half_away_from_zero(tmp_path: Path) -> None:
    from dbt.cli.main import dbtRunner

    from base.settings import DBT_DIR
    from chitieu.build import _dbt_environment, seed_path

    rows = ", ".join(f"({value}::double, {decimals})" for value, decimals, _ in CASES)
    sql = "select {{ round_half_up('x', 'd') }} as r from (values " + rows + ") as t (x, d)"
    env = {"CHITIEU_DB": str(tmp_path / "show.duckdb"), "CHITIEU_DBT_SEED_PATH": seed_path()}
    with _dbt_environment(env):
        result = dbtRunner().invoke([
            "show", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--inline", sql,
            "--limit", "-1", "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
            "--quiet"])
    assert result.success, result.exception
    got = [float(r[0]) for r in result.result.results[0].agate_table.rows]
    assert got == [rounded for _, _, rounded in CASES]
