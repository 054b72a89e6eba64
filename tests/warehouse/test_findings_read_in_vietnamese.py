"""Every finding a user reads is in Vietnamese (docs/spec/portal.md, "Follow up"; GUIDE: everything
a user reads in Vietnamese): the message of each row of marts.data_quality_findings and
marts.finding_follow_up, which the analyst reads in Superset, the clerk and the reviewer on the
portal's unit and finding pages, and the reviewer in the weekly e-mail.

One night on a hand-made inbox that raises findings of both rooms: the reader's (a file type not
read, an unreadable period, an unknown unit, text for a number, an unknown indicator code, one
element twice with different values) and the warehouse's (validation rules, a computed rate out
of range, a replaced value, an element a correction left out, two reports sent at the same time).
A message fails when it has no Vietnamese letter, or when it holds common English words once
the file names the inbox gave are taken out. A static check beside it reads every string
literal of the dbt models and macros that write messages, so a rule this inbox does not raise
(outliers, bands, percentages typed as fractions) cannot keep an English sentence either.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from base.settings import PROJECT_DIR
from tests.inboxes import Build, build, deliver, layout_a_sheet, report_by_code
from tests.vietnamese import ENGLISH, english_in

pytestmark = pytest.mark.warehouse

COMMUNE, SAME_TIME, TWICE = "18142", "18145", "18139"  # Xã Sơn Tiến, Sơn Lâm, Sơn Hồng (district 439)
NAMES = {
    "HH_TOTAL": ("Tổng số hộ dân cư", "hộ"), "HH_POOR": ("Số hộ nghèo", "hộ"),
    "HH_NEAR_POOR": ("Số hộ cận nghèo", "hộ"), "POP_18PLUS": ("Dân số từ 18 tuổi trở lên", "người"),
    "VAX18_DOSE1": ("Số người từ 18 tuổi trở lên đã tiêm ít nhất 1 mũi", "người"),
    "VAX18_DOSE2": ("Số người từ 18 tuổi trở lên đã tiêm đủ 2 mũi", "người"),
    "POP_TOTAL": ("Dân số trung bình", "người"), "MA_LA": ("Chỉ tiêu lạ", "cái"),
    "BUDGET_REVENUE": ("Thu ngân sách trên địa bàn", "tỷ đồng"),  # the province's, not a commune's
}
FILES = ("bao cao son tien", "bao cao son tien lan 2", "son lam", "son lam ban khac", "son hong",
         "ky la", "don vi la", "ghi chu.txt")

@pytest.mark.unit
def test_the_check_tells_english_from_vietnamese() -> None:
    """The check itself, on the messages it must refuse and those it must pass."""
    assert english_in("poor + near-poor households exceed all households")
    assert english_in("replaced by a newer report: 12 here, now 14 in bao cao son tien.xlsx › Báo cáo › E9",
                      FILES)
    assert english_in("HH_POOR 1200 > 1000")  # no Vietnamese word at all
    assert english_in("Số hộ nghèo vượt tổng số hộ: 1200 > 1000 (the newer is used)") == \
        ["is", "newer", "the", "used"]
    assert english_in("Số liệu đã được thay bằng báo cáo sau: 12 ở đây, nay là 14 trong "
                      "bao cao son tien lan 2.xlsx › Báo cáo › E9", FILES) == []
    assert english_in("Ô không phải là số: 'abc' không phải là số. Sửa ô này rồi gửi lại.") == []


def commune_report(unit: str, values: dict[str, object]):
    return report_by_code(unit, "Năm 2022", values, NAMES)


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("vietnamese")
    inbox = root / "inbox"
    inbox.mkdir()
    first, later = datetime(2023, 1, 10, 9, 30), datetime(2023, 1, 20, 9, 30)
    deliver(inbox, FILES[0], [commune_report(COMMUNE, {
        "HH_TOTAL": 1000, "HH_POOR": 1200, "HH_NEAR_POOR": 50, "POP_18PLUS": 800, "VAX18_DOSE1": 900,
        "VAX18_DOSE2": 950, "POP_TOTAL": "khoảng ba nghìn", "MA_LA": 7, "BUDGET_REVENUE": 12})], first)
    # the correction: HH_TOTAL replaced, HH_NEAR_POOR left out
    deliver(inbox, FILES[1], [commune_report(COMMUNE, {
        "HH_TOTAL": 1100, "HH_POOR": 1200, "POP_18PLUS": 800, "VAX18_DOSE1": 900,
        "VAX18_DOSE2": 950})], later)
    for name, households in ((FILES[2], 900), (FILES[3], 950)):  # at the same time, disagreeing
        deliver(inbox, name, [commune_report(SAME_TIME, {"HH_TOTAL": households, "HH_POOR": 40})], first)
    rows = [[1, "HH_TOTAL", *NAMES["HH_TOTAL"], 700], [2, "HH_POOR", *NAMES["HH_POOR"], 30],
            [3, "HH_TOTAL", *NAMES["HH_TOTAL"], 750]]
    deliver(inbox, FILES[4], [layout_a_sheet([[f"Mã đơn vị: {TWICE}"]], "Năm 2022", rows)], first)
    deliver(inbox, FILES[5], [layout_a_sheet([[f"Mã đơn vị: {TWICE}"]], "sớm", rows[:2])], first)
    deliver(inbox, FILES[6], [layout_a_sheet([["Mã đơn vị: 99999"]], "Năm 2022", rows[:2])], first)
    (inbox / FILES[7]).write_text("số liệu gửi sau", encoding="utf-8")
    return build(root, inbox)


RAISED = {"unsupported_format", "bad_period", "unknown_unit", "not_a_number", "unknown_indicator",
          "not_reported_by_level",
          "duplicate_element", "households_composition", "vax18_dose_order", "indicator_out_of_range",
          "replaced_value", "dropped_element", "same_time_conflict"}


def test_every_finding_the_night_writes_is_in_vietnamese(night: Build) -> None:
    con = night.con()
    found = con.execute("SELECT rule, message FROM marts.data_quality_findings").fetchall()
    assert {rule for rule, _ in found} >= RAISED, sorted({rule for rule, _ in found})
    english = [(rule, message, english_in(message, FILES)) for rule, message in found
               if english_in(message, FILES)]
    assert english == [], "\n".join(f"{r}: {m}  <- {w}" for r, m, w in english)
    # and in Vietnamese it still says what it is about: the text typed, the code, the cells
    said = {}
    for rule, message in found:
        said.setdefault(rule, []).append(message)
    for rule, detail in (("not_a_number", "khoảng ba nghìn"), ("unknown_indicator", "MA_LA"),
                         ("unknown_unit", "99999"), ("bad_period", "sớm"), ("duplicate_element", "E11"),
                         ("same_time_conflict", "son lam"), ("dropped_element", "HH_NEAR_POOR"),
                         ("not_reported_by_level", "cấp tỉnh")):
        assert all(detail in m for m in said[rule]), (rule, said[rule])


def test_every_finding_to_follow_up_is_in_vietnamese(night: Build) -> None:
    con = night.con()
    found = con.execute("SELECT rule, rule_title_vi, message FROM marts.finding_follow_up").fetchall()
    assert {"households_composition", "not_a_number", "replaced_value"} <= {r for r, _, _ in found}
    english = [(rule, text, english_in(text, FILES)) for rule, title, message in found
               for text in (title, message) if english_in(text, FILES)]
    assert english == [], "\n".join(f"{r}: {m}  <- {w}" for r, m, w in english)


SQL_STRING = re.compile(r"'((?:[^']|'')*)'")


def sql_strings(path: Path) -> list[str]:
    """The string literals of a model or macro, comments left out."""
    text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.DOTALL)
    return [m.replace("''", "'") for m in SQL_STRING.findall(text)]


@pytest.mark.unit
def test_no_model_writes_an_english_message() -> None:
    """Every string literal of two words or more in the dbt models and macros that write a
    message: a message part (SQL conditions passed to the rule_violation macro are skipped)."""
    dbt = PROJECT_DIR / "dbt_project"
    english, writers = [], []
    for path in sorted([*dbt.glob("models/**/*.sql"), *dbt.glob("macros/*.sql")]):
        if not re.search(r"\bas message\b|\bmessage\)", re.sub(r"--[^\n]*", "", path.read_text("utf-8"))):
            continue
        writers.append(path.stem)
        for literal in sql_strings(path):
            if "_" in literal and re.search(r"[<>=]", literal):
                continue  # a condition passed to the rule_violation macro
            words = [w for w in re.findall(r"[\w.]+", literal) if w.isalpha()]  # no identifier
            if len(words) >= 2 and [w for w in words if w.lower() in ENGLISH and not w.isupper()]:
                english.append(f"{path.relative_to(dbt)}: {literal!r}")
    assert {"int_rule_violations", "int_value_conflicts", "int_dropped_elements", "int_total_mismatches",
            "rule_violation"} <= set(writers), writers
    assert english == [], "\n".join(english)


def test_a_finding_the_reader_wrote_before_it_kept_vietnamese_says_the_rules_title(
        night: Build, tmp_path: Path) -> None:
    """A warehouse ingested by an earlier reader has raw.findings rows without message_vi: the
    next night shows the rule's Vietnamese title for them, never the English detail."""
    import shutil

    import duckdb

    night.con().close()  # it published
    build_db = tmp_path / "warehouse" / night.settings.build_db.relative_to(night.settings.warehouse_dir)
    build_db.parent.mkdir(parents=True)
    shutil.copy(night.settings.build_db, build_db)  # the raw tables, as the earlier reader left them
    con = duckdb.connect(str(build_db))
    try:
        assert con.execute("UPDATE raw.findings SET message_vi = NULL").fetchone()[0] > 0
    finally:
        con.close()
    again = build(tmp_path, night.settings.inbox)
    found = again.con().execute("SELECT rule, message FROM marts.data_quality_findings "
                                "WHERE found_by = 'ingest'").fetchall()
    assert ("not_a_number", "Ô không phải là số.") in found, found
    english = [(rule, message) for rule, message in found if english_in(message, FILES)]
    assert english == [], english
