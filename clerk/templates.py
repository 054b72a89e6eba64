"""`python -m ingest template`: the blank report each unit fills, so the cleanest report is
the easiest one to send.

Which units get a template comes from the unit list and the reporting calendar; which rows,
from the catalogue's "reported by"; the due date, from the calendar; last period's figures,
from the published warehouse. Before the July 2025 reform a district gets one workbook: the
table of its communes (layout B) and its own report (layout A); its communes are covered by
that table when the whole calendar is generated. After it, the 69 communes and the province
each get their own report (layout A).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from base.calendar import rules_for
from base.periods import Period
from base.reference import Element, Unit, data_elements, load_units, on_form
from base.units import UnitResolver
from clerk.last_values import last_values
from clerk.template_book import (
    A_SHEET,
    DISTRICT_OWN_SHEET,
    TableSheet,
    Template,
    UnitSheet,
    write_book,
)

DEFAULT_SEND_TO = "bộ phận tổng hợp của Cục Thống kê"


class TemplateError(ValueError):
    """A request no template can answer (unknown unit, no unit of that level); said plainly."""


def ascii_name(text: str) -> str:
    """A Vietnamese name in plain ASCII for a file name: "Phường Thành Sen" -> "Phuong_Thanh_Sen"."""
    bare = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    bare = "".join(ch for ch in bare if not unicodedata.combining(ch))
    return re.sub(r"[^A-Za-z0-9]+", "_", bare).strip("_")


def file_name(unit: Unit, period: Period) -> str:
    """Unit and period in plain ASCII, from the unit list and the period code only."""
    return f"BC_{period.code}_{unit.code}_{ascii_name(unit.name)}.xlsx"


def elements_for(unit: Unit, catalogue: dict[str, Element], period: Period) -> list[Element]:
    """The rows of a unit's report: every element its level reports as its own part (a ward
    gets no NTM row, a commune no GRDP) and that is reported in the period (a 2026 form has no
    COVID-19 row: the catalogue's valid_to), in catalogue order."""
    return [e for e in catalogue.values() if on_form(e, unit) and e.valid_in(period)]


def units_for(period: Period, unit_code: str | None = None, level: str | None = None,
              units: tuple[Unit, ...] | None = None) -> list[Unit]:
    """The addressees: one unit by code (the unit of that code on the period's last day), a
    level's units, or every unit the calendar expects for the period. In the last case a
    commune whose district gets its table of communes is left to that table."""
    units = units or load_units()
    last = period.last_day
    if unit_code:
        from base.units import UnitError

        # a GSO code, or a name resolved as a report's letterhead is ("Xã Cẩm Bình", "Cẩm
        # Bình, huyện Cẩm Xuyên"): an ambiguous name is refused with its candidates
        code, name = (unit_code, None) if unit_code.strip().isdigit() else (None, unit_code)
        try:
            return [UnitResolver.default().resolve(code, name, period.first_day, last)]
        except UnitError as exc:
            raise TemplateError(str(exc)) from None
    levels = [level] if level else list(rules_for(period))
    if not levels:
        raise TemplateError(f"the reporting calendar expects no report for {period.code}; "
                            "name the units with --unit or --level")
    chosen = sorted((u for u in units if u.level in levels and u.exists_on(last)),
                    key=lambda u: (("province", "district", "commune").index(u.level), u.code))
    if not chosen:
        raise TemplateError(f"no {' or '.join(levels)} exists on {last}")
    if level is None:
        tabled = {u.code for u in chosen if u.level == "district"}
        chosen = [u for u in chosen if not (u.level == "commune" and u.parent_code in tabled)]
    return chosen


@dataclass(frozen=True)
class Request:
    period: Period
    out_dir: Path
    published: Path | None
    send_to: str | None = None


def plan(unit: Unit, request: Request, units: tuple[Unit, ...],
         catalogue: dict[str, Element]) -> Template:
    """What goes in one unit's workbook: its communes' table if it is a district, its own
    report, the due date of its level, and where to send it."""
    period, published = request.period, request.published
    rule = rules_for(period).get(unit.level)
    parent = next((u for u in units if u.code == unit.parent_code
                   and u.exists_on(period.last_day)), None)
    send_to = request.send_to or (f"bộ phận thống kê của {parent.name}" if parent
                                  else DEFAULT_SEND_TO)
    table = None
    if unit.level == "district":
        communes = sorted((u for u in units if u.parent_code == unit.code
                           and u.exists_on(period.last_day)), key=lambda u: u.code)
        columns = [e for e in catalogue.values()
                   if e.valid_in(period) and any(on_form(e, c) for c in communes)]
        codes = [e.code for e in columns]
        table = TableSheet(unit, communes, columns,
                           {c.code: last_values(published, c, period, codes) for c in communes})
    own_elements = elements_for(unit, catalogue, period)
    own = UnitSheet(unit, own_elements,
                    last_values(published, unit, period, [e.code for e in own_elements]),
                    DISTRICT_OWN_SHEET if table is not None else A_SHEET)
    return Template(unit, period, rule.due_date(period) if rule else None, send_to, table, own)


def write_templates(request: Request, unit_code: str | None = None,
                    level: str | None = None) -> list[Path]:
    """One workbook per addressee into `request.out_dir`; returns the paths written."""
    units = load_units()
    catalogue = data_elements()
    request.out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for unit in units_for(request.period, unit_code, level, units):
        path = request.out_dir / file_name(unit, request.period)
        write_book(path, plan(unit, request, units, catalogue))
        written.append(path)
    return written
