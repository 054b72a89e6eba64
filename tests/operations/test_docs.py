"""The README is a front page and the guides are the tested path.

Every link between the README and the guides lands on a heading; each task an engineer names
has its own heading, linked from the README's table; every command a guide shows in a ```sh
block is run here or mapped to the test that runs it (and that test names it); the figures the
code can count (the sample's files and bad inputs, the make targets, chitieu's commands) are
compared with what the code makes."""

from __future__ import annotations

import ast
import calendar
import os
import re
import shlex
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import PROJECT

README = PROJECT / "README.md"
GUIDES = sorted((PROJECT / "docs").glob("*.md"))  # docs/spec/ is the office's contract, copied
DOCS = [README, *GUIDES]

# The tasks an engineer names (issue 26), each linked from the README to its own heading.
TASKS = {
    "backfill": "docs/engineer.md#backfill",
    "re-ingest a unit": "docs/engineer.md#re-ingest-a-unit",
    "why a night failed": "docs/engineer.md#why-a-night-failed",
    "set the alert addresses": "docs/engineer.md#set-the-alert-addresses",
    "add a province": "docs/engineer.md#add-a-province",
    "fill and check a template": "docs/clerk.md#fill-and-check-a-template",
    "read the review": "docs/analyst.md#read-the-review",
}

# Commands run by test_the_clerk_commands_run_as_shown below, from docs/clerk.md as written.
RUN_HERE = {
    'python -m ingest template --period 2026-11',
    'python -m ingest template --period 2026-11 --unit 18073',
    'python -m ingest template --period 2025 --level commune',
    'python -m ingest template --period "Năm 2024"',
    'python -m ingest template --targets 2027',
    'python -m ingest validate --lang vi BC_2026-11_18073_Phuong_Thanh_Sen.xlsx',
    'python -m ingest validate --json BC_2026-11_18073_Phuong_Thanh_Sen.xlsx',
}

# Every other command shown: the test that runs it, and words its module must hold (the
# command as that test spells it). A `make` target is checked against its recipe too (MAKE).
MAPPED = {
    "make run": ("tests/night/test_dag_runs.py::test_make_run_style_entry_point",
                 ['"-m", "chitieu", "run"']),
    "make run INBOX=/srv/inbox WAREHOUSE_DIR=/srv/warehouse": (
        "tests/night/test_dag_runs.py::test_make_run_style_entry_point",
        ['"-m", "chitieu", "run"', "WAREHOUSE_DIR=", "(from INBOX)"]),
    "make test": (".ci/run", ["time make test"]),  # CI runs the whole suite on a clean clone
    "make airflow": ("tests/operations/test_make_airflow.py::"
                     "test_make_airflow_serves_this_machine_only_and_keeps_the_login_private",
                     ['"-m", "chitieu", "airflow"']),
    "make airflow AIRFLOW_PORT=18080": (
        "tests/operations/test_make_airflow.py::"
        "test_make_airflow_serves_this_machine_only_and_keeps_the_login_private",
        ['"-m", "chitieu", "airflow"', '"AIRFLOW_PORT"']),
    ".venv/bin/chitieu backfill 2026-11-01 2026-11-03 --wait": (
        "tests/night/test_backfill.py::test_chitieu_backfill_from_a_plain_shell_waits_night_by_night",
        ['CHITIEU, "backfill", "2026-11-01", "2026-11-03", "--wait"']),
    ".venv/bin/chitieu backfill 2026-11-01 2026-11-03 --dry-run": (
        "tests/night/test_backfill.py::test_chitieu_backfill_from_a_plain_shell_waits_night_by_night",
        ['CHITIEU, "backfill", "2026-11-01", "2026-11-03", "--dry-run"']),
    ".venv/bin/chitieu backfill --cancel": (
        "tests/night/test_backfill.py::test_a_backfill_is_cancelled_as_the_guide_says",
        ['CHITIEU, "backfill", "--cancel"']),
    "make docs": ("tests/operations/test_operator_guards_and_alerts.py::"
                  "test_make_docs_builds_the_site_with_the_exposures_and_the_catalogue",
                  ['main(["docs"])']),
    "uv run python tools/generate_admin_units.py --province 42": (
        "tests/warehouse/test_reference_data.py::test_generator_reproduces_committed_seeds",
        ['from tools.generate_admin_units import main', '"--province", "42"']),
    "python -m ingest rules --write": (
        "tests/warehouse/test_rule_registry.py::test_seed_and_docs_are_generated_from_the_registry",
        ["seed_csv()", "rules_markdown()"]),  # what --write writes, compared with the files
    "make env": ("tests/operations/test_compose.py::test_env_generator_never_overwrites",
                 ["from tools.generate_env import generate"]),
    # No Docker engine runs here (docs/developer.md): the compose file is validated by the
    # compose client, profiles included, and its topology run natively (tests/distributed).
    "docker compose up -d": ("tests/operations/test_compose.py::"
                             "test_compose_config_is_valid_with_generated_secrets", ['"config"']),
    "docker compose up -d --scale airflow-worker=4": (
        "tests/operations/test_compose.py::test_compose_config_is_valid_with_generated_secrets",
        ['"config"']),
    "docker compose --profile bi up -d": (
        "tests/operations/test_compose.py::"
        "test_superset_profile_reads_the_warehouse_read_only_with_the_locked_pins",
        ['"--profile", "bi"']),
    "make portal PORTAL_PORT=8700": (
        "tests/portal/test_make_portal.py::test_make_portal_serves_the_login_page",
        ['"make", "portal", f"PORTAL_PORT={port}"']),
    "python -m portal clean_uploads": (
        "tests/portal/test_unsent_uploads_cleaned.py::"
        "test_unsent_uploads_past_their_days_are_removed_and_nothing_else",
        ['call_command("clean_uploads")']),
    # the weekly e-mail: chitieu.findings_digest runs exactly `python -m portal findings_digest`
    "python -m portal findings_digest": (
        "tests/portal/test_followup.py::"
        "test_the_scheduled_task_runs_the_command_and_fails_naming_who_was_not_reached",
        ["run_findings_digest(timeout_s=120)"]),
    # booted once for the review room by this fixture (test_boots_and_imports_the_bundle_in_time)
    "make superset": ("tests/review/conftest.py::superset",
                      ["bi_superset.initialise", "bi_superset.server_command"]),
}
# The commands the clerk's and the reviewer's guides name in their prose (`python -m …`,
# `make …`, `.venv/bin/pytest …`) and the `$ ` lines of their transcripts: the test that runs
# each, and words its module must hold, as for MAPPED. A `.venv/bin/pytest FILE` is a test file
# of the suite (`make test`); the transcripts are run as written below
# (test_the_clerk_transcripts_are_what_validate_prints).
VALIDATE_VI = ("tests/clerk/test_validate_messages.py::test_a_row_rule_is_a_warning_at_the_indicators_cell",
               ['"-m", "ingest", "validate"', '"--lang", "vi"'])
VALIDATE = ("tests/reader/test_sample_inbox_loaded.py::test_validate_prints_file_sheet_cell_and_exits_1",
            ['"-m", "ingest", "validate"'])
TRANSCRIPTS = ("tests/operations/test_docs.py::test_the_clerk_transcripts_are_what_validate_prints",
               ['transcripts(PROJECT / "docs" / "clerk.md")', "shlex.split"])
NAMED = {
    "python -m clerk": ("tests/clerk/test_command_line.py::test_validate_says_the_same_under_both_names",
                        ['run("clerk", "validate"']),
    "python -m ingest validate|template": (
        "tests/clerk/test_command_line.py::test_template_refuses_a_bad_period_under_both_names",
        ['run(room, "template"', 'run("ingest", "validate"']),
    "python -m ingest template": ("tests/operations/test_docs.py::test_the_clerk_commands_run_as_shown",
                                 ['" template "']),
    "python -m ingest validate": VALIDATE,
    "python -m ingest validate FILE": VALIDATE,
    "python -m ingest validate FILE...": VALIDATE,
    "python -m ingest validate --lang vi FILE...": VALIDATE_VI,
    "python -m ingest validate FILE --lang vi": VALIDATE_VI,
    "make portal": MAPPED["make portal PORTAL_PORT=8700"],
    "python -m portal create_accounts --sheet FILE": ("tests/portal/test_browser.py::portal",
                                                      ['"create_accounts", "--sheet"']),
    "python -m portal export_receipts": (
        "tests/portal/test_send.py::test_export_receipts_mends_a_lost_export",
        ['call_command("export_receipts"']),
    'python -m ingest validate "BC thang 9 - Phuong Dai Nai.xlsx" "BC cuoi nam.xlsx" "BC thang 12.xlsx"':
        TRANSCRIPTS,
    "python -m ingest validate --lang vi BC_2026-11_18685_Xa_Cam_Binh.xlsx": TRANSCRIPTS,
}
NAMING_GUIDES = ("clerk.md", "reviewer.md")
MAKE = {"run": "-m chitieu run", "airflow": "-m chitieu airflow", "docs": "-m chitieu docs",
        "env": "tools/generate_env.py", "superset": "tools/bi_superset.py",
        "portal": "gunicorn portal.wsgi"}


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and (m := re.match(r"^#{1,6} (.+)$", line)):
            base, n = slug(m.group(1)), 1
            name = base
            while name in found:
                name, n = f"{base}-{n}", n + 1
            found.add(name)
    return found


def links(path: Path) -> list[tuple[str, str]]:
    """(text, target) of every Markdown link outside code blocks."""
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return re.findall(r"\[([^\]]+)\]\(([^)\s]+)\)", text)


def sh_commands(path: Path) -> list[str]:
    """Every command line of the ```sh blocks, without its comment."""
    blocks = re.findall(r"^```sh\n(.*?)^```", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    lines = (re.sub(r"\s+#.*$", "", line).strip() for block in blocks for line in block.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@pytest.mark.unit
def test_the_readme_is_a_front_page() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150
    first = re.search(r"```sh\n(.*?)```", text, re.S)
    assert first and [c.split()[:2] for c in sh_commands(README)][:2] == [["make", "run"], ["make", "test"]]


@pytest.mark.unit
@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_link_lands_on_a_file_and_a_heading(doc: Path) -> None:
    for text, target in links(doc):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        dest = (doc.parent / file).resolve() if file else doc
        assert dest.exists(), f"{doc.name}: [{text}]({target}) names no file"
        if anchor:
            assert anchor in anchors(dest), f"{doc.name}: [{text}]({target}) names no heading"


@pytest.mark.unit
def test_the_readme_links_each_named_task_to_its_own_heading() -> None:
    linked = {text: target for text, target in links(README)}
    for task, target in TASKS.items():
        assert linked.get(task) == target, f"the README's table should link {task!r} to {target}"
        file, anchor = target.split("#")
        assert anchor == slug(task) and anchor in anchors(PROJECT / file)


@pytest.mark.unit
def test_no_guide_calls_the_checker_a_district_data_officer() -> None:
    """Districts were abolished on 1 July 2025: the office checks files, a clerk may too."""
    for path in [*DOCS, *(PROJECT / "clerk").glob("*.py"), *(PROJECT / "ingest").glob("*.py")]:
        assert "district data officer" not in path.read_text(encoding="utf-8"), path


@pytest.mark.unit
def test_what_the_code_tells_an_operator_to_read_exists() -> None:
    """Alerts, failure files and refusals point to a guide's heading: it must be there."""
    pointers = [(path, target) for folder in ("chitieu", "dags", "clerk", "ingest", "base")
                for path in (PROJECT / folder).rglob("*.py")
                for target in re.findall(r"docs/\w+\.md#[\w-]+", path.read_text(encoding="utf-8"))]
    assert len(pointers) >= 3  # the failure alert, LAST_FAILURE.txt, a refused backfill day
    for path, target in pointers:
        file, anchor = target.split("#")
        assert anchor in anchors(PROJECT / file), f"{path.name} points to {target}: no such heading"
    for folder in ("chitieu", "dags"):
        for path in (PROJECT / folder).rglob("*.py"):
            assert "README.md, section" not in path.read_text(encoding="utf-8"), path


def _function_exists(path: Path, name: str) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, ast.FunctionDef) and n.name == name for n in ast.walk(tree))


@pytest.mark.unit
def test_every_command_the_guides_show_is_run_by_a_test() -> None:
    from tests.operations.test_engineer_docs import SECTIONS, commands

    shown = {cmd: doc.name for doc in DOCS for cmd in sh_commands(doc)}
    # the engineer's sections on re-ingesting, alerts, queries and failures: each command is
    # run as written by tests/operations/test_engineer_docs.py
    by_engineer_docs = {c for heading in SECTIONS for c in commands(heading)}
    unmapped = sorted(set(shown) - RUN_HERE - set(MAPPED) - by_engineer_docs)
    assert not unmapped, f"commands shown but run by no test (run them here or map them): {unmapped}"
    assert not (RUN_HERE | set(MAPPED)) - set(shown), "mapped commands no guide shows any more"
    makefile = (PROJECT / "Makefile").read_text(encoding="utf-8")
    for cmd, (node, words) in MAPPED.items():
        file, _, func = node.partition("::")
        source = (PROJECT / file).read_text(encoding="utf-8")
        assert not func or _function_exists(PROJECT / file, func), f"{cmd}: {node} does not exist"
        for word in words:
            assert word in source, f"{cmd}: {file} does not run it ({word!r} missing)"
        if cmd.startswith("make ") and (target := cmd.split()[1]) in MAKE:
            recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M)
            assert recipe and MAKE[target] in recipe.group(1).replace("$(PY) ", ""), cmd


def code_blocks(path: Path) -> tuple[str, list[tuple[str, list[str]]]]:
    """The guide's prose without its code blocks, and (language, lines) of each block."""
    prose, blocks, block = [], [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if block is None:
                block = (line[3:].strip(), [])
            else:
                blocks.append(block)
                block = None
        elif block is None:
            prose.append(line)
        else:
            block[1].append(line)
    return "\n".join(prose), blocks


def named_commands(path: Path) -> list[str]:
    """The commands a guide names in its prose (code spans) and the `$ ` lines of its code
    blocks (a command shown with what it prints)."""
    prose, blocks = code_blocks(path)
    spans = [s for s in re.findall(r"`([^`\n]+)`", prose)
             if re.match(r"(python -m |make |\.venv/bin/|docker |uv |chitieu )", s)]
    return spans + [line[2:] for _, lines in blocks for line in lines if line.startswith("$ ")]


@pytest.mark.unit
def test_every_command_the_clerk_and_reviewer_guides_name_is_run_by_a_test() -> None:
    """Beyond the ```sh blocks: each command the clerk's and the reviewer's guides name in a
    sentence or show with its output is run by a test that names it."""
    named = {cmd for doc in GUIDES if doc.name in NAMING_GUIDES for cmd in named_commands(doc)}
    assert len(named) >= 10  # the scan finds the guides' commands
    unmapped = sorted(c for c in named - set(NAMED) - RUN_HERE - set(MAPPED)
                      if not c.startswith(".venv/bin/pytest "))
    assert not unmapped, f"commands the guides name but no test runs (map them in NAMED): {unmapped}"
    assert not set(NAMED) - named, "NAMED lists commands the guides no longer name"
    for cmd in named:
        if cmd.startswith(".venv/bin/pytest "):  # a file of the suite that `make test` runs
            target = cmd.split()[1]  # the file; what follows selects in it (-k …)
            assert target.startswith("tests/") and (PROJECT / target).is_file(), cmd
            continue
        node, words = NAMED.get(cmd) or MAPPED.get(cmd) or ("tests/operations/test_docs.py", [])
        file, _, func = node.partition("::")
        source = (PROJECT / file).read_text(encoding="utf-8")
        assert not func or _function_exists(PROJECT / file, func), f"{cmd}: {node} does not exist"
        for word in words:
            assert word in source, f"{cmd}: {file} does not run it ({word!r} missing)"


def transcripts(path: Path) -> list[tuple[str, list[str]]]:
    """(command, the lines shown under it) of each `$ ` line in the guide's plain code blocks."""
    found: list[tuple[str, list[str]]] = []
    for _, lines in code_blocks(path)[1]:
        shown: list[str] | None = None  # the lines under this block's last `$ ` line
        for line in lines:
            if line.startswith("$ "):
                shown = []
                found.append((line[2:], shown))
            elif shown is not None:
                shown.append(line)
    return found


@pytest.mark.warehouse
def test_the_clerk_transcripts_are_what_validate_prints(tmp_path: Path, sample_dir: Path) -> None:
    """Each `$ ` command of docs/clerk.md, run as written where its files are (the sample's
    refused files; Cẩm Bình's November template filled with more poor households than there
    are households), prints the lines the guide shows (a line cut with "…" is its start)."""
    from tests.filled import filled_template

    filled_template(tmp_path, "18685", "2026-11", {"POP_TOTAL": 12000, "HH_TOTAL": 3000, "HH_POOR": 2900,
                                                   "HH_NEAR_POOR": 200, "PARTY_MEMBERS": 400},
                    name="BC_2026-11_18685_Xa_Cam_Binh.xlsx")
    env = {**os.environ, "WAREHOUSE_DIR": str(tmp_path / "no-warehouse")}
    env.pop("CHITIEU_SETTINGS", None)
    shown = transcripts(PROJECT / "docs" / "clerk.md")
    assert len(shown) == 2, shown
    for command, lines in shown:
        where = sample_dir / "inbox" / "Loi" if "Phuong Dai Nai" in command else tmp_path
        args = shlex.split(command)
        assert args[:3] == ["python", "-m", "ingest"], command
        proc = subprocess.run([sys.executable, *args[1:]], env=env, cwd=where, capture_output=True,
                              text=True, timeout=300, check=False)
        printed = proc.stdout.splitlines()
        assert len(printed) == len(lines), f"{command}\n{proc.stdout}{proc.stderr}"
        for said, doc in zip(printed, lines, strict=True):
            if doc.endswith("…"):
                assert said.startswith(doc[:-1]), (said, doc)
            else:
                assert said == doc, (said, doc)


@pytest.mark.unit
def test_the_command_table_lists_every_make_target_and_chitieu_command() -> None:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Commands", 1)[1]
    phony = re.search(r"^\.PHONY: (.+)$", (PROJECT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert phony
    for target in set(phony.group(1).split()) - {"help"}:
        assert f"`make {target}`" in table, f"make {target} is missing from the README's commands"
    tree = ast.parse((PROJECT / "chitieu" / "__main__.py").read_text(encoding="utf-8"))
    # the dispatcher: main()'s `handlers = {"run": ..., ...}`
    commands = {k.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "handlers" for t in n.targets)
                and isinstance(n.value, ast.Dict) for k in n.value.keys if isinstance(k, ast.Constant)}
    assert {"run", "backfill", "airflow-db", "docs"} <= commands  # the scan reads the dispatcher
    for command in commands:
        assert f"`chitieu {command}" in table or f"`{command}`" in table, f"chitieu {command} missing"


@pytest.mark.unit
def test_the_alert_settings_shown_are_read_as_shown(tmp_path: Path) -> None:
    from base.settings import Settings

    guide = (PROJECT / "docs" / "engineer.md").read_text(encoding="utf-8")
    section = guide.split("## Set the alert addresses", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```toml\n(.*?)```", section, re.S)
    assert block
    (tmp_path / "chitieu.toml").write_text(block.group(1), encoding="utf-8")
    settings = Settings.from_env({"CHITIEU_SETTINGS": str(tmp_path / "chitieu.toml"),
                                  "WAREHOUSE_DIR": str(tmp_path)})
    shown = tomllib.loads(block.group(1))
    assert settings.alert_to == tuple(shown["alert_to"]) and settings.smtp_host == shown["smtp_host"]
    assert (settings.alert_from, settings.smtp_port) == (shown["alert_from"], shown["smtp_port"])


@pytest.mark.warehouse
def test_the_sample_figures_are_what_the_generator_makes(tmp_path: Path, bad_inputs: list) -> None:
    """The guide's file count is what the generator writes on the day the guide names (the
    inbox grows as months end, so the day is part of the figure; a later month never fails it)."""
    from ingest.sample import generate

    guide = (PROJECT / "docs" / "developer.md").read_text(encoding="utf-8")
    m = re.search(r"Generated on (\d+) (\w+) (\d{4}) the inbox holds ([\d,]+) files", guide)
    bad = re.search(r"labels the (\d+) bad inputs", guide)
    assert m and bad
    assert int(bad.group(1)) == len(bad_inputs)
    day = date(int(m.group(3)), list(calendar.month_name).index(m.group(2)), int(m.group(1)))
    generate(tmp_path / "inbox", tmp_path / "expected", today=day)
    files = sum(1 for p in (tmp_path / "inbox").rglob("*") if p.is_file())
    assert int(m.group(4).replace(",", "")) == files, (
        f"on {day:%d %B %Y} the generator writes {files} files: update docs/developer.md")


@pytest.mark.warehouse
def test_the_clerk_commands_run_as_shown(tmp_path: Path) -> None:
    env = {**os.environ, "WAREHOUSE_DIR": str(tmp_path / "warehouse")}
    env.pop("CHITIEU_SETTINGS", None)
    shown = [c for c in sh_commands(PROJECT / "docs" / "clerk.md") if c in RUN_HERE]
    assert set(shown) == RUN_HERE
    templates = [c for c in shown if " template " in c]
    for cmd in templates:
        proc = subprocess.run([sys.executable, *shlex.split(cmd)[1:]], env=env, cwd=PROJECT,
                              capture_output=True, text=True, timeout=900, check=False)
        assert proc.returncode == 0, f"{cmd}: {proc.stderr[-2000:]}"
        said = proc.stdout
        assert "chưa có kho dữ liệu đã công bố" in said or "targets workbook" in said, said
    folder = tmp_path / "warehouse" / "templates" / "2026-11"
    assert (folder / "BC_2026-11_18073_Phuong_Thanh_Sen.xlsx").is_file()
    for cmd in (c for c in shown if " validate " in c):
        proc = subprocess.run([sys.executable, *shlex.split(cmd)[1:]], env=env, cwd=folder,
                              capture_output=True, text=True, timeout=300, check=False)
        # a template sent back unfilled is refused, naming the file: exit 1
        assert proc.returncode == 1 and "BC_2026-11_18073_Phuong_Thanh_Sen.xlsx" in proc.stdout, proc.stdout
